// Locates the test data these tests read (ONNX conformance data, shared PyTorch exports) and skips with a reason when it is absent.
package dev.condense.tests;

import dev.condense.ir.DataType;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Where the conformance data and the shared exports live, and what a model file holds before import. */
final class TestData {

    /** Folders of the Debian package libonnx-testdata that hold model test cases. */
    static final List<String> CONFORMANCE_FOLDERS = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /** The three real PyTorch exports under shared/testdata/pytorch-exports. */
    static final List<String> PYTORCH_EXPORTS = List.of("lenet5_opset11", "squeezenet1_0_opset12",
            "mobilenet_v3_small_opset14");

    private TestData() {
    }

    /** Root of the ONNX conformance data; aborts the test (skip) with install advice when it is absent. */
    /** The trained models Condense ships (models/trained/*.onnx), sorted; at least the six issue 6 asked for. */
    static List<Path> shippedModels() throws java.io.IOException {
        List<Path> models;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(Path.of("..", "models", "trained"))) {
            models = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        org.junit.jupiter.api.Assertions.assertTrue(models.size() >= 6, "models/trained holds " + models);
        return models;
    }

    static Path onnxRoot() {
        Path root = Path.of(System.getProperty("onnx.testdata", "/usr/share/libonnx-testdata/data"));
        Assumptions.assumeTrue(Files.isDirectory(root.resolve("node")),
                "ONNX conformance data not found at " + root + " (system property onnx.testdata):"
                        + " install the Debian package libonnx-testdata (apt-get install libonnx-testdata)");
        return root;
    }

    /** The test-case folders (those with a model.onnx) of one conformance folder, sorted by name. */
    static List<Path> cases(String folder) {
        Path dir = onnxRoot().resolve(folder);
        Assumptions.assumeTrue(Files.isDirectory(dir), "conformance folder " + dir + " is missing:"
                + " install the Debian package libonnx-testdata");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Folder of the shared PyTorch exports, found by walking up from the working directory to shared/testdata. */
    static Path pytorchExports() {
        return findPytorchExports().orElseGet(() -> Assumptions.abort("no shared/testdata/pytorch-exports above "
                + Path.of("").toAbsolutePath() + ": the shared PyTorch exports (lenet5, squeezenet, mobilenet_v3)"
                + " are not checked out here"));
    }

    /** The folder of the shared PyTorch exports, if one lies above the working directory. */
    static Optional<Path> findPytorchExports() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/testdata/pytorch-exports");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** One shared export's folder (model.onnx, input_0.pb, output_0.pb). */
    static Path pytorchExport(String name) {
        Path dir = pytorchExports().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")), "export " + dir + " has no model.onnx");
        return dir;
    }

    /** The raw protobuf of a model file, parsed without the importer (to classify cases independently of it). */
    static Onnx.ModelProto rawModel(Path modelFile) {
        try {
            return Onnx.ModelProto.parseFrom(Files.readAllBytes(modelFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Op types of the top-level graph's nodes. */
    static Set<String> opTypes(Onnx.ModelProto model) {
        Set<String> ops = new TreeSet<>();
        for (Onnx.NodeProto n : model.getGraph().getNodeList()) {
            ops.add(n.getOpType());
        }
        return ops;
    }

    /** True when every graph input and output is a tensor of an element type the IR holds. */
    static boolean tensorsOfSupportedTypes(Onnx.ModelProto model) {
        List<Onnx.ValueInfoProto> values = new ArrayList<>(model.getGraph().getInputList());
        values.addAll(model.getGraph().getOutputList());
        for (Onnx.ValueInfoProto v : values) {
            if (!v.getType().hasTensorType()
                    || DataType.fromOnnx(v.getType().getTensorType().getElemType()).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The default-domain opset the model imports, or -1 when it imports none. */
    static long defaultOpset(Onnx.ModelProto model) {
        for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return -1;
    }

    /** The input_N.pb or output_N.pb files of test_data_set_0 in index order. */
    static List<Path> dataFiles(Path caseDir, String prefix) {
        Path set = caseDir.resolve("test_data_set_0");
        List<Path> files = new ArrayList<>();
        for (int i = 0; Files.isRegularFile(set.resolve(prefix + "_" + i + ".pb")); i++) {
            files.add(set.resolve(prefix + "_" + i + ".pb"));
        }
        return files;
    }
}
