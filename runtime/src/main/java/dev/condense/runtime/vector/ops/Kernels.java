// What the kernel factories of this package share: typed attributes, shape checks, constant inputs, dims arithmetic.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;
import java.util.Optional;

/**
 * Factories run once per plan, so everything here may allocate and check at length; none of it
 * runs per inference except {@link #scalar}, {@link #runsInline} and the lane folds, which do
 * neither.
 */
final class Kernels {

    private Kernels() {
    }

    /** How a {@code dev.condense.ops} record is read from a node. */
    @FunctionalInterface
    interface AttrsReader<T> {
        T of(Node node, int opset) throws ModelLoadException;
    }

    /** The node's typed attributes; a malformed attribute becomes a SessionException with the importer's message. */
    static <T> T attrs(KernelContext ctx, AttrsReader<T> reader) throws SessionException {
        try {
            return reader.of(ctx.node(), ctx.opset());
        } catch (ModelLoadException e) {
            throw new SessionException(e.getMessage(), e);
        }
    }

    /** Rethrows an importer check (axis ranges, window arithmetic) as a SessionException. */
    static SessionException fromImporter(ModelLoadException e) {
        return new SessionException(e.getMessage(), e);
    }

    /** Checks that {@code o} has exactly {@code expected} as its shape. */
    static void requireShape(KernelContext ctx, Operand o, long[] expected, String what) throws SessionException {
        if (!Arrays.equals(o.shape(), expected)) {
            throw ctx.error(what + " '" + o.name() + "' has shape " + Arrays.toString(o.shape()) + ", expected "
                    + Arrays.toString(expected));
        }
    }

    /**
     * The integer values of constant input {@code i} (axes, pads, indices, sizes), or empty when the
     * input is omitted. A value that only exists at run time is an error: these fix the plan's shapes.
     */
    static Optional<long[]> constantInts(KernelContext ctx, int i, String what) throws SessionException {
        if (!ctx.hasInput(i)) {
            return Optional.empty();
        }
        Optional<Tensor> t = ctx.constantInput(i);
        if (t.isEmpty()) {
            throw ctx.error(what + " (input " + i + ", '" + ctx.node().inputs().get(i) + "') is computed at run time;"
                    + " the vector engine needs it constant once the input shapes are fixed");
        }
        Tensor c = t.get();
        if (c.dtype().isFloatingPoint()) {
            throw ctx.error(what + " (input " + i + ") must be integers, got " + c.dtype().displayName());
        }
        return Optional.of(c.toLongArray());
    }

    /** The constant float value of scalar input {@code i}, when it is a one-element constant. */
    static Optional<Float> constantScalar(KernelContext ctx, int i) throws SessionException {
        if (!ctx.hasInput(i) || !ctx.input(i).isConstant()) {
            return Optional.empty();
        }
        requireScalar(ctx, i, "input " + i);
        return Optional.of(ctx.input(i).constant()[0]);
    }

    /** Checks that input {@code i} holds exactly one value (a bound, an exponent, a pad value). */
    static Operand requireScalar(KernelContext ctx, int i, String what) throws SessionException {
        Operand o = ctx.input(i);
        if (o.size() != 1) {
            throw ctx.error(what + " '" + o.name() + "' must hold one value, got shape " + Arrays.toString(o.shape()));
        }
        return o;
    }

    /** The one value of a scalar operand in this run (a constant, or a graph input fed at run time). */
    static float scalar(Operand o, float[] arena) {
        return o.array(arena)[o.offset()];
    }

    /**
     * True when {@code n} items are too few to share over {@code parallel}'s threads, matching
     * {@link Parallel#forRange}: kernels then call their body directly and allocate nothing.
     */
    static boolean runsInline(Parallel parallel, int n, int grain) {
        return parallel.shares(n, grain) <= 1;
    }

    /** {@link Lanes#sumLanes}: the sum of a vector's lanes in lane order, the same before and after the JIT. */
    static float sumLanes(FloatVector v) {
        return Lanes.sumLanes(v);
    }

    /** The product of a vector's lanes, lane 0 first, for the same reason as {@link #sumLanes}. */
    static float productLanes(FloatVector v) {
        float p = 1;
        for (int i = 0; i < v.length(); i++) {
            p *= v.lane(i);
        }
        return p;
    }

    /** The product of {@code dims[from..to)}, as an int: every activation fits a float array. */
    static int product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p = Math.multiplyExact(p, dims[i]);
        }
        return Math.toIntExact(p);
    }

    /** Row-major strides of {@code dims}, in elements. */
    static int[] strides(long[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc = Math.multiplyExact(acc, Math.toIntExact(dims[i]));
        }
        return s;
    }

    /** {@code axis} in [0, rank), negative counting from the end, or an error naming the valid range. */
    static int axis(KernelContext ctx, long axis, int rank, String what) throws SessionException {
        if (axis < -rank || axis >= rank) {
            throw ctx.error(what + " is " + axis + "; for rank " + rank + " it must lie in [" + (-rank) + ", "
                    + (rank - 1) + "]");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
