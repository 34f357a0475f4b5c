// Reads the JSON Lines results file `condense sweep` writes into checked records, one error line per problem.
package dev.condense.cli.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;

/**
 * The reader of schema {@value #SCHEMA}. A sweep appends one line per finished configuration, so a crash can leave
 * the last line cut short: that line is dropped with a warning. Any other line that is not a complete, valid object
 * is an error naming the file and line.
 */
public final class ResultsReader {

    /** The only schema this reader accepts. */
    public static final String SCHEMA = "condense-sweep/1";

    /** The fields every line must carry; the rest have defaults (no latency, no stages, top-5 not measured). */
    static final List<String> REQUIRED = List.of("schema", "key", "label", "reference", "model.name", "model.bytes",
            "bytes", "ratio", "top1", "layers");

    /** The fields every element of {@code layers} must carry. */
    static final List<String> REQUIRED_LAYER = List.of("layer", "weights", "kept", "entries", "weightBitsFixed",
            "weightBitsStored", "indexBitsFixed", "indexBitsStored", "codebookBytes", "bytesBefore", "bytesAfter");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A results file's configurations in file order, and what was skipped (an interrupted last line). */
    public record ResultsFile(Path path, List<SweepResult> results, List<String> warnings) {
        public ResultsFile {
            results = List.copyOf(results);
            warnings = List.copyOf(warnings);
        }
    }

    private ResultsReader() {
    }

