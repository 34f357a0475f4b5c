// Kernels of the trainer checked element by element on small inputs: Gather on every axis with negative and scalar indices.
package dev.condense.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.condense.ir.Attribute;
import dev.condense.ir.Node;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class TrainOpsTest {

    /** Gather as ONNX defines it, on a row-major array, written out with plain loops. */
    private static float[] gatherReference(float[] data, long[] shape, int axis, long[] index) {
        long before = 1;
        for (int i = 0; i < axis; i++) {
            before *= shape[i];
        }
        long after = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            after *= shape[i];
        }
        long d = shape[axis];
        float[] out = new float[(int) (before * index.length * after)];
        int o = 0;
        for (long b = 0; b < before; b++) {
            for (long j : index) {
                long row = j < 0 ? j + d : j;
                for (long a = 0; a < after; a++) {
                    out[o++] = data[(int) ((b * d + row) * after + a)];
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"0, '1;-1'", "1, '2;0;-3'", "2, '3'", "-1, '0;-4;2'", "1, ''"})
    void gatherMatchesTheDefinition(int axis, String indexText) throws Exception {
        long[] shape = {2, 3, 4};
        float[] data = new float[24];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 3;
        }
        boolean scalar = indexText.isEmpty();
        long[] index = scalar ? new long[] {-2} : Arrays.stream(indexText.split(";")).mapToLong(Long::parseLong).toArray();
        Node node = Node.of("g", "Gather", List.of("x", "i"), List.of("y"), Map.of("axis", Attribute.of((long) axis)));
        TrainOps.Kernel k = TrainOps.lookup(node, 13).bind(node, 13);
        try (NDManager m = PyTorchEngine.get(1).newBaseManager()) {
            NDArray x = m.create(data, new Shape(shape));
            NDArray i = scalar ? m.create(index[0]) : m.create(index);
            NDArray y = k.apply(new NDArray[] {x, i}, false);
            int a = axis < 0 ? axis + 3 : axis;
            long[] expectedShape = new long[scalar ? 2 : 3];
            for (int d = 0, e = 0; d < 3; d++) {
                if (d == a) {
                    if (!scalar) {
                        expectedShape[e++] = index.length;
                    }
                } else {
                    expectedShape[e++] = shape[d];
                }
            }
            assertArrayEquals(expectedShape, y.getShape().getShape());
            assertArrayEquals(gatherReference(data, shape, a, index), y.toFloatArray(), 0f);
        }
    }
}
