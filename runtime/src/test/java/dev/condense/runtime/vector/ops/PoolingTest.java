// MaxPool and AveragePool, 2-D fast path and generic path, against a brute-force window oracle; global pools too.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Attribute;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static dev.condense.runtime.vector.ops.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oracle visits every tap of every window with the padded coordinates written out, sharing
 * no code with {@link Pooling}; output sizes and SAME pads are computed here from the ONNX
 * formulas too. Sums are reassociated by the separable 2-D path, hence {@link #AVG_RTOL}.
 */
class PoolingTest {

    static final double AVG_RTOL = 1e-5;
    static final double AVG_ATOL = 1e-6;

    /** One random window configuration. */
    record Config(long[] in, int[] kernel, int[] strides, int[] pads, int[] dilations, boolean ceil, boolean includePad,
                  String autoPad) {
        int rank() {
            return kernel.length;
        }
    }

    @Test
    void twoDimensionalPathMatchesTheOracle() throws SessionException {
        Random random = new Random(21);
        int[] widths = {1, 7, 8, 9, 17, 33};
        for (int t = 0; t < 300; t++) {
            Config c = random2d(random, widths[t % widths.length]);
            for (boolean max : new boolean[] {true, false}) {
                check(c, max, false, random);
            }
        }
    }

    @Test
    void genericPathMatchesTheOracle() throws SessionException {
        Random random = new Random(22);
        for (int t = 0; t < 60; t++) {
            Config c = random2d(random, 1 + random.nextInt(12));
            check(c, t % 2 == 0, true, random);
        }
        // 1-D runs the 2-D path as height 1, 3-D the generic path.
        for (int t = 0; t < 60; t++) {
            int r = t % 2 == 0 ? 1 : 3;
            int[] k = new int[r];
            int[] s = new int[r];
            int[] p = new int[2 * r];
            int[] d = new int[r];
            long[] in = new long[r + 2];
            in[0] = 1 + random.nextInt(2);
            in[1] = 1 + random.nextInt(3);
            for (int i = 0; i < r; i++) {
                k[i] = 1 + random.nextInt(3);
                s[i] = 1 + random.nextInt(2);
                d[i] = 1 + random.nextInt(2);
                p[i] = random.nextInt(k[i]);
                p[i + r] = random.nextInt(k[i]);
                in[i + 2] = (long) (k[i] - 1) * d[i] + 1 + random.nextInt(r == 1 ? 20 : 5);
            }
            Config c = new Config(in, k, s, p, d, random.nextBoolean(), random.nextBoolean(), "NOTSET");
            check(c, t % 4 < 2, false, random);
        }
    }

    @Test
    void largePlanesSplitOverThreads() throws SessionException {
        Random random = new Random(23);
        Config c = new Config(shape(2, 64, 56, 57), new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1},
                new int[] {1, 1}, false, false, "NOTSET");
        check(c, true, false, random, 4);
        check(c, false, false, random, 4);
        Config s1 = new Config(shape(1, 32, 40, 40), new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1, 1, 1},
                new int[] {1, 1}, false, true, "NOTSET");
        check(s1, false, false, random, 3);
    }

    private static Config random2d(Random random, int width) {
        int[] k = {1 + random.nextInt(3), 1 + random.nextInt(4)};
        int[] s = {1 + random.nextInt(3), random.nextInt(3) == 0 ? 2 : 1};
        int[] d = {1 + random.nextInt(2), 1 + random.nextInt(2)};
        String autoPad = List.of("NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").get(random.nextInt(6));
        int[] p = {random.nextInt(k[0]), random.nextInt(k[1]), random.nextInt(k[0]), random.nextInt(k[1])};
        long h = (long) (k[0] - 1) * d[0] + 1 + random.nextInt(9);
        long w = Math.max(width, (long) (k[1] - 1) * d[1] + 1);
        return new Config(shape(1 + random.nextInt(2), 1 + random.nextInt(3), h, w), k, s, p, d,
                random.nextBoolean() && autoPad.equals("NOTSET"), random.nextBoolean(), autoPad);
    }

    private static void check(Config c, boolean max, boolean generic, Random random) throws SessionException {
        check(c, max, generic, random, 1);
    }

    private static void check(Config c, boolean max, boolean generic, Random random, int threads)
            throws SessionException {
        String op = max ? "MaxPool" : "AveragePool";
        int opset = max ? 12 : 19; // AveragePool takes dilations from opset 19
        float[] x = Fixtures.uniform(random, c.in(), -5, 5);
        int r = c.rank();
        int[] begin = new int[r];
        int[] end = new int[r];
        long[] out = new long[r + 2];
        out[0] = c.in()[0];
        out[1] = c.in()[1];
        for (int i = 0; i < r; i++) {
            long in = c.in()[i + 2];
            long effective = (long) (c.kernel()[i] - 1) * c.dilations()[i] + 1;
            switch (c.autoPad()) {
                case "NOTSET" -> {
                    begin[i] = c.pads()[i];
                    end[i] = c.pads()[i + r];
                    long span = in + begin[i] + end[i] - effective;
                    long o = (c.ceil() ? Math.ceilDiv(span, c.strides()[i]) : Math.floorDiv(span, c.strides()[i])) + 1;
                    if (c.ceil() && (o - 1) * c.strides()[i] >= in + begin[i]) {
                        o--; // the last window may not start in the end padding
                    }
                    out[i + 2] = o;
                }
                case "VALID" -> out[i + 2] = (in - effective) / c.strides()[i] + 1;
                default -> {
                    long o = Math.ceilDiv(in, c.strides()[i]);
                    long total = Math.max(0, (o - 1) * c.strides()[i] + effective - in);
                    begin[i] = (int) (c.autoPad().equals("SAME_UPPER") ? total / 2 : total - total / 2);
                    end[i] = (int) (total - begin[i]);
                    out[i + 2] = o;
                }
            }
        }
        float[] expected = oracle(x, c.in(), out, c, begin, end, max);
        Map<String, Attribute> attrs = KernelHarness.attrs("kernel_shape", longs(c.kernel()), "strides",
                longs(c.strides()), "dilations", longs(c.dilations()), "auto_pad", c.autoPad(), "ceil_mode",
                c.ceil() ? 1 : 0, "count_include_pad", c.includePad() ? 1 : 0);
        if (c.autoPad().equals("NOTSET")) {
            attrs.put("pads", new Attribute.Ints(longs(c.pads())));
        }
        if (max) {
            attrs.remove("count_include_pad");
        }
        Pooling.Kind kind = max ? Pooling.Kind.MAX : Pooling.Kind.AVERAGE;
        float[] actual = KernelHarness.run(generic ? ctx -> Pooling.reference(ctx, kind) : Fixtures.kernel(op, opset),
                KernelHarness.node(op, 1, 1, attrs), opset, List.of(In.activation(c.in(), x)), List.of(out), threads)[0];
        assertClose(expected, actual, max ? 0 : AVG_RTOL, max ? 0 : AVG_ATOL, op + (generic ? " (generic) " : " ")
                + c + " kernel " + Arrays.toString(c.kernel()) + " strides " + Arrays.toString(c.strides()) + " pads "
                + Arrays.toString(c.pads()) + " dilations " + Arrays.toString(c.dilations()) + " on "
                + Arrays.toString(c.in()));
    }

    /** Every tap of every window, with explicit coordinates. */
    static float[] oracle(float[] x, long[] in, long[] out, Config c, int[] begin, int[] end, boolean max) {
        int r = c.rank();
        int planes = (int) (in[0] * in[1]);
        int inPlane = Kernels.product(in, 2, in.length);
        int outPlane = Kernels.product(out, 2, out.length);
        int taps = 1;
        for (int k : c.kernel()) {
            taps *= k;
        }
        float[] y = new float[planes * outPlane];
        int[] o = new int[r];
        int[] k = new int[r];
        for (int p = 0; p < planes; p++) {
            for (int oi = 0; oi < outPlane; oi++) {
                int rest = oi;
                for (int d = r - 1; d >= 0; d--) {
                    o[d] = (int) (rest % out[d + 2]);
                    rest /= (int) out[d + 2];
                }
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                int valid = 0;
                int padded = 0;
                for (int t = 0; t < taps; t++) {
                    int tr = t;
                    for (int d = r - 1; d >= 0; d--) {
                        k[d] = tr % c.kernel()[d];
                        tr /= c.kernel()[d];
                    }
                    boolean inside = true;
                    boolean insidePadded = true;
                    int off = 0;
                    for (int d = 0; d < r; d++) {
                        int pos = o[d] * c.strides()[d] - begin[d] + k[d] * c.dilations()[d];
                        inside &= pos >= 0 && pos < in[d + 2];
                        insidePadded &= pos >= -begin[d] && pos < in[d + 2] + end[d];
                        off = off * (int) in[d + 2] + pos;
                    }
                    if (insidePadded) {
                        padded++;
                    }
                    if (inside) {
                        valid++;
                        float v = x[p * inPlane + off];
                        acc = max ? Math.max(acc, v) : acc + v;
                    }
                }
                y[p * outPlane + oi] = (float) (max ? acc : acc / (c.includePad() ? padded : valid));
            }
        }
        return y;
    }

    private static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    @Test
    void globalPoolsMatchTheirReference() throws SessionException {
        Random random = new Random(24);
        long[][] shapes = {shape(1, 3, 5, 5), shape(2, 4, 1, 1), shape(1, 2, 3, 3, 3), shape(1, 1, 7), shape(2, 3, 9, 1),
                shape(1, 5, 33), shape(2, 300, 17, 17)};
        for (long[] s : shapes) {
            float[] x = Fixtures.uniform(random, s, -3, 3);
            int planes = (int) (s[0] * s[1]);
            int plane = Kernels.product(s, 2, s.length);
            long[] out = s.clone();
            Arrays.fill(out, 2, out.length, 1);
            for (boolean max : new boolean[] {true, false}) {
                String op = max ? "GlobalMaxPool" : "GlobalAveragePool";
                float[] y = KernelHarness.run(Fixtures.kernel(op, 1), KernelHarness.node(op, 1, 1, Map.of()), 13,
                        List.of(In.activation(s, x)), List.of(out), 3)[0];
                assertClose(GlobalPooling.reference(x, planes, plane, max), y, max ? 0 : AVG_RTOL, AVG_ATOL,
                        op + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void aWindowLargerThanThePaddedInputIsRefusedWithItsArithmetic() {
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("MaxPool", 12),
                KernelHarness.node("MaxPool", 1, 1, KernelHarness.attrs("kernel_shape", new long[] {5, 5})), 12,
                List.of(In.activation(shape(1, 1, 3, 3), new float[9])), shape(1, 1, 1, 1)));
        assertTrue(e.getMessage().contains("kernel 5"), e.getMessage());
        assertEquals(true, e.getMessage().contains("MaxPool"), e.getMessage());
    }
}
