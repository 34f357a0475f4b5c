// How an int8 (or uint8) tensor maps to real values: per tensor or per channel along one axis, a scale and a zero point each.
package dev.condense.compress.layer;

import java.util.Arrays;
import java.util.Objects;

/**
 * The quantization of an 8-bit tensor as ONNX's DequantizeLinear applies it:
 * {@code real = (q - zeroPoint[c]) * scale[c]}, with {@code c} the element's index along
 * {@code axis}, or the single channel when {@code axis} is {@link #PER_TENSOR}. Elements are int8
 * (−128..127) or, when {@code unsigned}, uint8 (0..255); a zero point is held as the byte it is
 * stored as, so it is in range by construction. Scales must be finite and positive: a zero, negative
 * or non-finite scale makes the stored values meaningless, and a reader refuses it.
 *
 * @param unsigned   uint8 elements (else int8)
 * @param axis       the channel axis, or {@link #PER_TENSOR}
 * @param scales     one per channel: 1 per tensor, {@code dims[axis]} per channel
 * @param zeroPoints one per channel, as stored (read with {@link #zeroPoint(int)})
 */
public record Int8Quantization(boolean unsigned, int axis, float[] scales, byte[] zeroPoints) {

    /** The {@code axis} of a per-tensor quantization: one scale and zero point for every element. */
    public static final int PER_TENSOR = -1;

    public Int8Quantization {
        Objects.requireNonNull(scales, "scales");
        Objects.requireNonNull(zeroPoints, "zeroPoints");
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
        if (axis < PER_TENSOR) {
            throw new IllegalArgumentException("axis " + axis + " is neither a dimension nor PER_TENSOR (-1)");
        }
        if (scales.length != zeroPoints.length || (axis == PER_TENSOR && scales.length != 1)) {
            throw new IllegalArgumentException(scales.length + " scales and " + zeroPoints.length + " zero points"
                    + (axis == PER_TENSOR ? " for a per-tensor quantization (expected 1 of each)" : "; expected as many of each"));
        }
        String bad = badScale(scales);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
    }

    /** One scale and zero point for the whole tensor. */
    public static Int8Quantization perTensor(boolean unsigned, float scale, int zeroPoint) {
        return new Int8Quantization(unsigned, PER_TENSOR, new float[] {scale}, new byte[] {zeroPointByte(unsigned, zeroPoint)});
    }

    /** Symmetric int8 per output channel (zero points 0), as Condense's quantizer writes weights. */
    public static Int8Quantization symmetric(int axis, float... scales) {
        return new Int8Quantization(false, axis, scales, new byte[scales.length]);
    }

    /** The byte storing {@code zeroPoint}, which must lie in the element type's range. */
    public static byte zeroPointByte(boolean unsigned, int zeroPoint) {
        int min = unsigned ? 0 : -128;
        int max = unsigned ? 255 : 127;
        if (zeroPoint < min || zeroPoint > max) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " outside " + min + ".." + max + " ("
                    + (unsigned ? "uint8" : "int8") + ")");
        }
        return (byte) zeroPoint;
    }

    /** What is wrong with these scales (zero, negative, NaN, infinite), or null. */
    static String badScale(float[] scales) {
        for (int c = 0; c < scales.length; c++) {
            float s = scales[c];
            if (!(s > 0) || Float.isInfinite(s)) {
                return "scale " + c + " is " + s + " (bits 0x" + Integer.toHexString(Float.floatToRawIntBits(s))
                        + "); a scale must be finite and positive";
            }
        }
        return null;
    }

    public boolean perTensor() {
        return axis == PER_TENSOR;
    }

    public int channels() {
        return scales.length;
    }

    @Override
    public float[] scales() {
        return scales.clone();
    }

    @Override
    public byte[] zeroPoints() {
        return zeroPoints.clone();
    }

    public float scale(int channel) {
        return scales[channel];
    }

    /** The zero point of {@code channel} as a number: −128..127, or 0..255 when unsigned. */
    public int zeroPoint(int channel) {
        return unsigned ? zeroPoints[channel] & 0xFF : zeroPoints[channel];
    }

    /** The element value a stored byte stands for: −128..127, or 0..255 when unsigned. */
    public int value(byte stored) {
        return unsigned ? stored & 0xFF : stored;
    }

    /**
     * Elements per step along the axis for a tensor of {@code dims}: the channel of flat position p
     * is {@code (p / inner) % channels}. 1 per tensor (with one channel, every p maps to 0).
     */
    public long inner(long[] dims) {
        long inner = 1;
        for (int d = axis + 1; d < dims.length && axis != PER_TENSOR; d++) {
            inner *= dims[d];
        }
        return inner;
    }

    /**
     * Why this quantization cannot describe a tensor of {@code dims}, or null: the axis must be a
     * dimension and the channels its extent.
     */
    public String problemWith(long[] dims) {
        if (axis == PER_TENSOR) {
            return null;
        }
        if (axis >= dims.length) {
            return "quantization axis " + axis + " is not a dimension of " + Arrays.toString(dims);
        }
        if (dims[axis] != scales.length) {
            return "quantization axis " + axis + " of " + Arrays.toString(dims) + " has " + dims[axis] + " channels, "
                    + scales.length + " scales and zero points given";
        }
        return null;
    }

    /** The real value of every element of {@code values} (flat, row-major, a tensor of {@code dims}). */
    public float[] dequantize(byte[] values, long[] dims) {
        String problem = problemWith(dims);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        float[] out = new float[values.length];
        long inner = inner(dims);
        int channels = channels();
        for (int p = 0; p < values.length; p++) {
            int c = (int) ((p / inner) % channels);
            out[p] = (value(values[p]) - zeroPoint(c)) * scales[c];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Int8Quantization other && unsigned == other.unsigned && axis == other.axis
                && Arrays.equals(scales, other.scales) && Arrays.equals(zeroPoints, other.zeroPoints);
    }

    @Override
    public int hashCode() {
        return Objects.hash(unsigned, axis, Arrays.hashCode(scales), Arrays.hashCode(zeroPoints));
    }

    @Override
    public String toString() {
        return "Int8Quantization[" + (unsigned ? "uint8" : "int8") + ", " + (perTensor() ? "per tensor" : "axis " + axis)
                + ", " + scales.length + " channel" + (scales.length == 1 ? "" : "s") + "]";
    }
}
