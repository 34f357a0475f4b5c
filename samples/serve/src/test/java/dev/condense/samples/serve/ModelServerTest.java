// Every endpoint and every error status of the model server, and its answers against direct runs of the same model.
package dev.condense.samples.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.condense.data.FashionMnist;
import dev.condense.ir.Tensor;
import dev.condense.runtime.Backend;
import dev.condense.runtime.ImageClassifier;
import dev.condense.runtime.Result;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelServerTest {

    private static final String PNG = "image/png";
    private static final String JSON_TYPE = "application/json";
    private static final String FLOAT32 = "application/octet-stream";
    /** ONNX Runtime against the vector engine on LeNet-5's probabilities: rounding only. */
    private static final float ORT_TOLERANCE = 1e-5f;

    @TempDir
    static Path dir;
    static Path dcz;
    static ModelServer server;
    static TestHttp http;
    /**
     * Opened apart from the server, with the same options: the answers a direct run gives. Its
     * first answers come from cold code and the server's later ones from JIT-compiled code; they
     * must still agree bit for bit.
     */
    static ImageClassifier reference;
    static List<TestData.Sample> samples;

    @BeforeAll
    static void start() throws Exception {
        dcz = TestData.compressedLenet5(dir);
        ServerOptions options = ServerOptions.of(dcz).withWorkers(2).withQueue(32);
        server = ModelServer.start(options);
        http = new TestHttp(server.uri());
        reference = ImageClassifier.open(dcz, SessionOptions.of(options.backend()).withThreads(options.intraOp()));
        samples = TestData.samples(8, reference);
        System.out.println("ModelServerTest: " + TestData.imageSource());
    }

    @AfterAll
    static void stop() {
        server.close();
        reference.close();
    }

    @Test
    void healthAnswersOk() throws Exception {
        HttpResponse<String> r = http.get("health");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode health = TestHttp.JSON.readTree(r.body());
        assertEquals("ok", health.get("status").textValue());
        assertEquals("lenet5.dcz", health.get("model").textValue());
        assertEquals("vector", health.get("backend").textValue());
        assertEquals(2, health.get("workers").intValue());
        assertEquals(32, health.get("queueCapacity").intValue());
    }

    @Test
    void modelDescribesTheContainerAndItsCompression() throws Exception {
        HttpResponse<String> r = http.get("model");
        assertEquals(200, r.statusCode());
        JsonNode model = TestHttp.JSON.readTree(r.body());
        assertEquals("lenet5.dcz", model.get("name").textValue());
        assertEquals(Files.size(dcz), model.get("fileBytes").longValue());
        assertEquals(List.of(1, 1, 28, 28), ints(model.get("input").get("shape")));
        assertEquals(10, model.get("classes").intValue());
        assertEquals(FashionMnist.CLASS_NAMES, TestHttp.JSON.convertValue(model.get("labels"), List.class));
        assertEquals("vector", model.get("backend").textValue());
        assertTrue(model.get("engine").textValue().startsWith("vector"), model.get("engine").textValue());
        JsonNode compression = model.get("compression");
        assertEquals("dcz", compression.get("format").textValue().toLowerCase(java.util.Locale.ROOT));
        assertEquals(8, compression.get("tensors").intValue(), "conv1, conv2, ip1, ip2: weights and biases");
        long weights = compression.get("weights").longValue();
        long kept = compression.get("keptWeights").longValue();
        // The default preset keeps 60% of conv and 30% of fc weights; LeNet-5 is mostly fc (ip1: 400k of 431k).
        assertTrue(kept > 0.25 * weights && kept < 0.40 * weights, kept + " of " + weights + " kept");
        assertTrue(compression.get("payloadBytes").longValue() < Files.size(dcz));
        assertFalse(compression.get("settings").isEmpty(), "the manifest's settings: " + compression);
        assertEquals("fashion-mnist", model.get("metadata").get("condense.dataset").textValue());
    }

    @Test
    void modelOfAnOnnxFileIsUncompressed() throws Exception {
        try (ModelServer onnx = ModelServer.start(ServerOptions.of(TestData.LENET5).withWorkers(1))) {
            HttpResponse<String> r = new TestHttp(onnx.uri()).get("model");
            assertEquals(200, r.statusCode());
            JsonNode model = TestHttp.JSON.readTree(r.body());
            assertEquals("lenet-5-caffe.onnx", model.get("name").textValue());
            assertEquals(Files.size(TestData.LENET5), model.get("fileBytes").longValue());
            assertEquals("uncompressed", model.get("compression").textValue());
        }
    }

    @Test
    void onnxRuntimeBackendServesTheSameRanking() throws Exception {
        try (ModelServer ort = ModelServer.start(ServerOptions.of(dcz).withWorkers(1).withBackend(Backend.ORT_CPU))) {
            TestHttp client = new TestHttp(ort.uri());
            assertEquals("ort-cpu", TestHttp.JSON.readTree(client.get("health").body()).get("backend").textValue());
            for (TestData.Sample s : samples) {
                List<TestHttp.Row> got = TestHttp.top(client.post("predict", PNG, s.png()).body());
                List<TestHttp.Row> vector = TestHttp.rows(reference.classify(s.png()), 5);
                assertEquals(vector.getFirst().label(), got.getFirst().label(), s.name());
                for (int i = 0; i < got.size(); i++) {
                    // Another engine: the same classes, probabilities equal to float rounding.
                    assertEquals(vector.get(i).probability(), got.get(i).probability(), ORT_TOLERANCE, s.name());
                }
            }
        }
    }

    @Test
    void pngAnswersAreTheDirectAnswers() throws Exception {
        for (TestData.Sample s : samples) {
            HttpResponse<String> r = http.post("predict", PNG, s.png());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = TestHttp.JSON.readTree(r.body());
            assertEquals("lenet5.dcz", answer.get("model").textValue());
            assertTrue(answer.get("millis").doubleValue() >= 0);
            List<TestHttp.Row> expected = TestHttp.rows(reference.classify(s.png()), 5);
            List<TestHttp.Row> got = TestHttp.top(r.body());
            assertEquals(5, got.size());
            assertTrue(TestHttp.sameBits(expected, got), s.name() + ": expected " + expected + ", got " + got);
        }
    }

    @Test
    void tensorAnswersAreTheDirectSessionRun() throws Exception {
        String input = reference.session().inputs().getFirst().name();
        for (TestData.Sample s : samples) {
            float[] scores;
            try (Result direct = reference.session().run(Map.of(input,
                    Tensor.ofFloats(input, new long[] {1, 1, 28, 28}, s.tensor())))) {
                scores = direct.first().toFloatArray();
            }
            List<Integer> ranking = IntStream.range(0, scores.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer k) -> -scores[k]).thenComparingInt(k -> k)).toList();
            List<TestHttp.Row> expected = TestHttp.rows(reference.classifySamples(s.tensor(), 1).getFirst(), 10);
            List<TestHttp.Row> fromPng = TestHttp.top(http.post("predict?top=10", PNG, s.png()).body());
            for (var body : List.of(Map.entry(JSON_TYPE, TestHttp.jsonTensor(s.tensor())),
                    Map.entry(FLOAT32, TestHttp.float32(s.tensor())))) {
                HttpResponse<String> r = http.post("predict?top=10", body.getKey(), body.getValue());
                assertEquals(200, r.statusCode(), r.body());
                List<TestHttp.Row> got = TestHttp.top(r.body());
                assertEquals(ranking, got.stream().map(TestHttp.Row::index).toList(), "ranking of " + s.name());
                assertTrue(TestHttp.sameBits(expected, got), body.getKey() + " " + s.name() + ": expected "
                        + expected + ", got " + got + "; PNG " + fromPng);
                assertTrue(TestHttp.sameBits(fromPng, got), "PNG and tensor of " + s.name() + " differ");
            }
        }
    }

    @Test
    void topChoosesHowManyClassesAnswer() throws Exception {
        byte[] png = samples.getFirst().png();
        assertEquals(1, TestHttp.top(http.post("predict?top=1", PNG, png).body()).size());
        List<TestHttp.Row> all = TestHttp.top(http.post("predict?top=10", PNG, png).body());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                all.stream().map(TestHttp.Row::index).sorted().toList());
        double sum = all.stream().mapToDouble(TestHttp.Row::probability).sum();
        assertEquals(1.0, sum, 1e-5);
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).probability() >= all.get(i).probability(), "ranked best first: " + all);
        }
        assertError(http.post("predict?top=0", PNG, png), 400, "top must be a whole number from 1 to 10");
        assertError(http.post("predict?top=11", PNG, png), 400, "got '11'");
        assertError(http.post("predict?top=five", PNG, png), 400, "got 'five'");
        assertError(http.post("predict?k=3", PNG, png), 400, "unknown query parameter 'k'");
    }

    @Test
    void malformedBodiesAre400NamingTheProblem() throws Exception {
        float[] tensor = samples.getFirst().tensor();
        assertError(http.post("predict", PNG, "not a picture".getBytes(StandardCharsets.UTF_8)), 400,
                "the body is no readable image");
        byte[] truncated = Arrays.copyOf(samples.getFirst().png(), 60);
        assertError(http.post("predict", PNG, truncated), 400, "the body is no readable image");
        // JSON bodies and the part of the message that must name their problem.
        List<List<String>> refusedJson = List.of(
                List.of("{\"shape\": [1, 1, 28, 28], \"data\": [1, 2", "malformed JSON"),
                List.of("{\"shape\": [1, 1, 28, 27], \"data\": [1]}",
                        "shape [1, 1, 28, 27] does not match the model's input [1, 1, 28, 28]"),
                List.of("{\"shape\": [1, 1, 28, 28], \"data\": [1, 2]}",
                        "\"data\" has 2 values; shape [1, 1, 28, 28] needs 784"),
                List.of("{\"shape\": [1, 1, 28, 28], \"data\": [1, NaN]}", "malformed JSON"),
                List.of("{\"shape\": [1, 1, 28, 28], \"data\": [0.5, 1e999]}", "value 1 of the tensor is Infinity"),
                List.of("{\"shape\": [1, 1, 28, 28], \"data\": [\"a\"]}", "\"data\"[0] is a string"),
                List.of("{\"data\": [1]}", "the JSON body has no \"shape\""),
                List.of("{\"shape\": [1, 1, 28, 28], \"labels\": [1]}", "unknown field \"labels\""),
                List.of("[1, 2, 3]", "the JSON body must be an object"));
        for (List<String> c : refusedJson) {
            assertError(http.post("predict", JSON_TYPE, c.get(0).getBytes(StandardCharsets.UTF_8)), 400, c.get(1));
        }
        float[] withNaN = tensor.clone();
        withNaN[17] = Float.NaN;
        assertError(http.post("predict", FLOAT32, TestHttp.float32(withNaN)), 400, "value 17 of the tensor is NaN");
        assertError(http.post("predict", FLOAT32, Arrays.copyOf(TestHttp.float32(tensor), 3000)), 400,
                "is 3136 bytes (784 little-endian floats), got 3000 bytes");
        assertError(http.post("predict", PNG, new byte[0]), 400, "the request body is empty");
    }

    @Test
    void unsupportedContentTypeIs415() throws Exception {
        byte[] png = samples.getFirst().png();
        assertError(http.post("predict", "text/plain", png), 415, "Content-Type 'text/plain' is not accepted");
        assertError(http.post("predict", null, png), 415, "the request has no Content-Type");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
        assertError(http.get("predictions"), 404, "no endpoint /predictions; the endpoints are POST /predict");
        HttpResponse<String> r = http.get("predict");
        assertError(r, 405, "/predict takes POST, not GET");
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        r = http.post("health", PNG, samples.getFirst().png());
        assertError(r, 405, "/health takes GET, not POST");
        assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
        r = http.post("model", PNG, samples.getFirst().png());
        assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void bodiesOverTheLimitAre413() throws Exception {
        // A small limit, so that the server drains the refused body and the answer always reaches the client.
        try (ModelServer small = ModelServer.start(ServerOptions.of(dcz).withWorkers(1).withMaxBodyBytes(4096))) {
            TestHttp client = new TestHttp(small.uri());
            byte[] big = new byte[5000];
            assertError(client.post("predict", PNG, big), 413,
                    "the request body is 5000 bytes; the limit is 4096 bytes");
            // Without a Content-Length (chunked), the server counts while reading.
            HttpResponse<String> chunked = client.send("predict", PNG,
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
            assertError(chunked, 413, "the request body is more than 4096 bytes; the limit is 4096 bytes");
            assertEquals(200, client.post("predict", PNG, samples.getFirst().png()).statusCode());
        }
    }

    @Test
    void aSaturatedPoolAnswers503WithRetryAfter() throws Exception {
        try (ModelServer busy = ModelServer.start(ServerOptions.of(dcz).withWorkers(1).withQueue(1))) {
            TestHttp client = new TestHttp(busy.uri());
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch queuedRan = new CountDownLatch(1);
            // The only worker blocks, then the one queue place is taken: the next request has nowhere to go.
            busy.workers().execute(() -> {
                running.countDown();
                awaitQuietly(release);
            });
            assertTrue(running.await(10, TimeUnit.SECONDS));
            busy.workers().execute(queuedRan::countDown);
            HttpResponse<String> r = client.post("predict", PNG, samples.getFirst().png());
            assertError(r, 503, "the server is saturated: all 1 workers are busy and the queue of 1 is full");
            assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
            release.countDown();
            assertTrue(queuedRan.await(10, TimeUnit.SECONDS));
            assertEquals(200, client.post("predict", PNG, samples.getFirst().png()).statusCode());
        }
    }

    @Test
    void stopIsGracefulAndIdempotent() throws Exception {
        ModelServer s = ModelServer.start(ServerOptions.of(dcz).withWorkers(1));
        TestHttp client = new TestHttp(s.uri());
        assertEquals(200, client.get("health").statusCode());
        s.stop(java.time.Duration.ofSeconds(1));
        s.close();
        assertTrue(s.workers().isTerminated());
        assertThrows(IllegalStateException.class, () -> s.classifier().session().model(), "the model is closed");
        assertThrows(ConnectException.class, () -> client.get("health"));
    }

    /** An error answer: its status, a JSON body naming the problem, and never a stack trace. */
    private static void assertError(HttpResponse<String> r, int status, String messagePart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = TestHttp.JSON.readTree(r.body());
        assertEquals(status, body.get("status").intValue());
        String message = body.get("error").textValue();
        assertTrue(message.contains(messagePart), "expected '" + messagePart + "' in: " + message);
        assertFalse(r.body().contains("\tat ") || r.body().matches("(?s).*\\bat (java|dev|com|sun)\\..*"),
                "no stack trace: " + r.body());
    }

    private static List<Integer> ints(JsonNode array) {
        return TestHttp.JSON.convertValue(array, TestHttp.JSON.getTypeFactory()
                .constructCollectionType(List.class, Integer.class));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
