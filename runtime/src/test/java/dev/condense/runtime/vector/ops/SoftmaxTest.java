// Softmax and LogSoftmax, row and column paths, both axis rules, against the scalar reference and the definition.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static dev.condense.runtime.vector.ops.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Vector exp may differ from Math.exp in the last bits, and sums are reassociated: {@link #RTOL}. */
class SoftmaxTest {

    static final double RTOL = 1e-5;
    static final double ATOL = 1e-7;

    @Test
    void rowsAndColumnsMatchTheReferenceUnderBothAxisRules() throws SessionException {
        Random random = new Random(31);
        long[][] shapes = {shape(1), shape(7), shape(3, 9), shape(2, 17), shape(4, 33), shape(2, 3, 8), shape(2, 5, 9),
                shape(2, 3, 4, 17), shape(1, 16, 3, 3), shape(3, 1, 1)};
        for (long[] s : shapes) {
            float[] x = Fixtures.uniform(random, s, -10, 10);
            for (int axis = -s.length; axis < s.length; axis++) {
                int a = axis < 0 ? axis + s.length : axis;
                for (int opset : new int[] {11, 13}) {
                    boolean legacy = opset < 13;
                    int outer = Kernels.product(s, 0, a);
                    int length = legacy ? Kernels.product(s, a, s.length) : (int) s[a];
                    int inner = legacy ? 1 : Kernels.product(s, a + 1, s.length);
                    for (boolean log : new boolean[] {false, true}) {
                        String op = log ? "LogSoftmax" : "Softmax";
                        float[] y = KernelHarness.run1(Fixtures.kernel(op, opset),
                                KernelHarness.node(op, 1, 1, KernelHarness.attrs("axis", axis)), opset,
                                List.of(In.activation(s, x)), s);
                        assertClose(Softmax.reference(x, outer, length, inner, log), y, RTOL, ATOL,
                                op + "-" + opset + " axis " + axis + " of " + Arrays.toString(s));
                    }
                }
            }
        }
    }

    @Test
    void theReferenceIsTheDefinition() {
        float[] x = {1, 2, 3, 10_000, 10_001, 10_002};
        float[] y = Softmax.reference(x, 2, 3, 1, false);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Math.exp(i + 1) / z, y[i], 1e-7);
            assertEquals(Math.exp(i + 1) / z, y[i + 3], 1e-7);
        }
        float[] l = Softmax.reference(x, 2, 3, 1, true);
        assertEquals(Math.log(Math.exp(1) / z), l[3], 1e-6);
    }

    @Test
    void largeInputsSplitOverThreads() throws SessionException {
        Random random = new Random(32);
        for (long[] s : new long[][] {shape(700, 1000), shape(4, 50, 33, 33)}) {
            float[] x = Fixtures.uniform(random, s, -30, 30);
            int inner = s.length == 2 ? 1 : 33 * 33;
            float[] y = KernelHarness.run(Fixtures.kernel("Softmax", 13),
                    KernelHarness.node("Softmax", 1, 1, KernelHarness.attrs("axis", s.length == 2 ? 1 : 1)), 13,
                    List.of(In.activation(s, x)), List.of(s), 3)[0];
            assertClose(Softmax.reference(x, (int) s[0], (int) s[1], inner, false), y, RTOL, ATOL, Arrays.toString(s));
        }
    }
}
