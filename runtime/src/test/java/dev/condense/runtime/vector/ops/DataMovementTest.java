// Concat, Transpose, Slice, Gather, Split and Pad: exact copies, checked against index-by-index references.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.PadAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static dev.condense.runtime.vector.ops.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** These kernels only move floats, so every comparison is exact. */
class DataMovementTest {

    @Test
    void concatAlongEveryAxis() throws SessionException {
        Random random = new Random(51);
        long[][] bases = {shape(7), shape(2, 9), shape(1, 3, 4, 5), shape(2, 3, 17), shape(1, 8, 33, 9)};
        for (long[] base : bases) {
            for (int axis = 0; axis < base.length; axis++) {
                long[][] shapes = new long[3][];
                float[][] values = new float[3][];
                List<In> in = new ArrayList<>();
                long[] out = base.clone();
                out[axis] = 0;
                for (int k = 0; k < 3; k++) {
                    shapes[k] = base.clone();
                    shapes[k][axis] = k == 1 ? 0 : 1 + random.nextInt(20); // the middle input is empty
                    values[k] = Fixtures.uniform(random, shapes[k], -1, 1);
                    in.add(k == 2 ? In.constant(shapes[k], values[k]) : In.activation(shapes[k], values[k]));
                    out[axis] += shapes[k][axis];
                }
                float[] y = KernelHarness.run1(Fixtures.kernel("Concat", 13),
                        KernelHarness.node("Concat", 3, 1, KernelHarness.attrs("axis", axis - base.length)), 13, in, out);
                assertArrayEquals(Concat.reference(values, shapes, axis), y, "Concat axis " + axis + " of "
                        + Arrays.toString(base));
            }
        }
        // Channel concatenation at N = 1 with blocks larger than a chunk, over threads.
        long[][] shapes = {shape(1, 48, 40, 40), shape(1, 16, 40, 40), shape(1, 64, 40, 40)};
        float[][] values = new float[3][];
        List<In> in = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            values[k] = Fixtures.uniform(random, shapes[k], -1, 1);
            in.add(In.activation(shapes[k], values[k]));
        }
        float[] y = KernelHarness.run(Fixtures.kernel("Concat", 13),
                KernelHarness.node("Concat", 3, 1, KernelHarness.attrs("axis", 1)), 13, in,
                List.of(shape(1, 128, 40, 40)), 3)[0];
        assertArrayEquals(Concat.reference(values, shapes, 1), y, "Concat of large channel blocks");
    }

    @Test
    void transposeEveryPermutationOfRanksUpToFour() throws SessionException {
        Random random = new Random(52);
        long[][] shapes = {shape(5), shape(7, 9), shape(33, 17), shape(2, 3, 4), shape(2, 9, 1, 17), shape(2, 40, 7, 9)};
        for (long[] s : shapes) {
            float[] x = Fixtures.uniform(random, s, -1, 1);
            for (int[] perm : permutations(s.length)) {
                long[] out = new long[s.length];
                long[] strides = new long[s.length];
                int[] in = Kernels.strides(s);
                for (int i = 0; i < s.length; i++) {
                    out[i] = s[perm[i]];
                    strides[i] = in[perm[i]];
                }
                float[] y = KernelHarness.run(Fixtures.kernel("Transpose", 13), KernelHarness.node("Transpose", 1, 1,
                        KernelHarness.attrs("perm", Arrays.stream(perm).asLongStream().toArray())), 13,
                        List.of(In.activation(s, x)), List.of(out), 2)[0];
                assertArrayEquals(StridedCopy.reference(x, out, strides, 0), y, "Transpose " + Arrays.toString(perm)
                        + " of " + Arrays.toString(s));
            }
        }
        // NCHW to NHWC and back at a size that takes the tiled path on several threads; default perm reverses.
        long[] s = shape(2, 64, 30, 31);
        float[] x = Fixtures.uniform(random, s, -1, 1);
        float[] nhwc = KernelHarness.run(Fixtures.kernel("Transpose", 13), KernelHarness.node("Transpose", 1, 1,
                KernelHarness.attrs("perm", new long[] {0, 2, 3, 1})), 13, List.of(In.activation(s, x)),
                List.of(shape(2, 30, 31, 64)), 3)[0];
        float[] back = KernelHarness.run(Fixtures.kernel("Transpose", 13), KernelHarness.node("Transpose", 1, 1,
                KernelHarness.attrs("perm", new long[] {0, 3, 1, 2})), 13, List.of(In.activation(shape(2, 30, 31, 64),
                nhwc)), List.of(s), 3)[0];
        assertArrayEquals(x, back, "NCHW -> NHWC -> NCHW");
        float[] reversed = KernelHarness.run1(Fixtures.kernel("Transpose", 13),
                KernelHarness.node("Transpose", 1, 1, Map.of()), 13, List.of(In.activation(shape(3, 4, 5),
                        Fixtures.uniform(random, 60, 0, 1))), shape(5, 4, 3));
        assertTrue(reversed.length == 60);
    }

    /** 0, 1, 2, ...: every element names its own input position. */
    static float[] iota(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] p, boolean[] used, int at, List<int[]> out) {
        if (at == p.length) {
            out.add(p.clone());
            return;
        }
        for (int i = 0; i < p.length; i++) {
            if (!used[i]) {
                used[i] = true;
                p[at] = i;
                permute(p, used, at + 1, out);
                used[i] = false;
            }
        }
    }

    @Test
    void sliceClampsBoundsAndStepsBackwards() throws SessionException {
        long[] s = shape(6, 9, 17);
        float[] x = iota(6 * 9 * 17);
        long[][][] cases = {
                // starts, ends, axes, steps
                {{1, 2}, {4, 8}, {0, 2}, {1, 3}},
                {{-1}, {Long.MIN_VALUE}, {1}, {-1}},
                {{5, 100}, {-100, 0}, {0, 2}, {-2, -5}},
                {{0}, {Long.MAX_VALUE}, {-1}, {16}},
                {{3}, {3}, {0}, {1}},
                {{-100, 1, 2}, {100, 8, 16}, {0, 1, 2}, {1, 1, 1}},
                {{20}, {30}, {2}, {1}}};
        for (long[][] c : cases) {
            long[] out = s.clone();
            long[] first = new long[3];
            long[] step = {1, 1, 1};
            for (int i = 0; i < c[0].length; i++) {
                int a = (int) (c[2][i] < 0 ? c[2][i] + 3 : c[2][i]);
                long[] r = Slice.range(c[0][i], c[1][i], c[3][i], s[a]);
                first[a] = r[0];
                out[a] = r[1];
                step[a] = c[3][i];
            }
            float[] expected = new float[Kernels.product(out, 0, 3)];
            int e = 0;
            for (int i = 0; i < out[0]; i++) {
                for (int j = 0; j < out[1]; j++) {
                    for (int k = 0; k < out[2]; k++) {
                        long si = first[0] + i * step[0];
                        long sj = first[1] + j * step[1];
                        long sk = first[2] + k * step[2];
                        expected[e++] = x[(int) ((si * 9 + sj) * 17 + sk)];
                    }
                }
            }
            float[] y = KernelHarness.run1(Fixtures.kernel("Slice", 13), KernelHarness.node("Slice", 5, 1, Map.of()), 13,
                    List.of(In.activation(s, x), In.ints(c[0]), In.ints(c[1]), In.ints(c[2]), In.ints(c[3])), out);
            assertArrayEquals(expected, y, "Slice " + Arrays.deepToString(c));
        }
        // The clamping itself, from the ONNX examples.
        assertArrayEquals(new long[] {9, 10}, Slice.range(-1, Long.MIN_VALUE, -1, 10));
        assertArrayEquals(new long[] {0, 0}, Slice.range(1000, 1000, 1, 20));
        assertArrayEquals(new long[] {1, 9}, Slice.range(1, 1000, 1, 10));
        // Opset 1 attributes.
        float[] y = KernelHarness.run1(Fixtures.kernel("Slice", 1), KernelHarness.node("Slice", 1, 1,
                KernelHarness.attrs("starts", new long[] {1, 0}, "ends", new long[] {3, 2}, "axes", new long[] {0, 2})),
                9, List.of(In.activation(s, x)), shape(2, 9, 2));
        assertTrue(y[0] == 153 && y[1] == 154 && y[2] == 170, Arrays.toString(Arrays.copyOf(y, 3)));
    }

    @Test
    void gatherPicksBlocksAndRefusesIndicesOutOfRange() throws SessionException {
        Random random = new Random(53);
        long[] s = shape(5, 4, 3);
        float[] x = Fixtures.uniform(random, s, -1, 1);
        long[][] indexSets = {{0, 4, -1, 2}, {3}, {1, 1, 0, -4, 2, 3}};
        for (int axis = 0; axis < 3; axis++) {
            for (long[] idx : indexSets) {
                long[] valid = Arrays.stream(idx).filter(v -> v < s[0] - 1 && v > -s[0]).toArray();
                if (axis > 0) {
                    long dim = s[axis];
                    valid = Arrays.stream(idx).filter(v -> v < dim && v >= -dim).toArray();
                }
                long[] out = new long[] {s[0], s[1], s[2]};
                out[axis] = valid.length;
                float[] y = KernelHarness.run1(Fixtures.kernel("Gather", 13), KernelHarness.node("Gather", 2, 1,
                        KernelHarness.attrs("axis", axis)), 13, List.of(In.activation(s, x), In.ints(valid)), out);
                assertArrayEquals(Gather.reference(x, s, axis, valid), y, "Gather axis " + axis + " "
                        + Arrays.toString(valid));
            }
        }
        // Two-dimensional indices add a dimension.
        float[] y = KernelHarness.run1(Fixtures.kernel("Gather", 13), KernelHarness.node("Gather", 2, 1,
                KernelHarness.attrs("axis", 1)), 13, List.of(In.activation(s, x), In.intsShaped(shape(2, 2), 0, 3, 2, 1)),
                shape(5, 2, 2, 3));
        assertArrayEquals(Gather.reference(x, s, 1, new long[] {0, 3, 2, 1}), y, "Gather with [2, 2] indices");
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("Gather", 13),
                KernelHarness.node("Gather", 2, 1, Map.of()), 13, List.of(In.activation(s, x), In.ints(5)),
                shape(1, 4, 3)));
        assertTrue(e.getMessage().contains("index 5") && e.getMessage().contains("size 5"), e.getMessage());
    }

    @Test
    void splitCutsIntoConsecutiveParts() throws SessionException {
        long[] s = shape(2, 9, 5);
        float[] x = iota(90);
        // Attribute sizes (opset 11), input sizes (13), an even split and num_outputs (18).
        float[][] parts = KernelHarness.run(Fixtures.kernel("Split", 11), KernelHarness.node("Split", 1, 3,
                KernelHarness.attrs("axis", 1, "split", new long[] {2, 0, 7})), 11, List.of(In.activation(s, x)),
                List.of(shape(2, 2, 5), shape(2, 0, 5), shape(2, 7, 5)), 1);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54}, parts[0]);
        assertTrue(parts[1].length == 0 && parts[2][0] == 10 && parts[2][35] == 55);
        parts = KernelHarness.run(Fixtures.kernel("Split", 13), KernelHarness.node("Split", 2, 2,
                KernelHarness.attrs("axis", -1)), 13, List.of(In.activation(s, x), In.ints(1, 4)),
                List.of(shape(2, 9, 1), shape(2, 9, 4)), 1);
        assertTrue(parts[0][1] == 5 && parts[1][0] == 1 && parts[1][4] == 6);
        parts = KernelHarness.run(Fixtures.kernel("Split", 13), KernelHarness.node("Split", 1, 3, Map.of()), 13,
                List.of(In.activation(shape(6), new float[] {1, 2, 3, 4, 5, 6})), List.of(shape(2), shape(2), shape(2)), 1);
        assertArrayEquals(new float[] {5, 6}, parts[2]);
        parts = KernelHarness.run(Fixtures.kernel("Split", 18), KernelHarness.node("Split", 1, 3,
                KernelHarness.attrs("num_outputs", 3)), 18,
                List.of(In.activation(shape(7), new float[] {1, 2, 3, 4, 5, 6, 7})), List.of(shape(3), shape(3), shape(1)),
                1);
        assertArrayEquals(new float[] {7}, parts[2]);
    }

    @Test
    void padEveryModeWithCropping() throws SessionException {
        Random random = new Random(54);
        long[][] shapes = {shape(7), shape(3, 9), shape(1, 3, 4, 5), shape(2, 2, 1, 17)};
        for (long[] s : shapes) {
            float[] x = Fixtures.uniform(random, s, -1, 1);
            for (PadAttrs.Mode mode : PadAttrs.Mode.values()) {
                for (int t = 0; t < 6; t++) {
                    long[] begin = new long[s.length];
                    long[] end = new long[s.length];
                    for (int d = 0; d < s.length; d++) {
                        int limit = mode == PadAttrs.Mode.CONSTANT ? 4 : (int) s[d] + 2;
                        begin[d] = random.nextInt(limit) - (t == 0 ? Math.min(1, s[d] - 1) : 0);
                        end[d] = random.nextInt(limit);
                    }
                    long[] pads = new long[2 * s.length];
                    long[] out = new long[s.length];
                    for (int d = 0; d < s.length; d++) {
                        pads[d] = begin[d];
                        pads[d + s.length] = end[d];
                        out[d] = s[d] + begin[d] + end[d];
                    }
                    float[] expected = Pad.reference(x, s, begin, end, mode, 0.5f);
                    int opset = mode == PadAttrs.Mode.WRAP ? 19 : 13;
                    float[] y = KernelHarness.run1(Fixtures.kernel("Pad", opset), KernelHarness.node("Pad", 3, 1,
                            KernelHarness.attrs("mode", mode.name().toLowerCase(Locale.ROOT))), opset,
                            List.of(In.activation(s, x), In.ints(pads), In.activation(shape(), new float[] {0.5f})), out);
                    assertArrayEquals(expected, y, "Pad " + mode + " " + Arrays.toString(pads) + " of "
                            + Arrays.toString(s));
                }
            }
        }
        // Opset 2 attributes, and NumPy's reflect on a small example.
        float[] y = KernelHarness.run1(Fixtures.kernel("Pad", 2), KernelHarness.node("Pad", 1, 1,
                KernelHarness.attrs("pads", new long[] {3, 2}, "mode", "reflect")), 2,
                List.of(In.activation(shape(3), new float[] {1, 2, 3})), shape(8));
        assertArrayEquals(new float[] {2, 3, 2, 1, 2, 3, 2, 1}, y);
        assertClose(new float[] {7, 7, 1, 2, 3, 7}, KernelHarness.run1(Fixtures.kernel("Pad", 2),
                KernelHarness.node("Pad", 1, 1, KernelHarness.attrs("pads", new long[] {2, 1}, "value", 7f)), 2,
                List.of(In.activation(shape(3), new float[] {1, 2, 3})), shape(6)), 0, 0, "constant Pad-2");
    }
}
