// Tests of `condense sweep`: grid files, the results lines against direct measurements, resuming, and one-line errors.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.data.Dataset;
import dev.condense.data.FashionMnist;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.runtime.Backend;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SweepCommandTest {

    /** The shipped LeNet-300-100: fully connected, so every configuration compresses and evaluates in a second. */
    static final Path MODEL = Path.of("..", "models", "trained", "lenet-300-100.onnx");
    static final int IMAGES = 500;

    @TempDir
    static Path dir;
    private static Path grid;
    private static Path results;
    private static MainTest.Run first;

    @BeforeAll
    static void sweepOnce() throws Exception {
        // CI installs the Debian package dataset-fashion-mnist (.ci/run); without it no sweep can be measured.
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "needs dataset-fashion-mnist, which .ci/run installs");
        grid = dir.resolve("grid.json");
        Files.writeString(grid, """
                {"grid": {"prune": [null, 0.2], "shareBits": [null, "conv=8,fc=4"], "huffman": [true]},
                 "configurations": [{"label": "int8", "int8": true}, {"label": "again", "prune": "20%"}]}
                """);
        results = dir.resolve("results.jsonl");
        first = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", grid.toString(), "-o",
                results.toString(), "--eval-limit", Integer.toString(IMAGES), "--latency", "vector,ort-cpu",
                "--samples", "100");
        assertEquals(0, first.code(), first.err());
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    @Test
    void gridCrossProductAndListMakeOneLineEach() throws Exception {
        List<JsonNode> lines = lines(results);
        // 2 x 2 grid points (the dense one is the reference) + int8; "again" is the grid's keep-20% point.
        List<String> labels = lines.stream().map(l -> l.get("label").asText()).toList();
        assertEquals(List.of("dense", "shared conv=8,fc=4 + huffman", "keep 20% + huffman",
                "keep 20% + shared conv=8,fc=4 + huffman", "int8"), labels);
        assertEquals(1, lines.stream().filter(l -> l.get("reference").asBoolean()).count());
        for (JsonNode l : lines) {
            assertEquals(Sweep.SCHEMA, l.get("schema").asText());
            assertEquals(IMAGES, l.get("dataset").get("images").asInt());
            assertEquals(Files.size(MODEL), l.get("model").get("bytes").asLong());
            Path file = dir.resolve(l.get("file").asText());
            assertEquals(Files.size(file), l.get("bytes").asLong(), "bytes are the written file's size: " + file);
            assertEquals((double) Files.size(MODEL) / Files.size(file), l.get("ratio").asDouble(), 1e-9);
            assertTrue(l.get("latencyMs").get("vector").asDouble() > 0 && l.get("latencyMs").get("ort-cpu").asDouble() > 0);
            assertTrue(l.get("latencyP90Ms").get("vector").asDouble() >= l.get("latencyMs").get("vector").asDouble());
            assertEquals(3, l.get("layers").size(), "LeNet-300-100 has three weight layers");
            assertTrue(l.get("top5").asDouble() >= l.get("top1").asDouble());
        }
        JsonNode pruned = lines.get(2);
        for (JsonNode layer : pruned.get("layers")) {
            assertEquals(20.0, layer.get("keptPercent").asDouble(), 0.01, layer.toString());
        }
        assertTrue(lines.get(3).get("bytes").asLong() < lines.get(2).get("bytes").asLong(), "sharing shrinks the pruned model");
        assertEquals("int8", lines.get(4).get("layers").get(0).get("encoding").asText());
        assertTrue(first.out().contains("configuration") && first.out().contains("keep 20% + huffman"), first.out());
    }

    @Test
    void accuracyIsTheWrittenFilesOnTheTestImages() throws Exception {
        for (JsonNode l : lines(results)) {
            Path file = dir.resolve(l.get("file").asText());
            Model m = ModelFiles.read(file);
            Dataset test = DatasetArgs.normalizedFor(FashionMnist.open(Split.TEST), m).take(IMAGES);
            Accuracy a = Accuracy.of(m, test, SessionOptions.of(Backend.VECTOR), 100);
            assertEquals(a.top1(), l.get("top1").asDouble(), 1e-12, l.get("label").asText());
            assertEquals(a.top5(), l.get("top5").asDouble(), 1e-12, l.get("label").asText());
        }
        JsonNode ref = lines(results).getFirst();
        assertTrue(ref.get("top1").asDouble() > 0.85, "the shipped model is about 90% accurate: " + ref);
    }

    @Test
    void aSecondRunResumesAndAnInterruptedLineIsRunAgain() throws Exception {
        Path copy = dir.resolve("resume.jsonl");
        byte[] whole = Files.readAllBytes(results);
        Files.write(copy, whole);
        MainTest.Run again = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", grid.toString(), "-o",
                copy.toString(), "--work-dir", dir.resolve("results-models").toString(), "--eval-limit",
                Integer.toString(IMAGES), "--latency", "none", "--samples", "100");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming: 5 of 5"), again.out());
        assertArrayEquals(whole, Files.readAllBytes(copy), "nothing was run again");

        // Cut the last line in half, as a crash during the append would.
        String text = new String(whole, StandardCharsets.UTF_8);
        int lastStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        Files.writeString(copy, text.substring(0, lastStart + 40));
        MainTest.Run resumed = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", grid.toString(), "-o",
                copy.toString(), "--work-dir", dir.resolve("resumed-models").toString(), "--eval-limit",
                Integer.toString(IMAGES), "--latency", "none", "--samples", "100");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("line 5 is incomplete"), resumed.err());
        assertTrue(resumed.out().contains("resuming: 4 of 5") && resumed.out().contains("[5/5] int8"), resumed.out());
        List<JsonNode> lines = lines(copy);
        assertEquals(5, lines.size());
        assertEquals("int8", lines.get(4).get("label").asText());
        assertEquals(lines(results).get(4).get("top1").asDouble(), lines.get(4).get("top1").asDouble(), 1e-12);
    }

    @Test
    void resultsOfAnotherModelAreRefusedAndKept() throws Exception {
        Path other = TestModels.lenet(dir);
        byte[] before = Files.readAllBytes(results);
        MainTest.Run r = run("sweep", other.toString(), "--dataset", "fashion-mnist", "-o", results.toString(),
                "--eval-limit", "100", "--latency", "none");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("holds results for lenet-300-100.onnx") && r.err().contains("write this sweep to another file"),
                r.err());
        assertArrayEquals(before, Files.readAllBytes(results));
    }

    @Test
    void anEditedLineIsOneLineNotACrash() throws Exception {
        Path edited = dir.resolve("edited.jsonl");
        Files.writeString(edited, Files.readAllLines(results).getFirst().replaceFirst("\"bytes\":\\d+,\"ratio\"", "\"ratio\"") + "\n");
        MainTest.Run r = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", grid.toString(), "-o",
                edited.toString(), "--eval-limit", Integer.toString(IMAGES), "--latency", "none", "--samples", "100");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 1 has no number \"bytes\""), r.err());
    }

    @Test
    void resultsMeasuredOtherwiseAreNotResumed() throws Exception {
        byte[] before = Files.readAllBytes(results);
        MainTest.Run r = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", grid.toString(), "-o",
                results.toString(), "--eval-limit", "400", "--latency", "none", "--samples", "100");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\"testImages\":500") && r.err().contains("\"testImages\":400"), r.err());
        assertArrayEquals(before, Files.readAllBytes(results));
    }

    @Test
    void sharedLabelsAreMadeDistinctSoTheReportReadsThemAndNoModelOverwritesAnother() throws Exception {
        Path g = dir.resolve("same-labels.json");
        Files.writeString(g, "{\"configurations\": [{\"label\": \"a b\", \"prune\": 0.5},"
                + " {\"label\": \"a b\", \"prune\": 0.3}, {\"label\": \"a-b\", \"prune\": 0.2}]}");
        assertEquals(List.of("dense", "a b", "a b (2)", "a-b"), SweepGrid.read(g).stream().map(SweepConfig::label).toList());
        Path out = dir.resolve("same-labels.jsonl");
        MainTest.Run r = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", g.toString(), "-o",
                out.toString(), "--eval-limit", "100", "--latency", "none");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = lines(out);
        assertEquals(4, lines.stream().map(l -> l.get("file").asText()).distinct().count(), "one file per configuration");
        for (JsonNode l : lines) {
            assertEquals(Files.size(dir.resolve(l.get("file").asText())), l.get("bytes").asLong(), l.get("label").asText());
        }
        MainTest.Run report = run("report", out.toString(), "-o", dir.resolve("same-labels.md").toString());
        assertEquals(0, report.code(), report.err());
        MainTest.Run folder = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "--grid", dir.toString(), "-o",
                dir.resolve("never.jsonl").toString());
        assertTrue(folder.err().contains("is a folder; give a JSON file"), folder.err());
    }

    @Test
    void gridFileErrorsNameTheProblem() throws Exception {
        String[][] cases = {
                {"{\"grid\": {\"prune\": [0.5], \"bits\": [4]}}", "unknown key \"bits\""},
                {"{\"configurations\": [{\"int8\": true, \"shareBits\": \"conv=8\"}]}", "int8 replaces weight sharing"},
                {"{\"configurations\": [{\"retrainEpochs\": 2}]}", "does not prune"},
                {"{\"configurations\": [{\"prune\": 1.5}]}", "in (0, 1]"},
                {"{\"grid\": {\"prune\": []}}", "non-empty list"},
                {"{\"grid\": {\"int8\": [true], \"shareBits\": [\"conv=8,fc=5\"]}}", "no combination"},
                {"{\"configurations\": [{\"prune\": 0.5,}]}", "not valid JSON"},
                {"[1, 2]", "one JSON object"},
                {"{}", "neither"},
        };
        for (String[] c : cases) {
            Path g = dir.resolve("bad.json");
            Files.writeString(g, c[0]);
            UserException e = assertThrows(UserException.class, () -> SweepGrid.read(g), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(g.toString()), e.getMessage());
        }
        assertThrows(UserException.class, () -> SweepGrid.read(dir.resolve("missing.json")));
    }

    @Test
    void gridsKeepTheReferenceFirstAndEachKeyOnce() throws Exception {
        Path g = dir.resolve("cross.json");
        Files.writeString(g, "{\"grid\": {\"prune\": [null, 0.5, 0.1], \"shareBits\": [null, 6], \"int8\": [false, true],"
                + " \"retrainEpochs\": [0, 1]}}");
        List<SweepConfig> configs = SweepGrid.read(g);
        // prune x share x int8 x retrain = 3*2*2*2 = 24 points; int8+share (6) and retraining without pruning (3 more
        // valid ones: dense/shared/int8 with retrain 1) are left out: 24 - 6 - 3 = 15, of which none repeat a key.
        assertEquals(15, configs.size());
        assertTrue(configs.getFirst().reference());
        assertEquals(configs.size(), configs.stream().map(SweepConfig::key).distinct().count());
        assertEquals(List.of("reference"), SweepGrid.defaults().stream().filter(SweepConfig::reference)
                .map(SweepConfig::key).toList());
        assertEquals(5, SweepGrid.demo("paper-lenet5", 1).size());
    }

    @Test
    void badOptionsAreOneLineAndWriteNothing() throws Exception {
        Path out = dir.resolve("never.jsonl");
        String[][] cases = {
                {"--latency", "gpu9"},
                {"--eval-limit", "0"},
                {"--backend", "tpu"},
        };
        for (String[] c : cases) {
            MainTest.Run r = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "-o", out.toString(), c[0], c[1]);
            assertEquals(1, r.code(), String.join(" ", c));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out));
        }
        MainTest.Run noData = run("sweep", MODEL.toString(), "-o", out.toString());
        assertTrue(noData.err().contains("--dataset is required"), noData.err());
        MainTest.Run folder = run("sweep", MODEL.toString(), "--dataset", "fashion-mnist", "-o", dir.toString());
        assertTrue(folder.err().contains("is a folder"), folder.err());
        assertFalse(Files.exists(out));
    }
}
