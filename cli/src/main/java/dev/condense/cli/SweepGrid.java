// The configurations a sweep runs: read from a grid file (explicit list and/or cross product) or the built-in grids.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grid file is one JSON object with {@code "configurations"} (a list of settings objects), a
 * {@code "grid"} (lists of values whose cross product is taken; combinations that cannot be, such
 * as int8 with weight sharing or retraining without pruning, are left out), or both:
 *
 * <pre>{@code
 * {"grid": {"prune": [null, 0.5, 0.2, 0.1], "shareBits": [null, "conv=8,fc=5"], "huffman": [true], "int8": [false]},
 *  "configurations": [{"label": "int8", "int8": true}, {"prunePreset": "paper-lenet5", "retrainEpochs": 1, "int8": true}]}
 * }</pre>
 *
 * Settings keys: label, prune (keep fraction), prunePreset (a compression preset or rules such as
 * "conv=0.6,fc=0.1"), shareBits, huffman (default true), int8, retrainEpochs, shareEpochs. The
 * uncompressed reference always comes first; configurations with the same key appear once.
 */
final class SweepGrid {

    private static final Set<String> KEYS = Set.of("label", "prune", "prunePreset", "shareBits", "huffman", "int8",
            "retrainEpochs", "shareEpochs");
    private static final long MAX_FILE_BYTES = 1 << 20;
    /** More configurations than any sweep should run; a larger cross product is a typo. */
    static final int MAX_CONFIGURATIONS = 1000;

    private SweepGrid() {
    }

    /** Keep fractions crossed with no sharing and two codebook sizes, Huffman on, and int8 at three keep fractions: no retraining. */
    static List<SweepConfig> defaults() {
        List<SweepConfig> out = new ArrayList<>();
        Double[] keeps = {null, 0.5, 0.3, 0.2, 0.1, 0.05};
        String[] shares = {null, "conv=8,fc=5", "conv=6,fc=4"};
        for (Double keep : keeps) {
            for (String share : shares) {
                out.add(new SweepConfig(null, keep, null, share, true, false, 0, 0));
            }
        }
        for (Double keep : new Double[] {null, 0.5, 0.3}) {
            out.add(new SweepConfig(null, keep, null, null, true, true, 0, 0));
        }
        return unique(out);
    }

    /**
     * The demo's five: dense, pruned (the preset's keep fractions, retrained), pruned + shared +
     * Huffman, int8, pruned + int8. {@code preset} is a compression preset or rules.
     */
    static List<SweepConfig> demo(String preset, int retrainEpochs) {
        return unique(List.of(
                new SweepConfig("dense", null, null, null, false, false, 0, 0),
                new SweepConfig("pruned", null, preset, null, false, false, retrainEpochs, 0),
                new SweepConfig("pruned+shared+huffman", null, preset, "conv=8,fc=5", true, false, retrainEpochs, 0),
                new SweepConfig("int8", null, null, null, false, true, 0, 0),
                new SweepConfig("pruned+int8", null, preset, null, true, true, retrainEpochs, 0)));
    }

