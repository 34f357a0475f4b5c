// Where the bytes of a compressed model go: per layer as in Deep Compression's tables, the other tensors, the graph, the container.
package dev.condense.compress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The accounting of one compression. {@code tensors} lists every fp32 initializer in graph order
 * (weight layers and the rest); {@code graphBytes} is the graph entry (the ONNX model without the
 * stored tensors' bytes) and {@code graphStoredBytes} what it takes in the archive (deflated);
 * {@code archiveBytes} the whole .dcz, so that {@link #containerBytes}
 * (zip headers, the manifest, tensor entry headers) is what remains. When the model came from a
 * file, {@code inputBytes} is its size on disk (with external data) and {@code inputGzipBytes} the
 * same bytes through gzip at its default level 6, the baseline any dense file with many zeros
 * should be measured against. {@code phaseMillis} times each stage.
 */
public record CompressionReport(String preset, List<TensorReport> tensors, long graphBytes, long graphStoredBytes,
                                long archiveBytes,
                                OptionalLong inputBytes, OptionalLong inputGzipBytes, Map<String, Double> phaseMillis) {

    public CompressionReport {
        Objects.requireNonNull(preset, "preset");
        tensors = List.copyOf(tensors);
        Objects.requireNonNull(inputBytes, "inputBytes");
        Objects.requireNonNull(inputGzipBytes, "inputGzipBytes");
        phaseMillis = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phaseMillis));
    }

    /** This report with the sizes of the input file and of the input gzipped. */
    public CompressionReport withInput(long bytes, OptionalLong gzipBytes) {
        return new CompressionReport(preset, tensors, graphBytes, graphStoredBytes, archiveBytes, OptionalLong.of(bytes),
                gzipBytes, phaseMillis);
    }

    /** This report with one more timed phase. */
    public CompressionReport withPhase(String phase, double millis) {
        Map<String, Double> phases = new LinkedHashMap<>(phaseMillis);
        phases.put(phase, millis);
        return new CompressionReport(preset, tensors, graphBytes, graphStoredBytes, archiveBytes, inputBytes,
                inputGzipBytes, phases);
    }

    public List<TensorReport> layers() {
        return tensors.stream().filter(TensorReport::isWeightLayer).toList();
    }

    public List<TensorReport> otherTensors() {
        return tensors.stream().filter(t -> !t.isWeightLayer()).toList();
    }

    /** Bytes of all tensor payloads. */
    public long payloadBytes() {
        return tensors.stream().mapToLong(TensorReport::bytesAfter).sum();
    }

    /** Zip headers, the manifest and the tensor entry headers: what the archive adds to graph and payloads. */
    public long containerBytes() {
        return archiveBytes - graphStoredBytes - payloadBytes();
    }

    /** The tensors as fp32 plus the graph: what an ONNX file holding this model roughly takes. */
    public long fp32Bytes() {
        return tensors.stream().mapToLong(TensorReport::bytesBefore).sum() + graphBytes;
    }

    /** The input file's size over the archive's, or the fp32 estimate's when the model came from memory. */
    public double ratio() {
        return (double) inputBytes.orElse(fp32Bytes()) / archiveBytes;
    }

    /** The input gzipped over the archive: how much the encoding beats a general-purpose compressor. */
    public OptionalDouble gzipRatio() {
        return inputGzipBytes.isPresent() ? OptionalDouble.of((double) inputGzipBytes.getAsLong() / archiveBytes)
                : OptionalDouble.empty();
    }

    /**
     * The table in the layout of Deep Compression's Tables 4 and 5: per weight layer its weights,
     * the share kept, weight and index bits per stored entry at fixed width (P+Q) and as stored
     * (P+Q+H when Huffman-coded), bytes before and after, and the ratio; then the other tensors,
     * the graph, the container and the total, and the file sizes when known.
     */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "weights", "kept %", "weight bits", "", "index bits", "", "bytes before",
                "bytes after", "ratio"});
        rows.add(new String[] {"", "", "", "P+Q", "stored", "P+Q", "stored", "", "", ""});
        for (TensorReport t : layers()) {
            rows.add(new String[] {t.layer(), count(t.weights()), percent(t.keptFraction()), bits(t.fixedWeightBits()),
                    bits(t.storedWeightBits()), t.relativeIndexBits() == 0 ? "-" : bits(t.fixedIndexBits()),
                    t.relativeIndexBits() == 0 ? "-" : bits(t.storedIndexBits()), count(t.bytesBefore()),
                    count(t.bytesAfter()), ratio(t.bytesBefore(), t.bytesAfter())});
        }
        List<TensorReport> others = otherTensors();
        long otherBefore = others.stream().mapToLong(TensorReport::bytesBefore).sum();
        long otherAfter = others.stream().mapToLong(TensorReport::bytesAfter).sum();
        long otherWeights = others.stream().mapToLong(TensorReport::weights).sum();
        rows.add(new String[] {"other tensors (" + others.size() + ", raw)", count(otherWeights), "", "", "", "", "",
                count(otherBefore), count(otherAfter), ""});
        rows.add(new String[] {"graph (no weights)", "", "", "", "", "", "", count(graphBytes), count(graphStoredBytes), ""});
        rows.add(new String[] {"container", "", "", "", "", "", "", "", count(containerBytes()), ""});
        long weights = tensors.stream().mapToLong(TensorReport::weights).sum();
        long kept = tensors.stream().mapToLong(TensorReport::kept).sum();
        rows.add(new String[] {"total", count(weights), percent(weights == 0 ? 1 : (double) kept / weights), "", "", "",
                "", count(fp32Bytes()), count(archiveBytes), ratio(fp32Bytes(), archiveBytes)});

        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                String cell = c == 0 ? pad(r[c], width[c], true) : pad(r[c], width[c], false);
                line.append(c == 0 ? "" : "  ").append(cell);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        if (inputBytes.isPresent()) {
            out.append(String.format(Locale.ROOT, "input   %,d bytes%s%n", inputBytes.getAsLong(),
                    inputGzipBytes.isPresent() ? String.format(Locale.ROOT, "; gzipped (level 6) %,d bytes",
                            inputGzipBytes.getAsLong()) : ""));
        }
        out.append(String.format(Locale.ROOT, "output  %,d bytes: %.1fx smaller than the %s%s%n", archiveBytes, ratio(),
                inputBytes.isPresent() ? "input" : "model as fp32",
                gzipRatio().isPresent() ? String.format(Locale.ROOT, ", %.1fx smaller than the input gzipped",
                        gzipRatio().getAsDouble()) : ""));
        return out.toString();
    }

    /** The report as one JSON object: settings, per-tensor rows with every size part, totals and timings. */
    public String toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("preset", preset);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TensorReport t : tensors) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("tensor", t.tensor());
            if (t.isWeightLayer()) {
                r.put("layer", t.layer());
                r.put("op", t.opType());
            }
            r.put("encoding", t.encoding().label());
            r.put("weights", t.weights());
            r.put("kept", t.kept());
            r.put("keptPercent", 100 * t.keptFraction());
            r.put("entries", t.sizes().entryCount());
            r.put("shareBits", t.shareBits());
            r.put("relativeIndexBits", t.relativeIndexBits());
            r.put("weightBitsFixed", t.fixedWeightBits());
            r.put("weightBitsStored", t.storedWeightBits());
            r.put("indexBitsFixed", t.fixedIndexBits());
            r.put("indexBitsStored", t.storedIndexBits());
            r.put("headerBytes", t.sizes().headerBytes());
            r.put("codebookBytes", t.sizes().codebookBytes());
            r.put("huffmanTableBytes", t.sizes().huffmanTableBytes());
            r.put("indexBytes", t.sizes().indexBytes());
            r.put("weightBytes", t.sizes().weightBytes());
            r.put("bytesBefore", t.bytesBefore());
            r.put("bytesAfter", t.bytesAfter());
            r.put("ratio", t.ratio());
            rows.add(r);
        }
        j.put("tensors", rows);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("weights", tensors.stream().mapToLong(TensorReport::weights).sum());
        totals.put("kept", tensors.stream().mapToLong(TensorReport::kept).sum());
        totals.put("layerIndexBytes", layers().stream().mapToLong(t -> t.sizes().indexBytes()).sum());
        totals.put("layerWeightBytes", layers().stream().mapToLong(t -> t.sizes().weightBytes()).sum());
        totals.put("layerCodebookBytes", layers().stream().mapToLong(t -> t.sizes().codebookBytes()).sum());
        totals.put("layerHuffmanTableBytes", layers().stream().mapToLong(t -> t.sizes().huffmanTableBytes()).sum());
        totals.put("layerHeaderBytes", layers().stream().mapToLong(t -> t.sizes().headerBytes()).sum());
        totals.put("otherTensorBytes", otherTensors().stream().mapToLong(TensorReport::bytesAfter).sum());
        totals.put("graphBytes", graphBytes);
        totals.put("graphStoredBytes", graphStoredBytes);
        totals.put("containerBytes", containerBytes());
        totals.put("archiveBytes", archiveBytes);
        totals.put("fp32Bytes", fp32Bytes());
        inputBytes.ifPresent(b -> totals.put("inputBytes", b));
        inputGzipBytes.ifPresent(b -> totals.put("inputGzipBytes", b));
        totals.put("ratio", ratio());
        if (gzipRatio().isPresent()) {
            totals.put("ratioToGzip", gzipRatio().getAsDouble());
        }
        j.put("totals", totals);
        j.put("phaseMillis", phaseMillis);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(j);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String pad(String s, int width, boolean left) {
        return left ? s + " ".repeat(width - s.length()) : " ".repeat(width - s.length()) + s;
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * f);
    }

    private static String bits(double b) {
        return b == Math.rint(b) ? String.valueOf((long) b) : String.format(Locale.ROOT, "%.2f", b);
    }

    private static String ratio(long before, long after) {
        return after == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", (double) before / after);
    }
}
