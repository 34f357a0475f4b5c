// Tests of the compression pipeline on zoo models: the archive decodes to the pipeline's model, stages can be skipped, sizes add up.
package dev.condense.compress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.compress.dcz.DczFile;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DczReader;
import dev.condense.compress.dcz.DczTensor;
import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.dcz.TensorEncoding;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.layers.WeightLayer;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxWriter;
import dev.condense.prune.MagnitudePruner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionPipelineTest {

    private static Model lenet() {
        return Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
    }

    /** The archive through its bytes and the reader, decoded as a Session would decode it. */
    private static Model decoded(CompressionResult r) throws Exception {
        return DczModel.toModel(DczReader.read(DczWriter.toBytes(r.archive()), "lenet.dcz"));
    }

    private static void assertSameWeights(Model expected, Model actual) {
        assertEquals(expected.graph().nodes(), actual.graph().nodes());
        assertEquals(List.copyOf(expected.graph().initializers().keySet()),
                List.copyOf(actual.graph().initializers().keySet()));
        for (Tensor t : expected.graph().initializers().values()) {
            Tensor a = actual.graph().initializers().get(t.name());
            assertArrayEquals(t.dims(), a.dims(), t.name());
            // Exact, except that a pruned -0.0 decodes as +0.0.
            assertArrayEquals(t.toFloatArray(), a.toFloatArray(), 0f, t.name());
        }
    }

    private static long nonZero(Tensor t) {
        long n = 0;
        for (float v : t.toFloatArray()) {
            n += v != 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void theArchiveDecodesToThePipelinesModel() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(lenet());
        assertSameWeights(r.model(), decoded(r));
        // Default preset: conv layers keep 60%, fc layers 30%, as round(f * n).
        for (WeightLayer l : WeightLayer.of(r.model().graph())) {
            double keep = l.kind() == WeightLayer.Kind.CONV ? CompressionPreset.DEFAULT_CONV_KEEP
                    : CompressionPreset.DEFAULT_FC_KEEP;
            assertEquals(Math.round(keep * l.weightCount()), nonZero(l.weight()), l.name());
        }
        // Shared: each fc layer holds at most 2^5 distinct values besides 0, each conv at most 2^8.
        for (WeightLayer l : WeightLayer.of(r.model().graph())) {
            long distinct = Stream.of(l.weight().toFloatArray()).flatMapToDouble(a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i];
                }
                return java.util.Arrays.stream(d);
            }).filter(v -> v != 0).distinct().count();
            assertTrue(distinct <= (l.kind() == WeightLayer.Kind.CONV ? 256 : 32), l.name() + ": " + distinct);
        }
    }

    @Test
    void theReportAccountsForEveryByte() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(lenet());
        CompressionReport report = r.report();
        byte[] file = DczWriter.toBytes(r.archive());
        assertEquals(file.length, report.archiveBytes());
        assertEquals(report.archiveBytes(), report.graphStoredBytes() + report.payloadBytes() + report.containerBytes());
        assertTrue(report.containerBytes() > 0);
        // The graph entry is deflated in the archive: smaller than the ONNX bytes it inflates to.
        assertTrue(report.graphStoredBytes() < report.graphBytes(), report.graphStoredBytes() + " vs " + report.graphBytes());
        assertEquals(report.graphStoredBytes(), storedSize(file, "graph.onnx"));
        assertEquals(5, report.layers().size(), "conv1, conv2, fc1, fc2, fc3");
        assertEquals(5, report.otherTensors().size(), "the five biases");
        // Every fp32 initializer is a tensor entry with the payload the report gives.
        DczFile dcz = DczReader.read(file, "lenet.dcz");
        for (TensorReport t : report.tensors()) {
            DczTensor entry = r.archive().tensor(t.tensor()).orElseThrow();
            assertEquals(t.bytesAfter(), entry.payload().byteSize(), t.tensor());
            assertEquals(t.encoding(), entry.encoding(), t.tensor());
        }
        long fp32 = r.model().graph().initializers().values().stream().mapToLong(Tensor::byteSize).sum();
        assertEquals(fp32 + report.graphBytes(), report.fp32Bytes());
        assertEquals((double) report.fp32Bytes() / report.archiveBytes(), report.ratio(), 1e-12);
        assertTrue(report.ratio() > 6, "LeNet-5 under the default preset: " + report.ratio());
        assertEquals("default", dcz.manifest().settings().get("preset"));
        assertEquals("0.3", dcz.manifest().settings().get("prune.fc1"));
        assertEquals("5", dcz.manifest().settings().get("bits.fc1"));
        assertEquals("auto", dcz.manifest().settings().get("indexBits.conv2"));

        String table = report.table();
        assertTrue(table.lines().anyMatch(line -> line.startsWith("fc1") && line.contains("48,000")
                && line.contains("30.0%") && line.contains("192,000")), table);
        assertTrue(table.contains("total"), table);
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertEquals(report.archiveBytes(), json.get("totals").get("archiveBytes").asLong());
        assertEquals(10, json.get("tensors").size());
        assertEquals("fc1", json.get("tensors").get(4).get("layer").asText());
        assertEquals(14400, json.get("tensors").get(4).get("kept").asLong());
    }

    @Test
    void pruningOnlyKeepsTheKeptWeightsBitForBit() throws Exception {
        Model lenet = lenet();
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutSharing().compress(lenet);
        assertTrue(r.sharing().isEmpty());
        assertSameWeights(r.model(), decoded(r));
        for (WeightLayer l : WeightLayer.of(r.model().graph())) {
            float[] original = lenet.graph().initializers().get(l.weightName()).toFloatArray();
            float[] kept = l.weight().toFloatArray();
            for (int i = 0; i < kept.length; i++) {
                assertTrue(kept[i] == 0 || kept[i] == original[i], l.name() + " position " + i);
            }
            TensorReport row = r.report().tensors().stream().filter(t -> t.tensor().equals(l.weightName())).findFirst()
                    .orElseThrow();
            assertEquals(0, row.shareBits(), l.name());
        }
    }

    @Test
    void sharingOnlyStoresEveryPositionDense() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutPruning().compress(lenet());
        assertTrue(r.pruning().isEmpty());
        assertSameWeights(r.model(), decoded(r));
        for (TensorReport t : r.report().layers()) {
            assertEquals(1.0, t.keptFraction(), t.layer());
            assertEquals(0, t.relativeIndexBits(), t.layer() + " has no zeros to skip");
        }
        TensorReport fc1 = r.report().layers().get(2);
        assertEquals(TensorEncoding.DEEP_COMPRESSION, fc1.encoding());
        // 32 centroids over LeNet's uniform (Glorot) weights are used about equally: Huffman keeps 5 bits.
        assertEquals(5.0, fc1.storedWeightBits(), fc1.toString());
        assertEquals(48_000 * 5 / 8 + 128 + 44 + fc1.sizes().huffmanTableBytes(), fc1.bytesAfter());
    }

    @Test
    void huffmanOffStoresFixedWidthStreams() throws Exception {
        CompressionResult on = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(lenet());
        CompressionResult off = CompressionPipeline.of(CompressionPreset.DEFAULT).withHuffman(false).compress(lenet());
        assertSameWeights(on.model(), decoded(off));
        for (TensorReport t : off.report().layers()) {
            assertEquals(0, t.sizes().huffmanTableBytes(), t.layer());
            if (t.encoding() == TensorEncoding.DEEP_COMPRESSION) {
                assertEquals(t.fixedWeightBits(), t.storedWeightBits(), t.layer());
            }
        }
        assertTrue(off.report().archiveBytes() > on.report().archiveBytes(),
                off.report().archiveBytes() + " vs " + on.report().archiveBytes());
        assertEquals("false", DczReader.read(DczWriter.toBytes(off.archive()), "x").manifest().settings().get("huffman"));
    }

    @Test
    void explicitIndexBitsAreUsedWhereSparsePays() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withIndexBits("fc=5,conv2=3")
                .withPruner(MagnitudePruner.keep(0.2)).compress(lenet());
        assertSameWeights(r.model(), decoded(r));
        Map<String, Integer> bits = new java.util.HashMap<>();
        for (TensorReport t : r.report().layers()) {
            bits.put(t.layer(), t.relativeIndexBits());
        }
        assertEquals(5, bits.get("fc1"));
        assertEquals(5, bits.get("fc2"));
        assertEquals(3, bits.get("conv2"));
    }

    @Test
    void batchNormIsFoldedWhenAsked() throws Exception {
        Model vggBn = Zoo.get("vgg-16-bn").build(ZooSpec.fashionMnist());
        assertTrue(vggBn.graph().opHistogram().containsKey("BatchNormalization"));
        CompressionResult folded = CompressionPipeline.of(CompressionPreset.DEFAULT).withFoldBatchNorm(true)
                .withoutSharing().compress(vggBn);
        assertFalse(folded.model().graph().opHistogram().containsKey("BatchNormalization"));
        assertSameWeights(folded.model(), decoded(folded));
        assertEquals("true", DczReader.read(DczWriter.toBytes(folded.archive()), "x").manifest().settings()
                .get("foldBatchNorm"));
    }

    @Test
    void settingsThatDoNotFitTheModelAreRefusedNamingThem() {
        IllegalArgumentException preset = assertThrows(IllegalArgumentException.class,
                () -> CompressionPipeline.of(CompressionPreset.PAPER_ALEXNET).compress(lenet()));
        assertTrue(preset.getMessage().startsWith("preset alexnet has 8 layers (conv1, conv2, conv3, conv4, conv5, fc6, fc7,"
                + " fc8) but the model has 5 prunable layers (conv1, conv2, fc1, fc2, fc3)"), preset.getMessage());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> CompressionPipeline.of(CompressionPreset.DEFAULT).withIndexBits("fc9=4").compress(lenet()));
        assertTrue(layer.getMessage().startsWith("rule 'fc9' names no weight layer and no op type; the layers are conv1,"),
                layer.getMessage());
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class,
                () -> CompressionPipeline.of(CompressionPreset.DEFAULT).withIndexBits("conv=17"));
        assertEquals("rule 'conv=17': relative index bits must lie in [1, 16], got 17", bits.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> CompressionPipeline.of(CompressionPreset.DEFAULT).withIndexBits("fc=wide"));
        assertEquals("rule 'fc=wide': 'wide' is not a bit count (1 to 16) or 'auto'", word.getMessage());
        IllegalArgumentException unknownPreset = assertThrows(IllegalArgumentException.class,
                () -> CompressionPreset.of("paper-resnet"));
        assertEquals("no preset 'paper-resnet'; the presets are default, paper-lenet300, paper-lenet5, paper-alexnet, paper-vgg16",
                unknownPreset.getMessage());
    }

    @Test
    void aPaperPresetKeepsThePapersFractions() throws Exception {
        // AlexNet at Fashion-MNIST scale has AlexNet's eight weight layers at a quarter of the width.
        Model alexnet = Zoo.get("alexnet").build(ZooSpec.fashionMnist());
        CompressionResult r = CompressionPipeline.of(CompressionPreset.PAPER_ALEXNET).compress(alexnet);
        List<TensorReport> layers = r.report().layers();
        assertEquals(8, layers.size());
        double[] keep = {0.84, 0.38, 0.35, 0.37, 0.37, 0.09, 0.09, 0.25};
        for (int i = 0; i < 8; i++) {
            assertEquals(Math.round(keep[i] * layers.get(i).weights()), layers.get(i).kept(), layers.get(i).layer());
        }
        assertSameWeights(r.model(), decoded(r));
    }

    @Test
    void compressingAFileAddsTheInputAndGzipSizes(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("lenet.onnx");
        OnnxWriter.write(lenet(), input, OnnxWriter.Options.inline());
        Path output = dir.resolve("lenet.dcz");
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(input, output, true);
        CompressionReport report = r.report();
        assertEquals(Files.size(input), report.inputBytes().orElseThrow());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(Files.readAllBytes(input));
        }
        assertEquals(gz.size(), report.inputGzipBytes().orElseThrow());
        assertEquals(Files.size(output), report.archiveBytes());
        assertEquals((double) Files.size(input) / Files.size(output), report.ratio(), 1e-12);
        assertTrue(report.table().contains(String.format("gzipped (level 6) %,d bytes", gz.size())), report.table());
        assertTrue(report.phaseMillis().containsKey("total"));
        assertSameWeights(r.model(), DczModel.read(output));

        CompressionResult noGzip = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(input,
                dir.resolve("again.dcz"), false);
        assertTrue(noGzip.report().inputGzipBytes().isEmpty());
    }

    @Test
    void theInputIsNeverOverwrittenAndAFailureLeavesNoFile(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("lenet.onnx");
        OnnxWriter.write(lenet(), input, OnnxWriter.Options.inline());
        byte[] before = Files.readAllBytes(input);
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> CompressionPipeline.of(CompressionPreset.DEFAULT).compress(input, dir.resolve("./lenet.onnx"), true));
        assertTrue(same.getMessage().endsWith("is the input; write to another file"), same.getMessage());
        assertArrayEquals(before, Files.readAllBytes(input));

        assertThrows(IllegalArgumentException.class, () -> CompressionPipeline.of(CompressionPreset.PAPER_VGG16)
                .compress(input, dir.resolve("out.dcz"), true));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("lenet.onnx"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aCustomPrunerReplacesThePresets() throws Exception {
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT)
                .withPruner(MagnitudePruner.keep(0.1).withRules("conv1=1")).compress(lenet());
        assertEquals(1.0, r.report().layers().getFirst().keptFraction());
        assertEquals(Math.round(0.1 * 48_000), r.report().layers().get(2).kept());
    }

    /** The compressed size the zip's own central directory gives an entry. */
    private static long storedSize(byte[] zip, String name) throws java.io.IOException {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    in.readAllBytes();
                    return e.getCompressedSize();
                }
            }
        }
        throw new AssertionError("no entry " + name);
    }
}
