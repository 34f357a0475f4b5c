// Scale and zero point of one quantized tensor, per tensor or per channel, checked when made.
package dev.condense.quantize.int8;

import java.util.Arrays;

/**
 * Affine quantization {@code q = clamp(round(x / scale) + zeroPoint)}, {@code x ≈ (q - zeroPoint) ·
 * scale}, with rounding half to even as ONNX's QuantizeLinear does. {@code axis} is -1 for one
 * scale for the whole tensor, else the axis whose index picks the scale.
 *
 * @param scales     positive, finite scales: one, or one per index of {@code axis}
 * @param zeroPoints one per scale, inside the type's range
 */
public record QuantParams(float[] scales, int[] zeroPoints, QuantType type, int axis) {

    public QuantParams {
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(scales.length + " scales and " + zeroPoints.length + " zero points");
        }
        if (axis < 0 && scales.length != 1) {
            throw new IllegalArgumentException("a per-tensor quantization has one scale, not " + scales.length);
        }
        for (int i = 0; i < scales.length; i++) {
            checkScale(scales[i], i);
            if (zeroPoints[i] < type.qmin() || zeroPoints[i] > type.qmax()) {
                throw new IllegalArgumentException("zero point " + zeroPoints[i] + (scales.length > 1 ? " of channel " + i : "")
                        + " is outside " + type.label() + "'s range " + type.qmin() + ".." + type.qmax());
            }
        }
    }

    private static void checkScale(float s, int channel) {
        if (!(s > 0) || !Float.isFinite(s)) {
            throw new IllegalArgumentException("scale " + s + (channel > 0 ? " of channel " + channel : "")
                    + " is not a positive finite number");
        }
    }

    /**
     * Asymmetric parameters covering {@code [min, max]}, widened to include 0 so that zero (padding,
     * ReLU's floor) is exact. A range of width 0 gets scale 1.
     */
    public static QuantParams asymmetric(double min, double max, QuantType type) throws QuantizationException {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new QuantizationException("range [" + min + ", " + max + "] cannot be quantized");
        }
        double lo = Math.min(min, 0);
        double hi = Math.max(max, 0);
        double scale = (hi - lo) / (type.qmax() - type.qmin());
        if (!(scale > 0) || (float) scale == 0f || !Float.isFinite((float) scale)) {
            // Only [0, 0] gets here (the range always holds 0): any scale, zero at the type's minimum.
            return new QuantParams(new float[] {1f}, new int[] {type.qmin()}, type, -1);
        }
        float s = (float) scale;
        long zp = Math.round(type.qmin() - lo / s);
        zp = Math.clamp(zp, type.qmin(), type.qmax());
        return new QuantParams(new float[] {s}, new int[] {(int) zp}, type, -1);
    }

    /** Symmetric int8 parameters, zero point 0, one scale per entry of {@code absMax} along {@code axis}. */
    public static QuantParams symmetric(float[] absMax, int axis) {
        float[] s = new float[absMax.length];
        for (int i = 0; i < s.length; i++) {
            float sc = absMax[i] / QuantType.INT8.symmetricMax();
            s[i] = sc > 0 && Float.isFinite(sc) ? sc : 1f;
        }
        return new QuantParams(s, new int[s.length], QuantType.INT8, axis);
    }

    public boolean perChannel() {
        return axis >= 0;
    }

    public int channels() {
        return scales.length;
    }

    public float scale() {
        return scales[0];
    }

    public int zeroPoint() {
        return zeroPoints[0];
    }

    /** {@code clamp(rint(x / scale) + zp)} for channel {@code c}. */
    public int quantize(float x, int c) {
        double q = Math.rint(x / scales[c]) + zeroPoints[c];
        return (int) Math.clamp(q, type.qmin(), type.qmax());
    }

    public float dequantize(int q, int c) {
        return (q - zeroPoints[c]) * scales[c];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantParams p && Arrays.equals(scales, p.scales) && Arrays.equals(zeroPoints, p.zeroPoints)
                && type == p.type && axis == p.axis;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + type.hashCode() * 7 + axis;
    }

    @Override
    public String toString() {
        return perChannel() ? type.label() + " per-channel(axis " + axis + ", " + scales.length + " scales)"
                : type.label() + " scale " + scales[0] + " zero point " + zeroPoints[0];
    }
}
