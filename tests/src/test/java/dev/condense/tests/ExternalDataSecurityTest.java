// Checks that external tensor data cannot make the importer read outside the model's folder or past the end of a file.
package dev.condense.tests;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-built models whose initializer 'W' (float32[4], 16 bytes) keeps its data in an external
 * file. Every file outside the model's folder holds exactly the bytes the tensor needs, so a
 * reader that followed a hostile location would succeed instead of throwing: the expected
 * exception is the proof that nothing outside was read.
 */
class ExternalDataSecurityTest {

    static final float[] INSIDE = {1, 2, 3, 4};
    static final float[] OUTSIDE = {9, 9, 9, 9};

    @TempDir
    Path tmp;
    Path modelDir;
    Path secret;

    @BeforeEach
    void layOutFolders() throws IOException {
        modelDir = Files.createDirectory(tmp.resolve("model"));
        Files.write(modelDir.resolve("weights.bin"), floats(INSIDE));
        Files.write(modelDir.resolve("weights32.bin"), concat(floats(INSIDE), floats(OUTSIDE)));
        Files.createDirectory(modelDir.resolve("subdir"));
        secret = tmp.resolve("secret.bin");
        Files.write(secret, floats(OUTSIDE));
        Path outsideDir = Files.createDirectory(tmp.resolve("outside"));
        Files.write(outsideDir.resolve("secret.bin"), floats(OUTSIDE));
        Files.createSymbolicLink(modelDir.resolve("link.bin"), Path.of("../secret.bin"));
        Files.createSymbolicLink(modelDir.resolve("linkdir"), outsideDir);
        Files.createSymbolicLink(modelDir.resolve("inside-link.bin"), Path.of("weights.bin"));
    }

    // ---- accepted: the positive controls that show the cases below fail for their location alone ----

    @Test
    void relativeLocationInsideTheFolderLoads() throws Exception {
        assertArrayEquals(INSIDE, weight(load(external("weights.bin", null, null))).toFloatArray());
        assertArrayEquals(INSIDE, weight(load(external("weights.bin", "0", "16"))).toFloatArray());
    }

    @Test
    void offsetAndLengthSelectTheirBytes() throws Exception {
        assertArrayEquals(OUTSIDE, weight(load(external("weights32.bin", "16", "16"))).toFloatArray());
    }

    @Test
    void linkThatStaysInsideTheFolderLoads() throws Exception {
        assertArrayEquals(INSIDE, weight(load(external("inside-link.bin", null, null))).toFloatArray());
    }

    // ---- rejected ----

    @Test
    void absoluteLocationIsRejected() throws Exception {
        assertRejected(external(secret.toAbsolutePath().toString(), null, null), "'W'", "absolute");
        assertRejected(external("/etc/passwd", "0", "16"), "'W'", "absolute", "/etc/passwd");
    }

    @Test
    void dotDotIsRejected() throws Exception {
        assertRejected(external("../secret.bin", null, null), "'W'", "'..'");
        assertRejected(external("subdir/../../secret.bin", null, null), "'W'", "'..'");
        assertRejected(external("subdir/../../model/../secret.bin", "0", "16"), "'W'", "'..'");
    }

    @Test
    void linkLeadingOutsideIsRejected() throws Exception {
        assertRejected(external("link.bin", null, null), "'W'", "link.bin", "outside");
        assertRejected(external("linkdir/secret.bin", "0", "16"), "'W'", "linkdir/secret.bin", "outside");
    }

    @Test
    void offsetPastTheEndIsRejected() throws Exception {
        assertRejected(external("weights.bin", "100", null), "'W'", "offset 100", "past the end", "16 bytes");
        assertRejected(external("weights.bin", "9223372036854775807", "16"), "'W'", "past the end");
    }

    @Test
    void lengthBeyondTheFileIsRejected() throws Exception {
        // W8 needs 32 bytes and claims them, but weights.bin has 16
        assertRejected(tensor("W8", 8).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", "weights.bin")).addExternalData(entry("length", "32")).build(),
                "'W8'", "past the end");
        assertRejected(external("weights.bin", "8", "16"), "'W'", "past the end");
    }

