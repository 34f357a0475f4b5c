// Reads a request body that carries an already-normalized input tensor: JSON or raw little-endian float32.
package dev.condense.samples.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sample {@code [1, C, H, W]} as the model takes it, after the preprocessing a client did
 * itself. JSON is {@code {"shape": [1, C, H, W], "data": [...]}} with {@code data} flat in
 * row-major order; the binary form is exactly {@code C * H * W} little-endian IEEE floats. Every
 * value must be finite: a NaN or infinity is refused with its position, as is a shape other than
 * the model's.
 */
final class TensorBody {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private TensorBody() {
    }

    /** The floats of a JSON tensor body for a model whose sample is {@code sampleShape} ({@code [C, H, W]}). */
    static float[] fromJson(byte[] body, int[] sampleShape) throws RequestException {
        int length = length(sampleShape);
        List<Long> shape = null;
        float[] data = null;
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "the JSON body must be an object"
                    + " {\"shape\": [1, C, H, W], \"data\": [...]}");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "shape" -> {
                        expect(shape == null, "\"shape\" appears twice");
                        shape = readShape(p);
                    }
                    case "data" -> {
                        expect(data == null, "\"data\" appears twice");
                        data = readData(p, length);
                    }
                    default -> throw new RequestException(400, "unknown field \"" + field
                            + "\"; a tensor body has \"shape\" and \"data\"");
                }
            }
            expect(p.nextToken() == null, "the JSON body has content after its object");
        } catch (JsonProcessingException e) {
            throw new RequestException(400, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            // The parser reads from an array; only malformed content ends up here.
            throw new RequestException(400, "unreadable JSON: " + e.getMessage(), e);
        }
        expect(shape != null, "the JSON body has no \"shape\"; it must be " + expectedShape(sampleShape));
        expect(data != null, "the JSON body has no \"data\"");
        List<Long> expected = List.of(1L, (long) sampleShape[0], (long) sampleShape[1], (long) sampleShape[2]);
        expect(shape.equals(expected), "shape " + shape + " does not match the model's input "
                + expectedShape(sampleShape));
        expect(data.length == length, "\"data\" has " + data.length + " values; shape " + shape + " needs "
                + length);
        return data;
    }

    /** The floats of a binary body: {@code C * H * W} little-endian float32 values, nothing else. */
    static float[] fromFloat32(byte[] body, int[] sampleShape) throws RequestException {
        int length = length(sampleShape);
        expect(body.length == 4L * length, "a float32 body for input " + expectedShape(sampleShape) + " is "
                + 4L * length + " bytes (" + length + " little-endian floats), got " + body.length + " bytes");
        FloatBuffer floats = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] data = new float[length];
        floats.get(data);
        for (int i = 0; i < length; i++) {
            checkFinite(data[i], i);
        }
        return data;
    }

    private static List<Long> readShape(JsonParser p) throws IOException, RequestException {
        expect(p.currentToken() == JsonToken.START_ARRAY, "\"shape\" must be an array of whole numbers");
        List<Long> shape = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t == JsonToken.VALUE_NUMBER_INT && shape.size() < 8,
                    "\"shape\" must be a short array of whole numbers");
            shape.add(p.getLongValue());
        }
        return shape;
    }

    /** The values of {@code "data"}; refused as soon as there are more than {@code length}, before growing. */
    private static float[] readData(JsonParser p, int length) throws IOException, RequestException {
        expect(p.currentToken() == JsonToken.START_ARRAY, "\"data\" must be a flat array of numbers");
        float[] data = new float[length];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT,
                    "\"data\"[" + n + "] is " + describe(t) + "; \"data\" must be a flat array of numbers");
            expect(n < length, "\"data\" has more than the " + length + " values the model's input holds");
            // Parsed from the text straight to float: through double, a value could round twice.
            float v = Float.parseFloat(p.getText());
            checkFinite(v, n);
            data[n++] = v;
        }
        return n == length ? data : Arrays.copyOf(data, n);
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static void checkFinite(float v, int index) throws RequestException {
        expect(Float.isFinite(v), "value " + index + " of the tensor is " + v + "; every value must be finite");
    }

    private static int length(int[] sampleShape) {
        return Math.multiplyExact(Math.multiplyExact(sampleShape[0], sampleShape[1]), sampleShape[2]);
    }

    static String expectedShape(int[] sampleShape) {
        return "[1, " + sampleShape[0] + ", " + sampleShape[1] + ", " + sampleShape[2] + "]";
    }

    private static void expect(boolean condition, String message) throws RequestException {
        if (!condition) {
            throw new RequestException(400, message);
        }
    }
}
