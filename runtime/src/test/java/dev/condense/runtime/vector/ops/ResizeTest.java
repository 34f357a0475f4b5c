// Resize and Upsample: nearest index tables per coordinate mode and bilinear values, against hand-computed outputs.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.ResizeAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static dev.condense.runtime.vector.ops.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected values are worked out from the ONNX formulas by hand for small inputs. */
class ResizeTest {

    static final float[] X = {1, 2, 3, 4};

    @Test
    void upsampleNearestWithAttributeAndInputScales() throws SessionException {
        float[] expected = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
        float[] y = KernelHarness.run1(Fixtures.kernel("Upsample", 7), KernelHarness.node("Upsample", 1, 1,
                        KernelHarness.attrs("scales", new float[] {1, 1, 2, 3})), 7,
                List.of(In.activation(shape(1, 1, 2, 2), X)), shape(1, 1, 4, 6));
        assertArrayEquals(expected, y, "Upsample-7");
        y = KernelHarness.run1(Fixtures.kernel("Upsample", 9), KernelHarness.node("Upsample", 2, 1, Map.of()), 9,
                List.of(In.activation(shape(1, 1, 2, 2), X), In.constant(shape(4), new float[] {1, 1, 2, 3})),
                shape(1, 1, 4, 6));
        assertArrayEquals(expected, y, "Upsample-9");
    }

    @Test
    void bilinearAlignCornersAndHalfPixel() throws SessionException {
        // align_corners, 2x2 to 3x3: corners kept, midpoints averaged.
        float[] y = KernelHarness.run1(Fixtures.kernel("Resize", 13), KernelHarness.node("Resize", 4, 1,
                        KernelHarness.attrs("mode", "linear", "coordinate_transformation_mode", "align_corners")), 13,
                List.of(In.activation(shape(1, 1, 2, 2), X), In.none(), In.none(), In.ints(1, 1, 3, 3)),
                shape(1, 1, 3, 3));
        assertClose(new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, y, 1e-6, 0, "align_corners");
        // half_pixel, 2x2 to 4x4 with scales: edges repeat, inner samples at 1/4 and 3/4.
        y = KernelHarness.run1(Fixtures.kernel("Resize", 13), KernelHarness.node("Resize", 3, 1,
                        KernelHarness.attrs("mode", "linear")), 13,
                List.of(In.activation(shape(1, 1, 2, 2), X), In.none(), In.constant(shape(4), new float[] {1, 1, 2, 2})),
                shape(1, 1, 4, 4));
        assertClose(new float[] {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f,
                3.75f, 4}, y, 1e-6, 0, "half_pixel");
    }

    @Test
    void nearestModesRoundAsSpecified() {
        // asymmetric, scale 2 from 3: sources 0, .5, 1, 1.5, 2, 2.5
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, Resize.nearest(attrs("asymmetric", "round_prefer_floor"), 3, 6, 2));
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 2}, Resize.nearest(attrs("asymmetric", "round_prefer_ceil"), 3, 6, 2));
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 2}, Resize.nearest(attrs("asymmetric", "ceil"), 3, 6, 2));
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, Resize.nearest(attrs("asymmetric", "floor"), 3, 6, 2));
        // align_corners from 3 to 5: sources 0, .5, 1, 1.5, 2
        assertArrayEquals(new int[] {0, 0, 1, 1, 2}, Resize.nearest(attrs("align_corners", "floor"), 3, 5, 5 / 3.0));
    }

    private static ResizeAttrs attrs(String coordinates, String nearest) {
        return new ResizeAttrs("nearest", coordinates, nearest, -0.75f, false, 0f, false, new long[0],
                "stretch", new float[0]);
    }

    @Test
    void cubicIsRefusedByName() {
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("Resize", 13),
                KernelHarness.node("Resize", 4, 1, KernelHarness.attrs("mode", "cubic")), 13,
                List.of(In.activation(shape(1, 1, 2, 2), X), In.none(), In.none(), In.ints(1, 1, 4, 4)),
                shape(1, 1, 4, 4)));
        assertTrue(e.getMessage().contains("cubic"), e.getMessage());
    }
}