    @Test
    void lengthThatDisagreesWithTheDimsIsRejected() throws Exception {
        assertRejected(external("weights.bin", "0", "8"), "'W'", "needs 16 bytes", "8");
    }

    @Test
    void negativeOffsetOrLengthIsRejected() throws Exception {
        assertRejected(external("weights.bin", "-16", "16"), "'W'", "offset", "negative");
        assertRejected(external("weights.bin", "0", "-1"), "'W'", "length", "negative");
    }

    @Test
    void nonNumericOffsetOrLengthIsRejected() throws Exception {
        assertRejected(external("weights.bin", "0", "sixteen"), "'W'", "length", "'sixteen'", "not a number");
        assertRejected(external("weights.bin", "0x0", "16"), "'W'", "offset", "'0x0'", "not a number");
    }

    @Test
    void missingOrOddFilesAreRejected() throws Exception {
        assertRejected(external("missing.bin", null, null), "'W'", "missing.bin", "does not exist");
        assertRejected(external("subdir", null, null), "'W'", "subdir");
        assertRejected(external("", null, null), "'W'", "location");
        assertRejected(external("weights.bin\0/etc/passwd", null, null), "'W'", "NUL");
    }

    @Test
    void externalDataWithoutAFolderIsRejected() throws Exception {
        byte[] bytes = model(external("weights.bin", null, null)).toByteArray();
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> OnnxReader.read(bytes, null, "in-memory"));
        assertMessage(e, "'W'", "memory");
    }

    @Test
    void attributeTensorsGetTheSameChecks() throws Exception {
        Onnx.TensorProto hostile = tensor("C", 4).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "../secret.bin")).build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("constant")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Constant").addOutput("C")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("value")
                                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(hostile)))
                .addOutput(valueInfo("C"))
                .build();
        Path file = modelDir.resolve("constant.onnx");
        Files.write(file, wrap(graph).toByteArray());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> OnnxReader.read(file));
        assertMessage(e, "'C'", "'..'");
    }

    // ---- building models ----

    static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Onnx.TensorProto.Builder tensor(String name, long size) {
        return Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .addDims(size);
    }

    static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** Initializer 'W' float32[4] stored at {@code location}; null offset or length leaves the entry out. */
    static Onnx.TensorProto external(String location, String offset, String length) {
        Onnx.TensorProto.Builder t = tensor("W", 4).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location));
        if (offset != null) {
            t.addExternalData(entry("offset", offset));
        }
        if (length != null) {
            t.addExternalData(entry("length", length));
        }
        return t.build();
    }

    static Onnx.ValueInfoProto valueInfo(String name) {
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(Onnx.TensorShapeProto.newBuilder().addDim(
                                Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(4))))).build();
    }

    /** Y = X + weight, opset 13. */
    static Onnx.ModelProto model(Onnx.TensorProto weight) {
        return wrap(Onnx.GraphProto.newBuilder().setName("external")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("X").addInput(weight.getName())
                        .addOutput("Y"))
                .addInitializer(weight)
                .addInput(valueInfo("X"))
                .addOutput(valueInfo("Y"))
                .build());
    }

    static Onnx.ModelProto wrap(Onnx.GraphProto graph) {
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("ExternalDataSecurityTest")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build();
    }

    Model load(Onnx.TensorProto weight) throws IOException, ModelLoadException {
        Path file = modelDir.resolve("model.onnx");
        Files.write(file, model(weight).toByteArray());
        return OnnxReader.read(file);
    }

    static Tensor weight(Model m) {
        return m.graph().initializer("W").orElseThrow();
    }

    void assertRejected(Onnx.TensorProto weight, String... expectedInMessage) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(weight),
                () -> "accepted external data " + weight.getExternalDataList());
        assertMessage(e, expectedInMessage);
    }

    static void assertMessage(Exception e, String... expectedInMessage) {
        for (String s : expectedInMessage) {
            assertTrue(e.getMessage().contains(s), "message lacks \"" + s + "\": " + e.getMessage());
        }
    }
}
