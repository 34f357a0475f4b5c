// The training engine's one registry: each ONNX op the trainer can differentiate, bound once per node to DJL NDArray operations.
package dev.condense.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ops.AxesAttrs;
import dev.condense.ops.BatchNormAttrs;
import dev.condense.ops.ClipAttrs;
import dev.condense.ops.ConcatAttrs;
import dev.condense.ops.ConvAttrs;
import dev.condense.ops.DropoutAttrs;
import dev.condense.ops.FlattenAttrs;
import dev.condense.ops.GemmAttrs;
import dev.condense.ops.HardSigmoidAttrs;
import dev.condense.ops.LeakyReluAttrs;
import dev.condense.ops.LrnAttrs;
import dev.condense.ops.PadAttrs;
import dev.condense.ops.PoolAttrs;
import dev.condense.ops.ReduceAttrs;
import dev.condense.ops.SlidingWindow;
import dev.condense.ops.SoftmaxAttrs;
import dev.condense.ops.TransposeAttrs;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every op of the CNN families, as a function of DJL NDArrays that PyTorch's autograd
 * differentiates. A {@link Factory} parses the node's attributes once (the typed records of
 * {@code dev.condense.ops}, ONNX's defaults applied) and returns the {@link Kernel} the module calls
 * on every step. Geometry that depends on the input (pads under auto_pad, asymmetric pads) is
 * resolved per call from the input's shape, so one bound graph trains at any batch size.
 */
public final class TrainOps {

    /** One node bound to its attributes. {@code in} holds the node's inputs in order, null where omitted. */
    @FunctionalInterface
    public interface Kernel {
        NDArray apply(NDArray[] in, boolean training) throws TrainingException;
    }

    /** Parses a node's attributes and returns its kernel. */
    @FunctionalInterface
    public interface Factory {
        Kernel bind(Node node, int opset) throws ModelLoadException;
    }

    private static final Map<String, Factory> OPS = new TreeMap<>();

    static {
        OPS.put("Conv", TrainOps::conv);
        OPS.put("Gemm", TrainOps::gemm);
        OPS.put("MatMul", (n, o) -> (in, t) -> in[0].matMul(in[1]));
        OPS.put("BatchNormalization", TrainOps::batchNormalization);
        OPS.put("MaxPool", TrainOps::maxPool);
        OPS.put("AveragePool", TrainOps::averagePool);
        OPS.put("GlobalAveragePool", (n, o) -> (in, t) -> global(in[0], true));
        OPS.put("GlobalMaxPool", (n, o) -> (in, t) -> global(in[0], false));
        OPS.put("Relu", (n, o) -> (in, t) -> Activation.relu(in[0]));
        OPS.put("Sigmoid", (n, o) -> (in, t) -> Activation.sigmoid(in[0]));
        OPS.put("Tanh", (n, o) -> (in, t) -> Activation.tanh(in[0]));
        OPS.put("LeakyRelu", TrainOps::leakyRelu);
        OPS.put("Clip", TrainOps::clip);
        OPS.put("HardSigmoid", TrainOps::hardSigmoid);
        OPS.put("HardSwish", (n, o) -> (in, t) -> in[0].mul(in[0].add(3f).clip(0f, 6f)).div(6f));
        OPS.put("Add", (n, o) -> (in, t) -> in[0].add(in[1]));
        OPS.put("Sub", (n, o) -> (in, t) -> in[0].sub(in[1]));
        OPS.put("Mul", (n, o) -> (in, t) -> in[0].mul(in[1]));
        OPS.put("Div", (n, o) -> (in, t) -> in[0].div(in[1]));
        OPS.put("Flatten", TrainOps::flatten);
        OPS.put("Reshape", TrainOps::reshape);
        OPS.put("Concat", TrainOps::concat);
        OPS.put("Dropout", TrainOps::dropout);
        OPS.put("Identity", (n, o) -> (in, t) -> in[0].duplicate());
        OPS.put("Softmax", TrainOps::softmax);
        OPS.put("LRN", TrainOps::lrn);
        OPS.put("Transpose", TrainOps::transpose);
        OPS.put("ReduceMean", TrainOps::reduceMean);
        OPS.put("Squeeze", TrainOps::squeeze);
        OPS.put("Unsqueeze", TrainOps::unsqueeze);
        OPS.put("Pad", TrainOps::pad);
        OPS.put("Shape", (n, o) -> (in, t) -> in[0].getManager().create(in[0].getShape().getShape()));
        OPS.put("Gather", TrainOps::gather);
    }

