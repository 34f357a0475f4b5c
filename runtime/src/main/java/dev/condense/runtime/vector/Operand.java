// Where a kernel finds one of its inputs or outputs: a constant of its own, or a region of the workspace arena.
package dev.condense.runtime.vector;

import dev.condense.ir.DataType;

import java.util.Arrays;

/**
 * Activations live in one float arena per workspace; the memory planner fixes each operand's
 * offset after every kernel is built, so kernels read {@link #offset()} at run time. Constants
 * (weights, biases, folded values) are plain arrays the kernel may repack at build time.
 * Quantized values (uint8, int8, int32) are held as the exact float of each integer; {@link #dtype()}
 * says which ONNX type they stand for, so a plan hands a graph output back in that type.
 */
public final class Operand {

    private final String name;
    private final long[] shape;
    private final float[] constant;
    private final DataType dtype;
    private int offset = -1;

    Operand(String name, long[] shape, float[] constant) {
        this(name, shape, constant, DataType.FLOAT);
    }

    Operand(String name, long[] shape, float[] constant, DataType dtype) {
        this.name = name;
        this.shape = shape.clone();
        this.constant = constant;
        this.dtype = dtype;
    }

    /** The ONNX type the values stand for: FLOAT, or UINT8, INT8, INT32 held as exact floats. */
    public DataType dtype() {
        return dtype;
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Element count; activations are limited to what a float array holds. */
    public int size() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    public boolean isConstant() {
        return constant != null;
    }

    /** The constant's values (shared: do not modify). */
    public float[] constant() {
        if (constant == null) {
            throw new IllegalStateException(name + " is not a constant");
        }
        return constant;
    }

    /** The array holding this operand in a run: the constant, or the workspace arena. */
    public float[] array(float[] arena) {
        return constant != null ? constant : arena;
    }

    /** Start of this operand in {@link #array}: 0 for constants. */
    public int offset() {
        return constant != null ? 0 : offset;
    }

    void place(int arenaOffset) {
        this.offset = arenaOffset;
    }

    @Override
    public String toString() {
        return name + (dtype == DataType.FLOAT ? "" : " " + dtype.displayName()) + Arrays.toString(shape)
                + (constant != null ? " (constant)" : "");
    }
}
