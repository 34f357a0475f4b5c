// The resolved geometry of a convolution or pooling window and the output-size arithmetic ONNX defines for it.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Kernel, strides, pads and dilations for one spatial rank, every default filled in. {@code pads}
 * follows ONNX's order {@code [x1_begin, x2_begin, ..., x1_end, x2_end]}. For a transposed
 * convolution use the arithmetic in {@link ConvTransposeAttrs} instead.
 */
public record SlidingWindow(int[] kernel, int[] strides, int[] pads, int[] dilations, AutoPad autoPad, boolean ceilMode) {

    /** Output sizes and the pads actually applied, for concrete input sizes. */
    public record Placement(long[] outputDims, long[] pads) {
        public Placement {
            outputDims = outputDims.clone();
            pads = pads.clone();
        }

        @Override
        public long[] outputDims() {
            return outputDims.clone();
        }

        @Override
        public long[] pads() {
            return pads.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Placement p && Arrays.equals(outputDims, p.outputDims) && Arrays.equals(pads, p.pads);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(outputDims) + Arrays.hashCode(pads);
        }

        @Override
        public String toString() {
            return "Placement[outputDims=" + Arrays.toString(outputDims) + ", pads=" + Arrays.toString(pads) + "]";
        }
    }

    public SlidingWindow {
        kernel = kernel.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
        int r = kernel.length;
        if (strides.length != r || dilations.length != r || pads.length != 2 * r) {
            throw new IllegalArgumentException("window arrays disagree on the spatial rank: kernel "
                    + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides) + ", pads "
                    + Arrays.toString(pads) + ", dilations " + Arrays.toString(dilations));
        }
    }

    public int spatialRank() {
        return kernel.length;
    }

    /** Kernel extent once dilated: {@code dilation * (k - 1) + 1}. */
    public long effectiveKernel(int axis) {
        return Math.addExact(Math.multiplyExact((long) dilations[axis], kernel[axis] - 1L), 1L);
    }

    /**
     * Output size along spatial {@code axis} for an input of {@code inputSize}; zero or negative when
     * the window does not fit (callers report that). Explicit pads use
     * {@code floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1}, ceil in ceil mode,
     * where, as in PyTorch and ONNX Runtime, a last window that would start inside the end padding is
     * dropped. The SAME modes give {@code ceil(in / stride)}.
     */
    public long outputSize(int axis, long inputSize) {
        long stride = strides[axis];
        if (autoPad.isSame()) {
            return Math.ceilDiv(inputSize, stride);
        }
        long padBegin = autoPad == AutoPad.VALID ? 0 : pads[axis];
        long padEnd = autoPad == AutoPad.VALID ? 0 : pads[axis + kernel.length];
        long span = Math.subtractExact(Math.addExact(Math.addExact(inputSize, padBegin), padEnd), effectiveKernel(axis));
        if (!ceilMode || span < 0) {
            return Math.floorDiv(span, stride) + 1;
        }
        long out = Math.ceilDiv(span, stride) + 1;
        if ((out - 1) * stride >= inputSize + padBegin) {
            out--;
        }
        return out;
    }

    /**
     * True when the output size along {@code axis} equals the input size whatever it is, which lets
     * symbolic sizes pass through: stride 1 with SAME padding, or explicit pads that add back what
     * the dilated kernel takes away.
     */
    public boolean preservesSize(int axis) {
        if (strides[axis] != 1) {
            return false;
        }
        if (autoPad.isSame()) {
            return true;
        }
        long padTotal = autoPad == AutoPad.VALID ? 0 : (long) pads[axis] + pads[axis + kernel.length];
        return padTotal == effectiveKernel(axis) - 1;
    }

    /** Begin and end pads applied along {@code axis} for that input size: explicit ones or what SAME needs. */
    public long[] padsFor(int axis, long inputSize) {
        return switch (autoPad) {
            case NOTSET -> new long[] {pads[axis], pads[axis + kernel.length]};
            case VALID -> new long[] {0, 0};
            case SAME_UPPER, SAME_LOWER -> {
                long out = outputSize(axis, inputSize);
                long total = Math.max(0, (out - 1) * strides[axis] + effectiveKernel(axis) - inputSize);
                long small = total / 2;
                yield autoPad == AutoPad.SAME_UPPER ? new long[] {small, total - small} : new long[] {total - small, small};
            }
        };
    }

    /**
     * Output sizes and effective pads for concrete spatial input sizes, or a
     * {@link ModelLoadException} naming the node when the ranks disagree or an output would be empty.
     */
    public Placement resolve(Node node, long[] inputSpatial) throws ModelLoadException {
        int r = kernel.length;
        if (inputSpatial.length != r) {
            throw new ModelLoadException(node.describe() + ": input has " + inputSpatial.length
                    + " spatial dimensions " + Arrays.toString(inputSpatial) + " but the kernel " + Arrays.toString(kernel)
                    + " has " + r);
        }
        long[] out = new long[r];
        long[] effectivePads = new long[2 * r];
        for (int i = 0; i < r; i++) {
            out[i] = outputSize(i, inputSpatial[i]);
            if (out[i] < 1) {
                throw new ModelLoadException(node.describe() + ": output size along spatial axis " + i + " would be "
                        + out[i] + " (" + describeAxis(i, inputSpatial[i]) + ")");
            }
            long[] p = padsFor(i, inputSpatial[i]);
            effectivePads[i] = p[0];
            effectivePads[i + r] = p[1];
        }
        return new Placement(out, effectivePads);
    }

    /**
     * The spatial rank the given window attributes agree on, or -1 when none is given; empty arrays
     * stand for absent attributes. Throws naming the attribute whose length disagrees.
     */
    static int impliedRank(Node node, int[] kernel, int[] strides, int[] pads, int[] dilations)
            throws ModelLoadException {
        if (pads.length % 2 != 0) {
            throw new ModelLoadException(node.describe() + ": attribute 'pads' has " + pads.length + " values "
                    + Arrays.toString(pads) + "; it needs an even count (a begin and an end per spatial axis)");
        }
        int rank = kernel.length > 0 ? kernel.length
                : strides.length > 0 ? strides.length
                : dilations.length > 0 ? dilations.length
                : pads.length / 2;
        if (rank == 0) {
            return -1;
        }
        requireLength(node, "kernel_shape", kernel, rank, rank);
        requireLength(node, "strides", strides, rank, rank);
        requireLength(node, "dilations", dilations, rank, rank);
        requireLength(node, "pads", pads, 2 * rank, rank);
        return rank;
    }

    /**
     * A window of spatial rank {@code kernel.length}: absent (empty) strides and dilations become 1,
     * absent pads 0; given ones must match that rank.
     */
    static SlidingWindow withDefaults(Node node, int[] kernel, int[] strides, int[] pads, int[] dilations,
                                      AutoPad autoPad, boolean ceilMode) throws ModelLoadException {
        int rank = kernel.length;
        requireLength(node, "strides", strides, rank, rank);
        requireLength(node, "dilations", dilations, rank, rank);
        requireLength(node, "pads", pads, 2 * rank, rank);
        return new SlidingWindow(kernel,
                strides.length == 0 ? ones(rank) : strides,
                pads.length == 0 ? new int[2 * rank] : pads,
                dilations.length == 0 ? ones(rank) : dilations,
                autoPad, ceilMode);
    }

    private static void requireLength(Node node, String name, int[] values, int expected, int rank)
            throws ModelLoadException {
        if (values.length != 0 && values.length != expected) {
            String why = name.equals("pads") ? " (a begin and an end per spatial axis)" : "";
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' has " + values.length
                    + " values " + Arrays.toString(values) + "; a " + rank + "-D window needs " + expected + why);
        }
    }

    private static int[] ones(int n) {
        int[] out = new int[n];
        Arrays.fill(out, 1);
        return out;
    }

    /** "input 3, kernel 5, stride 1, dilation 1, pads 0+0": the arithmetic of one axis, for messages. */
    public String describeAxis(int axis, long inputSize) {
        String padding = autoPad == AutoPad.NOTSET
                ? "pads " + pads[axis] + "+" + pads[axis + kernel.length]
                : "auto_pad " + autoPad;
        return "input " + inputSize + ", kernel " + kernel[axis] + ", stride " + strides[axis] + ", dilation "
                + dilations[axis] + ", " + padding + (ceilMode ? ", ceil_mode" : "");
    }

    @Override
    public int[] kernel() {
        return kernel.clone();
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public int[] pads() {
        return pads.clone();
    }

    @Override
    public int[] dilations() {
        return dilations.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlidingWindow w && Arrays.equals(kernel, w.kernel) && Arrays.equals(strides, w.strides)
                && Arrays.equals(pads, w.pads) && Arrays.equals(dilations, w.dilations) && autoPad == w.autoPad
                && ceilMode == w.ceilMode;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {kernel, strides, pads, dilations, autoPad, ceilMode});
    }

    @Override
    public String toString() {
        return "SlidingWindow[kernel=" + Arrays.toString(kernel) + ", strides=" + Arrays.toString(strides) + ", pads="
                + Arrays.toString(pads) + ", dilations=" + Arrays.toString(dilations) + ", autoPad=" + autoPad
                + ", ceilMode=" + ceilMode + "]";
    }
}
