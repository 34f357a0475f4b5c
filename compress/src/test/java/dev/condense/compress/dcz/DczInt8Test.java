// Tests of int8 tensor entries in the container: a QDQ model round trip, the manifest's accounting, and refused mismatches.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;
import dev.condense.compress.QdqModels;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DczInt8Test {

    private static final String FILE = "q.dcz";

    /** The conv weight sparse with Huffman, the fc weight dense uint8, the fp32 bias raw. */
    private static List<DczTensor> tensors(Model m) {
        Tensor conv = m.graph().initializers().get("conv.weight");
        Tensor fc = m.graph().initializers().get("fc.weight");
        Int8Quantization convQ = DequantizeParameters.of(m.graph(), conv).quantization();
        Int8Quantization fcQ = DequantizeParameters.of(m.graph(), fc).quantization();
        return List.of(
                DczTensor.int8("conv.weight", conv.dims(), conv.toByteArray(), convQ, LayerOptions.deepCompression(4)),
                DczTensor.int8("fc.weight", fc.dims(), fc.toByteArray(), fcQ, LayerOptions.dense().withHuffman(true)),
                DczTensor.fromTensor(m.graph().initializers().get("fc.bias")));
    }

    @Test
    void dequantizeParametersReadPerChannelAndPerTensor() {
        Model m = QdqModels.qdq(1, 0.3);
        Int8Quantization conv = DequantizeParameters.of(m.graph(), m.graph().initializers().get("conv.weight")).quantization();
        assertEquals(0, conv.axis());
        assertFalse(conv.unsigned());
        assertEquals(8, conv.channels());
        assertEquals(0.003f, conv.scale(2), 0f);
        Int8Quantization fc = DequantizeParameters.of(m.graph(), m.graph().initializers().get("fc.weight")).quantization();
        assertTrue(fc.perTensor());
        assertTrue(fc.unsigned());
        assertEquals(128, fc.zeroPoint(0));
        // The int32 bias is no 8-bit tensor; the float bias is read by no DequantizeLinear.
        assertEquals("it is int32, not int8 or uint8",
                DequantizeParameters.of(m.graph(), m.graph().initializers().get("conv.bias")).problem());
    }

    @Test
    void aQdqModelComesBackIdentical(@TempDir Path dir) throws Exception {
        Model m = QdqModels.qdq(2, 0.3);
        List<DczTensor> tensors = tensors(m);
        assertEquals(TensorEncoding.SPARSE_INT8, tensors.get(0).encoding());
        assertEquals(TensorEncoding.INT8, tensors.get(1).encoding());
        Path file = dir.resolve(FILE);
        DczArchive archive = DczModel.archive(m, tensors, Map.of("quantize", "int8"));
        Manifest manifest = DczWriter.write(file, archive);
        // Deterministic: the same model and tensors give the same bytes.
        assertArrayEquals(Files.readAllBytes(file), DczWriter.toBytes(DczModel.archive(m, tensors(m), Map.of("quantize", "int8"))));

        Model back = DczModel.read(file);
        assertEquals(m.graph().nodes(), back.graph().nodes());
        assertEquals(List.copyOf(m.graph().initializers().keySet()), List.copyOf(back.graph().initializers().keySet()));
        for (Tensor t : m.graph().initializers().values()) {
            assertEquals(t, back.graph().initializers().get(t.name()), t.name());
        }
        assertEquals(DataType.INT8, back.graph().initializers().get("conv.weight").dtype());
        assertEquals(DataType.UINT8, back.graph().initializers().get("fc.weight").dtype());

        assertEquals(List.of("sparse-int8", "int8", "raw-fp32"), manifest.tensors().stream().map(Manifest.TensorRecord::encoding).toList());
        Manifest.LayerRecord conv = manifest.layers().getFirst();
        long nonZero = 0;
        for (byte v : m.graph().initializers().get("conv.weight").toByteArray()) {
            nonZero += v != 0 ? 1 : 0;
        }
        assertEquals(288, conv.elements());
        assertEquals(nonZero, conv.kept());
        assertEquals(5 * 8, conv.codebookBytes(), "8 scales and 8 zero points");
        Manifest.LayerRecord fc = manifest.layers().get(1);
        assertEquals(2880, fc.entries());
        assertEquals(5, fc.codebookBytes());
        assertEquals(0, fc.indexBits());
        // A Gaussian of sigma 6 has an entropy of about 4.6 bits; Huffman gets within a fraction of a bit.
        assertTrue(fc.weightBits() < 5 * 2880, fc.weightBits() + " bits for 2880 values");

        DczFile dcz = DczReader.verify(file);
        assertEquals(manifest, dcz.manifest());
        // decode gives the real values, as DequantizeLinear computes them.
        float[] real = dcz.decode("fc.weight");
        byte[] q = m.graph().initializers().get("fc.weight").toByteArray();
        assertEquals(((q[7] & 0xFF) - 128) * 0.004f, real[7], 0f);
        assertEquals(tensors.get(0).quantization("t"), dcz.archive().tensor("conv.weight").orElseThrow().quantization("t"));
        assertArrayEquals(q, dcz.archive().tensor("fc.weight").orElseThrow().int8Values("t"));
    }

    @Test
    void theWriterRefusesAnInt8TensorTheGraphDoesNotDequantizeThatWay() {
        Model m = QdqModels.qdq(3, 0.3);
        Tensor conv = m.graph().initializers().get("conv.weight");
        float[] scales = DequantizeParameters.of(m.graph(), conv).quantization().scales();
        scales[3] *= 2;
        DczTensor other = DczTensor.int8("conv.weight", conv.dims(), conv.toByteArray(), Int8Quantization.symmetric(0, scales),
                LayerOptions.dense());
        String message = assertThrows(IllegalArgumentException.class, () -> DczModel.archive(m, List.of(other), Map.of()))
                .getMessage();
        assertTrue(message.startsWith("tensor 'conv.weight': the entry holds int8 along axis 0, 8 scales [0.001, 0.002,"
                + " 0.003, 0.008, ...]"), message);
        // An int8 initializer that no DequantizeLinear reads has no quantization to record.
        Model orphan = QdqModels.withInitializer(m, Tensor.ofRaw("lonely", DataType.INT8, new long[] {2}, new byte[] {1, 2}));
        DczTensor lonely = DczTensor.int8("lonely", new long[] {2}, new byte[] {1, 2}, Int8Quantization.perTensor(false, 1f, 0),
                LayerOptions.dense());
        assertEquals("tensor 'lonely': stored as int8, but no DequantizeLinear of the main graph reads it",
                assertThrows(IllegalArgumentException.class, () -> DczModel.archive(orphan, List.of(lonely), Map.of())).getMessage());
        // An fp32 entry for an int8 initializer.
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DczModel.archive(m,
                List.of(DczTensor.raw("conv.weight", conv.dims(), new float[288])), Map.of())).getMessage()
                .contains("is not an fp32 initializer of that shape in the model's graph (it is int8[8, 4, 3, 3])"));
    }

    /** The archive of {@code stored} tensors with the graph of {@code graph}, bypassing the writer's checks. */
    private static byte[] forged(Model graph, List<DczTensor> stored) {
        Map<String, String> detached = new LinkedHashMap<>();
        for (int i = 0; i < stored.size(); i++) {
            detached.put(stored.get(i).name(), DczFormat.tensorEntryName(i, stored.get(i).name()));
        }
        return DczWriter.toBytes(DczArchive.of(Map.of(), OnnxWriter.toBytes(graph, detached), stored));
    }

    @Test
    void theReaderRefusesAGraphWhoseScalesOrZeroPointsDisagree() throws FormatException {
        Model m = QdqModels.qdq(4, 0.3);
        List<DczTensor> tensors = tensors(m);
        float[] scales = m.graph().initializers().get("conv.weight_scale").toFloatArray();
        scales[0] = 0.5f;
        Model otherScale = QdqModels.withInitializer(m, Tensor.ofFloats("conv.weight_scale", new long[] {8}, scales));
        DczFile dcz = DczReader.read(forged(otherScale, tensors), FILE);
        String message = assertThrows(FormatException.class, () -> DczModel.toModel(dcz)).getMessage();
        assertTrue(message.startsWith("q.dcz: entry 'tensors/0-conv.weight' (tensor 'conv.weight'): the entry holds int8 along"
                + " axis 0, 8 scales [0.001,"), message);
        assertTrue(message.contains("the graph's DequantizeLinear int8 along axis 0, 8 scales [0.5, 0.002"), message);

        Model uint8Zp = QdqModels.withInitializer(m, Tensor.ofRaw("conv.weight_zero_point", DataType.UINT8, new long[] {8},
                new byte[8]));
        DczFile wrongType = DczReader.read(forged(uint8Zp, tensors), FILE);
        message = assertThrows(FormatException.class, () -> DczModel.toModel(wrongType)).getMessage();
        assertTrue(message.endsWith("stored as int8, but DequantizeLinear 'conv.weight_dq': its zero point conv.weight_zero_point"
                + " is uint8[8], expected int8 with 8 values"), message);

        byte[] zps = new byte[8];
        zps[5] = 3;
        Model otherZp = QdqModels.withInitializer(m, Tensor.ofRaw("conv.weight_zero_point", DataType.INT8, new long[] {8}, zps));
        DczFile shifted = DczReader.read(forged(otherZp, tensors), FILE);
        message = assertThrows(FormatException.class, () -> DczModel.toModel(shifted)).getMessage();
        assertTrue(message.contains("zero points [0, 0, 0, 0, ...]"), message);
    }

    @Test
    void theReaderRefusesAnInt8EntryBehindAFloatInitializer() throws FormatException {
        Model m = QdqModels.qdq(5, 0.3);
        Model asFloat = QdqModels.withInitializer(m, Tensor.ofFloats("fc.weight", QdqModels.FC_DIMS, new float[2880]));
        DczFile dcz = DczReader.read(forged(asFloat, tensors(m)), FILE);
        String message = assertThrows(FormatException.class, () -> DczModel.toModel(dcz)).getMessage();
        assertTrue(message.contains("initializer 'fc.weight' needs 11520 bytes, entry 'tensors/1-fc.weight' decodes to 2880"),
                message);
    }

    @Test
    void theEncodingIdMustSayWhetherThePayloadIsSparse() {
        Model m = QdqModels.qdq(6, 0.3);
        DczTensor sparse = tensors(m).getFirst();
        DczTensor mislabelled = new DczTensor(sparse.name(), sparse.dims(), TensorEncoding.INT8, sparse.payload());
        String message = assertThrows(IllegalArgumentException.class,
                () -> DczWriter.toBytes(DczArchive.of(Map.of(), new byte[0], List.of(mislabelled)))).getMessage();
        assertTrue(message.endsWith("encoding 'int8' with a sparse int8 payload"), message);
        MemorySegment entry = DczFormat.tensorEntry(mislabelled);
        message = assertThrows(FormatException.class, () -> DczFormat.parseTensorEntry("conv.weight", entry, "e")).getMessage();
        assertEquals("e: encoding 2 ('int8') holds a sparse int8 payload; 3 is the id for that", message);
        // The same 288 elements under dims whose axis 0 has 4 channels, not the entry's 8.
        MemorySegment wrongDims = DczFormat.tensorEntry(new DczTensor(sparse.name(), new long[] {4, 72}, TensorEncoding.SPARSE_INT8,
                sparse.payload()));
        message = assertThrows(FormatException.class, () -> DczFormat.parseTensorEntry("conv.weight", wrongDims, "e")).getMessage();
        assertEquals("e: declares 8 channels (scales and zero points), the axis 0 of [4, 72] has 4", message);
    }

    @Test
    void aFailedWriteLeavesNoFileAndTheOldTargetUntouched(@TempDir Path dir) throws Exception {
        Path target = dir.resolve(FILE);
        Files.write(target, new byte[] {1, 2, 3});
        byte[] garbage = new byte[40];
        garbage[0] = 1;
        DczTensor broken = new DczTensor("w", new long[] {4}, TensorEncoding.INT8, MemorySegment.ofArray(garbage));
        String message = assertThrows(IllegalArgumentException.class,
                () -> DczWriter.write(target, DczArchive.of(Map.of(), new byte[0], List.of(broken)))).getMessage();
        assertTrue(message.startsWith("tensor 'w' does not hold a valid int8 payload: tensor 'w': int8 encoding declares 0"
                + " elements, the tensor [4] has 4"), message);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
