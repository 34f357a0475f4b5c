// Imports the ONNX conformance models and the shared PyTorch exports and checks inferred shapes against the expected outputs.
package dev.condense.tests;

import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import dev.condense.onnx.proto.Onnx;
import dev.condense.shape.ShapeInference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance of the importer and of shape inference. A model is a "CNN case" when every op of its
 * graph is in {@link #CNN_OPS} and its inputs and outputs are tensors of types the IR holds; each
 * CNN case must import, pass {@link ShapeInference#infer} and give every graph output the rank and
 * fixed dims of the expected {@code output_N.pb}. The counts are floors measured when the test was
 * written, so a regression that makes cases fail (or vanish) fails the build.
 */
class ConformanceImportTest {

    /** The ops a CNN importer must handle. */
    static final Set<String> CNN_OPS = Set.of("Conv", "Gemm", "MatMul", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "LRN", "Add", "Sub", "Mul", "Div", "Pow",
            "Sqrt", "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softmax",
            "Concat", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Pad", "Dropout", "Identity",
            "Constant", "Shape", "Gather", "Slice", "ReduceMean");

    /**
     * CNN cases per folder that import and shape-infer to the expected output shapes (libonnx-testdata
     * 1.12 as packaged by Debian). Measured: node 218 of 218, pytorch-converted 69 of 69, pytorch-operator 21 of 21, simple 1 of 1.
     */
    static final Map<String, Integer> MIN_IMPORTED = Map.of(
            "node", 218, "pytorch-converted", 69, "pytorch-operator", 21, "simple", 1);

    /**
     * Models of any op that import, per folder (measured: node 887 of 932, pytorch-converted 82 of 82,
     * pytorch-operator 35 of 35, simple 17 of 23). The rest use strings, sequences, optionals, the
     * training domain, which Condense rejects with a ModelLoadException.
     */
    static final Map<String, Integer> MIN_IMPORTED_ANY_OP = Map.of(
            "node", 887, "pytorch-converted", 82, "pytorch-operator", 35, "simple", 17);

    /** CNN cases that are known not to import, each with the reason (none today; add one only with its reason). */
    static final Map<String, String> KNOWN_FAILURES = Map.of();

    /** True for the CNN cases: ops all in {@link #CNN_OPS}, tensor inputs and outputs of supported types. */
    static boolean isCnnCase(Path caseDir) {
        Onnx.ModelProto proto = TestData.rawModel(caseDir.resolve("model.onnx"));
        return CNN_OPS.containsAll(TestData.opTypes(proto)) && TestData.tensorsOfSupportedTypes(proto);
    }

    static String caseName(String folder, Path caseDir) {
        return folder + "/" + caseDir.getFileName();
    }

    /**
     * Cases whose output shapes depend on values that arrive at run time, so inference cannot find
     * them without the declared output shapes; for these only the declared-shape check runs.
     */
    static final Map<String, String> NEEDS_DECLARED_SHAPES = Map.of(
            "node/test_squeeze", "Squeeze-13 reads its axes from a graph input, known only at run time",
            "node/test_squeeze_negative_axes", "Squeeze-13 reads its axes from a graph input, known only at run time");

    /**
     * Imports the case, infers shapes and compares each graph output's type with the expected output
     * file; throws (ModelLoadException, AssertionError, whatever inference throws) when anything is off.
     * Inference runs twice: on the model as declared (declared shapes merge with inferred ones; a
     * conflict is an error) and, unless {@link #NEEDS_DECLARED_SHAPES} says otherwise, on a copy
     * whose graph outputs and value_info declare element types only, so the shapes compared are
     * inferred rather than read back from the file.
     */
    static void importAndCheckShapes(String name, Path caseDir) throws ModelLoadException {
        Model model = OnnxReader.read(caseDir.resolve("model.onnx"));
        List<Tensor> expected = new ArrayList<>();
        for (Path file : TestData.dataFiles(caseDir, "output")) {
            expected.add(OnnxReader.readTensor(file));
        }
        assertOutputsMatch(ShapeInference.infer(model), expected, "as declared");
        if (!NEEDS_DECLARED_SHAPES.containsKey(name)) {
            assertOutputsMatch(ShapeInference.infer(withoutDeclaredShapes(model)), expected, "without declared shapes");
        }
    }

    /** Rank equal, dims equal where fixed, element type equal, for every graph output. */
    static void assertOutputsMatch(Model inferred, List<Tensor> expected, String variant) {
        Graph g = inferred.graph();
        assertEquals(expected.size(), g.outputs().size(), "graph outputs vs output_N.pb files");
        for (int i = 0; i < expected.size(); i++) {
            Tensor want = expected.get(i);
            ValueInfo declared = g.outputs().get(i);
            ValueInfo type = declared.shape().isPresent() ? declared : g.valueInfo().getOrDefault(declared.name(), declared);
            String what = variant + ": output #" + i + " '" + declared.name() + "' inferred as " + type.typeString()
                    + ", expected " + want.dtype() + Arrays.toString(want.dims());
            assertTrue(type.shape().isPresent(), what + ": shape inference left the rank unknown");
            List<Dim> dims = type.shape().get();
            assertEquals(want.dims().length, dims.size(), what + ": rank");
            for (int d = 0; d < dims.size(); d++) {
                if (dims.get(d).isFixed()) {
                    assertEquals(want.dims()[d], dims.get(d).size(), what + ": dim " + d);
                }
            }
            assertEquals(want.dtype(), type.dtype(), what + ": element type");
        }
    }

    /** The model with its graph outputs reduced to element types and its value_info dropped. */
    static Model withoutDeclaredShapes(Model model) {
        Graph g = model.graph();
        List<ValueInfo> outputs = g.outputs().stream().map(o -> ValueInfo.unknownShape(o.name(), o.dtype())).toList();
        return model.withGraph(g.withOutputs(outputs).withValueInfo(Map.of()));
    }

    @TestFactory
    Stream<DynamicTest> cnnCasesImportAndInferExpectedShapes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            for (Path dir : TestData.cases(folder)) {
                if (!isCnnCase(dir)) {
                    continue;
                }
                String name = caseName(folder, dir);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    String reason = KNOWN_FAILURES.get(name);
                    Assumptions.assumeTrue(reason == null, () -> name + " is a known failure: " + reason);
                    importAndCheckShapes(name, dir);
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void cnnCaseCountsDoNotDrop() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> firstFailure = new LinkedHashMap<>();
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            int passed = 0;
            int cases = 0;
            for (Path dir : TestData.cases(folder)) {
                if (!isCnnCase(dir)) {
                    continue;
                }
                cases++;
                String name = caseName(folder, dir);
                try {
                    importAndCheckShapes(name, dir);
                    passed++;
                } catch (Exception | AssertionError e) {
                    if (!KNOWN_FAILURES.containsKey(name)) {
                        firstFailure.putIfAbsent(folder, name + ": " + e);
                    }
                }
            }
            counts.put(folder, passed);
            System.out.printf("conformance %-18s CNN cases %3d, imported with expected shapes %3d (floor %d)%n",
                    folder, cases, passed, MIN_IMPORTED.get(folder));
        }
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            int count = counts.get(folder);
            assertTrue(count >= MIN_IMPORTED.get(folder), folder + ": " + count + " CNN cases import and infer the"
                    + " expected shapes, fewer than the floor " + MIN_IMPORTED.get(folder) + "; first failure: "
                    + firstFailure.get(folder));
        }
    }

    @Test
    void anyOpImportCountsDoNotDropAndFailuresAreModelLoadExceptions() {
        List<String> wrongThrowables = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            int imported = 0;
            List<Path> cases = TestData.cases(folder);
            for (Path dir : cases) {
                try {
                    Model m = OnnxReader.read(dir.resolve("model.onnx"));
                    assertTrue(!m.graph().outputs().isEmpty(), caseName(folder, dir) + " imported without outputs");
                    imported++;
                } catch (ModelLoadException e) {
                    if (e.getMessage() == null || e.getMessage().isBlank()) {
                        wrongThrowables.add(caseName(folder, dir) + ": ModelLoadException without a message");
                    }
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    wrongThrowables.add(caseName(folder, dir) + ": " + e);
                }
            }
            counts.put(folder, imported);
            System.out.printf("conformance %-18s models %3d, imported %3d (floor %d)%n", folder, cases.size(), imported,
                    MIN_IMPORTED_ANY_OP.get(folder));
        }
        assertEquals(List.of(), wrongThrowables, "the importer must fail only with ModelLoadException");
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            assertTrue(counts.get(folder) >= MIN_IMPORTED_ANY_OP.get(folder), folder + ": only " + counts.get(folder)
                    + " models import, fewer than the floor " + MIN_IMPORTED_ANY_OP.get(folder));
        }
    }

    /** Writing an imported model and reading the bytes back gives the same graph and opsets, for every model that imports. */
    @Test
    void everyImportedModelSurvivesWriteAndReread() {
        int survived = 0;
        List<String> changed = new ArrayList<>();
        for (String folder : TestData.CONFORMANCE_FOLDERS) {
            for (Path dir : TestData.cases(folder)) {
                Model model;
                try {
                    model = OnnxReader.read(dir.resolve("model.onnx"));
                } catch (ModelLoadException e) {
                    continue;
                }
                String name = caseName(folder, dir);
                try {
                    Model reread = OnnxReader.read(OnnxWriter.toBytes(model), null, name + " (written)");
                    if (reread.graph().equals(model.graph()) && reread.opsets().equals(model.opsets())) {
                        survived++;
                    } else {
                        changed.add(name + ": graph or opsets differ after writing and reading back");
                    }
                } catch (ModelLoadException | RuntimeException e) {
                    changed.add(name + ": the written model does not import: " + e);
                }
            }
        }
        System.out.println("conformance: " + survived + " imported models survive OnnxWriter.toBytes and re-import unchanged");
        assertEquals(List.of(), changed);
        int floor = MIN_IMPORTED_ANY_OP.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(survived >= floor, survived + " models survived the write/read round trip, floor " + floor);
    }

    /** Weight counts (Conv and Gemm weights and biases, through Identity aliases) of the torchvision definitions. */
    static final Map<String, Long> EXPORT_WEIGHTS = Map.of(
            "lenet5_opset11", 61_706L,
            "squeezenet1_0_opset12", 1_248_424L,
            // torchvision's 2,542,856 less what folding BatchNorm into the convolutions saves
            "mobilenet_v3_small_opset14", 2_536_800L);

    /** Op counts each export must show (Identity and Dropout excluded: import passes may remove them). */
    static final Map<String, Map<String, Integer>> EXPORT_OPS = Map.of(
            "lenet5_opset11", Map.of("Conv", 2, "Tanh", 4, "Pad", 2, "AveragePool", 2, "Flatten", 1, "Gemm", 3),
            "squeezenet1_0_opset12", Map.of("Conv", 26, "Relu", 26, "MaxPool", 3, "Concat", 8,
                    "GlobalAveragePool", 1, "Flatten", 1),
            "mobilenet_v3_small_opset14", Map.of("Conv", 52, "HardSwish", 19, "HardSigmoid", 9, "Relu", 14,
                    "Mul", 9, "Add", 6, "GlobalAveragePool", 10, "Gemm", 2, "Flatten", 1));

    @Test
    void pytorchExportsImportWithTheirWeightsOpsAndBatchedOutputShape() throws ModelLoadException {
        for (String name : TestData.PYTORCH_EXPORTS) {
            Model m = OnnxReader.read(TestData.pytorchExport(name).resolve("model.onnx"));
            Graph g = m.graph();
            assertTrue(g.parameterCount() > 0, name + " has no parameters");
            assertEquals(EXPORT_WEIGHTS.get(name), convAndGemmWeights(g), name + ": Conv and Gemm weight count");
            Map<String, Integer> histogram = g.opHistogram();
            EXPORT_OPS.get(name).forEach((op, count) ->
                    assertEquals(count, histogram.get(op), name + ": number of " + op + " nodes in " + histogram));
            assertEquals(1, g.inputs().size(), name + " inputs");
            assertEquals(1, g.outputs().size(), name + " outputs");
            // The batch dimension is symbolic in these exports and must flow through to the logits.
            Tensor logits = OnnxReader.readTensor(TestData.pytorchExport(name).resolve("output_0.pb"));
            ValueInfo out = ShapeInference.infer(withoutDeclaredShapes(m)).graph().outputs().getFirst();
            Dim batch = g.inputs().getFirst().shape().orElseThrow().getFirst();
            assertEquals(List.of(batch, Dim.of(logits.dims()[1])), out.shape().orElseThrow(),
                    name + ": inferred output " + out.typeString() + " for input " + g.inputs().getFirst().typeString());
            System.out.printf("export %-28s parameters %,d, ops %s%n", name, g.parameterCount(), histogram);
        }
    }

    /** Elements of the initializers Conv and Gemm read as weight and bias, following Identity back to its source. */
    static long convAndGemmWeights(Graph g) {
        Map<String, Node> producers = g.producers();
        long total = 0;
        for (Node n : g.nodes()) {
            if (!n.opType().equals("Conv") && !n.opType().equals("Gemm")) {
                continue;
            }
            for (int i = 1; i < n.inputs().size(); i++) {
                String v = n.inputs().get(i);
                while (producers.containsKey(v) && producers.get(v).opType().equals("Identity")) {
                    v = producers.get(v).inputs().getFirst();
                }
                String value = v;
                total += g.initializer(v).orElseThrow(() -> new AssertionError(n.describe() + " reads '" + value
                        + "', which is no initializer")).elementCount();
            }
        }
        return total;
    }
}
