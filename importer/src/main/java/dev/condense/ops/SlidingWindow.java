// The resolved geometry of a convolution or pooling window and the output-size arithmetic ONNX defines for it.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Kernel, strides, pads and dilations for one spatial rank, every default filled in ({@code attrs}
 * is complete), and pooling's ceil mode. For a transposed convolution use the arithmetic in
 * {@link ConvTransposeAttrs} instead.
 */
public record SlidingWindow(WindowAttrs attrs, boolean ceilMode) {

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
        if (!attrs.isComplete()) {
            throw new IllegalArgumentException("window arrays disagree on the spatial rank: " + attrs);
        }
    }

    public int spatialRank() {
        return attrs.kernelShape().length;
    }

    /** Kernel extent once dilated: {@code dilation * (k - 1) + 1}. */
    public long effectiveKernel(int axis) {
        return Math.addExact(Math.multiplyExact((long) attrs.dilation(axis), attrs.kernel(axis) - 1L), 1L);
    }

    /**
     * Output size along spatial {@code axis} for an input of {@code inputSize}; zero or negative when
     * the window does not fit (callers report that). Explicit pads use
     * {@code floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1}, ceil in ceil mode,
     * where, as in PyTorch and ONNX Runtime, a last window that would start inside the end padding is
     * dropped. The SAME modes give {@code ceil(in / stride)}.
     */
    public long outputSize(int axis, long inputSize) {
        long stride = attrs.stride(axis);
        AutoPad autoPad = attrs.autoPad();
        if (autoPad.isSame()) {
            return Math.ceilDiv(inputSize, stride);
        }
        long padBegin = autoPad == AutoPad.VALID ? 0 : attrs.padBegin(axis);
        long padEnd = autoPad == AutoPad.VALID ? 0 : attrs.padEnd(axis);
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
        if (attrs.stride(axis) != 1) {
            return false;
        }
        AutoPad autoPad = attrs.autoPad();
        if (autoPad.isSame()) {
            return true;
        }
        long padTotal = autoPad == AutoPad.VALID ? 0 : (long) attrs.padBegin(axis) + attrs.padEnd(axis);
        return padTotal == effectiveKernel(axis) - 1;
    }

    /** Begin and end pads applied along {@code axis} for that input size: explicit ones or what SAME needs. */
    public long[] padsFor(int axis, long inputSize) {
        return switch (attrs.autoPad()) {
            case NOTSET -> new long[] {attrs.padBegin(axis), attrs.padEnd(axis)};
            case VALID -> new long[] {0, 0};
            case SAME_UPPER, SAME_LOWER -> {
                long out = outputSize(axis, inputSize);
                long total = Math.max(0, (out - 1) * attrs.stride(axis) + effectiveKernel(axis) - inputSize);
                long small = total / 2;
                yield attrs.autoPad() == AutoPad.SAME_UPPER ? new long[] {small, total - small} : new long[] {total - small, small};
            }
        };
    }

    /**
     * Output sizes and effective pads for concrete spatial input sizes, or a
     * {@link ModelLoadException} naming the node when the ranks disagree or an output would be empty.
     */
    public Placement resolve(Node node, long[] inputSpatial) throws ModelLoadException {
        int r = spatialRank();
        if (inputSpatial.length != r) {
            throw new ModelLoadException(node.describe() + ": input has " + inputSpatial.length
                    + " spatial dimensions " + Arrays.toString(inputSpatial) + " but the kernel "
                    + Arrays.toString(attrs.kernelShape()) + " has " + r);
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

    /** "input 3, kernel 5, stride 1, dilation 1, pads 0+0": the arithmetic of one axis, for messages. */
    public String describeAxis(int axis, long inputSize) {
        String padding = attrs.autoPad() == AutoPad.NOTSET
                ? "pads " + attrs.padBegin(axis) + "+" + attrs.padEnd(axis)
                : "auto_pad " + attrs.autoPad();
        return "input " + inputSize + ", kernel " + attrs.kernel(axis) + ", stride " + attrs.stride(axis) + ", dilation "
                + attrs.dilation(axis) + ", " + padding + (ceilMode ? ", ceil_mode" : "");
    }
}
