// The tests' HTTP side: requests to a running server and its JSON answers read back exactly.
package dev.condense.samples.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.runtime.Classification;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Numbers are read as exact decimals and then parsed as floats, so a probability compares bit for bit. */
final class TestHttp {

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** One class of an answer as the server wrote it. */
    record Row(int index, String label, float probability) {
        static Row of(Classification.Prediction p) {
            return new Row(p.index(), p.label(), p.probability());
        }

        /** Equal including the float's bits (+0/-0 and NaN patterns alike). */
        boolean sameBits(Row o) {
            return index == o.index && label.equals(o.label)
                    && Float.floatToRawIntBits(probability) == Float.floatToRawIntBits(o.probability);
        }
    }

    private final HttpClient client;
    private final URI base;

    TestHttp(URI base) {
        this.base = base;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return send(path, contentType, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    HttpResponse<String> send(String path, String contentType, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(body)
                .timeout(Duration.ofSeconds(60));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The "top" list of a /predict answer. */
    static List<Row> top(String json) throws IOException {
        JsonNode answer = JSON.readTree(json);
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : answer.get("top")) {
            rows.add(new Row(r.get("index").intValue(), r.get("label").textValue(),
                    Float.parseFloat(r.get("probability").decimalValue().toString())));
        }
        return rows;
    }

    /** The server's ranking as rows, cut to {@code k}. */
    static List<Row> rows(Classification c, int k) {
        return c.top(k).stream().map(Row::of).toList();
    }

    static boolean sameBits(List<Row> a, List<Row> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).sameBits(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code values} as the little-endian float32 bytes of an application/octet-stream body. */
    static byte[] float32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** {@code values} as a JSON tensor body of shape [1, 1, 28, 28]. */
    static byte[] jsonTensor(float[] values) {
        StringBuilder s = new StringBuilder("{\"shape\":[1,1,28,28],\"data\":[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(values[i]);
        }
        return s.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
