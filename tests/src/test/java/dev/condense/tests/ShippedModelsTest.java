// The trained models shipped in models/trained: their accuracy on the 10,000 Fashion-MNIST test images, the same under the vector engine and ONNX Runtime, at least the targets issue 6 set.
package dev.condense.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.cli.Main;
import dev.condense.data.FashionMnist;
import dev.condense.ir.Model;
import dev.condense.onnx.OnnxReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ShippedModelsTest {

    /** The floors of issue 6 for the named models, and for the best shipped model. */
    private static final Map<String, Double> FLOORS = Map.of("lenet-300-100.onnx", 0.89, "lenet-5-caffe.onnx", 0.91);
    private static final double BEST_FLOOR = 0.93;
    /** Two engines summing in different orders may flip an image whose top two logits all but tie. */
    private static final double ENGINE_TOLERANCE = 2.0 / 10_000;

    private static final Path TRAINED = Path.of("..", "models", "trained");
    private static final Map<String, double[]> RESULTS = new TreeMap<>();

    @BeforeAll
    static void evaluateAll() throws IOException {
        // CI installs the Debian package dataset-fashion-mnist (.ci/run).
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "needs dataset-fashion-mnist, which .ci/run installs");
        List<Path> models = TestData.shippedModels();
        for (Path m : models) {
            double[] top1 = new double[2];
            String[] backends = {"vector", "ort-cpu"};
            for (int i = 0; i < 2; i++) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Main.execute(new String[] {"eval", m.toString(), "--dataset", "fashion-mnist", "--backend",
                        backends[i], "--json"}, new PrintWriter(out, true), new PrintWriter(err, true));
                assertEquals(0, code, m + " on " + backends[i] + ": " + err);
                JsonNode j = new ObjectMapper().readTree(out.toString());
                assertEquals(10_000, j.get("images").asInt());
                top1[i] = j.get("top1").asDouble();
            }
            RESULTS.put(m.getFileName().toString(), top1);
        }
    }

    @Test
    void bothEnginesAgree() {
        RESULTS.forEach((name, top1) -> assertEquals(top1[0], top1[1], ENGINE_TOLERANCE,
                name + ": vector " + top1[0] + ", ort-cpu " + top1[1]));
    }

    @Test
    void theTargetsHold() {
        FLOORS.forEach((name, floor) -> {
            assertTrue(RESULTS.containsKey(name), name + " is not shipped");
            assertTrue(RESULTS.get(name)[0] >= floor, name + ": top-1 " + RESULTS.get(name)[0] + " < " + floor);
        });
        double best = RESULTS.values().stream().mapToDouble(r -> Math.min(r[0], r[1])).max().orElse(0);
        assertTrue(best >= BEST_FLOOR, "the best shipped model reaches " + best + " < " + BEST_FLOOR);
    }

    @Test
    void eachModelRecordsHowItWasTrained() throws Exception {
        for (String name : RESULTS.keySet()) {
            Model m = OnnxReader.read(TRAINED.resolve(name));
            assertEquals("fashion-mnist", m.metadata().get("condense.dataset"), name);
            // The trainer's own evaluation (PyTorch) and the runtime's agree on what the model gets right.
            double recorded = Double.parseDouble(m.metadata().get("condense.train.top1"));
            assertEquals(recorded, RESULTS.get(name)[1], 3.0 / 10_000, name);
        }
    }
}
