// Tests of `condense train`, `eval`, `sensitivity` and `compress --retrain` on a Fashion-MNIST subset, and their one-line errors.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.data.FashionMnist;
import dev.condense.ir.Model;
import dev.condense.onnx.OnnxReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainCommandTest {

    @TempDir
    static Path dir;
    private static Path trained;

    @BeforeAll
    static void trainOnce() {
        // CI installs the Debian package dataset-fashion-mnist (.ci/run); without it nothing here can run.
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "needs dataset-fashion-mnist, which .ci/run installs");
        trained = dir.resolve("l300.onnx");
        MainTest.Run r = run("train", "lenet-300-100", "--dataset", "fashion-mnist", "--epochs", "1", "--limit", "2048",
                "--augment", "off", "-o", trained.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 1/1: loss") && r.out().contains("test top-1"), r.out());
    }

    @Test
    void trainedModelRecordsItsDataAndNormalization() throws Exception {
        Model m = OnnxReader.read(trained);
        assertEquals("fashion-mnist", m.metadata().get("condense.dataset"));
        // What the trainer fed is what it records: Fashion-MNIST as it reads by default.
        dev.condense.data.Normalization fed = FashionMnist.open(dev.condense.data.Split.TRAIN).normalization();
        assertEquals(fed.mean()[0], Float.parseFloat(m.metadata().get("condense.input.mean")));
        assertEquals(fed.std()[0], Float.parseFloat(m.metadata().get("condense.input.std")));
    }

    @Test
    void evalGivesTheSameAccuracyOnBothEngines() throws Exception {
        JsonNode[] results = new JsonNode[2];
        String[] backends = {"vector", "ort-cpu"};
        for (int i = 0; i < 2; i++) {
            MainTest.Run r = run("eval", trained.toString(), "--dataset", "fashion-mnist", "--backend", backends[i],
                    "--limit", "1000", "--json");
            assertEquals(0, r.code(), r.err());
            results[i] = new ObjectMapper().readTree(r.out());
        }
        double top1 = results[0].get("top1").asDouble();
        assertTrue(top1 > 0.6 && top1 <= results[0].get("top5").asDouble(), results[0].toString());
        assertEquals(1000, results[0].get("images").asInt());
        assertTrue(results[0].get("images_per_s").asDouble() > 0);
        assertEquals(top1, results[1].get("top1").asDouble(), 0.0011, "vector and ort-cpu disagree on more than one image");
    }

    @Test
    void retrainingReportsEveryStageAndKeepsTheContainerReadable() throws Exception {
        Path out = dir.resolve("l300.dcz");
        Path report = dir.resolve("l300.json");
        MainTest.Run r = run("compress", trained.toString(), "-o", out.toString(), "--preset", "paper-lenet300",
                "--retrain", "--dataset", "fashion-mnist", "--limit", "1024", "--prune-epochs", "1", "--share-epochs",
                "1", "--iterations", "2", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode stages = new ObjectMapper().readTree(report.toFile()).get("stages");
        String[] expected = {"dense", "pruned 1/2", "retrained 1/2", "pruned 2/2", "retrained 2/2", "shared",
                "centroids tuned", "dcz"};
        assertEquals(expected.length, stages.size(), stages.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], stages.get(i).get("stage").asText());
        }
        // Retraining recovers what the last pruning step cost, and the container holds the tuned model.
        assertTrue(stages.get(4).get("top1").asDouble() > stages.get(3).get("top1").asDouble(), stages.toString());
        assertEquals(stages.get(6).get("top1").asDouble(), stages.get(7).get("top1").asDouble(), 1e-9);
        assertTrue(r.out().contains("result: ") && r.out().contains("centroids tuned"), r.out());
    }

    @Test
    void sensitivityScansEveryLayerAtNineFractions() throws Exception {
        MainTest.Run r = run("sensitivity", trained.toString(), "--dataset", "fashion-mnist", "--limit", "300",
                "--backend", "ort-cpu", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("layers").size());
        double dense = j.get("dense_top1").asDouble();
        for (JsonNode layer : j.get("layers")) {
            JsonNode top1 = layer.get("top1");
            assertEquals(9, top1.size());
            // Keeping 90% of a layer's largest weights costs little; keeping 10% of ip1's costs more.
            assertTrue(Math.abs(top1.get(0).asDouble() - dense) < 0.05, layer.toString());
        }
        JsonNode ip1 = j.get("layers").get(0).get("top1");
        assertTrue(ip1.get(8).asDouble() < ip1.get(0).asDouble(), ip1.toString());
    }

    @Test
    void mistakesAreOneLineErrors() throws Exception {
        MainTest.Run r = run("train", "no-such-net", "--dataset", "fashion-mnist", "--epochs", "1", "-o",
                dir.resolve("x.onnx").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("neither an ONNX file nor a zoo model") && r.err().contains("lenet-5"), r.err());
        assertFalse(Files.exists(dir.resolve("x.onnx")));

        Path classic = dir.resolve("lenet5-32.onnx");
        assertEquals(0, run("zoo", "export", "lenet-5", "-o", classic.toString()).code());
        r = run("eval", classic.toString(), "--dataset", "fashion-mnist");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("takes 1x32x32 images; Fashion-MNIST's are 1x28x28"), r.err());

        r = run("eval", trained.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--dataset is required"), r.err());

        r = run("compress", trained.toString(), "-o", dir.resolve("y.dcz").toString(), "--max-drop", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--max-drop goes with --prune auto"), r.err());

        r = run("train", "lenet-300-100", "--dataset", "fashion-mnist", "--epochs", "0", "-o",
                dir.resolve("z.onnx").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("epochs must be at least 1"), r.err());
    }
}
