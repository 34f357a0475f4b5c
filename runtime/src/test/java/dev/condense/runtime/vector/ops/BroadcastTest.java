// Binary and variadic kernels against the broadcasting reference on the CNN shape patterns, tails and odd ranks.
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

/**
 * Each pair exercises one path of {@link Broadcast}: equal shapes and scalars (one flat row),
 * per-channel and per-plane scalars (rows with one value), trailing vectors (vector rows), both
 * sides broadcast, and ranks that differ. Pow uses the vector pow, whose last bits may differ
 * from Math.pow; the other ops must match their scalar definition exactly.
 */
class BroadcastTest {

    static final double POW_RTOL = 1e-5;

    /** {a, b} shape pairs. */
    static final List<long[][]> PAIRS = pairs();

    private static List<long[][]> pairs() {
        List<long[][]> p = new ArrayList<>();
        for (int n : Fixtures.EDGE_SIZES) {
            p.add(new long[][] {shape(n), shape(n)});
            p.add(new long[][] {shape(n), shape()});
            p.add(new long[][] {shape(), shape(n)});
            p.add(new long[][] {shape(1), shape(n)});
        }
        p.add(new long[][] {shape(2, 5, 3, 9), shape(5, 1, 1)});       // per-channel bias
        p.add(new long[][] {shape(1, 17, 4, 4), shape(1, 17, 1, 1)});  // squeeze-and-excitation gate
        p.add(new long[][] {shape(2, 17, 4, 4), shape(2, 17, 1, 1)});
        p.add(new long[][] {shape(5, 1, 1), shape(2, 5, 3, 9)});       // scalar on the left of rows
        p.add(new long[][] {shape(3, 33), shape(33)});                 // trailing vector
        p.add(new long[][] {shape(33), shape(4, 33)});
        p.add(new long[][] {shape(3, 1, 5), shape(1, 4, 1)});          // both broadcast
        p.add(new long[][] {shape(2, 1), shape(1, 9)});
        p.add(new long[][] {shape(2, 3, 1, 7), shape(3, 5, 1)});
        p.add(new long[][] {shape(1, 1, 1), shape(1)});
        p.add(new long[][] {shape(2, 0, 3), shape(3)});                // empty
        return p;
    }

    record Op(String name, int opset, Broadcast.ScalarOp reference, double rtol) {
    }

    static final List<Op> OPS = List.of(
            new Op("Add", 14, Add::reference, 0), new Op("Sub", 14, Sub::reference, 0),
            new Op("Mul", 14, Mul::reference, 0), new Op("Div", 14, Div::reference, 0),
            new Op("Max", 13, Max::reference, 0), new Op("Min", 13, Min::reference, 0),
            new Op("Pow", 15, Pow::reference, POW_RTOL));

    @Test
    void binaryOpsMatchTheBroadcastingReference() throws SessionException {
        Random random = new Random(7);
        for (Op op : OPS) {
            for (long[][] pair : PAIRS) {
                check(op, pair[0], pair[1], random, 1);
            }
        }
    }

    @Test
    void largeShapesSplitOverThreadsGiveTheSameResult() throws SessionException {
        Random random = new Random(8);
        for (Op op : List.of(OPS.get(0), OPS.get(2))) {
            check(op, shape(Fixtures.PARALLEL_SIZE), shape(Fixtures.PARALLEL_SIZE), random, 3);
            check(op, shape(Fixtures.PARALLEL_SIZE), shape(), random, 3);
            check(op, shape(2, 64, 56, 57), shape(64, 1, 1), random, 3);
            check(op, shape(1, 256, 28, 28), shape(1, 256, 1, 1), random, 4);
            check(op, shape(4000, 100), shape(100), random, 3);
        }
    }

