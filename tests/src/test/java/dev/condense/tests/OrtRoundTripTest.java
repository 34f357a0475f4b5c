// Imports models, writes them back with OnnxWriter and checks that ONNX Runtime computes the expected outputs from what was written.
package dev.condense.tests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Round trip through the IR: ONNX file, {@link OnnxReader}, {@link OnnxWriter}, ONNX Runtime. The
 * outputs must match the expected {@code output_0.pb} and, where ONNX Runtime can load the original
 * file, ONNX Runtime's outputs on the original.
 */
class OrtRoundTripTest {

    /** Single-op conformance cases against their expected outputs. */
    static final double CASE_ATOL = 1e-5;
    /** Round trip against ONNX Runtime on the original: the same weights through the same kernels. */
    static final double SAME_RUNTIME_ATOL = 1e-5;
    /** Whole fp32 models against PyTorch's outputs: summation order differs between the runtimes. */
    static final double EXPORT_ATOL = 1e-4;
    static final double EXPORT_RTOL = 1e-3;

    /** pytorch-converted case folders taken: the CNN layer cases. */
    static final List<String> CONVERTED_PREFIXES = List.of("test_Conv", "test_MaxPool", "test_AvgPool", "test_Linear",
            "test_BatchNorm");
    /** pytorch-operator cases taken. */
    static final List<String> OPERATOR_PREFIXES = List.of("test_operator_conv", "test_operator_maxpool",
            "test_operator_addmm");
    /** Fewest conformance cases the prefixes must select (measured: 50 pytorch-converted + 4 pytorch-operator). */
    static final int MIN_CONFORMANCE_CASES = 54;

    private static OrtEnvironment env;

    @BeforeAll
    static void startRuntime() {
        env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    }

    static OrtEnvironment env() {
        return env;
    }

