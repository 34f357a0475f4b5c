// Tests of `compress`, `decompress`, and .dcz files in `run`, `bench` and `inspect`: equal outputs, clear one-line errors.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.io.TensorFiles;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressCommandTest {

    /** Outputs of the .dcz, the decompressed ONNX and the pipeline's in-memory model on one backend. */
    private static final float SAME_BACKEND_TOLERANCE = 1e-5f;

    private static Tensor image(long seed, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats("input", dims, values);
    }

    private static Path zoo(Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        OnnxWriter.write(Zoo.get(name).build(ZooSpec.fashionMnist()), file, OnnxWriter.Options.inline());
        return file;
    }

    private static float[] runFile(Path model, Path input, Backend backend, Path dir, String tag) throws Exception {
        Path out = dir.resolve(tag + ".npy");
        MainTest.Run r = run("run", model.toString(), "--input", input.toString(), "--backend", backend.id(),
                "--threads", "1", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        return TensorFiles.read(out).toFloatArray();
    }

    private static float[] runModel(Model model, Tensor x, Backend backend) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(backend).withThreads(1));
             Result r = s.run(Map.of("input", x))) {
            return r.first().toFloatArray();
        }
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The .dcz through `run`, its decompressed ONNX through `run`, and the pipeline's model in
     * memory compute the same logits on vector and on ort-cpu.
     */
    private static void assertDczRunsLikeItsModel(Path dir, String zooName, String preset) throws Exception {
        Path onnx = zoo(dir, zooName);
        Path dcz = dir.resolve(zooName + ".dcz");
        MainTest.Run c = run("compress", onnx.toString(), "-o", dcz.toString(), "--preset", preset);
        assertEquals(0, c.code(), c.err());
        Path decompressed = dir.resolve(zooName + "-decompressed.onnx");
        MainTest.Run d = run("decompress", dcz.toString(), "-o", decompressed.toString());
        assertEquals(0, d.code(), d.err());

        Tensor x = image(21, 2, 1, 28, 28);
        Path input = dir.resolve("x.npy");
        TensorFiles.write(input, x);
        Model inMemory = CompressionPipeline.of(CompressionPreset.of(preset)).compress(OnnxReader.read(onnx)).model();
        for (Backend backend : List.of(Backend.VECTOR, Backend.ORT_CPU)) {
            float[] fromDcz = runFile(dcz, input, backend, dir, "dcz-" + backend.id());
            float[] fromOnnx = runFile(decompressed, input, backend, dir, "onnx-" + backend.id());
            float[] fromMemory = runModel(inMemory, x, backend);
            assertEquals(20, fromDcz.length);
            assertArrayEquals(fromOnnx, fromDcz, SAME_BACKEND_TOLERANCE, zooName + " on " + backend + ": .dcz vs .onnx");
            assertArrayEquals(fromMemory, fromDcz, SAME_BACKEND_TOLERANCE, zooName + " on " + backend + ": .dcz vs memory");
        }
        // Not a trivial model: pruning and sharing changed the logits.
        float[] original = runModel(OnnxReader.read(onnx), x, Backend.ORT_CPU);
        float[] compressed = runModel(inMemory, x, Backend.ORT_CPU);
        assertFalse(java.util.Arrays.equals(original, compressed));
    }

    @Test
    void lenetDczRunsEverywhereAsTheDecompressedAndInMemoryModelsDo(@TempDir Path dir) throws Exception {
        assertDczRunsLikeItsModel(dir, "lenet-5", "default");
    }

    @Test
    void alexnetDczWithThePaperPresetRunsAsItsModelDoes(@TempDir Path dir) throws Exception {
        assertDczRunsLikeItsModel(dir, "alexnet", "paper-alexnet");
    }

    @Test
    void compressPrintsTheTableAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        Path dcz = dir.resolve("lenet.dcz");
        Path report = dir.resolve("report.json");
        MainTest.Run r = run("compress", onnx.toString(), "-o", dcz.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(onnx + " -> " + dcz + "  (preset default)\n"), r.out());
        assertTrue(r.out().contains("bytes before"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fc1 ") && l.contains("48,000") && l.contains("30.0%")),
                r.out());
        String outputLine = "output  " + String.format("%,d", Files.size(dcz)) + " bytes: ";
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(outputLine) && l.contains("smaller than the input gzipped")),
                r.out());
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertEquals(Files.size(dcz), j.get("totals").get("archiveBytes").asLong());
        assertEquals(Files.size(onnx), j.get("totals").get("inputBytes").asLong());
        assertTrue(j.get("totals").get("inputGzipBytes").asLong() > 0);
        assertEquals("default", j.get("preset").asText());
        assertEquals(List.of("lenet-5.onnx", "lenet.dcz", "report.json"), files(dir));

        MainTest.Run plain = run("compress", onnx.toString(), "-o", dir.resolve("plain.dcz").toString(), "--no-huffman",
                "--no-share", "--prune", "50%", "--index-bits", "fc=4,conv=3", "--no-gzip-baseline");
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("(preset default, no sharing, no Huffman)"), plain.out());
        assertFalse(plain.out().contains("gzipped"), plain.out());
        assertTrue(plain.out().lines().anyMatch(l -> l.startsWith("fc1 ") && l.contains("50.0%")), plain.out());
    }

    @Test
    void inspectShowsHowTheContainerStoresEachTensor(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        Path dcz = dir.resolve("lenet.dcz");
        assertEquals(0, run("compress", onnx.toString(), "-o", dcz.toString()).code());
        MainTest.Run text = run("inspect", dcz.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("parameters  61,706"), text.out());
        assertTrue(text.out().contains("container   DCZ version 2, 10 tensors"), text.out());
        assertTrue(text.out().contains("preset=default"), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("fc1.weight") && l.contains("deep-compression")
                && l.contains("[120, 400]") && l.contains("30.0") && l.contains(" 32 ")), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("fc1.bias") && l.contains("raw-fp32")), text.out());

        MainTest.Run json = run("inspect", dcz.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertEquals(61_706, j.get("parameters").asLong());
        assertEquals(Files.size(dcz), j.get("bytes").asLong());
        assertEquals(10, j.get("dcz").get("tensors").size());
        JsonNode fc1 = j.get("dcz").get("tensors").get(4);
        assertEquals("fc1.weight", fc1.get("name").asText());
        assertEquals(14_400, fc1.get("kept").asLong());
        assertEquals(32, fc1.get("codebook").asInt());
        assertEquals("default", j.get("dcz").get("settings").get("preset").asText());
    }

    @Test
    void benchTimesADczOnBothBackends(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        Path dcz = dir.resolve("lenet.dcz");
        assertEquals(0, run("compress", onnx.toString(), "-o", dcz.toString(), "--no-gzip-baseline").code());
        MainTest.Run r = run("bench", dcz.toString(), "--backend", "vector,ort-cpu", "--threads", "1", "--warmup", "1",
                "--iterations", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(dcz.toString(), j.get("model").asText());
    }

    @Test
    void impossibleOptionsAreOneLineErrorsAndWriteNothing(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        String out = dir.resolve("out.dcz").toString();
        String[][] cases = {
                {"--prune", "1.5"}, {"--prune", "q1"}, {"--prune-quality", "-1"}, {"--share-bits", "conv=0"},
                {"--share-bits", "fc=17"}, {"--layer", "fc9=0.1"}, {"--layer", "fc1"}, {"--preset", "paper-alexnet"},
                {"--preset", "paper-vgg16"}, {"--preset", "huge"}, {"--prune", "0.5", "--prune-quality", "1"},
                {"--no-prune", "--layer", "fc1=0.1"}, {"--no-share", "--share-bits", "fc=4"}, {"--index-bits", "fc=0"},
                {"--index-bits", "conv=99"}};
        String[] expected = {
                "condense compress: --prune: keep fraction must lie in [0, 1], got 1.5",
                "condense compress: --prune q1 is not a keep fraction; write e.g. 0.1 or 10% (--prune-quality takes a"
                        + " quality factor)",
                "condense compress: --prune-quality: quality factor must be a finite number >= 0, got -1.0",
                "condense compress: --share-bits: rule 'conv=0': bits per weight must lie in [1, 16], got 0",
                "condense compress: --share-bits: rule 'fc=17': bits per weight must lie in [1, 16], got 17",
                "condense compress: rule 'fc9' names no weight layer and no op type; the layers are conv1, conv2, fc1,"
                        + " fc2, fc3; the types are conv, fc, Conv, Gemm, MatMul",
                "condense compress: --layer 'fc1' is not NAME=KEEP (e.g. fc6=0.09)",
                "condense compress: preset alexnet has 8 layers (conv1, conv2, conv3, conv4, conv5, fc6, fc7, fc8) but"
                        + " the model has 5 prunable layers (conv1, conv2, fc1, fc2, fc3)",
                "condense compress: preset vgg-16 has 16 layers (conv1_1, conv1_2, conv2_1, conv2_2, conv3_1, conv3_2,"
                        + " conv3_3, conv4_1, conv4_2, conv4_3, conv5_1, conv5_2, conv5_3, fc6, fc7, fc8) but the model"
                        + " has 5 prunable layers (conv1, conv2, fc1, fc2, fc3)",
                "condense compress: --preset: no preset 'huge'; the presets are default, paper-lenet300, paper-lenet5,"
                        + " paper-alexnet, paper-vgg16",
                "condense compress: --prune and --prune-quality both set how much to keep; give one",
                "condense compress: --no-prune skips pruning; it cannot go with --prune, --prune-quality or --layer",
                "condense compress: --no-share skips weight sharing; it cannot go with --share-bits",
                "condense compress: --index-bits: rule 'fc=0': relative index bits must lie in [1, 16], got 0",
                "condense compress: --index-bits: rule 'conv=99': relative index bits must lie in [1, 16], got 99"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("compress", onnx.toString(), "-o", out));
            args.addAll(List.of(cases[i]));
            MainTest.Run r = run(args.toArray(String[]::new));
            assertEquals(1, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(expected[i], r.err().strip(), String.join(" ", cases[i]));
            assertEquals(List.of("lenet-5.onnx"), files(dir), String.join(" ", cases[i]));
        }
        byte[] before = Files.readAllBytes(onnx);
        MainTest.Run same = run("compress", onnx.toString(), "-o", onnx.toString());
        assertEquals(1, same.code());
        assertEquals("condense compress: the output " + onnx + " is the input; write to another file", same.err().strip());
        Path dcz = dir.resolve("made.dcz");
        Files.write(dcz, new byte[] {'P', 'K', 3, 4});
        MainTest.Run again = run("compress", dcz.toString(), "-o", out);
        assertEquals(1, again.code());
        assertEquals("condense compress: " + dcz + " is a DCZ container already; compress the ONNX model it came from, or"
                + " 'condense decompress' it first", again.err().strip());
        Files.delete(dcz);
        MainTest.Run reportIsInput = run("compress", onnx.toString(), "-o", out, "--report", onnx.toString());
        assertEquals(1, reportIsInput.code());
        assertEquals("condense compress: --report " + onnx + " is the input; write the report to another file",
                reportIsInput.err().strip());
        assertArrayEquals(before, Files.readAllBytes(onnx));
        assertEquals(List.of("lenet-5.onnx"), files(dir));
    }

    @Test
    void damagedContainersAreOneLineErrorsNamingTheEntryAndLeaveNoOutput(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        Path dcz = dir.resolve("lenet.dcz");
        assertEquals(0, run("compress", onnx.toString(), "-o", dcz.toString(), "--no-gzip-baseline").code());
        byte[] good = Files.readAllBytes(dcz);

        // A flipped bit in fc3.bias, the last entry, which ends where the central directory starts.
        byte[] flipped = good.clone();
        int centralDirectory = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(good.length - 6);
        flipped[centralDirectory - 1] ^= 0x01;
        Path damaged = dir.resolve("damaged.dcz");
        Files.write(damaged, flipped);
        String crc = damaged + ": entry 'tensors/9-fc3.bias': CRC-32 of its 56 bytes is 0x";

        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        Path cut = dir.resolve("cut.dcz");
        Files.write(cut, truncated);
        String end = cut + ": no end-of-central-directory record in the last 22 bytes (truncated, a zip comment, or"
                + " not a DCZ archive)";

        for (String[] c : new String[][] {{damaged.toString(), crc}, {cut.toString(), end}}) {
            List<MainTest.Run> runs = List.of(
                    run("run", c[0], "--input", "random"),
                    run("run", c[0], "--input", "random", "--backend", "vector"),
                    run("bench", c[0], "--iterations", "1"),
                    run("inspect", c[0]),
                    run("inspect", c[0], "--json"),
                    run("decompress", c[0], "-o", dir.resolve("out.onnx").toString()),
                    run("convert", c[0], "-o", dir.resolve("out2.onnx").toString()));
            for (MainTest.Run r : runs) {
                assertEquals(1, r.code(), r.err());
                assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace:\n" + r.err());
                assertTrue(r.err().contains(": " + c[1]), r.err());
                assertEquals("", r.out());
            }
        }
        assertEquals(List.of("cut.dcz", "damaged.dcz", "lenet-5.onnx", "lenet.dcz"), files(dir));
    }

    @Test
    void decompressWritesPlainOnnxAndNeverTheInput(@TempDir Path dir) throws Exception {
        Path onnx = zoo(dir, "lenet-5");
        Path dcz = dir.resolve("lenet.dcz");
        assertEquals(0, run("compress", onnx.toString(), "-o", dcz.toString(), "--no-gzip-baseline").code());
        Path back = dir.resolve("back.onnx");
        MainTest.Run r = run("decompress", dcz.toString(), "-o", back.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(dcz + " -> " + back + "\ntensors    10 initializers, 61,706 parameters\n"), r.out());
        Model model = OnnxReader.read(back);
        Model expected = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(OnnxReader.read(onnx)).model();
        for (Tensor t : expected.graph().initializers().values()) {
            assertArrayEquals(t.toFloatArray(), model.graph().initializers().get(t.name()).toFloatArray(), 0f, t.name());
        }
        byte[] before = Files.readAllBytes(dcz);
        MainTest.Run same = run("decompress", dcz.toString(), "-o", dcz.toString());
        assertEquals(1, same.code());
        assertEquals("condense decompress: the output " + dcz + " is the input; write to another file", same.err().strip());
        assertArrayEquals(before, Files.readAllBytes(dcz));

        // The converter reads containers too: a .dcz is a model wherever a model is read.
        MainTest.Run convert = run("convert", dcz.toString(), "-o", dir.resolve("converted.onnx").toString());
        assertEquals(0, convert.code(), convert.err());
    }
}
