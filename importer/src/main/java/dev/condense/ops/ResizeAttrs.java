// Typed attributes of Resize and its predecessor Upsample, across their opset versions.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;
import java.util.List;

/**
 * Resize's and Upsample's attributes. Upsample before opset 9 carries {@code scales} as an
 * attribute (one per dimension); later versions take scales (and from Resize-11 sizes) as inputs
 * and {@code scales} here is empty. Before opset 11 there is no coordinate mode: the legacy
 * behaviour is recorded as {@code asymmetric} coordinates and {@code floor} nearest rounding.
 * {@code axes} (empty: all) and {@code keepAspectRatioPolicy} exist from opset 18.
 */
public record ResizeAttrs(String mode, String coordinateTransformationMode, String nearestMode, float cubicCoeffA,
                          boolean excludeOutside, float extrapolationValue, boolean antialias, long[] axes,
                          String keepAspectRatioPolicy, float[] scales) {

    public ResizeAttrs {
        axes = axes.clone();
        scales = scales.clone();
    }

    public static ResizeAttrs of(Node node, int opset) throws ModelLoadException {
        boolean upsample = node.opType().equals("Upsample");
        if (upsample) {
            Attrs.rejectFrom(node, "scales", opset, 9, "the scales are input 1");
        }
        float[] scales = new float[0];
        if (upsample && opset < 9) {
            scales = Attrs.floats(node, "scales").orElseThrow(() -> new ModelLoadException(node.describe()
                    + ": required attribute 'scales' (FLOATS) is missing"));
            for (float s : scales) {
                if (!(s > 0)) {
                    throw new ModelLoadException(node.describe() + ": attribute 'scales' " + Arrays.toString(scales)
                            + " holds " + s + "; scales must be > 0");
                }
            }
        }
        boolean modern = !upsample && opset >= 11;
        List<String> modes = modern ? List.of("nearest", "linear", "cubic") : List.of("nearest", "linear", "bilinear");
        String mode = Attrs.oneOf(node, "mode", "nearest", modes);
        if (!modern) {
            return new ResizeAttrs(mode.equals("bilinear") ? "linear" : mode, "asymmetric", "floor", -0.75f, false, 0f,
                    false, new long[0], "stretch", scales);
        }
        List<String> coordinateModes = opset >= 19
                ? List.of("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
                        "tf_crop_and_resize")
                : List.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                        "tf_crop_and_resize");
        Attrs.requireSince(node, "antialias", opset, 18);
        Attrs.requireSince(node, "axes", opset, 18);
        Attrs.requireSince(node, "keep_aspect_ratio_policy", opset, 18);
        long[] axes = Attrs.ints(node, "axes").orElse(new long[0]);
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new ResizeAttrs(mode,
                Attrs.oneOf(node, "coordinate_transformation_mode", "half_pixel", coordinateModes),
                Attrs.oneOf(node, "nearest_mode", "round_prefer_floor",
                        List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")),
                Attrs.getFloat(node, "cubic_coeff_a", -0.75f),
                Attrs.flag(node, "exclude_outside", false),
                Attrs.getFloat(node, "extrapolation_value", 0f),
                Attrs.flag(node, "antialias", false),
                axes,
                Attrs.oneOf(node, "keep_aspect_ratio_policy", "stretch", List.of("stretch", "not_larger", "not_smaller")),
                scales);
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public float[] scales() {
        return scales.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResizeAttrs r && mode.equals(r.mode)
                && coordinateTransformationMode.equals(r.coordinateTransformationMode)
                && nearestMode.equals(r.nearestMode) && Float.compare(cubicCoeffA, r.cubicCoeffA) == 0
                && excludeOutside == r.excludeOutside && Float.compare(extrapolationValue, r.extrapolationValue) == 0
                && antialias == r.antialias && Arrays.equals(axes, r.axes)
                && keepAspectRatioPolicy.equals(r.keepAspectRatioPolicy) && Arrays.equals(scales, r.scales);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {mode, coordinateTransformationMode, nearestMode, cubicCoeffA,
                excludeOutside, extrapolationValue, antialias, axes, keepAspectRatioPolicy, scales});
    }

    @Override
    public String toString() {
        return "ResizeAttrs[mode=" + mode + ", coordinateTransformationMode=" + coordinateTransformationMode
                + ", nearestMode=" + nearestMode + ", cubicCoeffA=" + cubicCoeffA + ", excludeOutside=" + excludeOutside
                + ", extrapolationValue=" + extrapolationValue + ", antialias=" + antialias + ", axes="
                + Arrays.toString(axes) + ", keepAspectRatioPolicy=" + keepAspectRatioPolicy + ", scales="
                + Arrays.toString(scales) + "]";
    }
}