    static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(2);
        // opset-6 originals log a warning each; the assertions say what matters
        o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        return o;
    }

    static List<Path> conformanceCases() {
        List<Path> cases = new ArrayList<>();
        for (Path dir : TestData.cases("pytorch-converted")) {
            if (CONVERTED_PREFIXES.stream().anyMatch(p -> dir.getFileName().toString().startsWith(p))) {
                cases.add(dir);
            }
        }
        for (Path dir : TestData.cases("pytorch-operator")) {
            if (OPERATOR_PREFIXES.stream().anyMatch(p -> dir.getFileName().toString().startsWith(p))) {
                cases.add(dir);
            }
        }
        return cases;
    }

    @Test
    void conformanceSelectionIsNotEmpty() {
        int n = conformanceCases().size();
        System.out.println("ORT round trip: " + n + " conformance cases, " + TestData.PYTORCH_EXPORTS.size()
                + " PyTorch exports, 1 external-data model");
        assertTrue(n >= MIN_CONFORMANCE_CASES, "only " + n + " round-trip cases selected, floor " + MIN_CONFORMANCE_CASES);
    }

    @TestFactory
    Stream<DynamicTest> conformanceCasesRoundTrip() {
        return conformanceCases().stream().map(dir -> DynamicTest.dynamicTest(
                dir.getParent().getFileName() + "/" + dir.getFileName(), () -> {
                    Path modelFile = dir.resolve("model.onnx");
                    Model model = OnnxReader.read(modelFile);
                    Map<String, OnnxTensor> inputs = inputs(model, TestData.dataFiles(dir, "input"));
                    try {
                        List<double[]> roundTrip = run(OnnxWriter.toBytes(model), model, inputs);
                        List<Path> expectedFiles = TestData.dataFiles(dir, "output");
                        assertEquals(expectedFiles.size(), roundTrip.size(), "number of outputs");
                        for (int i = 0; i < expectedFiles.size(); i++) {
                            assertClose(OnnxReader.readTensor(expectedFiles.get(i)).toDoubleArray(), roundTrip.get(i), CASE_ATOL, 0,
                                    "output " + i + " vs " + expectedFiles.get(i).getFileName());
                        }
                        long opset = TestData.defaultOpset(TestData.rawModel(modelFile));
                        List<double[]> original;
                        try {
                            original = run(Files.readAllBytes(modelFile), model, inputs);
                        } catch (OrtException e) {
                            // ONNX Runtime lacks kernels for several opset-6 ops; later opsets must load.
                            assertTrue(opset < 7, "ONNX Runtime cannot load the original opset-" + opset + " file: " + e);
                            return;
                        }
                        for (int i = 0; i < original.size(); i++) {
                            assertClose(original.get(i), roundTrip.get(i), SAME_RUNTIME_ATOL, 0,
                                    "output " + i + " vs ONNX Runtime on the original");
                        }
                    } finally {
                        closeAll(inputs);
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> pytorchExportsRoundTrip() {
        return TestData.PYTORCH_EXPORTS.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path dir = TestData.pytorchExport(name);
            Model model = OnnxReader.read(dir.resolve("model.onnx"));
            Map<String, OnnxTensor> inputs = inputs(model, List.of(dir.resolve("input_0.pb")));
            try {
                List<double[]> roundTrip = run(OnnxWriter.toBytes(model), model, inputs);
                Tensor expected = OnnxReader.readTensor(dir.resolve("output_0.pb"));
                assertEquals(1, roundTrip.size(), "outputs");
                assertClose(expected.toDoubleArray(), roundTrip.getFirst(), EXPORT_ATOL, EXPORT_RTOL, name + " vs PyTorch");
                List<double[]> original = run(Files.readAllBytes(dir.resolve("model.onnx")), model, inputs);
                assertClose(original.getFirst(), roundTrip.getFirst(), SAME_RUNTIME_ATOL, 0,
                        name + " vs ONNX Runtime on the original");
            } finally {
                closeAll(inputs);
            }
        }));
    }

    @Test
    void externalDataModelRoundTripsThroughFileAndRuntime(@TempDir Path tmp) throws Exception {
        Path dir = TestData.pytorchExport("squeezenet1_0_opset12");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Path out = tmp.resolve("written");
        Path modelFile = out.resolve("model.onnx");
        OnnxWriter.write(model, modelFile, OnnxWriter.Options.external("weights.bin"));

        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(out)) {
            s.forEach(p -> files.add(p.getFileName().toString()));
        }
        assertEquals(Set.of("model.onnx", "weights.bin"), files, "the folder holds the model and its data, no temp files");

        long weightBytes = 0;
        for (Tensor t : model.graph().initializers().values()) {
            weightBytes += t.byteSize() >= 1024 ? t.byteSize() : 0;
        }
        long dataSize = Files.size(out.resolve("weights.bin"));
        // 64-byte alignment pads each tensor by less than 64 bytes.
        assertTrue(dataSize >= weightBytes && dataSize < weightBytes + 64L * model.graph().initializers().size(),
                "weights.bin has " + dataSize + " bytes for " + weightBytes + " bytes of tensors of 1 KiB or more");
        long modelSize = Files.size(modelFile);
        assertTrue(modelSize < 64 * 1024, "model.onnx with external weights is " + modelSize + " bytes");

        Model reread = OnnxReader.read(modelFile);
        assertEquals(model.graph().initializers().keySet(), reread.graph().initializers().keySet());
        for (Tensor t : model.graph().initializers().values()) {
            assertEquals(t, reread.graph().initializers().get(t.name()), "initializer " + t.name() + " after re-reading");
        }
        assertEquals(model.graph().opHistogram(), reread.graph().opHistogram());

        // A custom threshold of 0 moves every non-empty initializer out; the graph still reads back unchanged.
        Path allOut = tmp.resolve("all-external");
        OnnxWriter.write(model, allOut.resolve("model.onnx"), new OnnxWriter.Options(Optional.of("all.bin"), 0));
        assertEquals(model.graph(), OnnxReader.read(allOut.resolve("model.onnx")).graph(), "threshold 0 round trip");
        assertTrue(Files.size(allOut.resolve("model.onnx")) < modelSize, "threshold 0 leaves the model file smaller");

        Map<String, OnnxTensor> inputs = inputs(model, List.of(dir.resolve("input_0.pb")));
        try (OrtSession fromPath = env.createSession(modelFile.toString(), options())) {
            List<double[]> written = run(fromPath, model, inputs);
            List<double[]> original = run(Files.readAllBytes(dir.resolve("model.onnx")), model, inputs);
            assertClose(original.getFirst(), written.getFirst(), SAME_RUNTIME_ATOL, 0,
                    "external-data model vs ONNX Runtime on the original");
            Tensor expected = OnnxReader.readTensor(dir.resolve("output_0.pb"));
            assertClose(expected.toDoubleArray(), written.getFirst(), EXPORT_ATOL, EXPORT_RTOL, "external-data model vs PyTorch");
        } finally {
            closeAll(inputs);
        }
    }

    // ---- ONNX Runtime plumbing ----

    /** ONNX Runtime tensors for the model's graph inputs, in order, from input_N.pb files. */
    static Map<String, OnnxTensor> inputs(Model model, List<Path> files) throws OrtException, ModelLoadException {
        List<ValueInfo> graphInputs = model.graph().inputs();
        assertEquals(graphInputs.size(), files.size(), "graph inputs vs input_N.pb files");
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            out.put(graphInputs.get(i).name(), toOrt(OnnxReader.readTensor(files.get(i))));
        }
        return out;
    }

    static OnnxTensor toOrt(Tensor t) throws OrtException {
        long[] shape = t.dims();
        return switch (t.dtype()) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.toDoubleArray()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(Arrays.stream(t.toLongArray()).mapToInt(v -> (int) v)
                    .toArray()), shape);
            default -> throw new AssertionError("input " + t + ": element type not wired to ONNX Runtime in this test");
        };
    }

    static List<double[]> run(byte[] modelBytes, Model model, Map<String, OnnxTensor> inputs) throws OrtException {
        try (OrtSession session = env.createSession(modelBytes, options())) {
            return run(session, model, inputs);
        }
    }

    /** The graph outputs, in the model's order, as doubles. */
    static List<double[]> run(OrtSession session, Model model, Map<String, OnnxTensor> inputs) throws OrtException {
        List<double[]> out = new ArrayList<>();
        try (OrtSession.Result result = session.run(inputs)) {
            for (ValueInfo v : model.graph().outputs()) {
                OnnxValue value = result.get(v.name()).orElseThrow(() -> new AssertionError("no output " + v.name()));
                out.add(values((OnnxTensor) value));
            }
        }
        return out;
    }

    static double[] values(OnnxTensor t) {
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                double[] d = new double[b.remaining()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = b.get(i);
                }
                yield d;
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] d = new double[b.remaining()];
                b.get(d);
                yield d;
            }
            case INT64 -> Arrays.stream(toArray(t.getLongBuffer())).asDoubleStream().toArray();
            default -> throw new AssertionError("output of type " + t.getInfo().type + " not wired in this test");
        };
    }

    private static long[] toArray(LongBuffer b) {
        long[] v = new long[b.remaining()];
        b.get(v);
        return v;
    }

    static void closeAll(Map<String, OnnxTensor> tensors) {
        tensors.values().forEach(OnnxTensor::close);
    }

    /** |actual - expected| <= atol + rtol * |expected| element-wise, reporting the worst element. */
    static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
            if (!(excess <= worstExcess) || Double.isNaN(actual[i]) != Double.isNaN(expected[i])) {
                worst = i;
                worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                    + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }
}