    private static void check(Op op, long[] as, long[] bs, Random random, int threads) throws SessionException {
        float[] a = Fixtures.uniform(random, as, 0.25f, 4f);
        float[] b = Fixtures.uniform(random, bs, -3f, 3f);
        if (!op.name().equals("Pow")) {
            a = Fixtures.uniform(random, as, -4f, 4f);
        }
        long[] out = broadcast(as, bs);
        float[] expected = Broadcast.reference(op.reference(), a, as, b, bs, out);
        // Constants on either side take the same path as activations; alternate to cover both.
        In right = (as.length + bs.length) % 2 == 0 ? In.constant(bs, b) : In.activation(bs, b);
        float[] actual = KernelHarness.run(Fixtures.kernel(op.name(), op.opset()),
                KernelHarness.node(op.name(), 2, 1, Map.of()), op.opset(), List.of(In.activation(as, a), right),
                List.of(out), threads)[0];
        assertClose(expected, actual, op.rtol(), 0, op.name() + " " + Arrays.toString(as) + " and "
                + Arrays.toString(bs));
    }

    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            long db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    @Test
    void powWithScalarExponentsTakesTheMultiplicationPaths() throws SessionException {
        Random random = new Random(9);
        float[] x = Fixtures.uniform(random, 37, -3f, 3f);
        for (float e : new float[] {1f, 2f, 3f, 0.5f, -1f, 2.5f}) {
            float[] expected = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = (float) Math.pow(x[i], e);
            }
            float[] y = KernelHarness.run1(Fixtures.kernel("Pow", 15), KernelHarness.node("Pow", 2, 1, Map.of()), 15,
                    List.of(In.activation(shape(37), x), In.constant(shape(), new float[] {e})), shape(37));
            // x*x*x rounds twice: one ulp off pow(x, 3) at most.
            assertClose(expected, y, e == 3f ? 2.4e-7 : POW_RTOL, 0, "Pow exponent " + e);
        }
    }

    @Test
    void preluBroadcastsItsSlopeToX() throws SessionException {
        Random random = new Random(10);
        long[][][] cases = {{shape(2, 5, 3, 9), shape(5, 1, 1)}, {shape(3, 4, 5), shape(5)}, {shape(17), shape(17)},
                {shape(2, 33), shape()}, {shape(1, 8, 9), shape(1, 8, 9)}};
        for (long[][] c : cases) {
            float[] x = Fixtures.uniform(random, c[0], -2, 2);
            float[] s = Fixtures.uniform(random, c[1], 0, 0.5f);
            float[] expected = Broadcast.reference(PRelu::reference, x, c[0], s, c[1], c[0]);
            float[] y = KernelHarness.run1(Fixtures.kernel("PRelu", 16), KernelHarness.node("PRelu", 2, 1, Map.of()), 16,
                    List.of(In.activation(c[0], x), In.constant(c[1], s)), c[0]);
            assertClose(expected, y, 0, 0, "PRelu " + Arrays.toString(c[1]));
        }
    }

    @Test
    void variadicOpsFoldEveryInput() throws SessionException {
        Random random = new Random(11);
        long[][] shapes = {shape(3, 1), shape(1, 9), shape(9), shape(3, 9)};
        float[][] in = new float[shapes.length][];
        List<In> inputs = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            in[i] = Fixtures.uniform(random, shapes[i], -5, 5);
            inputs.add(In.activation(shapes[i], in[i]));
        }
        long[] out = shape(3, 9);
        for (String op : List.of("Sum", "Mean", "Max", "Min")) {
            Broadcast.ScalarOp f = switch (op) {
                case "Sum", "Mean" -> Add::reference;
                case "Max" -> Max::reference;
                default -> Min::reference;
            };
            float[] acc = Broadcast.reference(f, in[0], shapes[0], in[1], shapes[1], out);
            for (int i = 2; i < shapes.length; i++) {
                acc = Broadcast.reference(f, acc, out, in[i], shapes[i], out);
            }
            if (op.equals("Mean")) {
                for (int i = 0; i < acc.length; i++) {
                    acc[i] /= shapes.length;
                }
            }
            float[] y = KernelHarness.run1(Fixtures.kernel(op, 13), KernelHarness.node(op, shapes.length, 1, Map.of()),
                    13, inputs, out);
            assertClose(acc, y, 0, 0, op);
            float[] one = KernelHarness.run1(Fixtures.kernel(op, 13), KernelHarness.node(op, 1, 1, Map.of()), 13,
                    List.of(inputs.get(3)), out);
            assertClose(in[3], one, 0, 0, op + " of one input");
        }
    }

    @Test
    void shapesThatDoNotBroadcastAreRefusedWithBothShapes() {
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("Add", 14),
                KernelHarness.node("Add", 2, 1, Map.of()), 14,
                List.of(In.activation(shape(2, 3), new float[6]), In.activation(shape(4), new float[4])), shape(2, 3)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }
}