    public static ResultsFile read(Path file) throws ResultsFileException, IOException {
        if (!Files.exists(file)) {
            throw new ResultsFileException("no such results file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new ResultsFileException(file + " is a directory, not a results file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ResultsFileException(file + " is not UTF-8 text, so not a results file");
        }
        return parse(file, text);
    }

    /** Parses the text of {@code file} (exposed for tests). */
    static ResultsFile parse(Path file, String text) throws ResultsFileException {
        String[] lines = text.split("\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].isBlank()) {
            last--;
        }
        if (last < 0) {
            throw new ResultsFileException(file + " is empty: a sweep writes one JSON line per configuration");
        }
        List<SweepResult> results = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, Integer> lineOfKey = new HashMap<>();
        Map<String, Integer> lineOfLabel = new HashMap<>();
        Map<String, Integer> lineOfReference = new HashMap<>();
        for (int i = 0; i <= last; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            SweepResult.Source source = new SweepResult.Source(file, i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JacksonException e) {
                if (i == last) {
                    warnings.add(source + " is incomplete (an interrupted sweep?) and was ignored");
                    continue;
                }
                throw new ResultsFileException(source + " is not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new ResultsFileException(source + " is not a JSON object but " + describe(node));
            }
            SweepResult r = line(source, node);
            String modelKey = r.model().name() + "\n" + r.key();
            Integer earlier = lineOfKey.putIfAbsent(modelKey, source.line());
            if (earlier != null) {
                throw new ResultsFileException(file + " lines " + earlier + " and " + source.line()
                        + " have the same key \"" + r.key() + "\" (keys are unique within a file)");
            }
            earlier = lineOfLabel.putIfAbsent(r.model().name() + "\n" + r.label(), source.line());
            if (earlier != null) {
                throw new ResultsFileException(file + " lines " + earlier + " and " + source.line()
                        + " have the same label \"" + r.label() + "\" (labels are unique within a file)");
            }
            if (r.reference()) {
                earlier = lineOfReference.putIfAbsent(r.model().name(), source.line());
                if (earlier != null) {
                    throw new ResultsFileException(file + " lines " + earlier + " and " + source.line()
                            + " are both the reference (uncompressed) line of " + r.model().name());
                }
            }
            results.add(r);
        }
        if (results.isEmpty()) {
            throw new ResultsFileException(file + " holds no complete results line");
        }
        return new ResultsFile(file, results, warnings);
    }

    private static SweepResult line(SweepResult.Source source, JsonNode node) throws ResultsFileException {
        requireFields(source, node, "", REQUIRED);
        Fields f = new Fields(source, node, "");
        String schema = f.text("schema");
        if (!SCHEMA.equals(schema)) {
            throw new ResultsFileException(source + " has schema \"" + schema + "\"; this version of condense reads \""
                    + SCHEMA + "\"");
        }
        Fields model = f.object("model");
        SweepResult.ModelInfo modelInfo = new SweepResult.ModelInfo(model.text("name"), model.positiveLong("bytes"),
                model.optionalText("sha256", ""));
        SweepResult.DatasetInfo dataset = SweepResult.DatasetInfo.UNKNOWN;
        if (!absent(node, "dataset")) {
            Fields d = f.object("dataset");
            dataset = new SweepResult.DatasetInfo(d.optionalText("name", ""), d.optionalText("split", ""),
                    d.optionalLong("images", 0));
        }
        SweepResult.Settings settings = absent(node, "settings") ? SweepResult.Settings.NONE : settings(f.object("settings"));
        List<SweepResult.StageAccuracy> stages = new ArrayList<>();
        for (Fields s : f.optionalArray("stages")) {
            stages.add(new SweepResult.StageAccuracy(s.text("stage"), s.fraction("top1"), s.optionalFraction("top5")));
        }
        List<LayerResult> layers = new ArrayList<>();
        for (Fields l : f.optionalArray("layers")) {
            layers.add(layer(l));
        }
        return new SweepResult(source, f.text("key"), f.text("label"), f.bool("reference"), modelInfo, dataset,
                settings, f.positiveLong("bytes"), f.positiveDouble("ratio"), f.fraction("top1"),
                f.optionalFraction("top5"), f.millisPerBackend("latencyMs"), f.millisPerBackend("latencyP90Ms"),
                f.optionalDouble("seconds", Double.NaN), stages, layers);
    }

    private static SweepResult.Settings settings(Fields s) throws ResultsFileException {
        Map<String, Integer> shareBits = new LinkedHashMap<>();
        if (!absent(s.node, "shareBits")) {
            Fields bits = s.object("shareBits");
            for (var e : bits.node.properties()) {
                shareBits.put(e.getKey(), (int) bits.positiveLong(e.getKey()));
            }
        }
        return new SweepResult.Settings(s.optionalDouble("prune", Double.NaN), s.optionalText("prunePreset", null),
                shareBits, s.optionalBool("huffman"), s.optionalBool("int8"), (int) s.optionalLong("retrainEpochs", 0));
    }

    private static LayerResult layer(Fields l) throws ResultsFileException {
        requireFields(l.source, l.node, l.prefix, REQUIRED_LAYER);
        return new LayerResult(l.text("layer"), l.optionalText("op", ""), l.optionalText("encoding", ""),
                l.count("weights"), l.count("kept"), l.count("entries"), l.bits("weightBitsFixed"),
                l.bits("weightBitsStored"), l.bits("indexBitsFixed"), l.bits("indexBitsStored"),
                l.count("codebookBytes"), l.count("bytesBefore"), l.count("bytesAfter"));
    }

    /** Names every required field (dotted paths) that is absent or null, all in one message. */
    private static void requireFields(SweepResult.Source source, JsonNode node, String prefix, List<String> required)
            throws ResultsFileException {
        List<String> missing = new ArrayList<>();
        for (String path : required) {
            if (absent(node, path)) {
                missing.add(prefix + path);
            }
        }
        if (!missing.isEmpty()) {
            throw new ResultsFileException(source + " lacks required field" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing));
        }
    }

    /** True when a dotted path leads nowhere or to JSON null. */
    private static boolean absent(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull();
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        String text = n.toString();
        return n.getNodeType().name().toLowerCase(Locale.ROOT) + " "
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    /** Typed access to one object's fields, each failure naming the line and the field's full path. */
    private record Fields(SweepResult.Source source, JsonNode node, String prefix) {

        private ResultsFileException wrong(String field, String expected) {
            return new ResultsFileException(source + ": \"" + prefix + field + "\" must be " + expected + ", not "
                    + describe(node.get(field)));
        }

        /** The field's node when {@code isType} accepts it; otherwise an error saying what was {@code expected}. */
        private JsonNode typed(String field, Predicate<JsonNode> isType, String expected)
                throws ResultsFileException {
            JsonNode n = node.get(field);
            if (n == null || !isType.test(n)) {
                throw wrong(field, expected);
            }
            return n;
        }

        String text(String field) throws ResultsFileException {
            return typed(field, JsonNode::isTextual, "a string").asText();
        }

        String optionalText(String field, String fallback) throws ResultsFileException {
            return absent(node, field) ? fallback : text(field);
        }

        boolean bool(String field) throws ResultsFileException {
            return typed(field, JsonNode::isBoolean, "true or false").asBoolean();
        }

        boolean optionalBool(String field) throws ResultsFileException {
            return !absent(node, field) && bool(field);
        }

        double number(String field) throws ResultsFileException {
            return typed(field, JsonNode::isNumber, "a number").asDouble();
        }

        double optionalDouble(String field, double fallback) throws ResultsFileException {
            return absent(node, field) ? fallback : number(field);
        }

        /** A number that {@code valid} accepts; otherwise an error saying what was {@code expected}. */
        private double number(String field, DoublePredicate valid, String expected)
                throws ResultsFileException {
            double v = number(field);
            if (!valid.test(v)) {
                throw wrong(field, expected);
            }
            return v;
        }

        double positiveDouble(String field) throws ResultsFileException {
            return number(field, v -> v > 0 && !Double.isInfinite(v), "a positive number");
        }

        double fraction(String field) throws ResultsFileException {
            return number(field, v -> v >= 0 && v <= 1, "a fraction in [0, 1]");
        }

        double optionalFraction(String field) throws ResultsFileException {
            return absent(node, field) ? Double.NaN : fraction(field);
        }

        double bits(String field) throws ResultsFileException {
            return number(field, v -> v >= 0 && v <= 64, "a bit width in [0, 64]");
        }

        long count(String field) throws ResultsFileException {
            return typed(field, n -> n.canConvertToExactIntegral() && n.canConvertToLong() && n.asLong() >= 0,
                    "a whole number >= 0").asLong();
        }

        long positiveLong(String field) throws ResultsFileException {
            long v = count(field);
            if (v == 0) {
                throw wrong(field, "a whole number >= 1");
            }
            return v;
        }

        long optionalLong(String field, long fallback) throws ResultsFileException {
            return absent(node, field) ? fallback : count(field);
        }

        Fields object(String field) throws ResultsFileException {
            return new Fields(source, typed(field, JsonNode::isObject, "an object"), prefix + field + ".");
        }

        List<Fields> optionalArray(String field) throws ResultsFileException {
            if (absent(node, field)) {
                return List.of();
            }
            JsonNode n = node.get(field);
            if (!n.isArray()) {
                throw wrong(field, "an array");
            }
            List<Fields> items = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isObject()) {
                    throw new ResultsFileException(source + ": \"" + prefix + field + "[" + i + "]\" must be an object, not "
                            + describe(n.get(i)));
                }
                items.add(new Fields(source, n.get(i), prefix + field + "[" + i + "]."));
            }
            return items;
        }

        Map<String, Double> millisPerBackend(String field) throws ResultsFileException {
            Map<String, Double> ms = new LinkedHashMap<>();
            if (absent(node, field)) {
                return ms;
            }
            Fields perBackend = object(field);
            for (var e : perBackend.node.properties()) {
                if (e.getValue().isNull()) {
                    continue;
                }
                double v = perBackend.positiveDouble(e.getKey());
                ms.put(e.getKey(), v);
            }
            return ms;
        }
    }
}
