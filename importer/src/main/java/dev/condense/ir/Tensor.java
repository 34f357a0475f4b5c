// An immutable constant tensor: name, element type, dimensions and its bytes in ONNX's raw layout.
package dev.condense.ir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A constant tensor (an initializer or a folded value). {@code data} holds the elements in ONNX's
 * little-endian raw layout and is read-only; it may map a file (external data) or alias the bytes
 * of the model file it came from, so a tensor never costs a copy it does not need.
 */
public record Tensor(String name, DataType dtype, long[] dims, MemorySegment data) {

    public static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        dims = dims.clone();
        long count = elementCount(dims);
        long expected = Math.multiplyExact(count, (long) dtype.byteSize());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + dtype + Arrays.toString(dims)
                    + " needs " + expected + " bytes, got " + data.byteSize());
        }
        data = data.isReadOnly() ? data : data.asReadOnly();
    }

    /** Product of the dimensions, with overflow and negative sizes rejected. */
    public static long elementCount(long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis];
    }

    public long elementCount() {
        return elementCount(dims);
    }

    public long byteSize() {
        return data.byteSize();
    }

    /** The dimensions as IR dims, for value infos. */
    public ValueInfo valueInfo() {
        return ValueInfo.of(name, dtype, Dim.fixed(dims));
    }

    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, dims, data);
    }

    public Tensor reshaped(long[] newDims) {
        return new Tensor(name, dtype, newDims, data);
    }

    // ---- factories ----

    public static Tensor ofFloats(String name, long[] dims, float... values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, seg, FLOAT_LE, 0, values.length);
        return new Tensor(name, DataType.FLOAT, dims, seg);
    }

    public static Tensor ofDoubles(String name, long[] dims, double... values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 8)]);
        MemorySegment.copy(values, 0, seg, DOUBLE_LE, 0, values.length);
        return new Tensor(name, DataType.DOUBLE, dims, seg);
    }

    public static Tensor ofLongs(String name, long[] dims, long... values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 8)]);
        MemorySegment.copy(values, 0, seg, LONG_LE, 0, values.length);
        return new Tensor(name, DataType.INT64, dims, seg);
    }

    public static Tensor ofInts(String name, long[] dims, int... values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, seg, INT_LE, 0, values.length);
        return new Tensor(name, DataType.INT32, dims, seg);
    }

    /** A 1-D int64 tensor, the form of shapes, axes and indices. */
    public static Tensor vector(String name, long... values) {
        return ofLongs(name, new long[] {values.length}, values);
    }

    /** A scalar float tensor. */
    public static Tensor scalar(String name, float value) {
        return ofFloats(name, new long[0], value);
    }

    /** A tensor of any type from its raw little-endian bytes (copied). */
    public static Tensor ofRaw(String name, DataType dtype, long[] dims, byte[] raw) {
        return new Tensor(name, dtype, dims, MemorySegment.ofArray(raw.clone()));
    }

    /**
     * A tensor of the given type whose elements are {@code values} converted to that type
     * (rounding to nearest for floats, truncation toward zero for integers, != 0 for bool).
     */
    public static Tensor fromDoubles(String name, DataType dtype, long[] dims, double[] values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, dtype.byteSize())]);
        for (int i = 0; i < values.length; i++) {
            putDouble(seg, dtype, i, values[i]);
        }
        return new Tensor(name, dtype, dims, seg);
    }

    /** Like {@link #fromDoubles} for integer values, exact for int64. */
    public static Tensor fromLongs(String name, DataType dtype, long[] dims, long[] values) {
        if (dtype.isFloatingPoint()) {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            return fromDoubles(name, dtype, dims, d);
        }
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, dtype.byteSize())]);
        for (int i = 0; i < values.length; i++) {
            putLong(seg, dtype, i, values[i]);
        }
        return new Tensor(name, dtype, dims, seg);
    }

    // ---- element access ----

    /** Element {@code i} (flat, row-major) as a double, whatever the element type. */
    public double getDouble(long i) {
        return switch (dtype) {
            case FLOAT -> data.getAtIndex(FLOAT_LE, i);
            case DOUBLE -> data.getAtIndex(DOUBLE_LE, i);
            case FLOAT16 -> Float.float16ToFloat(data.getAtIndex(SHORT_LE, i));
            case BFLOAT16 -> Float.intBitsToFloat((data.getAtIndex(SHORT_LE, i) & 0xFFFF) << 16);
            case UINT64 -> {
                long v = data.getAtIndex(LONG_LE, i);
                yield v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            default -> getLong(i);
        };
    }

    /** Element {@code i} as a long; floats are truncated toward zero. */
    public long getLong(long i) {
        return switch (dtype) {
            case INT64, UINT64 -> data.getAtIndex(LONG_LE, i);
            case INT32 -> data.getAtIndex(INT_LE, i);
            case UINT32 -> data.getAtIndex(INT_LE, i) & 0xFFFFFFFFL;
            case INT16 -> data.getAtIndex(SHORT_LE, i);
            case UINT16 -> data.getAtIndex(SHORT_LE, i) & 0xFFFF;
            case INT8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case UINT8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            default -> (long) getDouble(i);
        };
    }

    public float getFloat(long i) {
        return dtype == DataType.FLOAT ? data.getAtIndex(FLOAT_LE, i) : (float) getDouble(i);
    }

    /** All elements as floats (a new array). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        if (dtype == DataType.FLOAT) {
            MemorySegment.copy(data, FLOAT_LE, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) getDouble(i);
            }
        }
        return out;
    }

    /** All elements as doubles (a new array). */
    public double[] toDoubleArray() {
        int n = Math.toIntExact(elementCount());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** All elements as longs (a new array); floats are truncated toward zero. */
    public long[] toLongArray() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        if (dtype == DataType.INT64) {
            MemorySegment.copy(data, LONG_LE, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = getLong(i);
            }
        }
        return out;
    }

    /** The raw little-endian bytes (a new array). */
    public byte[] toByteArray() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void putDouble(MemorySegment seg, DataType dtype, long i, double v) {
        switch (dtype) {
            case FLOAT -> seg.setAtIndex(FLOAT_LE, i, (float) v);
            case DOUBLE -> seg.setAtIndex(DOUBLE_LE, i, v);
            case FLOAT16 -> seg.setAtIndex(SHORT_LE, i, Float.floatToFloat16((float) v));
            case BFLOAT16 -> seg.setAtIndex(SHORT_LE, i, toBfloat16((float) v));
            case BOOL -> seg.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> putLong(seg, dtype, i, (long) v);
        }
    }

    private static void putLong(MemorySegment seg, DataType dtype, long i, long v) {
        switch (dtype) {
            case INT64, UINT64 -> seg.setAtIndex(LONG_LE, i, v);
            case INT32, UINT32 -> seg.setAtIndex(INT_LE, i, (int) v);
            case INT16, UINT16 -> seg.setAtIndex(SHORT_LE, i, (short) v);
            case INT8, UINT8 -> seg.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            case BOOL -> seg.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> putDouble(seg, dtype, i, v);
        }
    }

    /** Round-to-nearest-even conversion of a float to bfloat16 bits. */
    private static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    // Records compare arrays and segments by identity; tensors compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(dims, t.dims)
                && data.mismatch(t.data) == -1;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(dims), data.byteSize());
    }

    @Override
    public String toString() {
        return name + ": " + dtype + Arrays.toString(dims);
    }
}
