// A realistic results file for the report tests: LeNet-5 on Fashion-MNIST, its reference and seven configurations.
package dev.condense.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lines shaped like {@code condense sweep}'s, built here rather than stored so that each test can change one field.
 * Sizes follow LeNet-5 (Caffe): conv1 500, conv2 25,000, ip1 400,000 and ip2 5,000 weights.
 */
public final class SweepFixture {

    public static final String MODEL = "lenet-5-caffe.onnx";
    public static final long MODEL_BYTES = 1_725_771;
    static final Object[][] LAYERS = {{"conv1", "Conv", 500L}, {"conv2", "Conv", 25_000L}, {"ip1", "Gemm", 400_000L},
            {"ip2", "Gemm", 5_000L}};
    /** Per-layer keep fractions at a global keep of 8%: the paper's LeNet-5 rates (Table 2); ip1 keeps the global one. */
    static final double[] PAPER_KEEP_AT_8_PERCENT = {0.66, 0.12, 0.08, 0.19};

    /** The seven compressed configurations' labels, in file order (the reference comes first in the file). */
    public static final List<String> LABELS = List.of("pruned", "shared", "pruned+shared", "pruned+shared+huffman",
            "pruned-hard+shared+huffman", "int8", "pruned+shared+huffman+retrain");

    /** Worked out by hand from the sizes and accuracies below: nothing smaller is at least as accurate. */
    public static final List<String> FRONTIER = List.of("pruned-hard+shared+huffman", "pruned+shared+huffman",
            "pruned+shared+huffman+retrain", "shared", "int8");

    /** The highest-ratio frontier configuration within one point of the reference's 91.90% top-1. */
    public static final String DEFAULT_CHOICE = "pruned+shared+huffman";

    /** The paper's LeNet bits: 8 for convolutions, 5 for fully connected layers (in that order in the file). */
    private static final Map<String, Integer> SHARE_8_5 = new LinkedHashMap<>(Map.of("conv", 8));

