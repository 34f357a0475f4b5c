// Tests of lone TensorProto files: OnnxWriter.writeTensor and OnnxReader.readTensor round trips and their errors.
package dev.condense.onnx;

import com.google.protobuf.ByteString;
import dev.condense.ir.DataType;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorFileTest {

    @TempDir
    Path tmp;

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    private Path writeProto(String fileName, Onnx.TensorProto proto) throws IOException {
        Path file = tmp.resolve(fileName);
        Files.write(file, proto.toByteArray());
        return file;
    }

    @Test
    void floatTensorRoundTrips() throws IOException, ModelLoadException {
        Tensor t = Tensor.ofFloats("x", new long[] {2, 3}, 1.5f, -2f, 0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN);
        Path file = tmp.resolve("input_0.pb");
        OnnxWriter.writeTensor(t, file);
        Tensor back = OnnxReader.readTensor(file);
        assertEquals(t, back);
        assertEquals("x", back.name());
        assertEquals(DataType.FLOAT, back.dtype());
        assertArrayEquals(new long[] {2, 3}, back.dims());
        assertArrayEquals(new float[] {1.5f, -2f, 0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN}, back.toFloatArray());
    }

    @Test
    void int64TensorRoundTripsAndReplacesAnExistingFileLeavingNoTemporaries() throws IOException, ModelLoadException {
        Path file = tmp.resolve("out").resolve("output_0.pb");
        OnnxWriter.writeTensor(Tensor.ofFloats("old", new long[] {1}, 7f), file);
        Tensor t = Tensor.ofLongs("ids", new long[] {5}, Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE);
        OnnxWriter.writeTensor(t, file);
        Tensor back = OnnxReader.readTensor(file);
        assertEquals(t, back);
        assertEquals(DataType.INT64, back.dtype());
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}, back.toLongArray());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "only the tensor file is left in its folder");
        }
    }

    @Test
    void typedFieldsReadLikeRawData() throws IOException, ModelLoadException {
        Onnx.TensorProto proto = Onnx.TensorProto.newBuilder().setName("w").setDataType(DataType.INT64.onnxCode())
                .addDims(2).addInt64Data(-3).addInt64Data(40).build();
        Tensor t = OnnxReader.readTensor(writeProto("typed.pb", proto));
        assertEquals(Tensor.ofLongs("w", new long[] {2}, -3, 40), t);
    }

    @Test
    void aNamelessTensorKeepsAnEmptyName() throws ModelLoadException {
        Tensor t = Tensor.ofFloats("", new long[0], 2.5f);
        byte[] bytes = Onnx.TensorProto.newBuilder().setDataType(DataType.FLOAT.onnxCode()).addFloatData(2.5f).build()
                .toByteArray();
        assertEquals(t, OnnxReader.readTensor(bytes, "scalar.pb"));
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        Path whole = tmp.resolve("whole.pb");
        OnnxWriter.writeTensor(Tensor.ofFloats("x", new long[] {4}, 1, 2, 3, 4), whole);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = tmp.resolve("cut.pb");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 5));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(cut));
        assertContains(e.getMessage(), cut.toString(), "not a valid ONNX TensorProto file", (bytes.length - 5) + " bytes");
    }

    @Test
    void unsupportedElementTypeIsNamed() throws IOException {
        Path strings = writeProto("strings.pb", Onnx.TensorProto.newBuilder().setName("s").setDataType(8).addDims(1)
                .addStringData(ByteString.copyFromUtf8("a")).build());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(strings));
        assertContains(e.getMessage(), strings.toString(), "tensor 's'", "element type STRING", "does not hold", "float32");
        Path unknown = writeProto("unknown.pb", Onnx.TensorProto.newBuilder().setName("u").setDataType(99).build());
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(unknown)).getMessage(),
                "tensor 'u'", "element type code 99");
    }

    @Test
    void dataThatDisagreesWithTheDimsIsRejected() throws IOException {
        Path shortRaw = writeProto("short.pb", Onnx.TensorProto.newBuilder().setName("r").setDataType(1).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[8])).build());
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(shortRaw)).getMessage(),
                "tensor 'r'", "needs 12 bytes of raw_data but has 8");
        Path fewTyped = writeProto("few.pb", Onnx.TensorProto.newBuilder().setName("f").setDataType(1).addDims(3)
                .addFloatData(1f).build());
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(fewTyped)).getMessage(),
                "tensor 'f'", "3 elements but 1 values in float_data");
    }

    @Test
    void externalDataIsRejected() throws IOException {
        Path file = writeProto("external.pb", Onnx.TensorProto.newBuilder().setName("e").setDataType(1).addDims(2)
                .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("e.bin"))
                .build());
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(file)).getMessage(),
                file.toString(), "tensor 'e'", "external file", "inline");
    }

    @Test
    void missingAndEmptyFilesAreNamed() throws IOException {
        Path missing = tmp.resolve("missing.pb");
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(missing)).getMessage(),
                "tensor file " + missing, "does not exist");
        Path empty = Files.createFile(tmp.resolve("empty.pb"));
        assertContains(assertThrows(ModelLoadException.class, () -> OnnxReader.readTensor(empty)).getMessage(),
                empty.toString(), "is empty");
    }
}
