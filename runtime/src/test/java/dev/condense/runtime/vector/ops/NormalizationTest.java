// BatchNormalization, InstanceNormalization and LRN against references computed from their definitions in double.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static dev.condense.runtime.vector.ops.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels compute in float what the references compute in double: {@link #RTOL} and {@link #ATOL}. */
class NormalizationTest {

    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;

    static final long[][] SHAPES = {shape(1, 3, 1, 1), shape(2, 3, 4, 5), shape(1, 5, 7), shape(2, 4, 3, 3, 3),
            shape(1, 8, 9, 17), shape(2, 2, 33), shape(3, 16, 8)};

    @Test
    void batchNormalizationWithConstantAndRuntimeStatistics() throws SessionException {
        Random random = new Random(41);
        for (long[] s : SHAPES) {
            int c = (int) s[1];
            float[] x = Fixtures.uniform(random, s, -4, 4);
            float[][] stats = {Fixtures.uniform(random, c, 0.5f, 2), Fixtures.uniform(random, c, -1, 1),
                    Fixtures.uniform(random, c, -1, 1), Fixtures.uniform(random, c, 0.1f, 3)};
            float[] expected = BatchNormalization.reference(x, (int) s[0], c, Kernels.product(s, 2, s.length), stats[0],
                    stats[1], stats[2], stats[3], 1e-3);
            for (boolean constant : new boolean[] {true, false}) {
                List<In> in = new ArrayList<>(List.of(In.activation(s, x)));
                for (float[] v : stats) {
                    in.add(constant ? In.constant(shape(c), v) : In.activation(shape(c), v));
                }
                float[] y = KernelHarness.run1(Fixtures.kernel("BatchNormalization", 15),
                        KernelHarness.node("BatchNormalization", 5, 1, KernelHarness.attrs("epsilon", 1e-3f)), 15, in, s);
                assertClose(expected, y, RTOL, ATOL, "BatchNormalization " + Arrays.toString(s) + (constant
                        ? " constant" : " runtime") + " statistics");
            }
        }
        // Large enough to split over threads.
        long[] big = shape(2, 64, 60, 60);
        float[] x = Fixtures.uniform(random, big, -4, 4);
        float[][] stats = {Fixtures.uniform(random, 64, 0.5f, 2), Fixtures.uniform(random, 64, -1, 1),
                Fixtures.uniform(random, 64, -1, 1), Fixtures.uniform(random, 64, 0.1f, 3)};
        float[] y = KernelHarness.run(Fixtures.kernel("BatchNormalization", 15),
                KernelHarness.node("BatchNormalization", 5, 1, Map.of()), 15,
                List.of(In.activation(big, x), In.constant(shape(64), stats[0]), In.constant(shape(64), stats[1]),
                        In.constant(shape(64), stats[2]), In.constant(shape(64), stats[3])), List.of(big), 3)[0];
        assertClose(BatchNormalization.reference(x, 2, 64, 3600, stats[0], stats[1], stats[2], stats[3], 1e-5), y, RTOL,
                ATOL, "BatchNormalization on 3 threads");
    }

    @Test
    void batchNormalizationRefusesTrainingMode() {
        long[] s = shape(1, 2, 2);
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(
                Fixtures.kernel("BatchNormalization", 15),
                KernelHarness.node("BatchNormalization", 5, 1, KernelHarness.attrs("training_mode", 1)), 15,
                List.of(In.activation(s, new float[4]), In.constant(shape(2), new float[2]),
                        In.constant(shape(2), new float[2]), In.constant(shape(2), new float[2]),
                        In.constant(shape(2), new float[2])), s));
        assertTrue(e.getMessage().contains("training_mode"), e.getMessage());
    }

    @Test
    void instanceNormalizationMatchesItsReference() throws SessionException {
        Random random = new Random(42);
        for (long[] s : SHAPES) {
            int c = (int) s[1];
            float[] x = Fixtures.uniform(random, s, -4, 4);
            for (int i = 0; i < x.length; i++) {
                x[i] += 100; // a large mean: the centred variance must not cancel
            }
            float[] scale = Fixtures.uniform(random, c, 0.5f, 2);
            float[] bias = Fixtures.uniform(random, c, -1, 1);
            float[] expected = InstanceNormalization.reference(x, (int) s[0], c, Kernels.product(s, 2, s.length), scale,
                    bias, 1e-5);
            float[] y = KernelHarness.run(Fixtures.kernel("InstanceNormalization", 6),
                    KernelHarness.node("InstanceNormalization", 3, 1, Map.of()), 13,
                    List.of(In.activation(s, x), In.constant(shape(c), scale), In.activation(shape(c), bias)),
                    List.of(s), 2)[0];
            assertClose(expected, y, RTOL, ATOL, "InstanceNormalization " + Arrays.toString(s));
        }
    }

    @Test
    void lrnMatchesItsReference() throws SessionException {
        Random random = new Random(43);
        for (long[] s : SHAPES) {
            for (int size : new int[] {1, 2, 3, 5}) {
                for (float beta : new float[] {0.75f, 0.5f}) {
                    float[] x = Fixtures.uniform(random, s, -4, 4);
                    float[] expected = LRN.reference(x, (int) s[0], (int) s[1], Kernels.product(s, 2, s.length), size,
                            0.01f, beta, 2f);
                    float[] y = KernelHarness.run(Fixtures.kernel("LRN", 13), KernelHarness.node("LRN", 1, 1,
                                    KernelHarness.attrs("size", size, "alpha", 0.01f, "beta", beta, "bias", 2f)), 13,
                            List.of(In.activation(s, x)), List.of(s), 2)[0];
                    assertClose(expected, y, RTOL, ATOL, "LRN size " + size + " beta " + beta + " " + Arrays.toString(s));
                }
            }
        }
    }
}
