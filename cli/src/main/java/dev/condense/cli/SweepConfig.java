// One point of a sweep: how much to prune, whether to share weights and Huffman-code, int8, retraining epochs.
package dev.condense.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one configuration. Pruning is either a uniform keep fraction ({@code prune}) or a
 * named preset or rule list ({@code prunePreset}: "paper-lenet5", "conv=0.6,fc=0.1"); neither means
 * dense. {@code shareBits} are k-means codebook bits per layer family ("conv=8,fc=5"), null for no
 * sharing; {@code int8} replaces sharing with static int8 quantization. {@code retrainEpochs} of
 * masked retraining follow pruning, {@code shareEpochs} of centroid fine-tuning follow sharing.
 * The configuration with nothing set is the uncompressed reference.
 */
record SweepConfig(String label, Double prune, String prunePreset, String shareBits, boolean huffman, boolean int8,
                   int retrainEpochs, int shareEpochs) {

    SweepConfig {
        if (prune != null && !(prune > 0 && prune <= 1)) {
            throw new IllegalArgumentException("prune is the fraction of weights kept, in (0, 1]; got " + prune);
        }
        if (prune != null && prunePreset != null) {
            throw new IllegalArgumentException("give prune (a keep fraction) or prunePreset (a preset or rules), not both");
        }
        if (prunePreset != null && prunePreset.isBlank()) {
            prunePreset = null;
        }
        if (shareBits != null && shareBits.isBlank()) {
            shareBits = null;
        }
        if (int8 && shareBits != null) {
            throw new IllegalArgumentException("int8 replaces weight sharing; shareBits " + shareBits + " cannot go with it");
        }
        if (retrainEpochs < 0 || retrainEpochs > 100 || shareEpochs < 0 || shareEpochs > 100) {
            throw new IllegalArgumentException("retrainEpochs and shareEpochs lie in [0, 100]; got " + retrainEpochs
                    + " and " + shareEpochs);
        }
        if (retrainEpochs > 0 && !pruned(prune, prunePreset)) {
            throw new IllegalArgumentException("retrainEpochs retrain after pruning; this configuration does not prune");
        }
        if (shareEpochs > 0 && shareBits == null) {
            throw new IllegalArgumentException("shareEpochs fine-tune shared centroids; this configuration shares no weights");
        }
        if (label == null || label.isBlank()) {
            label = defaultLabel(prune, prunePreset, shareBits, huffman, int8, retrainEpochs);
        }
    }

    private static boolean pruned(Double prune, String preset) {
        return (prune != null && prune < 1) || preset != null;
    }

    boolean prunes() {
        return pruned(prune, prunePreset);
    }

    /** Nothing done to the model: the uncompressed reference every other point is measured against. */
    boolean reference() {
        return !prunes() && shareBits == null && !int8;
    }

    /** What identifies the configuration in a results file, independent of its label. */
    String key() {
        if (reference()) {
            return "reference";
        }
        String p = prune != null && prune < 1 ? number(prune) : prunePreset != null ? prunePreset : "none";
        return "prune=" + p + ";share=" + (shareBits == null ? "none" : shareBits) + ";huffman=" + (huffman ? "on" : "off")
                + ";int8=" + (int8 ? "on" : "off") + ";retrain=" + retrainEpochs
                + (shareEpochs > 0 ? ";tune=" + shareEpochs : "");
    }

    /** The settings as the results file records them. */
    Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("prune", prune != null && prune < 1 ? prune : null);
        s.put("prunePreset", prunePreset);
        s.put("shareBits", shareBits == null ? null : rules(shareBits));
        s.put("huffman", !reference() && huffman);
        s.put("int8", int8);
        s.put("retrainEpochs", retrainEpochs);
        s.put("shareEpochs", shareEpochs);
        return s;
    }

    /** "conv=8,fc=5" as an ordered map of integers (values that are not integers stay text). */
    private static Map<String, Object> rules(String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                String v = kv[1].strip();
                m.put(kv[0].strip(), v.matches("\\d{1,2}") ? (Object) Integer.parseInt(v) : v);
            } else {
                m.put("default", part.strip());
            }
        }
        return m;
    }

    private static String defaultLabel(Double prune, String preset, String shareBits, boolean huffman, boolean int8,
                                       int retrainEpochs) {
        if (!pruned(prune, preset) && shareBits == null && !int8) {
            return "dense";
        }
        StringBuilder b = new StringBuilder();
        if (prune != null && prune < 1) {
            b.append("keep ").append(number(100 * prune)).append('%');
        } else if (preset != null) {
            b.append(preset);
        }
        if (retrainEpochs > 0) {
            b.append(" retrained ").append(retrainEpochs);
        }
        if (shareBits != null) {
            b.append(b.isEmpty() ? "" : " + ").append("shared ").append(shareBits);
        }
        if (int8) {
            b.append(b.isEmpty() ? "" : " + ").append("int8");
        }
        if (huffman && (shareBits != null || pruned(prune, preset) || int8)) {
            b.append(" + huffman");
        }
        return b.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", (float) v);
    }
}
