// Runs the ONNX backend node tests of every op the constant evaluator implements, feeding the inputs as constants.
package dev.condense.passes;

import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ConstantEvaluatorConformanceTest {

    private static final double RTOL = 1e-3;
    private static final double ATOL = 1e-5;

    private static final String BFLOAT16_TRUNCATION = "this test data was made when ONNX truncated float to"
            + " bfloat16; the current spec, and Condense, round to nearest even";

    /** Cases skipped one by one, with the reason. */
    private static final Map<String, String> KNOWN_SKIPS = Map.ofEntries(
            Map.entry("test_cast_FLOAT_to_BFLOAT16", BFLOAT16_TRUNCATION),
            Map.entry("test_castlike_FLOAT_to_BFLOAT16_expanded", BFLOAT16_TRUNCATION),
            Map.entry("test_cast_FLOAT_to_STRING", "strings are not an element type Condense holds"),
            Map.entry("test_cast_STRING_to_FLOAT", "strings are not an element type Condense holds"),
            Map.entry("test_castlike_FLOAT_to_STRING_expanded", "strings are not an element type Condense holds"),
            Map.entry("test_castlike_STRING_to_FLOAT_expanded", "strings are not an element type Condense holds"),
            Map.entry("test_identity_opt", "optional values are not tensors"),
            Map.entry("test_identity_sequence", "sequences are not tensors"));

    @TestFactory
    Stream<DynamicTest> nodeTests() throws IOException {
        Path root = Path.of(System.getProperty("onnx.testdata", "/usr/share/libonnx-testdata/data"), "node");
        assumeTrue(Files.isDirectory(root), "ONNX test data not installed at " + root + " (Debian package libonnx-testdata)");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Optional<String> op = singleOp(dir);
                if (op.isPresent() && ConstantEvaluator.supportedOps().contains(op.get())) {
                    tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> runCase(dir)));
                }
            }
        }
        assertTrue(tests.size() > 50, "expected the node tests of the evaluator's ops, found " + tests.size());
        return tests.stream();
    }

    /** The op of a single-node test model, read from the proto so unreadable models still count. */
    private static Optional<String> singleOp(Path dir) throws IOException {
        Path model = dir.resolve("model.onnx");
        if (!Files.isRegularFile(model)) {
            return Optional.empty();
        }
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(model));
        return proto.getGraph().getNodeCount() == 1 && proto.getGraph().getNode(0).getDomain().isEmpty()
                ? Optional.of(proto.getGraph().getNode(0).getOpType()) : Optional.empty();
    }

    private static void runCase(Path dir) throws IOException, ModelLoadException {
        String name = dir.getFileName().toString();
        assumeTrue(!KNOWN_SKIPS.containsKey(name), KNOWN_SKIPS.get(name));
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        List<Node> nodes = model.graph().nodes();
        Map<String, Tensor> constants = new HashMap<>(model.graph().initializers());
        Path data = dir.resolve("test_data_set_0");
        List<ValueInfo> inputs = model.graph().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            constants.put(inputs.get(i).name(), readTensor(data.resolve("input_" + i + ".pb"), inputs.get(i)));
        }
        // The reader may have turned a Constant node into an initializer already.
        for (Node node : nodes) {
            Optional<List<Tensor>> out = new ConstantEvaluator(model.opset(), ConstantEvaluator.MAX_OUTPUT_ELEMENTS_LIMIT)
                    .evaluate(node, constants);
            assertTrue(out.isPresent(), node.describe() + " was not evaluated");
            for (Tensor t : out.get()) {
                constants.put(t.name(), t);
            }
        }
        List<ValueInfo> outputs = model.graph().outputs();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor expected = readTensor(data.resolve("output_" + i + ".pb"), outputs.get(i));
            Tensor actual = constants.get(outputs.get(i).name());
            assertEquals(expected.dtype(), actual.dtype(), "element type of " + outputs.get(i).name());
            assertArrayEquals(expected.dims(), actual.dims(), "shape of " + outputs.get(i).name());
            compare(expected, actual);
        }
    }

    private static void compare(Tensor expected, Tensor actual) {
        long n = expected.elementCount();
        for (long i = 0; i < n; i++) {
            if (expected.dtype().isFloatingPoint()) {
                double e = expected.getDouble(i);
                double a = actual.getDouble(i);
                boolean same = e == a || (Double.isNaN(e) && Double.isNaN(a)) || Math.abs(e - a) <= ATOL + RTOL * Math.abs(e);
                if (!same) {
                    fail("element " + i + ": expected " + e + ", got " + a);
                }
            } else if (expected.getLong(i) != actual.getLong(i)) {
                fail("element " + i + ": expected " + expected.getLong(i) + ", got " + actual.getLong(i));
            }
        }
    }

    /**
     * A TensorProto file as a tensor named and typed as the declared value. The bfloat16 cases of
     * this test data store their bits as uint16; they are read as the bfloat16 the model declares.
     */
    private static Tensor readTensor(Path file, ValueInfo declared) throws ModelLoadException {
        Tensor t = OnnxReader.readTensor(file);
        DataType dtype = t.dtype() == DataType.UINT16 && declared.dtype() == DataType.BFLOAT16 ? DataType.BFLOAT16 : t.dtype();
        return new Tensor(declared.name(), dtype, t.dims(), t.data());
    }
}
