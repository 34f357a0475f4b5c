// End to end: `condense convert` on real PyTorch exports gives files ONNX Runtime runs to the same outputs.
package dev.condense.tests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.condense.cli.Main;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertCommandTest {

    @BeforeAll
    static void startRuntime() {
        OrtRoundTripTest.startRuntime();
    }

    static int condense(StringWriter err, String... args) {
        return Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    /**
     * Fixing the batch, simplifying and folding BatchNorm, with weights in external data: the
     * converted file has static shapes, no more nodes than before, and computes what the original
     * computes in ONNX Runtime (BN folding reorders float arithmetic, hence the export tolerance).
     */
    @ParameterizedTest
    @ValueSource(strings = {"lenet5_opset11", "squeezenet1_0_opset12", "mobilenet_v3_small_opset14"})
    void convertedExportsRunToTheSameOutputs(String name, @TempDir Path dir) throws Exception {
        Path export = TestData.pytorchExport(name);
        Path original = export.resolve("model.onnx");
        Tensor input = OnnxReader.readTensor(export.resolve("input_0.pb"));
        Model before = OnnxReader.read(original);
        String inputName = before.graph().inputs().getFirst().name();
        String shape = Arrays.stream(input.dims()).mapToObj(Long::toString).collect(Collectors.joining("x"));

        Path out = dir.resolve("converted.onnx");
        StringWriter err = new StringWriter();
        int code = condense(err, "convert", original.toString(), "-o", out.toString(), "--input-shape",
                inputName + "=" + shape, "--simplify", "--fold-bn", "--external-data", "weights.bin");
        assertEquals(0, code, err.toString());

        Model after = OnnxReader.read(out);
        assertTrue(after.graph().nodes().size() <= before.graph().nodes().size(),
                after.graph().nodes().size() + " nodes after, " + before.graph().nodes().size() + " before");
        assertEquals(Dim.fixed(input.dims()), after.graph().inputs().getFirst().shape().orElseThrow());
        assertTrue(after.graph().outputs().getFirst().isStatic(), "output shape " + after.graph().outputs().getFirst());
        assertTrue(after.graph().nodes().stream().noneMatch(n -> n.opType().equals("Identity") || n.opType().equals("Dropout")));
        assertEquals(List.of("converted.onnx", "weights.bin"), names(dir), "no temporary files");

        Map<String, OnnxTensor> feeds = Map.of(inputName, OrtRoundTripTest.toOrt(input));
        try (OrtSession originalSession = OrtRoundTripTest.env().createSession(original.toString(), OrtRoundTripTest.options());
             OrtSession convertedSession = OrtRoundTripTest.env().createSession(out.toString(), OrtRoundTripTest.options())) {
            double[] expected = OrtRoundTripTest.run(originalSession, before, feeds).getFirst();
            double[] actual = OrtRoundTripTest.run(convertedSession, after, feeds).getFirst();
            OrtRoundTripTest.assertClose(expected, actual, OrtRoundTripTest.EXPORT_ATOL, OrtRoundTripTest.EXPORT_RTOL,
                    name + " converted vs original");
        } finally {
            OrtRoundTripTest.closeAll(feeds);
        }
    }

    @Test
    void refusesToOverwriteItsInputAndRejectsBadShapes(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.onnx");
        Files.copy(TestData.pytorchExport("lenet5_opset11").resolve("model.onnx"), model);
        byte[] bytes = Files.readAllBytes(model);

        StringWriter err = new StringWriter();
        assertEquals(1, condense(err, "convert", model.toString(), "-o", model.toString()));
        assertTrue(err.toString().contains("is the input"), err.toString());
        assertArrayEquals(bytes, Files.readAllBytes(model));

        // Nor through its external data file, which is named relative to the output's folder.
        err = new StringWriter();
        assertEquals(1, condense(err, "convert", model.toString(), "-o", dir.resolve("d.onnx").toString(),
                "--external-data", "model.onnx"));
        assertTrue(err.toString().contains("--external-data model.onnx is the input"), err.toString());
        assertArrayEquals(bytes, Files.readAllBytes(model));

        err = new StringWriter();
        assertEquals(1, condense(err, "convert", model.toString(), "-o", dir.resolve("b.onnx").toString(),
                "--input-shape", "input=1x3x28x28"));
        assertTrue(err.toString().contains("fixed at 1"), err.toString());

        err = new StringWriter();
        assertEquals(1, condense(err, "convert", model.toString(), "-o", dir.resolve("c.onnx").toString(),
                "--input-shape", "input=1xtwox28x28"));
        assertTrue(err.toString().contains("'two' is not a number"), err.toString());
        assertEquals(List.of("model.onnx"), names(dir), "failed conversions write nothing");
    }

    private static List<String> names(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
