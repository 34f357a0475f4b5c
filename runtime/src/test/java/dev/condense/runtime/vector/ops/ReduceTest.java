// Every Reduce kind over every axis subset of small shapes, against the reference that accumulates in double.
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

/** The kernel sums in float, reassociated across vector lanes; the reference sums in double: {@link #RTOL}. */
class ReduceTest {

    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;

    static final Map<String, Reduce.Kind> OPS = Map.of("ReduceSum", Reduce.Kind.SUM, "ReduceMean", Reduce.Kind.MEAN,
            "ReduceMax", Reduce.Kind.MAX, "ReduceMin", Reduce.Kind.MIN, "ReduceProd", Reduce.Kind.PROD,
            "ReduceSumSquare", Reduce.Kind.SUM_SQUARE, "ReduceL1", Reduce.Kind.L1, "ReduceL2", Reduce.Kind.L2,
            "ReduceLogSum", Reduce.Kind.LOG_SUM);

    @Test
    void everyKindOverEveryAxisSubset() throws SessionException {
        Random random = new Random(61);
        long[][] shapes = {shape(17), shape(3, 9), shape(2, 1, 33), shape(2, 3, 4, 5), shape(1, 8, 3, 3)};
        for (long[] s : shapes) {
            float[] x = Fixtures.uniform(random, s, 0.5f, 1.5f);
            for (Map.Entry<String, Reduce.Kind> op : OPS.entrySet()) {
                for (int mask = 0; mask < (1 << s.length); mask++) {
                    for (boolean keep : new boolean[] {true, false}) {
                        check(op.getKey(), op.getValue(), s, x, mask, keep, 1);
                    }
                }
            }
        }
    }

    @Test
    void globalAverageAsReduceMeanOverThreads() throws SessionException {
        Random random = new Random(62);
        long[] s = shape(2, 128, 28, 28);
        float[] x = Fixtures.uniform(random, s, -1, 1);
        check("ReduceMean", Reduce.Kind.MEAN, s, x, 0b0011, true, 3);
        check("ReduceSum", Reduce.Kind.SUM, s, x, 0b1100, false, 3);
        check("ReduceMax", Reduce.Kind.MAX, s, x, 0b0101, true, 3);
    }

    private static void check(String op, Reduce.Kind kind, long[] s, float[] x, int mask, boolean keep, int threads)
            throws SessionException {
        boolean[] reduced = new boolean[s.length];
        List<Long> axes = new ArrayList<>();
        List<Long> out = new ArrayList<>();
        for (int d = 0; d < s.length; d++) {
            reduced[d] = (mask & (1 << (s.length - 1 - d))) != 0;
            if (reduced[d]) {
                axes.add(random(d, s.length));
            }
            if (!reduced[d]) {
                out.add(s[d]);
            } else if (keep) {
                out.add(1L);
            }
        }
        if (axes.isEmpty()) {
            Arrays.fill(reduced, true); // empty axes reduce everything
            if (keep) {
                out.clear();
                for (int d = 0; d < s.length; d++) {
                    out.add(1L);
                }
            } else {
                out.clear();
            }
        }
        long[] outShape = out.stream().mapToLong(Long::longValue).toArray();
        long[] axisValues = axes.stream().mapToLong(Long::longValue).toArray();
        // ReduceSum takes axes as an input from opset 13, the others from 18: test both forms.
        int opset = 13;
        boolean input = op.equals("ReduceSum");
        float[] y = KernelHarness.run(Fixtures.kernel(op, opset),
                KernelHarness.node(op, input ? 2 : 1, 1, input ? KernelHarness.attrs("keepdims", keep ? 1 : 0)
                        : KernelHarness.attrs("keepdims", keep ? 1 : 0, "axes", axisValues)), opset,
                input ? List.of(In.activation(s, x), In.ints(axisValues)) : List.of(In.activation(s, x)),
                List.of(outShape), threads)[0];
        assertClose(Reduce.reference(kind, x, s, reduced), y, RTOL, ATOL, op + " axes " + axes + " keepdims " + keep
                + " of " + Arrays.toString(s));
    }

    /** Axis d written as a positive or negative index, varying with d. */
    private static long random(int d, int rank) {
        return d % 2 == 0 ? d : d - rank;
    }

    @Test
    void emptyAxesWithNoopCopy() throws SessionException {
        long[] s = shape(3, 4);
        float[] x = Fixtures.uniform(new Random(63), s, -1, 1);
        float[] y = KernelHarness.run1(Fixtures.kernel("ReduceSum", 13), KernelHarness.node("ReduceSum", 2, 1,
                KernelHarness.attrs("noop_with_empty_axes", 1)), 13,
                List.of(In.activation(s, x), In.intsShaped(shape(0))), s);
        assertClose(x, y, 0, 0, "ReduceSum noop");
    }
}