    /** Reads a grid file; every problem is one {@link UserException} naming the file and the entry. */
    static List<SweepConfig> read(Path file) throws UserException, IOException {
        String text;
        if (Files.isDirectory(file)) {
            throw new UserException("grid file " + file + " is a folder; give a JSON file");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new UserException("grid file " + file + " is " + size + " bytes; a grid is a small JSON file");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserException("grid file " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new UserException("grid file " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new UserException("grid file " + file + " must hold one JSON object with \"grid\" and/or \"configurations\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("grid") && !name.equals("configurations")) {
                throw new UserException("grid file " + file + ": unknown key \"" + name
                        + "\"; a grid file has \"grid\" and/or \"configurations\"");
            }
        }
        List<SweepConfig> out = new ArrayList<>();
        JsonNode grid = root.get("grid");
        if (grid != null) {
            out.addAll(cross(file, grid));
        }
        JsonNode list = root.get("configurations");
        if (list != null) {
            if (!list.isArray()) {
                throw new UserException("grid file " + file + ": \"configurations\" must be a list of objects");
            }
            for (int i = 0; i < list.size(); i++) {
                Map<String, JsonNode> settings = fields(file, "configurations[" + i + "]", list.get(i));
                out.add(config(file, "configurations[" + i + "]", settings));
            }
        }
        if (grid == null && list == null) {
            throw new UserException("grid file " + file + " has neither \"grid\" nor \"configurations\"");
        }
        List<SweepConfig> unique = unique(out);
        if (unique.size() > MAX_CONFIGURATIONS) {
            throw new UserException("grid file " + file + " makes " + unique.size() + " configurations; at most "
                    + MAX_CONFIGURATIONS + " are run");
        }
        return unique;
    }

    private static List<SweepConfig> cross(Path file, JsonNode grid) throws UserException {
        Map<String, JsonNode> axes = fields(file, "grid", grid);
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, JsonNode> axis : axes.entrySet()) {
            if (axis.getKey().equals("label")) {
                throw new UserException("grid file " + file + ": a grid axis cannot be \"label\"");
            }
            JsonNode values = axis.getValue();
            if (!values.isArray() || values.isEmpty()) {
                throw new UserException("grid file " + file + ": grid." + axis.getKey() + " must be a non-empty list");
            }
            List<Map<String, JsonNode>> next = new ArrayList<>();
            for (Map<String, JsonNode> p : points) {
                for (JsonNode v : values) {
                    Map<String, JsonNode> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            }
            if (next.size() > MAX_CONFIGURATIONS * 4) {
                throw new UserException("grid file " + file + ": the grid's cross product exceeds "
                        + MAX_CONFIGURATIONS * 4 + " points");
            }
            points = next;
        }
        List<SweepConfig> out = new ArrayList<>();
        for (Map<String, JsonNode> p : points) {
            try {
                out.add(config(file, "grid", p));
            } catch (UserException e) {
                // A combination that cannot be (int8 with sharing, retraining without pruning) is left out of the product.
                if (!(e.getCause() instanceof IllegalArgumentException)) {
                    throw e;
                }
            }
        }
        if (out.isEmpty()) {
            throw new UserException("grid file " + file + ": no combination of the grid's values is a valid configuration");
        }
        return out;
    }

    private static Map<String, JsonNode> fields(Path file, String where, JsonNode node) throws UserException {
        if (node == null || !node.isObject()) {
            throw new UserException("grid file " + file + ": " + where + " must be a JSON object");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!KEYS.contains(e.getKey())) {
                throw new UserException("grid file " + file + ": " + where + " has unknown key \"" + e.getKey()
                        + "\"; the keys are " + String.join(", ", List.of("label", "prune", "prunePreset", "shareBits",
                        "huffman", "int8", "retrainEpochs", "shareEpochs")));
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static SweepConfig config(Path file, String where, Map<String, JsonNode> s) throws UserException {
        try {
            JsonNode prune = s.get("prune");
            Double keep = null;
            String preset = text(s.get("prunePreset"), "prunePreset");
            if (prune != null && !prune.isNull()) {
                if (prune.isNumber()) {
                    keep = prune.asDouble();
                } else if (prune.isTextual()) {
                    // "prune": "paper-lenet5" reads as a preset, "prune": "0.3" or "30%" as a fraction.
                    String t = prune.asText().strip();
                    Double fraction = fraction(t);
                    if (fraction != null) {
                        keep = fraction;
                    } else {
                        preset = t;
                    }
                } else {
                    throw new IllegalArgumentException("prune must be a keep fraction, a preset or rules; got " + prune);
                }
            }
            JsonNode share = s.get("shareBits");
            String shareBits;
            if (share == null || share.isNull() || (share.isBoolean() && !share.asBoolean())) {
                shareBits = null;
            } else if (share.isBoolean()) {
                shareBits = "conv=8,fc=5";
            } else if (share.isInt()) {
                shareBits = "conv=" + share.asInt() + ",fc=" + share.asInt();
            } else if (share.isObject()) {
                StringBuilder b = new StringBuilder();
                for (Iterator<Map.Entry<String, JsonNode>> it = share.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    b.append(b.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asText());
                }
                shareBits = b.toString();
            } else {
                shareBits = text(share, "shareBits");
            }
            return new SweepConfig(text(s.get("label"), "label"), keep, preset, shareBits,
                    bool(s.get("huffman"), "huffman", true), bool(s.get("int8"), "int8", false),
                    integer(s.get("retrainEpochs"), "retrainEpochs"), integer(s.get("shareEpochs"), "shareEpochs"));
        } catch (IllegalArgumentException e) {
            throw new UserException("grid file " + file + ": " + where + " " + s + ": " + e.getMessage(), e);
        }
    }

    private static Double fraction(String t) {
        try {
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String key) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(key + " must be text, got " + n);
        }
        return n.asText();
    }

    private static boolean bool(JsonNode n, String key, boolean absent) {
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(key + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static int integer(JsonNode n, String key) {
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be a whole number, got " + n);
        }
        return n.asInt();
    }

    /**
     * The reference first, then each key once, in order; a label two configurations share gets
     * " (2)", " (3)", ... on the later ones, since a report tells configurations apart by label.
     */
    static List<SweepConfig> unique(List<SweepConfig> configs) {
        Map<String, SweepConfig> byKey = new LinkedHashMap<>();
        byKey.put("reference", new SweepConfig("dense", null, null, null, false, false, 0, 0));
        for (SweepConfig c : configs) {
            if (c.reference()) {
                byKey.put("reference", c);
            } else {
                byKey.putIfAbsent(c.key(), c);
            }
        }
        Set<String> labels = new java.util.HashSet<>();
        List<SweepConfig> out = new ArrayList<>();
        for (SweepConfig c : byKey.values()) {
            String label = c.label();
            for (int n = 2; !labels.add(label); n++) {
                label = c.label() + " (" + n + ")";
            }
            out.add(label.equals(c.label()) ? c : new SweepConfig(label, c.prune(), c.prunePreset(), c.shareBits(),
                    c.huffman(), c.int8(), c.retrainEpochs(), c.shareEpochs()));
        }
        return List.copyOf(out);
    }
}
