// One line of a `condense sweep` results file: a configuration, the model it came from, its size, accuracy, speed and layers.
package dev.condense.cli.report;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A configuration as measured by {@code condense sweep} (schema {@value ResultsReader#SCHEMA}).
 *
 * @param source    the results file and line it was read from, for messages
 * @param top5      NaN when the sweep did not measure it
 * @param latencyMs median latency at batch 1 per backend, in the file's order
 */
public record SweepResult(Source source, String key, String label, boolean reference, ModelInfo model,
                          DatasetInfo dataset, Settings settings, long bytes, double ratio, double top1, double top5,
                          Map<String, Double> latencyMs, Map<String, Double> latencyP90Ms, double seconds,
                          List<StageAccuracy> stages, List<LayerResult> layers) {

    public SweepResult {
        latencyMs = Collections.unmodifiableMap(new LinkedHashMap<>(latencyMs));
        latencyP90Ms = Collections.unmodifiableMap(new LinkedHashMap<>(latencyP90Ms));
        stages = List.copyOf(stages);
        layers = List.copyOf(layers);
    }

    /** Where a line came from: {@code results.jsonl line 7}. */
    public record Source(Path file, int line) {
        @Override
        public String toString() {
            return file + " line " + line;
        }
    }

    /** The input model: its file name, size in bytes and digest. */
    public record ModelInfo(String name, long bytes, String sha256) {
    }

    /** The evaluation data: a dataset name, its split and how many images were scored. */
    public record DatasetInfo(String name, String split, long images) {
        static final DatasetInfo UNKNOWN = new DatasetInfo("", "", 0);
    }

    /**
     * What the sweep asked the compressor for.
     *
     * @param prune       global keep fraction, or NaN when not pruned by a fraction
     * @param prunePreset a named per-layer pruning preset, or null
     * @param shareBits   weight-sharing bits per layer kind ({@code conv}, {@code fc}); empty when not shared
     */
    public record Settings(double prune, String prunePreset, Map<String, Integer> shareBits, boolean huffman,
                           boolean int8, int retrainEpochs) {
        static final Settings NONE = new Settings(Double.NaN, null, Map.of(), false, false, 0);

        public Settings {
            shareBits = Collections.unmodifiableMap(new LinkedHashMap<>(shareBits));
        }
    }

    /** Accuracy after one step of the pipeline (pruned, retrained, shared ...); top5 NaN when not measured. */
    public record StageAccuracy(String stage, double top1, double top5) {
    }

    /** Top-1 accuracy lost against the reference, in percentage points (positive: worse). */
    public double top1DropPoints(SweepResult referenceLine) {
        return 100 * (referenceLine.top1() - top1);
    }

    /** The median latency on one backend, when measured. */
    public OptionalDouble latency(String backend) {
        Double ms = latencyMs.get(backend);
        return ms == null ? OptionalDouble.empty() : OptionalDouble.of(ms);
    }
}
