// Tests of `condense bench`: the statistics, the JSON keys, output agreement across backends, and refused options.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    private static final List<String> BACKEND_KEYS = List.of("backend", "description", "open_ms", "median_ms", "p90_ms",
            "mean_ms", "min_ms", "throughput");

    @Test
    void latencyStatisticsFollowTheirDefinitions() {
        // 10 runs of 1..10 ms, shuffled: median (5+6)/2, p90 the 9th smallest, mean 5.5
        long[] nanos = {7, 2, 9, 1, 10, 4, 3, 8, 6, 5};
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] *= 1_000_000;
        }
        BenchCommand.Latency l = BenchCommand.Latency.of(nanos);
        assertEquals(new BenchCommand.Latency(5.5, 9, 5.5, 1), l);
        assertEquals(new BenchCommand.Latency(2, 3, 2, 1), BenchCommand.Latency.of(new long[] {3_000_000, 1_000_000, 2_000_000}));
    }

    @Test
    void agreementIsRelativeToTheReferenceAndCatchesNaN() {
        Tensor ref = Tensor.ofFloats("y", new long[] {3}, 10, -20, 5);
        Tensor close = Tensor.ofFloats("y", new long[] {3}, 10, -20.015f, 5);
        Tensor far = Tensor.ofFloats("y", new long[] {3}, 10, -20.1f, 5);
        Tensor nan = Tensor.ofFloats("y", new long[] {3}, 10, Float.NaN, 5);
        BenchCommand.Agreement a = BenchCommand.Agreement.of(Map.of("y", ref), Map.of("y", close), BenchCommand.RELATIVE_TOLERANCE);
        assertEquals(0.015, a.maxAbsDiff(), 1e-5);
        assertEquals(20, a.maxAbsReference());
        assertTrue(a.agrees(), "0.015 <= 1e-3 * 20 + 1e-4");
        assertFalse(BenchCommand.Agreement.of(Map.of("y", ref), Map.of("y", far), BenchCommand.RELATIVE_TOLERANCE).agrees(), "0.1 > 0.0201");
        BenchCommand.Agreement n = BenchCommand.Agreement.of(Map.of("y", ref), Map.of("y", nan), BenchCommand.RELATIVE_TOLERANCE);
        assertFalse(n.agrees());
        assertEquals("output 'y' element 1 is NaN, reference -20.0", n.problem());
        BenchCommand.Agreement shape = BenchCommand.Agreement.of(Map.of("y", ref),
                Map.of("y", Tensor.ofFloats("y", new long[] {1, 3}, 10, -20, 5)), BenchCommand.RELATIVE_TOLERANCE);
        assertEquals("output 'y' is float32[1, 3], not float32[3]", shape.problem());
        assertTrue(BenchCommand.Agreement.of(Map.of("y", nan), Map.of("y", nan), BenchCommand.RELATIVE_TOLERANCE).agrees(), "the same NaN is no difference");
        assertTrue(BenchCommand.Agreement.of(Map.of("y", ref), Map.of("y", far), BenchCommand.QUANTIZED_RELATIVE_TOLERANCE).agrees(),
                "an int8 model's engines may differ by a few quantization steps: 0.1 <= 0.05 * 20");
    }

    @Test
    void ortCpuAloneReportsEveryKey(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        MainTest.Run r = run("bench", model.toString(), "--backend", "ort-cpu", "--threads", "1", "--batch", "2",
                "--warmup", "1", "--iterations", "5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(model.toString(), j.get("model").asText());
        assertEquals(1, j.get("threads").asInt());
        assertEquals(2, j.get("batch").asInt());
        assertEquals(5, j.get("iterations").asInt());
        assertEquals("[2,1,28,28]", j.get("inputs").get("input").toString());
        assertEquals("ort-cpu", j.get("reference").asText());
        JsonNode b = j.get("backends").get(0);
        for (String key : BACKEND_KEYS) {
            assertTrue(b.has(key), key + " in " + r.out());
        }
        assertEquals(1.0, b.get("ratio_to_ort_cpu").asDouble());
        assertFalse(b.has("max_abs_diff"), "the reference is not compared with itself");
        double min = b.get("min_ms").asDouble();
        double median = b.get("median_ms").asDouble();
        double mean = b.get("mean_ms").asDouble();
        assertTrue(min > 0 && min <= median && median <= b.get("p90_ms").asDouble() && min <= mean, r.out());
        assertEquals(2 / (mean / 1e3), b.get("throughput").asDouble(), 1e-9);
        assertEquals(1, b.get("warmup_runs").asInt(), "ONNX Runtime warms exactly the runs asked for");
    }

    @Test
    void vectorWarmsUntilItsCompilerIsIdleUnlessAskedForColdRuns(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        for (int warmup : new int[] {0, 1}) {
            MainTest.Run r = run("bench", model.toString(), "--backend", "vector", "--threads", "1",
                    "--warmup", String.valueOf(warmup), "--iterations", "2", "--json");
            assertEquals(0, r.code(), r.err());
            int runs = new ObjectMapper().readTree(r.out()).get("backends").get(0).get("warmup_runs").asInt();
            if (warmup == 0) {
                assertEquals(0, runs, "--warmup 0 times cold runs");
            } else {
                // At least the asked-for run and one block of ten while the compiler is watched.
                assertTrue(runs >= 11, "warmed " + runs + " runs");
            }
        }
    }

    @Test
    void backendsSideBySideAgreeOnAGraphBothRun(@TempDir Path dir) throws Exception {
        Path model = TestModels.identities(dir, "copy.onnx", List.of("x"), "N", 3, 8, 8);
        MainTest.Run r = run("bench", model.toString(), "--backend", "vector,ort-cpu", "--threads", "1",
                "--warmup", "0", "--iterations", "8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("ort-cpu", j.get("reference").asText(), "ort-cpu is the reference wherever it runs");
        assertEquals(2, j.get("block").asInt(), "8 runs in turns of 2");
        JsonNode vector = j.get("backends").get(0);
        JsonNode ort = j.get("backends").get(1);
        assertEquals("vector", vector.get("backend").asText());
        assertEquals("ort-cpu", ort.get("backend").asText());
        assertEquals(0.0, vector.get("max_abs_diff").asDouble());
        assertEquals(0.0, vector.get("relative_diff").asDouble());
        assertTrue(vector.get("agrees").asBoolean());
        assertEquals(vector.get("median_ms").asDouble() / ort.get("median_ms").asDouble(),
                vector.get("ratio_to_ort_cpu").asDouble(), 1e-12);
        assertEquals(1.0, ort.get("ratio_to_ort_cpu").asDouble());

        MainTest.Run text = run("bench", model.toString(), "--backend", "vector,ort-cpu", "--threads", "1",
                "--warmup", "0", "--iterations", "2");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("outputs: vector vs ort-cpu: max |diff| 0, 0 of max |output|"), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("ort-cpu ") && l.endsWith(" 1.00x")), text.out());
    }

    @Test
    void withoutOrtCpuTheFirstBackendIsTheReference(@TempDir Path dir) throws Exception {
        Path model = TestModels.identities(dir, "copy.onnx", List.of("x"), "N", 3);
        MainTest.Run r = run("bench", model.toString(), "--backend", "vector", "--threads", "1", "--warmup", "0",
                "--iterations", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("vector", j.get("reference").asText());
        JsonNode b = j.get("backends").get(0);
        assertEquals(1.0, b.get("ratio_to_first").asDouble());
        assertNull(b.get("ratio_to_ort_cpu"));
    }

    /** Needs the vector engine's kernels for ResNet-18 (Conv, BatchNorm folded, Relu, Add, pooling, Gemm). */
    @Test
    void vectorAgreesWithOrtCpuOnResNet18(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("resnet18.onnx");
        dev.condense.onnx.OnnxWriter.write(dev.condense.models.Zoo.get("resnet-18")
                .build(dev.condense.models.ZooSpec.fashionMnist()), model, dev.condense.onnx.OnnxWriter.Options.inline());
        MainTest.Run r = run("bench", model.toString(), "--backend", "vector,ort-cpu", "--threads", "2",
                "--batch", "2", "--warmup", "1", "--iterations", "4", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode vector = new ObjectMapper().readTree(r.out()).get("backends").get(0);
        assertTrue(vector.get("agrees").asBoolean(), r.out());
        assertTrue(vector.get("relative_diff").asDouble() <= BenchCommand.RELATIVE_TOLERANCE, r.out());
    }

    @Test
    void mistakesGiveOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path model = TestModels.identities(dir, "copy.onnx", List.of("x"), "N", 3);
        Path fixed = TestModels.identities(dir, "fixed.onnx", List.of("x"), 1, 3);
        String[][] cases = {
                {model.toString(), "--backend", "vector,vector"},
                {model.toString(), "--backend", "vector,,ort-cpu"},
                {model.toString(), "--backend", "ort-gpu"},
                {model.toString(), "--threads", "2000"},
                {model.toString(), "--iterations", "0"},
                {fixed.toString(), "--backend", "ort-cpu", "--batch", "4"},
        };
        String[] expected = {
                "condense bench: --backend names vector twice",
                "condense bench: --backend 'vector,,ort-cpu' has an empty name; give backends separated by commas,"
                        + " e.g. vector,ort-cpu",
                "condense bench: --backend: no backend 'ort-gpu'; there are ort-cpu, ort-cuda, vector",
                "condense bench: --threads must be between 1 and 1024, got 2000",
                "condense bench: --batch and --iterations must be at least 1 and --warmup at least 0; got batch 1,"
                        + " warmup 10, iterations 0",
                "condense bench: --batch 4: input 'x' is float32[1, 3], its batch is fixed at 1",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 1];
            args[0] = "bench";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            MainTest.Run r = run(args);
            assertEquals(1, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(expected[i], r.err().strip());
        }
    }
}