    static {
        SHARE_8_5.put("fc", 5);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepFixture() {
    }

    /** The reference line first, then the configurations of {@link #LABELS}. */
    public static List<Map<String, Object>> lenet() {
        List<Map<String, Object>> lines = new ArrayList<>();
        lines.add(line("uncompressed", true, Double.NaN, null, false, false, 0, MODEL_BYTES, 0.9190, 0.9985, 0.80, 0.30));
        lines.add(line("pruned", false, 0.08, null, false, false, 0, 190_000, 0.9172, 0.9981, 0.55, 0.31));
        lines.add(line("shared", false, Double.NaN, SHARE_8_5, false, false, 0, 280_000, 0.9181,
                0.9983, 0.78, 0.30));
        lines.add(line("pruned+shared", false, 0.08, SHARE_8_5, false, false, 0, 110_000, 0.9160,
                0.9980, 0.52, 0.33));
        lines.add(line("pruned+shared+huffman", false, 0.08, SHARE_8_5, true, false, 0, 80_123, 0.9160,
                0.9980, 0.61, 0.35));
        lines.add(line("pruned-hard+shared+huffman", false, 0.03, SHARE_8_5, true, false, 0, 42_000,
                0.9050, 0.9960, 0.41, 0.34));
        lines.add(line("int8", false, Double.NaN, null, false, true, 0, 440_000, 0.9188, 0.9985, 0.45, 0.20));
        lines.add(line("pruned+shared+huffman+retrain", false, 0.08, SHARE_8_5, true, false, 2, 80_500,
                0.9180, 0.9984, 0.61, 0.35));
        return lines;
    }

    static Map<String, Object> line(String label, boolean reference, double prune, Map<String, Integer> shareBits,
                                    boolean huffman, boolean int8, int retrainEpochs, long bytes, double top1,
                                    double top5, double vectorMs, double ortMs) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema", "condense-sweep/1");
        j.put("key", String.format(java.util.Locale.ROOT, "prune=%s;share=%s;huffman=%s;int8=%s;retrain=%d",
                Double.isNaN(prune) ? "off" : prune, shareBits == null ? "off" : "conv" + shareBits.get("conv") + ",fc"
                        + shareBits.get("fc"), huffman ? "on" : "off", int8 ? "on" : "off", retrainEpochs));
        j.put("label", label);
        j.put("reference", reference);
        j.put("model", Map.of("name", MODEL, "bytes", MODEL_BYTES, "sha256", "0".repeat(64)));
        j.put("dataset", Map.of("name", "fashion-mnist", "split", "test", "images", 10_000));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("prune", Double.isNaN(prune) ? null : prune);
        settings.put("prunePreset", null);
        settings.put("shareBits", shareBits);
        settings.put("huffman", huffman);
        settings.put("int8", int8);
        settings.put("retrainEpochs", retrainEpochs);
        j.put("settings", settings);
        j.put("file", reference ? MODEL : "lenet-5-caffe." + label + ".dcz");
        j.put("bytes", bytes);
        j.put("ratio", (double) MODEL_BYTES / bytes);
        j.put("top1", top1);
        j.put("top5", top5);
        j.put("latencyMs", perBackend(vectorMs, ortMs));
        j.put("latencyP90Ms", perBackend(vectorMs * 1.1, ortMs * 1.1));
        j.put("seconds", reference ? 3.5 : 12.4);
        List<Map<String, Object>> stages = new ArrayList<>();
        if (!Double.isNaN(prune)) {
            stages.add(Map.of("stage", "pruned", "top1", top1 - 0.002, "top5", top5));
        }
        if (retrainEpochs > 0) {
            stages.add(Map.of("stage", "retrained", "top1", top1, "top5", top5));
        }
        j.put("stages", stages);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS.length; i++) {
            Object[] l = LAYERS[i];
            layers.add(layer((String) l[0], (String) l[1], (Long) l[2],
                    Double.isNaN(prune) ? 1 : PAPER_KEEP_AT_8_PERCENT[i] * prune / 0.08,
                    shareBits == null ? 0 : shareBits.get(l[1].equals("Conv") ? "conv" : "fc"), huffman, int8));
        }
        j.put("layers", layers);
        j.put("created", "2026-12-03T12:00:00Z");
        return j;
    }

    private static Map<String, Object> perBackend(double vectorMs, double ortMs) {
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("vector", vectorMs);
        ms.put("ort-cpu", ortMs);
        return ms;
    }

    /** One layer's accounting in the shape of CompressionReport.toJson, with the paper's 8/5 index bits when pruned. */
    static Map<String, Object> layer(String name, String op, long weights, double keep, int shareBits, boolean huffman,
                                     boolean int8) {
        boolean pruned = keep < 1;
        long kept = Math.round(weights * keep);
        long entries = pruned ? Math.round(kept * 1.03) : weights;
        int weightBitsFixed = shareBits > 0 ? shareBits : int8 ? 8 : 32;
        int indexBitsFixed = pruned ? (op.equals("Conv") ? 8 : 5) : 0;
        double weightBitsStored = huffman ? weightBitsFixed * 0.8 : weightBitsFixed;
        double indexBitsStored = huffman ? indexBitsFixed * 0.75 : indexBitsFixed;
        long codebookBytes = shareBits > 0 ? 4L << shareBits : 0;
        long bytesAfter = (long) Math.ceil(entries * (weightBitsStored + indexBitsStored) / 8) + codebookBytes + 16;
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("layer", name);
        l.put("op", op);
        l.put("encoding", int8 ? "int8" : pruned ? (shareBits > 0 ? "sparse-shared" : "sparse") : shareBits > 0 ? "shared" : "dense");
        l.put("weights", weights);
        l.put("kept", kept);
        l.put("keptPercent", 100.0 * kept / weights);
        l.put("entries", entries);
        l.put("shareBits", shareBits);
        l.put("relativeIndexBits", indexBitsFixed);
        l.put("weightBitsFixed", weightBitsFixed);
        l.put("weightBitsStored", weightBitsStored);
        l.put("indexBitsFixed", indexBitsFixed);
        l.put("indexBitsStored", indexBitsStored);
        l.put("codebookBytes", codebookBytes);
        l.put("huffmanTableBytes", huffman ? 60 : 0);
        l.put("indexBytes", (long) Math.ceil(entries * indexBitsStored / 8));
        l.put("weightBytes", (long) Math.ceil(entries * weightBitsStored / 8));
        l.put("headerBytes", 16);
        l.put("bytesBefore", 4 * weights);
        l.put("bytesAfter", bytesAfter);
        l.put("ratio", 4.0 * weights / bytesAfter);
        return l;
    }

    /** The lines as JSON Lines text, each ended by a newline. */
    public static String jsonLines(List<Map<String, Object>> lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> l : lines) {
            b.append(JSON.writeValueAsString(l)).append('\n');
        }
        return b.toString();
    }

    public static Path write(Path dir, String name, List<Map<String, Object>> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, jsonLines(lines), StandardCharsets.UTF_8);
        return file;
    }

    /** The fixture read back into a report (defaults: every model's default choice, the default title). */
    static Report report(Path dir) throws Exception {
        return Report.of(List.of(ResultsReader.read(write(dir, "results.jsonl", lenet()))), null, null);
    }
}
