// Tests of `condense demo`: the five configurations on the shipped LeNet-5 and the shipped Fashion-MNIST subset, the report, resuming.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the demo as a machine without the Fashion-MNIST package would: on the subset shipped in
 * models/data (2,000 test and 1,000 training images), so this also checks that the subset reads
 * and that the shipped model is as accurate on it as on the full split.
 */
class DemoCommandTest {

    static final Path MODEL = Path.of("..", DemoCommand.DEFAULT_MODEL);
    static final Path SUBSET = Path.of("..", DemoCommand.SUBSET);

    @TempDir
    static Path dir;
    private static MainTest.Run demo;

    @BeforeAll
    static void runTheDemo() {
        demo = run("demo", "--model", MODEL.toString(), "--data", SUBSET.toString(), "--out", dir.toString(),
                "--latency", "vector,ort-cpu");
        assertEquals(0, demo.code(), demo.err() + demo.out());
    }

    private static List<JsonNode> results() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    @Test
    void fiveConfigurationsAreMeasuredOnTheShippedSubset() throws Exception {
        List<JsonNode> lines = results();
        assertEquals(List.of("dense", "pruned", "pruned+shared+huffman", "int8", "pruned+int8"),
                lines.stream().map(l -> l.get("label").asText()).toList());
        JsonNode dense = lines.get(0);
        for (JsonNode l : lines) {
            assertEquals(2000, l.get("dataset").get("images").asInt(), "the shipped subset's 2,000 test images");
            assertTrue(l.get("latencyMs").has("vector") && l.get("latencyMs").has("ort-cpu"), l.toString());
        }
        assertTrue(dense.get("top1").asDouble() > 0.88, "the shipped LeNet-5 is about 91.6% accurate: " + dense);
        JsonNode pruned = lines.get(1);
        JsonNode shared = lines.get(2);
        JsonNode int8 = lines.get(3);
        JsonNode prunedInt8 = lines.get(4);
        assertTrue(pruned.get("ratio").asDouble() > 3, pruned.toString());
        assertTrue(shared.get("ratio").asDouble() > 2.5 * pruned.get("ratio").asDouble(), "sharing and Huffman: " + shared);
        assertTrue(int8.get("ratio").asDouble() > 3.5 && int8.get("ratio").asDouble() < 4.5, int8.toString());
        assertTrue(prunedInt8.get("ratio").asDouble() > int8.get("ratio").asDouble());
        assertEquals(dense.get("top1").asDouble(), int8.get("top1").asDouble(), 0.01, "int8 costs under a point");
        for (JsonNode l : List.of(pruned, shared, prunedInt8)) {
            assertEquals(1, l.get("settings").get("retrainEpochs").asInt());
            java.util.Map<String, Double> stages = new java.util.LinkedHashMap<>();
            l.get("stages").forEach(s -> stages.put(s.get("stage").asText(), s.get("top1").asDouble()));
            assertTrue(stages.keySet().containsAll(List.of("dense", "pruned 1/1", "retrained 1/1")), stages.toString());
            assertEquals(dense.get("top1").asDouble(), stages.get("dense"), 1e-12, "the dense stage is the reference");
            // 8 steps on the subset's 1,000 images already win back several of the points pruning cost.
            assertTrue(stages.get("retrained 1/1") > stages.get("pruned 1/1") + 0.02, l.get("label") + ": " + stages);
        }
    }

    @Test
    void theReportChartsEveryConfigurationAndTheSummaryIsPrinted() throws Exception {
        Path report = dir.resolve("report.html");
        String html = Files.readString(report);
        Matcher m = Pattern.compile("data-chart=\"accuracy-size\"[^>]*data-points=\"(\\d+)\"").matcher(html);
        assertTrue(m.find(), "the accuracy-size chart is there");
        assertEquals(4, Integer.parseInt(m.group(1)), "one point per compressed configuration");
        assertEquals(1, Pattern.compile("class=\"reference-point\"").matcher(html).results().count(),
                "and the uncompressed reference, drawn apart");
        assertTrue(html.contains("data-table=\"summary\"") && html.contains("data-table=\"layers\""));
        assertTrue(!html.contains("src=\"http") && !html.contains("href=\"http"), "nothing is fetched");
        for (String label : List.of("dense", "pruned", "pruned+shared+huffman", "int8", "pruned+int8")) {
            assertTrue(demo.out().contains("\n" + label + " "), "summary row " + label + ":\n" + demo.out());
        }
        assertTrue(demo.out().contains("report  " + report), demo.out());
    }

    @Test
    void aSecondRunReusesTheResults() throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve("results.jsonl"));
        MainTest.Run again = run("demo", "--model", MODEL.toString(), "--data", SUBSET.toString(), "--out",
                dir.toString(), "--latency", "vector,ort-cpu");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming: 5 of 5"), again.out());
        assertEquals(new String(before), Files.readString(dir.resolve("results.jsonl")));
        MainTest.Run other = run("demo", "--model", MODEL.toString(), "--data", SUBSET.toString(), "--out",
                dir.toString(), "--latency", "none", "--eval-limit", "100");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("run the demo with --fresh"), other.err());
    }

    @Test
    void withoutTheDatasetPackageTheShippedSubsetIsUsedAndSaidSo() throws Exception {
        java.io.StringWriter err = new java.io.StringWriter();
        Path home = Path.of("..");
        assertEquals(null, DemoCommand.dataDir(home, dir, new java.io.PrintWriter(err, true)), "installed: the default");
        assertEquals("", err.toString());
        Path subset = DemoCommand.dataDir(home, dir.resolve("absent"), new java.io.PrintWriter(err, true));
        assertEquals(home.resolve(DemoCommand.SUBSET), subset);
        assertTrue(err.toString().contains("using the subset shipped in models/data"), err.toString());
        UserException none = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                () -> DemoCommand.dataDir(dir, dir.resolve("absent"), new java.io.PrintWriter(new java.io.StringWriter())));
        assertTrue(none.getMessage().contains("install the package or give --data"), none.getMessage());
    }

    @Test
    void aMissingModelIsOneLine() {
        MainTest.Run r = run("demo", "--model", dir.resolve("none.onnx").toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.onnx is missing"), r.err());
    }
}
