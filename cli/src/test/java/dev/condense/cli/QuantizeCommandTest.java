// Tests of `condense quantize` on the shipped LeNet models: static QDQ and QOperator, dynamic, auto-exclusion, and its one-line errors.
package dev.condense.cli;

import dev.condense.data.FashionMnist;
import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.onnx.OnnxReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class QuantizeCommandTest {

    private static final Path LENET5 = Path.of("..", "models", "trained", "lenet-5-caffe.onnx");
    private static final Path LENET300 = Path.of("..", "models", "trained", "lenet-300-100.onnx");
    private static final Pattern ACCURACY = Pattern.compile("fp32 ([0-9.]+)%, int8 ([0-9.]+)%");

    @TempDir
    static Path dir;

    @BeforeAll
    static void needsData() {
        // CI installs the Debian package dataset-fashion-mnist (.ci/run); without it nothing here can run.
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "needs dataset-fashion-mnist, which .ci/run installs");
    }

    private static long count(Model m, String op) {
        return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    /** fp32 and int8 top-1 in percent, from the --evaluate line. */
    private static double[] accuracy(String out) {
        Matcher m = ACCURACY.matcher(out);
        assertTrue(m.find(), out);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    @Test
    void staticQdqKeepsAccuracyAndPrintsTheSqnrOfEveryLayer() throws Exception {
        Path out = dir.resolve("l5-int8.onnx");
        Path json = dir.resolve("l5-int8.json");
        MainTest.Run r = run("quantize", LENET5.toString(), "-o", out.toString(), "--calibration", "fashion-mnist",
                "--samples", "200", "--evaluate", "--eval-limit", "2000", "--backend", "ort-cpu", "--isolated",
                "--report", json.toString());
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertEquals(4, report.get("layers").size());
        for (com.fasterxml.jackson.databind.JsonNode l : report.get("layers")) {
            // Quantized alone, a layer hurts the output less than all of them together.
            assertTrue(l.get("alone_output_sqnr_db").asDouble() >= report.get("output_sqnr_db").asDouble() - 0.5, l.toString());
        }
        assertEquals(2000, report.get("eval_images").asInt());
        assertTrue(report.get("fp32_top1").asDouble() > 0.85, report.toString());
        for (String layer : new String[] {"conv1", "conv2", "ip1", "ip2"}) {
            Matcher m = Pattern.compile("(?m)^" + layer + " +\\w+ +int8 x\\d+ scales +([0-9.]+)").matcher(r.out());
            assertTrue(m.find(), layer + " missing from\n" + r.out());
            assertTrue(Double.parseDouble(m.group(1)) > 20, layer + ": " + m.group());
        }
        double[] a = accuracy(r.out());
        assertTrue(a[0] - a[1] <= 1.0, "int8 lost " + (a[0] - a[1]) + " points");

        Model q = OnnxReader.read(out);
        assertEquals(0, count(q, "Relu"), "ReLUs are folded into the quantization");
        assertTrue(count(q, "QuantizeLinear") >= 5);
        assertEquals(4, q.graph().initializers().values().stream().filter(t -> t.dtype() == DataType.INT8 && t.rank() >= 2)
                .count(), "four int8 weight tensors");
        assertEquals("fashion-mnist, 200 samples, minmax", q.metadata().get("condense.quantize.calibration"));
        assertEquals("0.0", q.metadata().get("condense.input.mean"), "the training normalization is kept");

        // The vector engine runs the QDQ model to the same accuracy as ONNX Runtime.
        MainTest.Run v = run("eval", out.toString(), "--dataset", "fashion-mnist", "--limit", "2000", "--backend", "vector");
        MainTest.Run o = run("eval", out.toString(), "--dataset", "fashion-mnist", "--limit", "2000", "--backend", "ort-cpu");
        assertEquals(0, v.code(), v.err());
        assertEquals(top1(o.out()), top1(v.out()), 0.1001, v.out() + o.out());
    }

    private static double top1(String evalOut) {
        Matcher m = Pattern.compile("top-1 ([0-9.]+)%").matcher(evalOut);
        assertTrue(m.find(), evalOut);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void qoperatorFormUsesQLinearConv() throws Exception {
        Path out = dir.resolve("l5-qop.onnx");
        MainTest.Run r = run("quantize", LENET5.toString(), "-o", out.toString(), "--calibration", "fashion-mnist",
                "--samples", "100", "--format", "qoperator", "--method", "entropy", "--evaluate", "--eval-limit", "1000",
                "--backend", "ort-cpu");
        assertEquals(0, r.code(), r.err());
        Model q = OnnxReader.read(out);
        assertEquals(2, count(q, "QLinearConv"));
        assertEquals(0, count(q, "Conv"));
        double[] a = accuracy(r.out());
        assertTrue(a[0] - a[1] <= 1.5, "int8 lost " + (a[0] - a[1]) + " points");
    }

    @Test
    void dynamicQuantizesTheFullyConnectedLayers() throws Exception {
        Path out = dir.resolve("l300-dyn.onnx");
        MainTest.Run r = run("quantize", LENET300.toString(), "-o", out.toString(), "--dynamic", "--evaluate",
                "--calibration", "fashion-mnist", "--eval-limit", "1000", "--backend", "ort-cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 fully connected layers quantized dynamically"), r.out());
        Model q = OnnxReader.read(out);
        assertEquals(3, count(q, "MatMulInteger"));
        assertEquals(3, count(q, "DynamicQuantizeLinear"));
        double[] a = accuracy(r.out());
        assertTrue(a[0] - a[1] <= 1.0, "int8 lost " + (a[0] - a[1]) + " points");
    }

    @Test
    void autoExclusionKeepsTheDamagingLayersInFp32UntilTheDropFits() throws Exception {
        Path out = dir.resolve("l5-auto.onnx");
        // 90th-percentile clipping on int8 activations is deliberately harsh, so that some layer must go back to fp32.
        MainTest.Run r = run("quantize", LENET5.toString(), "-o", out.toString(), "--calibration", "fashion-mnist",
                "--samples", "100", "--activations", "int8", "--method", "percentile", "--percentile", "90",
                "--exclude", "auto", "--max-drop", "2", "--eval-limit", "2000", "--backend", "ort-cpu");
        assertEquals(0, r.code(), r.err());
        Matcher steps = Pattern.compile("(?m)^exclude (\\S+) +top-1 ([0-9.]+)% \\(([-+0-9.]+) points\\)$").matcher(r.out());
        int n = 0;
        double last = Double.NaN;
        String excluded = "";
        while (steps.find()) {
            n++;
            excluded = steps.group(1);
            last = Double.parseDouble(steps.group(3));
        }
        assertTrue(n >= 2, "at least one exclusion step:\n" + r.out());
        assertTrue(last >= -2.0, "the last step is within the budget:\n" + r.out());
        Model q = OnnxReader.read(out);
        for (String layer : excluded.split(",")) {
            Node node = q.graph().nodes().stream().filter(x -> x.name().equals(layer)).findFirst().orElseThrow();
            String w = node.inputs().get(1);
            assertEquals(DataType.FLOAT, q.graph().initializers().get(w).dtype(), layer + " stays fp32");
        }
    }

    @Test
    void dczOutputStoresInt8EntriesAndRunsLikeTheOnnx() throws Exception {
        Path onnx = dir.resolve("l300-int8.onnx");
        Path dcz = dir.resolve("l300-int8.dcz");
        for (Path out : new Path[] {onnx, dcz}) {
            MainTest.Run r = run("quantize", LENET300.toString(), "-o", out.toString(), "--calibration", "fashion-mnist",
                    "--samples", "100", "--backend", "ort-cpu");
            assertEquals(0, r.code(), r.err());
        }
        assertTrue(Files.size(dcz) * 3 < Files.size(LENET300), Files.size(dcz) + " bytes");
        MainTest.Run inspect = run("inspect", dcz.toString(), "--json");
        assertEquals(0, inspect.code(), inspect.err());
        com.fasterxml.jackson.databind.JsonNode tensors = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(inspect.out()).get("dcz").get("tensors");
        int int8 = 0;
        for (com.fasterxml.jackson.databind.JsonNode t : tensors) {
            if (t.get("encoding").asText().contains("int8")) {
                int8++;
                assertTrue(t.get("scales").asInt() > 1, t.toString());
            }
        }
        assertEquals(3, int8, "the three weight matrices are int8 entries");
        MainTest.Run a = run("eval", onnx.toString(), "--dataset", "fashion-mnist", "--limit", "1000", "--backend", "vector");
        MainTest.Run b = run("eval", dcz.toString(), "--dataset", "fashion-mnist", "--limit", "1000", "--backend", "vector");
        assertEquals(top1(a.out()), top1(b.out()), 0.0, "the container holds the same model");
    }

    @Test
    void compressInt8PrunesThenQuantizesIntoSparseInt8() throws Exception {
        Path out = dir.resolve("l300-pruned-int8.dcz");
        MainTest.Run r = run("compress", LENET300.toString(), "-o", out.toString(), "--preset", "paper-lenet300", "--int8",
                "--calibration", "fashion-mnist", "--samples", "100", "--backend", "ort-cpu", "--no-gzip-baseline");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sparse") || r.out().contains("int8"), r.out());
        assertTrue(Files.size(out) * 20 < Files.size(LENET300), Files.size(out) + " bytes");
        Model m = dev.condense.compress.dcz.DczModel.read(out);
        assertTrue(count(m, "DequantizeLinear") >= 3);
        MainTest.Run both = run("compress", LENET300.toString(), "-o", dir.resolve("x.dcz").toString(), "--int8",
                "--calibration", "fashion-mnist", "--share-bits", "fc=4");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("--int8 replaces weight sharing"), both.err());
        MainTest.Run twice = run("quantize", dir.resolve("l5-int8.onnx").toString(), "-o", dir.resolve("y.onnx").toString(),
                "--calibration", "random");
        if (Files.exists(dir.resolve("l5-int8.onnx"))) {
            assertEquals(1, twice.code());
            assertTrue(twice.err().contains("already quantized"), twice.err());
        }
    }

    @Test
    void badOptionsAndInputsGetOneLineErrors() {
        Path out = dir.resolve("bad.onnx");
        String[][] cases = {
                {"--calibration", "random", "--evaluate"},
                {"--calibration", "fashion-mnist", "--samples", "0"},
                {"--calibration", "fashion-mnist", "--method", "mse"},
                {"--calibration", "fashion-mnist", "--exclude", "conv9"},
                {"--calibration", "fashion-mnist", "--activations", "int4"},
                {},
                {"--dynamic", "--evaluate"},
        };
        String[] expected = {"needs labelled data", "--samples must be at least 1", "calibration method 'mse' is unknown",
                "'conv9'", "activation type 'int4'", "--calibration is required", "needs labelled data"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[4 + cases[i].length];
            args[0] = "quantize";
            args[1] = LENET5.toString();
            args[2] = "-o";
            args[3] = out.toString();
            System.arraycopy(cases[i], 0, args, 4, cases[i].length);
            MainTest.Run r = run(args);
            assertEquals(1, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count(), r.err());
            assertFalse(Files.exists(out), "no output after an error");
        }
        MainTest.Run wrongShape = run("quantize", Path.of("..", "models", "trained", "lenet-5-caffe.onnx").toString(), "-o",
                dir.resolve("x.txt").toString(), "--calibration", "fashion-mnist");
        assertTrue(wrongShape.err().toLowerCase(Locale.ROOT).contains(".onnx"), wrongShape.err());
    }
}
