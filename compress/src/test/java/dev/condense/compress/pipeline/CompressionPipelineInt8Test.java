// Tests of int8 in the pipeline: QDQ input models stored in the int8 encodings, and a quantization hook after pruning.
package dev.condense.compress.pipeline;

import dev.condense.compress.QdqModels;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DequantizeParameters;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.compress.dcz.DczReader;
import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.dcz.TensorEncoding;
import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.layers.WeightLayer;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionPipelineInt8Test {

    /** The archive through its bytes and the reader, decoded as a Session would decode it. */
    private static Model decoded(CompressionResult r) throws Exception {
        return DczModel.toModel(DczReader.read(DczWriter.toBytes(r.archive()), "q.dcz"));
    }

    private static void assertSameInitializers(Model expected, Model actual) {
        assertEquals(expected.graph().nodes(), actual.graph().nodes());
        assertEquals(List.copyOf(expected.graph().initializers().keySet()), List.copyOf(actual.graph().initializers().keySet()));
        for (Tensor t : expected.graph().initializers().values()) {
            assertEquals(t, actual.graph().initializers().get(t.name()), t.name());
        }
    }

    private static TensorReport row(CompressionResult r, String tensor) {
        return r.report().tensors().stream().filter(t -> t.tensor().equals(tensor)).findFirst().orElseThrow();
    }

    @Test
    void aQdqModelsInt8WeightsGoIntoTheInt8Encodings() throws Exception {
        Model qdq = QdqModels.qdq(7, 0.25);
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutPruning().withoutSharing().compress(qdq);
        assertSameInitializers(qdq, r.model());
        assertSameInitializers(qdq, decoded(r));

        TensorReport conv = row(r, "conv.weight");
        assertEquals(TensorEncoding.SPARSE_INT8, conv.encoding(), "a quarter of the conv weights are non-zero");
        assertEquals("conv", conv.layer());
        assertEquals(8, conv.fixedWeightBits());
        long nonZero = 0;
        for (byte v : qdq.graph().initializers().get("conv.weight").toByteArray()) {
            nonZero += v != 0 ? 1 : 0;
        }
        assertEquals(nonZero, conv.kept());
        assertEquals(40, conv.sizes().codebookBytes(), "8 scales and 8 zero points");
        assertTrue(conv.bytesAfter() < 32 + 40 + 288, conv.bytesAfter() + " bytes, less than dense");

        TensorReport fc = row(r, "fc.weight");
        assertEquals(TensorEncoding.INT8, fc.encoding(), "uint8 around its zero point 128, nothing pruned");
        assertEquals("gemm", fc.layer());
        assertEquals(0, fc.relativeIndexBits());
        assertTrue(fc.storedWeightBits() < 5, fc.storedWeightBits() + " bits per value, Huffman-coded");
        // The fp32 bias is a raw entry; the int32 bias, the scales and the zero points stay in the graph.
        assertEquals(List.of("conv.weight", "fc.weight", "fc.bias"),
                r.report().tensors().stream().map(TensorReport::tensor).toList());

        CompressionResult plain = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutPruning().withoutSharing()
                .withHuffman(false).compress(qdq);
        assertEquals(TensorEncoding.INT8, row(plain, "fc.weight").encoding());
        assertEquals(32 + 5 + 2880, row(plain, "fc.weight").bytesAfter(), "dense, one byte per weight");
        // 288 weights: Huffman's tables may cost more than they save; the planner then keeps the plain stream.
        assertTrue(row(plain, "conv.weight").bytesAfter() >= conv.bytesAfter());
        assertTrue(row(plain, "fc.weight").bytesAfter() > fc.bytesAfter() + 1000);
    }

    @Test
    void indexBitRulesApplyToInt8Layers() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutPruning().withoutSharing()
                .withIndexBits("conv=3").compress(QdqModels.qdq(8, 0.2));
        assertEquals(3, row(r, "conv.weight").relativeIndexBits());
        assertEquals("3", r.archive().settings().get("indexBits.conv"));
    }

    /**
     * A stand-in for the quantize module: every weight layer symmetric int8 per output channel
     * (axis 0 for Conv and transposed Gemm, 1 otherwise), read through a DequantizeLinear.
     */
    static final class StubQuantization implements Quantization {
        Model seen;

        @Override
        public Model quantize(Model pruned) {
            seen = pruned;
            Map<String, Tensor> init = new LinkedHashMap<>(pruned.graph().initializers());
            List<Node> dequantize = new ArrayList<>();
            List<Node> nodes = new ArrayList<>();
            Map<Node, Node> rewired = new LinkedHashMap<>();
            for (WeightLayer l : WeightLayer.of(pruned.graph())) {
                boolean transposed = l.opType().equals("Conv") || l.node().attribute("transB")
                        .map(a -> a instanceof Attribute.IntValue(long v) && v == 1).orElse(false);
                int axis = transposed ? 0 : 1;
                long[] dims = l.weight().dims();
                int channels = (int) dims[axis];
                float[] w = l.weight().toFloatArray();
                long inner = 1;
                for (int d = axis + 1; d < dims.length; d++) {
                    inner *= dims[d];
                }
                float[] scales = new float[channels];
                for (int p = 0; p < w.length; p++) {
                    int c = (int) ((p / inner) % channels);
                    scales[c] = Math.max(scales[c], Math.abs(w[p]) / 127f);
                }
                for (int c = 0; c < channels; c++) {
                    scales[c] = scales[c] == 0 ? 1f : scales[c];
                }
                byte[] q = new byte[w.length];
                for (int p = 0; p < w.length; p++) {
                    q[p] = (byte) Math.round(w[p] / scales[(int) ((p / inner) % channels)]);
                }
                String name = l.weightName();
                init.put(name, Tensor.ofRaw(name, DataType.INT8, dims, q));
                init.put(name + "_scale", Tensor.ofFloats(name + "_scale", new long[] {channels}, scales));
                init.put(name + "_zero_point", Tensor.ofRaw(name + "_zero_point", DataType.INT8, new long[] {channels},
                        new byte[channels]));
                dequantize.add(Node.of(name + "_dq", "DequantizeLinear", List.of(name, name + "_scale", name + "_zero_point"),
                        List.of(name + "_f"), Map.of("axis", Attribute.of((long) axis))));
                List<String> inputs = new ArrayList<>(l.node().inputs());
                inputs.set(1, name + "_f");
                rewired.put(l.node(), l.node().withInputs(inputs));
            }
            nodes.addAll(dequantize);
            for (Node n : pruned.graph().nodes()) {
                nodes.add(rewired.getOrDefault(n, n));
            }
            return pruned.withGraph(pruned.graph().withNodes(nodes).withInitializers(init));
        }
    }

    @Test
    void theQuantizationHookRunsAfterPruningInPlaceOfSharing() throws Exception {
        Model lenet = Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
        StubQuantization hook = new StubQuantization();
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutSharing().withQuantization(hook)
                .compress(lenet);
        // The hook saw the pruned model: fc layers keep 30% of their weights.
        for (WeightLayer l : WeightLayer.of(hook.seen.graph())) {
            long nonZero = 0;
            for (float v : l.weight().toFloatArray()) {
                nonZero += v != 0 ? 1 : 0;
            }
            double keep = l.kind() == WeightLayer.Kind.CONV ? CompressionPreset.DEFAULT_CONV_KEEP : CompressionPreset.DEFAULT_FC_KEEP;
            assertEquals(Math.round(keep * l.weightCount()), nonZero, l.name());
        }
        assertSameInitializers(r.model(), decoded(r));
        assertEquals("int8", r.archive().settings().get("quantize"));
        assertEquals("off", r.archive().settings().get("share"));
        assertEquals("on", r.archive().settings().get("prune"));

        List<TensorReport> layers = r.report().layers();
        assertEquals(WeightLayer.of(hook.seen.graph()).size(), layers.size());
        for (TensorReport l : layers) {
            assertTrue(l.encoding().int8(), l.tensor() + " " + l.encoding());
            Tensor q = r.model().graph().initializers().get(l.tensor());
            long nonZero = 0;
            for (byte v : q.toByteArray()) {
                nonZero += v != 0 ? 1 : 0;
            }
            assertEquals(nonZero, l.kept(), l.tensor());
            assertEquals(l.bytesAfter(), l.sizes().totalBytes());
            // The planner's choice is the smallest of the four ways to store it (sparse at the preset's index width).
            Int8Quantization quantization = DequantizeParameters.of(r.model().graph(), q).quantization();
            long smallest = Long.MAX_VALUE;
            for (LayerOptions o : new LayerOptions[] {LayerOptions.dense(), LayerOptions.dense().withHuffman(true),
                    LayerOptions.deepCompression(l.relativeIndexBits() == 0 ? 5 : l.relativeIndexBits()),
                    LayerOptions.deepCompression(l.relativeIndexBits() == 0 ? 5 : l.relativeIndexBits()).withHuffman(false)}) {
                smallest = Math.min(smallest, Int8Codec.encode(q.toByteArray(), q.dims(), quantization, o).byteSize());
            }
            assertTrue(l.bytesAfter() <= smallest, l.tensor() + ": " + l.bytesAfter() + " > " + smallest);
            if (l.keptFraction() < 0.35 && l.weights() > 10_000) {
                // Pruned to 30%: well under a byte per weight, once the scales and tables are amortized.
                assertTrue(l.bytesAfter() < l.weights() / 2, l.tensor() + ": " + l.bytesAfter() + " bytes for " + l.weights());
            }
        }
        // The big fc layer is sparse: 30% kept makes a relative index pay.
        assertEquals(TensorEncoding.SPARSE_INT8, layers.stream().max(java.util.Comparator.comparingLong(TensorReport::weights))
                .orElseThrow().encoding());
        // Against the same pruning with fp32 kept weights, int8 is well over twice smaller.
        CompressionResult fp32 = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutSharing().compress(lenet);
        long int8Bytes = layers.stream().mapToLong(TensorReport::bytesAfter).sum();
        long fp32Bytes = fp32.report().layers().stream().mapToLong(TensorReport::bytesAfter).sum();
        System.out.printf("LeNet-5, default pruning: weight layers %d bytes int8 (hook), %d bytes fp32 kept weights;"
                + " archive %d bytes%n", int8Bytes, fp32Bytes, r.report().archiveBytes());
        System.out.print(r.report().table());
        assertTrue(2 * int8Bytes < fp32Bytes, int8Bytes + " vs " + fp32Bytes);
    }

    @Test
    void sharingAndQuantizationAreMutuallyExclusive() {
        CompressionPipeline shared = CompressionPipeline.of(CompressionPreset.DEFAULT);
        Quantization hook = new StubQuantization();
        String message = assertThrows(IllegalArgumentException.class, () -> shared.withQuantization(hook)).getMessage();
        assertEquals("weight sharing and int8 quantization are mutually exclusive (both replace the kept weights' values);"
                + " call withoutSharing() before withQuantization(...)", message);
        CompressionPipeline quantized = shared.withoutSharing().withQuantization(hook);
        assertSame(hook, quantized.quantization().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> quantized.withSharer(CompressionPreset.DEFAULT.sharer()));
        assertTrue(quantized.withHuffman(false).quantization().isPresent(), "settings keep the hook");
    }

    @Test
    void aFailingHookIsReportedWithItsMessage() {
        Quantization failing = pruned -> {
            throw new Quantization.QuantizationException("calibration set is empty");
        };
        Model lenet = Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
        CompressionPipeline p = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutSharing().withQuantization(failing);
        assertEquals("calibration set is empty",
                assertThrows(Quantization.QuantizationException.class, () -> p.compress(lenet)).getMessage());
    }
}
