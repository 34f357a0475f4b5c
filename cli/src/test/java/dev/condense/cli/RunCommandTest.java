// Tests of `condense run`: top values, inputs from files or noise, the written output, fallbacks and one-line errors.
package dev.condense.cli;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.io.TensorFiles;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunCommandTest {

    /** Vector against ONNX Runtime on a whole model, as the differential tests allow. */
    static final double RELATIVE_TOLERANCE = 1e-3;
    static final double ABSOLUTE_TOLERANCE = 1e-4;

    private static Tensor image(long seed, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats("image", dims, values);
    }

    /** The logits ONNX Runtime computes for {@code x}, through the API rather than the command. */
    private static float[] ortLogits(Path model, Tensor x) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(Backend.ORT_CPU).withThreads(1));
             Result r = s.run(Map.of("input", x.withName("input")))) {
            return r.first().toFloatArray();
        }
    }

    /** Indices of the k largest values, largest first. */
    private static int[] topIndices(float[] v, int k) {
        return java.util.stream.IntStream.range(0, v.length).boxed()
                .sorted((a, b) -> Float.compare(v[b], v[a])).limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void randomInputShowsTheTopValuesOfTheSeededNoise(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        MainTest.Run r = run("run", model.toString(), "--input", "random", "--seed", "7", "--top", "3",
                "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"model", "backend", "requested_backend", "description", "threads", "inputs",
                "output", "top", "read_ms", "open_ms", "run_ms"}) {
            assertTrue(j.has(key), key + " in " + r.out());
        }
        assertEquals("ort-cpu", j.get("backend").asText());
        assertEquals(1, j.get("threads").asInt());
        assertEquals("[1,1,28,28]", j.get("inputs").get(0).get("shape").toString());
        assertEquals("random, seed 7", j.get("inputs").get(0).get("source").asText());
        assertEquals("[1,10]", j.get("output").get("shape").toString());

        Tensor noise = Feeds.fromSpecs(OnnxReader.read(model).graph().inputs(), List.of("random"), 7)
                .getFirst().tensor();
        float[] logits = ortLogits(model, noise);
        int[] expected = topIndices(logits, 3);
        JsonNode top = j.get("top");
        assertEquals(1, top.size(), "one row for a batch of one");
        assertEquals(3, top.get(0).size());
        double sumExp = 0;
        for (float v : logits) {
            sumExp += Math.exp(v - logits[expected[0]]);
        }
        for (int k = 0; k < 3; k++) {
            JsonNode e = top.get(0).get(k);
            assertEquals(expected[k], e.get("index").asInt());
            assertEquals(logits[expected[k]], e.get("value").floatValue());
            assertEquals(Math.exp(logits[expected[k]] - logits[expected[0]]) / sumExp, e.get("softmax").asDouble(), 1e-9);
        }
        assertTrue(j.get("run_ms").asDouble() > 0 && j.get("open_ms").asDouble() > 0);
    }

    @Test
    void fileInputRunsAndTheFirstOutputIsWritten(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        Tensor x = image(3, 2, 1, 28, 28);
        Path in = dir.resolve("x.npy");
        TensorFiles.write(in, x);
        Path out = dir.resolve("logits.pb");
        MainTest.Run r = run("run", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--top", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input    input: float32[2, 1, 28, 28] (" + in + ")"), r.out());
        assertTrue(r.out().contains("output   logits: float32[2, 10]"), r.out());
        assertTrue(r.out().contains("row 0") && r.out().contains("row 1"), "a row per image:\n" + r.out());
        assertTrue(r.out().contains("wrote    " + out), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(
                        "time {5}\\d+\\.\\d\\d ms \\(reading the model took \\d+ ms, opening the session \\d+ ms\\)")),
                r.out());
        Tensor written = OnnxReader.readTensor(out);
        assertEquals("logits", written.name());
        assertArrayEquals(new long[] {2, 10}, written.dims());
        assertArrayEquals(ortLogits(model, x), written.toFloatArray(), "the written output is the run's");
    }

    @Test
    void namedInputsMixFilesAndNoise(@TempDir Path dir) throws Exception {
        Path model = TestModels.identities(dir, "two.onnx", List.of("a", "b"), "N", 3);
        Tensor a = Tensor.ofFloats("whatever", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
        Path file = dir.resolve("a.pb");
        TensorFiles.write(file, a);
        Path out = dir.resolve("a_out.npy");
        MainTest.Run r = run("run", model.toString(), "--input", "a=" + file, "--input", "b=random",
                "--output", out.toString(), "--json", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode inputs = new ObjectMapper().readTree(r.out()).get("inputs");
        assertEquals("[2,3]", inputs.get(1).get("shape").toString(), "random b takes N = 2 from file a");
        Tensor written = TensorFiles.read(out);
        assertArrayEquals(a.toFloatArray(), written.toFloatArray());

        MainTest.Run unnamed = run("run", model.toString(), "--input", file.toString());
        assertEquals(1, unnamed.code());
        assertEquals("condense run: --input '" + file + "': the model has 2 inputs (a: float32[N, 3], b: float32[N, 3]);"
                + " give each as --input NAME=FILE or NAME=random", unnamed.err().strip());
        MainTest.Run missing = run("run", model.toString(), "--input", "a=" + file);
        assertEquals(1, missing.code());
        assertEquals("condense run: no --input for 'b'; the model's inputs are a: float32[N, 3], b: float32[N, 3]"
                + " (give --input NAME=FILE or NAME=random for each)", missing.err().strip());
    }

    @Test
    void vectorRunsAGraphItHasKernelsFor(@TempDir Path dir) throws Exception {
        Path model = TestModels.identities(dir, "one.onnx", List.of("x"), "N", 3);
        Path file = dir.resolve("x.npy");
        TensorFiles.write(file, Tensor.ofFloats("x", new long[] {1, 3}, 0.5f, -2, 7));
        MainTest.Run r = run("run", model.toString(), "--input", file.toString(), "--backend", "vector", "--top", "2",
                "--json", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("vector", j.get("backend").asText());
        assertEquals(2, j.get("top").get(0).get(0).get("index").asInt());
        assertEquals(7.0, j.get("top").get(0).get(0).get("value").asDouble());
        assertEquals(0, j.get("top").get(0).get(1).get("index").asInt());
    }

    /** Needs the vector engine's Conv, Gemm, pooling and activation kernels. */
    @Test
    void vectorAgreesWithOrtCpuOnLeNet(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        Path file = dir.resolve("x.npy");
        TensorFiles.write(file, image(11, 1, 1, 28, 28));
        Path vectorOut = dir.resolve("vector.npy");
        MainTest.Run r = run("run", model.toString(), "--input", file.toString(), "--backend", "vector",
                "--output", vectorOut.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("model    " + model + "\nbackend  vector ("), r.out());
        float[] expected = ortLogits(model, image(11, 1, 1, 28, 28));
        float[] got = TensorFiles.read(vectorOut).toFloatArray();
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - got[i]));
        }
        assertTrue(maxDiff <= RELATIVE_TOLERANCE * maxAbs + ABSOLUTE_TOLERANCE, "max |diff| " + maxDiff);
    }

    @Test
    void cudaFallsBackToCpuWhenAsked(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        MainTest.Run direct = run("run", model.toString(), "--input", "random", "--backend", "ort-cuda");
        Assumptions.assumeTrue(direct.code() != 0, "ort-cuda runs here: nothing to fall back from");
        assertEquals(1, direct.code());
        assertEquals(1, direct.err().strip().lines().count(), direct.err());
        assertTrue(direct.err().startsWith("condense run: ort-cuda"), direct.err());
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            assertTrue(direct.err().contains("onnxruntime_gpu") && direct.err().contains("'cuda'")
                    && direct.err().contains("[CPU]"), direct.err());
        }

        MainTest.Run r = run("run", model.toString(), "--input", "random", "--backend", "ort-cuda", "--fallback", "cpu",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("ort-cpu", j.get("backend").asText());
        assertEquals("ort-cuda", j.get("requested_backend").asText());
        MainTest.Run text = run("run", model.toString(), "--input", "random", "--backend", "ort-cuda", "--fallback", "cpu");
        assertTrue(text.out().contains("(instead of ort-cuda, which could not start)"), text.out());
    }

    @Test
    void mistakesGiveOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        Path wrongShape = dir.resolve("small.npy");
        TensorFiles.write(wrongShape, image(1, 1, 1, 27, 28));
        Path ints = dir.resolve("ints.npy");
        TensorFiles.write(ints, Tensor.ofLongs("x", new long[] {1, 1}, 5));
        String[][] cases = {
                {"--input", "random", "--backend", "gpu"},
                {"--input", "random", "--threads", "0"},
                {"--input", "random", "--fallback", "tpu"},
                {"--input", "random", "--backend", "vector", "--fallback", "vector"},
                {"--input", "random", "--top", "0"},
                {"--input", "random", "--output", dir.resolve("out.txt").toString()},
                {"--input", dir.resolve("absent.pb").toString()},
                {"--input", wrongShape.toString()},
                {"--input", ints.toString()},
        };
        String[] expected = {
                "condense run: --backend: no backend 'gpu'; there are ort-cpu, ort-cuda, vector",
                "condense run: --threads must be between 1 and 1024, got 0",
                "condense run: --fallback: no backend 'tpu'; there are ort-cpu, ort-cuda, vector",
                "condense run: --fallback vector is the backend itself; name another or leave it out",
                "condense run: --top must be at least 1, got 0",
                "condense run: cannot tell the format of " + dir.resolve("out.txt") + " from its name; write a file"
                        + " ending in .npy or .pb",
                "condense run: " + dir.resolve("absent.pb") + " does not exist",
                "condense run: input 'input' must be float32[N, 1, 28, 28], got float32[1, 1, 27, 28]: dimension 2"
                        + " is 27, not 28",
                "condense run: input 'input' must be float32[N, 1, 28, 28], got int64[1, 1]",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 2];
            args[0] = "run";
            args[1] = model.toString();
            System.arraycopy(cases[i], 0, args, 2, cases[i].length);
            MainTest.Run r = run(args);
            assertEquals(1, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(expected[i], r.err().strip());
            assertEquals("", r.out());
        }
        assertFalse(Files.exists(dir.resolve("out.txt")));

        MainTest.Run noModel = run("run", dir.resolve("none.onnx").toString(), "--input", "random");
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().startsWith("condense run: ") && noModel.err().contains("none.onnx"), noModel.err());
        assertEquals(1, noModel.err().strip().lines().count(), noModel.err());
    }
}
