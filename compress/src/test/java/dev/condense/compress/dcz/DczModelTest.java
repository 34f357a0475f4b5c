// Tests of the graph-entry convention: models survive the container, and graphs that disagree with the manifest are refused.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;
import dev.condense.compress.layer.EncodedLayer;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.compress.layer.SharedWeights;
import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DczModelTest {

    private static final String FILE = "m.dcz";
    private static final int CONV_WEIGHTS = 8 * 4 * 3 * 3;
    private static final int FC_WEIGHTS = 10 * 288;

    /** Conv [8, 4, 3, 3] + bias, Relu, Reshape by an int64 shape, Gemm [10, 288] (transB) + bias. */
    private static Model model(long[] convDims) {
        Random rng = new Random(5);
        float[] w = new float[CONV_WEIGHTS];
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextDouble() < 0.4 ? (float) rng.nextGaussian() : 0f;
        }
        float[] fc = new float[FC_WEIGHTS];
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (float) rng.nextGaussian();
        }
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w", Tensor.ofFloats("w", convDims, w));
        init.put("b", Tensor.ofFloats("b", new long[] {8}, 1, 2, 3, 4, 5, 6, 7, 8));
        init.put("shape", Tensor.vector("shape", -1, 288));
        init.put("fc", Tensor.ofFloats("fc", new long[] {10, 288}, fc));
        init.put("fcb", Tensor.ofFloats("fcb", new long[] {10}, new float[10]));
        List<Node> nodes = List.of(
                Node.of("conv", "Conv", List.of("x", "w", "b"), List.of("c"), Map.of("kernel_shape", Attribute.ints(3, 3))),
                Node.of("act", "Relu", List.of("c"), List.of("r")),
                Node.of("flat", "Reshape", List.of("r", "shape"), List.of("f")),
                Node.of("gemm", "Gemm", List.of("f", "fc", "fcb"), List.of("y"), Map.of("transB", Attribute.of(1L))));
        Graph g = new Graph("tiny", nodes,
                List.of(ValueInfo.of("x", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(4), Dim.of(8), Dim.of(8)))),
                List.of(ValueInfo.of("y", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(10)))), init, Map.of());
        return Model.of(g, 13);
    }

    private static Model model() {
        return model(new long[] {8, 4, 3, 3});
    }

    /** w sparse and shared (4 centroids, Huffman), fc dense and shared, both biases raw; the int64 shape stays inline. */
    private static List<DczTensor> tensors(Model m) {
        float[] w = m.graph().initializers().get("w").toFloatArray();
        int[] indices = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            indices[i] = w[i] < -1 ? 0 : w[i] < 0 ? 1 : w[i] < 1 ? 2 : 3;
        }
        EncodedLayer conv = LayerCodec.encode(w, new SharedWeights(new float[] {-1.5f, -0.5f, 0.5f, 1.5f}, indices),
                LayerOptions.deepCompression(4));
        float[] fc = m.graph().initializers().get("fc").toFloatArray();
        int[] fcIndices = new int[fc.length];
        for (int i = 0; i < fc.length; i++) {
            fcIndices[i] = fc[i] < 0 ? 0 : 1;
        }
        EncodedLayer dense = LayerCodec.encode(fc, new SharedWeights(new float[] {-0.8f, 0.8f}, fcIndices), LayerOptions.dense());
        return List.of(DczTensor.encoded("w", new long[] {8, 4, 3, 3}, conv),
                DczTensor.fromTensor(m.graph().initializers().get("b")),
                DczTensor.encoded("fc", new long[] {10, 288}, dense),
                DczTensor.fromTensor(m.graph().initializers().get("fcb")));
    }

    private static DczFile read(DczArchive archive) throws FormatException {
        return DczReader.read(DczWriter.toBytes(archive), FILE);
    }

    @Test
    void theModelComesBackWithEachTensorAsItsEntryDecodesIt() throws Exception {
        Model m = model();
        List<DczTensor> tensors = tensors(m);
        DczArchive archive = DczModel.archive(m, tensors, Map.of("preset", "test"));
        // The graph entry holds the nodes, the shapes and the 16-byte int64 shape, not the 4,640 bytes of fp32 weights.
        assertTrue(archive.graph().byteSize() < 700, archive.graph().byteSize() + " bytes");

        DczFile dcz = read(archive);
        Model back = DczModel.toModel(dcz);
        assertEquals(m.graph().nodes(), back.graph().nodes());
        assertEquals(m.graph().inputs(), back.graph().inputs());
        assertEquals(m.graph().outputs(), back.graph().outputs());
        assertEquals(List.copyOf(m.graph().initializers().keySet()), List.copyOf(back.graph().initializers().keySet()));
        assertEquals(m.graph().initializers().get("shape"), back.graph().initializers().get("shape"));
        assertEquals(m.graph().initializers().get("b"), back.graph().initializers().get("b"));
        for (DczTensor t : tensors) {
            assertArrayEquals(t.decode(t.name()), back.graph().initializers().get(t.name()).toFloatArray(), 0f, t.name());
        }
        // Sharing changed w's kept weights to their centroids and left its zeros in place.
        float[] w = back.graph().initializers().get("w").toFloatArray();
        float[] original = m.graph().initializers().get("w").toFloatArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(original[i] == 0, w[i] == 0, "position " + i);
            assertTrue(w[i] == 0 || Math.abs(Math.abs(w[i]) - 1f) == 0.5f, "centroid at " + i + ": " + w[i]);
        }
        assertEquals("test", dcz.manifest().settings().get("preset"));
    }

    @Test
    void readingAFileDecodesItsTensors(@TempDir Path dir) throws Exception {
        Model m = model();
        Path file = dir.resolve("tiny.dcz");
        DczWriter.write(file, DczModel.archive(m, tensors(m), Map.of()));
        Model back = DczModel.read(file);
        assertEquals(m.graph().initializers().get("b"), back.graph().initializers().get("b"));
        assertEquals(5, back.graph().initializers().size());
    }

    @Test
    void aGraphReferringToAnotherEntryIsRefusedNamingBoth() {
        Model m = model();
        List<DczTensor> tensors = tensors(m);
        Map<String, String> wrong = new LinkedHashMap<>();
        wrong.put("w", "tensors/2-fc");
        wrong.put("b", "tensors/1-b");
        wrong.put("fc", "tensors/2-fc");
        wrong.put("fcb", "tensors/3-fcb");
        DczArchive archive = DczArchive.of(Map.of(), OnnxWriter.toBytes(m, wrong), tensors);
        FormatException e = assertThrows(FormatException.class, () -> DczModel.toModel(read(archive)));
        assertEquals("m.dcz: entry 'graph.onnx': initializer 'w' refers to entry 'tensors/2-fc', but the manifest stores it"
                + " in entry 'tensors/0-w'", e.getMessage());
    }

    @Test
    void aTensorTheGraphDoesNotReferToIsRefused() {
        Model m = model();
        Map<String, String> partial = new LinkedHashMap<>();
        partial.put("w", "tensors/0-w");
        partial.put("fc", "tensors/2-fc");
        partial.put("fcb", "tensors/3-fcb");
        // b is inline in the graph and stored as an entry as well.
        DczArchive archive = DczArchive.of(Map.of(), OnnxWriter.toBytes(m, partial), tensors(m));
        FormatException e = assertThrows(FormatException.class, () -> DczModel.toModel(read(archive)));
        assertEquals("m.dcz: entry 'tensors/1-b' (tensor 'b'): no initializer of graph.onnx refers to it", e.getMessage());
    }

    @Test
    void dimsThatDisagreeWithTheManifestAreRefused() {
        // Same element count, other shape: the graph would run the wrong weights.
        Model transposed = model(new long[] {4, 8, 3, 3});
        Map<String, String> all = new LinkedHashMap<>();
        all.put("w", "tensors/0-w");
        all.put("b", "tensors/1-b");
        all.put("fc", "tensors/2-fc");
        all.put("fcb", "tensors/3-fcb");
        DczArchive archive = DczArchive.of(Map.of(), OnnxWriter.toBytes(transposed, all), tensors(model()));
        FormatException e = assertThrows(FormatException.class, () -> DczModel.toModel(read(archive)));
        assertEquals("m.dcz: entry 'tensors/0-w' (tensor 'w'): graph.onnx declares it as float32[4, 8, 3, 3], the"
                + " manifest as float32[8, 4, 3, 3]", e.getMessage());
    }

    @Test
    void aPayloadThatPassesTheChecksumsButNotDecodingNamesItsEntry() throws Exception {
        Model m = model();
        List<DczTensor> tensors = new java.util.ArrayList<>(tensors(m));
        DczTensor w = tensors.getFirst();
        byte[] payload = w.payload().toArray(ValueLayout.JAVA_BYTE);
        MemorySegment bytes = MemorySegment.ofArray(payload);
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        // The kept count (header offset 20) one lower than the streams hold: sizes still add up, decoding does not.
        bytes.set(u64, 20, bytes.get(u64, 20) - 1);
        tensors.set(0, new DczTensor("w", w.dims(), TensorEncoding.DEEP_COMPRESSION, bytes));
        DczArchive archive = DczModel.archive(m, tensors, Map.of());
        DczFile dcz = read(archive);
        FormatException e = assertThrows(FormatException.class, () -> DczModel.toModel(dcz));
        long declared = bytes.get(u64, 20);
        assertEquals("m.dcz: entry 'tensors/0-w' (tensor 'w'): header declares " + declared
                + " kept weights but the streams hold " + (declared + 1), e.getMessage());
    }

    @Test
    void aGraphEntryThatIsNoOnnxModelIsRefused() {
        Model m = model();
        byte[] garbage = new byte[64];
        new Random(3).nextBytes(garbage);
        DczArchive archive = DczArchive.of(Map.of(), garbage, tensors(m));
        FormatException e = assertThrows(FormatException.class, () -> DczModel.toModel(read(archive)));
        assertTrue(e.getMessage().startsWith("m.dcz: entry 'graph.onnx' is not a valid ONNX protobuf file"), e.getMessage());
    }

    @Test
    void archiveRefusesTensorsTheModelDoesNotHoldAsFp32OfThatShape() {
        Model m = model();
        DczTensor stray = DczTensor.raw("nope", new long[] {2}, 1f, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DczModel.archive(m, List.of(stray), Map.of()));
        assertEquals("tensor 'nope' [2] is not an fp32 initializer of that shape in the model's graph", e.getMessage());
        DczTensor reshaped = DczTensor.raw("b", new long[] {2, 4}, new float[8]);
        e = assertThrows(IllegalArgumentException.class, () -> DczModel.archive(m, List.of(reshaped), Map.of()));
        assertEquals("tensor 'b' [2, 4] is not an fp32 initializer of that shape in the model's graph (it is float32[8])",
                e.getMessage());
    }

    @Test
    void containersAreRecognisedByNameOrSignature(@TempDir Path dir) throws Exception {
        Model m = model();
        Path named = dir.resolve("a.DCZ");
        Path unnamed = dir.resolve("a.bin");
        DczWriter.write(unnamed, DczModel.archive(m, tensors(m), Map.of()));
        Path onnx = dir.resolve("a.onnx");
        OnnxWriter.write(m, onnx, OnnxWriter.Options.inline());
        assertTrue(DczModel.isDcz(named), "by name, even before it exists");
        assertTrue(DczModel.isDcz(unnamed), "by the zip signature");
        assertFalse(DczModel.isDcz(onnx));
        assertFalse(DczModel.isDcz(dir.resolve("missing.onnx")));
        Files.write(dir.resolve("short"), new byte[] {'P', 'K'});
        assertFalse(DczModel.isDcz(dir.resolve("short")));
    }
}