    private TrainOps() {
    }

    /**
     * The factory for {@code node}'s op.
     *
     * @throws TrainingException naming the node, the op and the ops that can be trained, when there is none
     */
    public static Factory lookup(Node node, int opset) throws TrainingException {
        Factory f = node.isDefaultDomain() ? OPS.get(node.opType()) : null;
        if (f == null) {
            throw new TrainingException(node.describe() + " (opset " + opset + "): op " + (node.isDefaultDomain()
                    ? node.opType() : node.domain() + "." + node.opType()) + " has no training kernel; the trainer "
                    + "differentiates " + String.join(", ", new TreeSet<>(OPS.keySet())));
        }
        return f;
    }

    /** The ops the trainer supports, sorted. */
    public static java.util.Set<String> supported() {
        return java.util.Collections.unmodifiableSet(OPS.keySet());
    }

    // x: [N, C, *spatial], w: [M, C/group, *kernel], b: [M]
    private static Kernel conv(Node node, int opset) throws ModelLoadException {
        ConvAttrs attrs = ConvAttrs.of(node, opset);
        return (in, training) -> {
            NDArray x = in[0];
            NDArray w = in[1];
            long[] ws = w.getShape().getShape();
            int[] kernel = new int[ws.length - 2];
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = Math.toIntExact(ws[i + 2]);
            }
            SlidingWindow window = resolve(() -> attrs.window(node, kernel));
            long[] pads = resolve(() -> window.resolve(node, spatial(x))).pads();
            Padded p = padded(x, pads, 0f);
            int[] dil = window.attrs().dilations();
            int[] str = window.attrs().strides();
            return x.getNDArrayInternal().convolution(p.x, w, in.length > 2 ? in[2] : null, shape(str),
                    new Shape(p.symmetric), shape(dil), attrs.group()).singletonOrThrow();
        };
    }

    // y = alpha * A' B' + beta * C
    private static Kernel gemm(Node node, int opset) throws ModelLoadException {
        GemmAttrs g = GemmAttrs.of(node, opset);
        return (in, training) -> {
            NDArray c = in.length > 2 ? in[2] : null;
            if (!g.transA() && g.transB() && g.alpha() == 1f && (c == null || g.beta() == 1f)
                    && (c == null || c.getShape().dimension() == 1)) {
                // A fully connected layer: PyTorch's linear, one fused call.
                return in[0].getNDArrayInternal().linear(in[0], in[1], c).singletonOrThrow();
            }
            NDArray a = g.transA() ? in[0].transpose() : in[0];
            NDArray b = g.transB() ? in[1].transpose() : in[1];
            NDArray y = a.matMul(b);
            if (g.alpha() != 1f) {
                y = y.mul(g.alpha());
            }
            return c == null ? y : y.add(g.beta() == 1f ? c : c.mul(g.beta()));
        };
    }

    // x: [N, C, ...]; in[3], in[4] are the running mean and variance, updated in place while training
    private static Kernel batchNormalization(Node node, int opset) throws ModelLoadException {
        BatchNormAttrs a = BatchNormAttrs.of(node, opset);
        return (in, training) -> in[0].getNDArrayInternal().batchNorm(in[0], in[3], in[4], in[1], in[2], 1,
                a.momentum(), a.epsilon(), training).singletonOrThrow();
    }

    private static Kernel maxPool(Node node, int opset) throws ModelLoadException {
        PoolAttrs a = PoolAttrs.of(node, opset);
        requireUnitDilation(node, a.window());
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
            throw new ModelLoadException(node.describe() + ": MaxPool's indices output is not supported in training");
        }
        return (in, training) -> {
            long[] pads = resolve(() -> a.resolve(node, spatial(in[0]))).pads();
            Padded p = padded(in[0], pads, Float.NEGATIVE_INFINITY);
            return p.x.getNDArrayInternal().maxPool(shape(a.window().attrs().kernelShape()),
                    shape(a.window().attrs().strides()), new Shape(p.symmetric), a.window().ceilMode());
        };
    }

    private static Kernel averagePool(Node node, int opset) throws ModelLoadException {
        PoolAttrs a = PoolAttrs.of(node, opset);
        requireUnitDilation(node, a.window());
        return (in, training) -> {
            long[] pads = resolve(() -> a.resolve(node, spatial(in[0]))).pads();
            if (!a.countIncludePad() && !isSymmetric(pads)) {
                throw new TrainingException(node.describe() + ": asymmetric pads " + Arrays.toString(pads)
                        + " with count_include_pad=0 are not supported in training");
            }
            Padded p = padded(in[0], pads, 0f);
            return p.x.getNDArrayInternal().avgPool(shape(a.window().attrs().kernelShape()),
                    shape(a.window().attrs().strides()), new Shape(p.symmetric), a.window().ceilMode(),
                    a.countIncludePad());
        };
    }

    private static Kernel leakyRelu(Node node, int opset) throws ModelLoadException {
        float alpha = LeakyReluAttrs.of(node, opset).alpha();
        return (in, training) -> Activation.leakyRelu(in[0], alpha);
    }

    private static Kernel clip(Node node, int opset) throws ModelLoadException {
        ClipAttrs a = ClipAttrs.of(node, opset);
        return (in, training) -> {
            float lo = a.min();
            float hi = a.max();
            if (a.boundsFromInputs()) {
                lo = in.length > 1 && in[1] != null ? in[1].toType(DataType.FLOAT32, false).getFloat() : Float.NEGATIVE_INFINITY;
                hi = in.length > 2 && in[2] != null ? in[2].toType(DataType.FLOAT32, false).getFloat() : Float.POSITIVE_INFINITY;
            }
            return in[0].clip(lo, hi);
        };
    }

    private static Kernel hardSigmoid(Node node, int opset) throws ModelLoadException {
        HardSigmoidAttrs a = HardSigmoidAttrs.of(node, opset);
        return (in, training) -> in[0].mul(a.alpha()).add(a.beta()).clip(0f, 1f);
    }

    private static Kernel flatten(Node node, int opset) throws ModelLoadException {
        long axis = FlattenAttrs.of(node, opset).axis();
        return (in, training) -> {
            long[] s = in[0].getShape().getShape();
            int k = Math.toIntExact(axis < 0 ? axis + s.length : axis);
            long outer = 1;
            for (int i = 0; i < k; i++) {
                outer = Math.multiplyExact(outer, s[i]);
            }
            return in[0].reshape(outer, -1);
        };
    }

    private static Kernel reshape(Node node, int opset) throws ModelLoadException {
        boolean allowZero = dev.condense.ops.ReshapeAttrs.of(node, opset).allowZero();
        return (in, training) -> {
            long[] target = in[1].toLongArray();
            long[] s = in[0].getShape().getShape();
            long[] out = target.clone();
            for (int i = 0; i < out.length; i++) {
                if (out[i] == 0 && !allowZero) {
                    if (i >= s.length) {
                        throw new TrainingException(node.describe() + ": shape " + Arrays.toString(target)
                                + " copies dim " + i + " of an input of rank " + s.length);
                    }
                    out[i] = s[i];
                }
            }
            long known = 1;
            int free = -1;
            for (int i = 0; i < out.length; i++) {
                if (out[i] == -1) {
                    free = i;
                } else {
                    known = Math.multiplyExact(known, out[i]);
                }
            }
            long size = in[0].size();
            if (free < 0 && known != size && s.length > 0 && known != 0 && size % (known / out[0]) == 0) {
                // A shape exported with a fixed batch ([1, 1280]) reshaping a larger batch: the batch is the free dim.
                out[0] = -1;
            }
            try {
                return in[0].reshape(new Shape(out));
            } catch (RuntimeException e) {
                throw new TrainingException(node.describe() + ": cannot reshape " + in[0].getShape() + " to "
                        + Arrays.toString(target) + ": " + e.getMessage(), e);
            }
        };
    }

    private static Kernel concat(Node node, int opset) throws ModelLoadException {
        long axis = ConcatAttrs.of(node, opset).axis();
        return (in, training) -> {
            NDList list = new NDList();
            for (NDArray a : in) {
                if (a != null && a.size() > 0) {
                    list.add(a);
                }
            }
            int rank = in[0].getShape().dimension();
            return NDArrays.concat(list, Math.toIntExact(axis < 0 ? axis + rank : axis));
        };
    }

    private static Kernel dropout(Node node, int opset) throws ModelLoadException {
        DropoutAttrs a = DropoutAttrs.of(node, opset);
        return (in, training) -> {
            float ratio = a.ratioFromInput() && in.length > 1 && in[1] != null ? in[1].getFloat() : a.ratio();
            boolean on = training && (in.length <= 2 || in[2] == null || in[2].getBoolean());
            return on && ratio > 0 ? in[0].getNDArrayInternal().dropout(in[0], ratio, true).singletonOrThrow()
                    : in[0].duplicate();
        };
    }

    private static Kernel softmax(Node node, int opset) throws ModelLoadException {
        SoftmaxAttrs a = SoftmaxAttrs.of(node, opset);
        return (in, training) -> {
            Shape s = in[0].getShape();
            int axis = Math.toIntExact(a.axis() < 0 ? a.axis() + s.dimension() : a.axis());
            if (!a.coerceTo2d()) {
                return in[0].softmax(axis);
            }
            return in[0].reshape(s.slice(0, axis).size(), -1).softmax(1).reshape(s);
        };
    }

    // y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta
    private static Kernel lrn(Node node, int opset) throws ModelLoadException {
        LrnAttrs a = LrnAttrs.of(node, opset);
        int before = (a.size() - 1) / 2;
        int after = a.size() - 1 - before;
        return (in, training) -> {
            NDArray x = in[0];
            Shape s = x.getShape();
            NDArray sq = x.square().reshape(s.get(0), 1, s.get(1), -1);
            sq = sq.pad(new Shape(0, 0, before, after), 0);
            NDArray mean = sq.getNDArrayInternal().avgPool(new Shape(a.size(), 1), new Shape(1, 1), new Shape(0, 0),
                    false, true);
            return x.div(mean.reshape(s).mul(a.alpha()).add(a.bias()).pow(a.beta()));
        };
    }

    private static Kernel transpose(Node node, int opset) throws ModelLoadException {
        int[] perm = TransposeAttrs.of(node, opset).perm();
        return (in, training) -> perm.length == 0 ? in[0].transpose() : in[0].transpose(perm);
    }

    private static Kernel reduceMean(Node node, int opset) throws ModelLoadException {
        ReduceAttrs a = ReduceAttrs.of(node, opset);
        return (in, training) -> {
            long[] axes = a.axesFromInput() && in.length > 1 && in[1] != null ? in[1].toLongArray() : a.axes();
            int rank = in[0].getShape().dimension();
            int[] ax;
            if (axes.length == 0) {
                if (a.noopWithEmptyAxes()) {
                    return in[0].duplicate();
                }
                ax = new int[rank];
                for (int i = 0; i < rank; i++) {
                    ax[i] = i;
                }
            } else {
                ax = normalize(axes, rank);
            }
            // PyTorch's engine reduces one axis per call here: reduce from the last axis down, then drop them.
            int[] sorted = ax.clone();
            Arrays.sort(sorted);
            NDArray y = in[0];
            for (int i = sorted.length - 1; i >= 0; i--) {
                y = y.mean(new int[] {sorted[i]}, true);
            }
            return a.keepDims() ? y : y.squeeze(sorted);
        };
    }

    private static Kernel squeeze(Node node, int opset) throws ModelLoadException {
        AxesAttrs a = AxesAttrs.of(node, opset);
        return (in, training) -> {
            long[] axes = a.axesFromInput() && in.length > 1 && in[1] != null ? in[1].toLongArray() : a.axes();
            return axes.length == 0 ? in[0].squeeze() : in[0].squeeze(normalize(axes, in[0].getShape().dimension()));
        };
    }

    private static Kernel unsqueeze(Node node, int opset) throws ModelLoadException {
        AxesAttrs a = AxesAttrs.of(node, opset);
        return (in, training) -> {
            long[] axes = a.axesFromInput() && in.length > 1 && in[1] != null ? in[1].toLongArray() : a.axes();
            int rank = in[0].getShape().dimension() + axes.length;
            int[] ax = normalize(axes, rank);
            Arrays.sort(ax);
            NDArray y = in[0];
            for (int axis : ax) {
                y = y.expandDims(axis);
            }
            return y;
        };
    }

    // data: [before..., d, after...] along axis, indices: I (any shape, negative counts from the end)
    // -> [before..., I..., after...]; differentiable through take, so it serves shape arithmetic and gathers alike
    private static Kernel gather(Node node, int opset) throws ModelLoadException {
        long axisAttr = dev.condense.ops.GatherAttrs.of(node, opset).axis();
        return (in, training) -> {
            NDArray data = in[0];
            long[] s = data.getShape().getShape();
            int rank = s.length;
            int axis = Math.toIntExact(axisAttr < 0 ? axisAttr + rank : axisAttr);
            if (axis < 0 || axis >= rank) {
                throw new TrainingException(node.describe() + ": axis " + axisAttr + " is outside a rank-" + rank
                        + " input");
            }
            long d = s[axis];
            long[] indexShape = in[1].getShape().getShape();
            NDArray index = in[1].toType(DataType.INT64, false).add(d).mod(d);
            int[] front = new int[rank];
            front[0] = axis;
            for (int i = 0, k = 1; i < rank; i++) {
                if (i != axis) {
                    front[k++] = i;
                }
            }
            NDArray moved = axis == 0 ? data : data.transpose(front);
            long rest = d == 0 ? 0 : data.size() / d;
            NDArray columns = data.getManager().arange(0f, (float) rest, 1f, DataType.INT64).reshape(1, rest);
            NDArray linear = index.reshape(-1, 1).mul(rest).add(columns);
            NDArray rows = moved.reshape(d, rest).take(linear);
            // rows: [I..., before..., after...] -> [before..., I..., after...]
            long[] shape = new long[indexShape.length + rank - 1];
            System.arraycopy(indexShape, 0, shape, 0, indexShape.length);
            for (int i = 1; i < rank; i++) {
                shape[indexShape.length + i - 1] = s[front[i]];
            }
            NDArray y = rows.reshape(new Shape(shape));
            if (axis == 0 || indexShape.length == 0) {
                return y;
            }
            int q = indexShape.length;
            int[] back = new int[shape.length];
            int k = 0;
            for (int i = 0; i < axis; i++) {
                back[k++] = q + i;
            }
            for (int i = 0; i < q; i++) {
                back[k++] = i;
            }
            for (int i = q + axis; i < shape.length; i++) {
                back[k++] = i;
            }
            return y.transpose(back);
        };
    }

    private static Kernel pad(Node node, int opset) throws ModelLoadException {
        PadAttrs a = PadAttrs.of(node, opset);
        if (a.mode() != PadAttrs.Mode.CONSTANT) {
            throw new ModelLoadException(node.describe() + ": Pad mode " + a.mode() + " is not supported in training;"
                    + " only constant");
        }
        return (in, training) -> {
            long[] pads = a.padsFromInput() ? in[1].toLongArray() : a.pads();
            float value = a.padsFromInput() && in.length > 2 && in[2] != null ? in[2].toType(DataType.FLOAT32, false)
                    .getFloat() : a.value();
            int rank = in[0].getShape().dimension();
            long[] torch = new long[2 * rank];
            for (int d = 0; d < rank; d++) {
                torch[2 * (rank - 1 - d)] = pads[d];
                torch[2 * (rank - 1 - d) + 1] = pads[d + rank];
            }
            return in[0].pad(new Shape(torch), value);
        };
    }

    // ---- geometry helpers

    /** An input padded so that what remains is one symmetric pad per spatial axis. */
    private record Padded(NDArray x, long[] symmetric) {
    }

    /**
     * ONNX pads {@code [b1, b2, ..., e1, e2]}; PyTorch pads symmetrically, so an asymmetric pad is
     * applied explicitly (with {@code fill}) and the kernel gets none.
     */
    private static Padded padded(NDArray x, long[] pads, float fill) {
        int r = pads.length / 2;
        if (isSymmetric(pads)) {
            return new Padded(x, Arrays.copyOf(pads, r));
        }
        long[] torch = new long[2 * r];
        for (int d = 0; d < r; d++) {
            torch[2 * (r - 1 - d)] = pads[d];
            torch[2 * (r - 1 - d) + 1] = pads[d + r];
        }
        return new Padded(x.pad(new Shape(torch), fill), new long[r]);
    }

    private static boolean isSymmetric(long[] pads) {
        int r = pads.length / 2;
        for (int d = 0; d < r; d++) {
            if (pads[d] != pads[d + r]) {
                return false;
            }
        }
        return true;
    }

    private static void requireUnitDilation(Node node, SlidingWindow w) throws ModelLoadException {
        for (int d : w.attrs().dilations()) {
            if (d != 1) {
                throw new ModelLoadException(node.describe() + ": dilated pooling (dilations "
                        + Arrays.toString(w.attrs().dilations()) + ") is not supported in training");
            }
        }
    }

    private static long[] spatial(NDArray x) {
        long[] s = x.getShape().getShape();
        return Arrays.copyOfRange(s, 2, s.length);
    }

    // x: [N, C, *spatial] -> [N, C, 1, ...]: the spatial dims flattened into one and reduced
    private static NDArray global(NDArray x, boolean average) {
        Shape s = x.getShape();
        NDArray flat = x.reshape(s.get(0), s.get(1), -1);
        NDArray y = average ? flat.mean(new int[] {2}, true) : flat.max(new int[] {2}, true);
        long[] out = new long[s.dimension()];
        Arrays.fill(out, 1);
        out[0] = s.get(0);
        out[1] = s.get(1);
        return y.reshape(new Shape(out));
    }

    private static Shape shape(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i];
        }
        return new Shape(l);
    }

    private static int[] normalize(long[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = Math.toIntExact(axes[i] < 0 ? axes[i] + rank : axes[i]);
        }
        return out;
    }

    /** A geometry step that reports malformed attributes as the importer does. */
    @FunctionalInterface
    private interface Geometry<T> {
        T get() throws ModelLoadException;
    }

    private static <T> T resolve(Geometry<T> g) throws TrainingException {
        try {
            return g.get();
        } catch (ModelLoadException e) {
            throw new TrainingException(e.getMessage(), e);
        }
    }
}
