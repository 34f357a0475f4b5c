// Evaluates ONNX nodes whose inputs are all constants: the reference semantics that constant folding relies on.
package dev.condense.passes;

import dev.condense.ir.DataType;
import dev.condense.ir.Attribute;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ops.Attrs;
import dev.condense.ops.AxesAttrs;
import dev.condense.ops.ConcatAttrs;
import dev.condense.ops.FlattenAttrs;
import dev.condense.ops.GatherAttrs;
import dev.condense.ops.ReshapeAttrs;
import dev.condense.ops.ShapeAttrs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A plain evaluator for the shape arithmetic and element-wise ops that exporters wrap around
 * constants (Shape, Gather, Concat, Reshape, Slice, Add, ...). Integer ops are exact in int64
 * (integer Div truncates toward zero, as ONNX's reference does); floating-point ops are computed
 * in double and rounded once to the element type. It is meant for small tensors: ops that can grow
 * data refuse to produce more than {@code maxOutputElements}, and {@link #evaluate} then answers
 * empty so the caller leaves the node to the runtime.
 */
public final class ConstantEvaluator {

    /** The default cap on elements an op that computes or replicates data may produce. */
    public static final long DEFAULT_MAX_OUTPUT_ELEMENTS = 1_000_000L;

    /** The largest cap: computing ops hold their results in Java arrays. */
    public static final long MAX_OUTPUT_ELEMENTS_LIMIT = Integer.MAX_VALUE - 8;

    private static final Set<String> SUPPORTED = Set.of("Add", "Cast", "Ceil", "Concat", "Constant",
            "ConstantOfShape", "Div", "Equal", "Expand", "Flatten", "Floor", "Gather", "Identity", "Mul", "Neg",
            "Range", "Reshape", "Shape", "Slice", "Sqrt", "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where");

    // Outputs of these hold exactly the elements of a tensor that already exists (an input or the
    // Constant's attribute), so folding them never materializes data the model did not carry.
    private static final Set<String> UNCAPPED = Set.of("Cast", "Constant", "Flatten", "Identity", "Reshape",
            "Squeeze", "Transpose", "Unsqueeze");

    // Elements converted per step by Cast, so a large cast never needs a whole-tensor double[].
    private static final int CAST_CHUNK = 1 << 16;

    private final int opset;
    private final long maxOutputElements;

    public ConstantEvaluator(int opset) {
        this(opset, DEFAULT_MAX_OUTPUT_ELEMENTS);
    }

    /** @param opset the model's default-domain opset, which selects attribute versus input forms */
    public ConstantEvaluator(int opset, long maxOutputElements) {
        if (maxOutputElements < 0 || maxOutputElements > MAX_OUTPUT_ELEMENTS_LIMIT) {
            throw new IllegalArgumentException("maxOutputElements must be in [0, " + MAX_OUTPUT_ELEMENTS_LIMIT
                    + "], got " + maxOutputElements);
        }
        this.opset = opset;
        this.maxOutputElements = maxOutputElements;
    }

    /** True when this evaluator implements the node's op. */
    public static boolean supports(Node node) {
        return node.isDefaultDomain() && SUPPORTED.contains(node.opType());
    }

    /** The op types this evaluator implements, sorted. */
    public static Set<String> supportedOps() {
        return new TreeSet<>(SUPPORTED);
    }

    /** True for ops that only move or retype the elements of an existing tensor, which folding never caps. */
    public static boolean isDataMovement(String opType) {
        return UNCAPPED.contains(opType);
    }

    /**
     * The node's outputs, named after the node's outputs, computed from {@code constants} (which
     * must hold every non-omitted input). Empty when the result would exceed the element cap, or
     * when the node uses a form this evaluator does not fold (a sparse or string Constant, a Cast
     * to a type Condense does not hold). Throws when the node is malformed: out-of-range indices or
     * axes, incompatible shapes, a missing attribute, an input that is not a constant.
     */
    public Optional<List<Tensor>> evaluate(Node node, Map<String, Tensor> constants) throws ModelLoadException {
        if (!supports(node)) {
            throw new ModelLoadException(node.describe() + ": the constant evaluator does not implement this op; it"
                    + " implements " + supportedOps());
        }
        if (node.outputs().isEmpty() || node.output().isEmpty()) {
            throw new ModelLoadException(node.describe() + " has no output");
        }
        long limit = isDataMovement(node.opType()) ? Long.MAX_VALUE : maxOutputElements;
        Evaluation e = new Evaluation(node, constants, limit);
        try {
            Tensor result = switch (node.opType()) {
                case "Add", "Sub", "Mul", "Div" -> arithmetic(e);
                case "Cast" -> cast(e);
                case "Ceil" -> floatingUnary(e, Math::ceil);
                case "Concat" -> concat(e);
                case "Constant" -> constant(e);
                case "ConstantOfShape" -> constantOfShape(e);
                case "Equal" -> equal(e);
                case "Expand" -> expand(e);
                case "Flatten" -> flatten(e);
                case "Floor" -> floatingUnary(e, Math::floor);
                case "Gather" -> gather(e);
                case "Identity" -> e.input(0);
                case "Neg" -> neg(e);
                case "Range" -> range(e);
                case "Reshape" -> reshape(e);
                case "Shape" -> shape(e);
                case "Slice" -> slice(e);
                case "Sqrt" -> floatingUnary(e, Math::sqrt);
                case "Squeeze" -> squeeze(e);
                case "Transpose" -> transpose(e);
                case "Unsqueeze" -> unsqueeze(e);
                case "Where" -> where(e);
                default -> throw new IllegalStateException("op listed as supported but not dispatched: " + node.opType());
            };
            return Optional.of(List.of(result.withName(node.output())));
        } catch (NotFolded skipped) {
            return Optional.empty();
        }
    }

    /**
     * The [start, end) range of dimensions a Shape node reports for an input of the given rank:
     * all of them before opset 15, the clamped {@code start}/{@code end} attributes from it on.
     */
    static int[] shapeRange(Node node, int rank, int opset) throws ModelLoadException {
        ShapeAttrs attrs = ShapeAttrs.of(node, opset);
        int first = attrs.first(rank);
        return new int[] {first, Math.max(first, attrs.last(rank))};
    }

    // ---- the ops ----

    private Tensor shape(Evaluation e) throws ModelLoadException {
        long[] dims = e.input(0).dims();
        int[] range = shapeRange(e.node, dims.length, opset);
        return Tensor.vector("", Arrays.copyOfRange(dims, range[0], range[1]));
    }

    private Tensor constant(Evaluation e) throws ModelLoadException {
        Node node = e.node;
        if (node.attributes().size() != 1) {
            throw e.error("a Constant needs exactly one value attribute, got " + node.attributes().keySet());
        }
        Map.Entry<String, Attribute> only = node.attributes().entrySet().iterator().next();
        return switch (only.getKey()) {
            case "value" -> Attrs.tensor(node, "value").orElseThrow();
            case "value_float" -> Tensor.scalar("", Attrs.getFloat(node, "value_float", 0f));
            case "value_floats" -> {
                float[] v = Attrs.floats(node, "value_floats").orElseThrow();
                yield Tensor.ofFloats("", new long[] {v.length}, v);
            }
            case "value_int" -> Tensor.ofLongs("", new long[0], Attrs.requiredInt(node, "value_int"));
            case "value_ints" -> Tensor.vector("", Attrs.requiredInts(node, "value_ints"));
            // Sparse and string constants stay nodes: the IR holds neither as an initializer.
            case "sparse_value", "value_string", "value_strings" -> throw NotFolded.INSTANCE;
            default -> throw e.error("unknown Constant attribute '" + only.getKey() + "'; expected one of value,"
                    + " value_float, value_floats, value_int, value_ints, sparse_value, value_string, value_strings");
        };
    }

    private Tensor gather(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        Tensor indices = e.input(1);
        if (indices.dtype() != DataType.INT64 && indices.dtype() != DataType.INT32) {
            throw e.error("indices must be int32 or int64, got " + indices.dtype());
        }
        if (data.rank() == 0) {
            throw e.error("data must have rank >= 1, got a scalar");
        }
        long[] dims = data.dims();
        int axis = normalizeAxis(e, GatherAttrs.of(e.node, opset).axis(), dims.length, "attribute 'axis'");
        long axisSize = dims[axis];
        long[] outDims = concat(Arrays.copyOfRange(dims, 0, axis), indices.dims(),
                Arrays.copyOfRange(dims, axis + 1, dims.length));
        MemorySegment out = e.allocate(data.dtype(), outDims);
        int n = Math.toIntExact(indices.elementCount());
        long[] index = new long[n];
        for (int j = 0; j < n; j++) {
            long i = indices.getLong(j);
            if (i < -axisSize || i >= axisSize) {
                throw e.error("index " + i + " is out of range for axis " + axis + " of size " + axisSize
                        + " (valid: " + (-axisSize) + " to " + (axisSize - 1) + ")");
            }
            index[j] = i < 0 ? i + axisSize : i;
        }
        long outer = product(dims, 0, axis);
        long blockBytes = product(dims, axis + 1, dims.length) * data.dtype().byteSize();
        for (long o = 0; o < outer; o++) {
            for (int j = 0; j < n; j++) {
                MemorySegment.copy(data.data(), (o * axisSize + index[j]) * blockBytes, out,
                        (o * n + j) * blockBytes, blockBytes);
            }
        }
        return new Tensor("", data.dtype(), outDims, out);
    }

    private Tensor unsqueeze(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        AxesAttrs attrs = AxesAttrs.of(e.node, opset);
        long[] axes = attrs.axesFromInput() ? e.input(1).toLongArray() : attrs.axes();
        long[] dims = data.dims();
        int outRank = dims.length + axes.length;
        boolean[] inserted = new boolean[outRank];
        for (long a : axes) {
            int axis = normalizeAxis(e, a, outRank, "an axis in 'axes'");
            if (inserted[axis]) {
                throw e.error("axes " + Arrays.toString(axes) + " name axis " + axis + " twice");
            }
            inserted[axis] = true;
        }
        long[] outDims = new long[outRank];
        for (int i = 0, j = 0; i < outRank; i++) {
            outDims[i] = inserted[i] ? 1 : dims[j++];
        }
        return data.reshaped(outDims);
    }

    private Tensor squeeze(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] dims = data.dims();
        AxesAttrs attrs = AxesAttrs.of(e.node, opset);
        long[] axes = attrs.axesFromInput() ? e.optionalInput(1).map(Tensor::toLongArray).orElse(new long[0])
                : attrs.axes();
        boolean[] removed = new boolean[dims.length];
        // No axes, or an empty axes tensor, removes every dimension of size 1 (as ONNX's reference does).
        if (axes.length > 0) {
            for (long a : axes) {
                int axis = normalizeAxis(e, a, dims.length, "an axis in 'axes'");
                if (dims[axis] != 1) {
                    throw e.error("cannot squeeze axis " + axis + " of shape " + Arrays.toString(dims)
                            + ": its size is " + dims[axis] + ", not 1");
                }
                removed[axis] = true;
            }
        } else {
            for (int i = 0; i < dims.length; i++) {
                removed[i] = dims[i] == 1;
            }
        }
        long[] outDims = new long[dims.length];
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!removed[i]) {
                outDims[r++] = dims[i];
            }
        }
        return data.reshaped(Arrays.copyOf(outDims, r));
    }

    private Tensor concat(Evaluation e) throws ModelLoadException {
        int count = e.node.inputs().size();
        if (count == 0) {
            throw e.error("Concat needs at least one input");
        }
        Tensor[] parts = new Tensor[count];
        for (int i = 0; i < count; i++) {
            parts[i] = e.input(i);
        }
        long[] first = parts[0].dims();
        if (first.length == 0) {
            throw e.error("cannot concatenate scalars");
        }
        int axis = normalizeAxis(e, ConcatAttrs.of(e.node, opset).axis(), first.length, "attribute 'axis'");
        long[] outDims = first.clone();
        outDims[axis] = 0;
        for (Tensor p : parts) {
            long[] d = p.dims();
            if (p.dtype() != parts[0].dtype()) {
                throw e.error("inputs have different types: " + parts[0].dtype() + " and " + p.dtype());
            }
            boolean compatible = d.length == first.length;
            for (int k = 0; compatible && k < d.length; k++) {
                compatible = k == axis || d[k] == first[k];
            }
            if (!compatible) {
                throw e.error("cannot concatenate shapes " + Arrays.toString(first) + " and " + Arrays.toString(d)
                        + " on axis " + axis);
            }
            outDims[axis] = Math.addExact(outDims[axis], d[axis]);
        }
        DataType type = parts[0].dtype();
        MemorySegment out = e.allocate(type, outDims);
        long outer = product(first, 0, axis);
        long innerBytes = product(first, axis + 1, first.length) * type.byteSize();
        long offset = 0;
        for (long o = 0; o < outer; o++) {
            for (Tensor p : parts) {
                long block = p.dim(axis) * innerBytes;
                MemorySegment.copy(p.data(), o * block, out, offset, block);
                offset += block;
            }
        }
        return new Tensor("", type, outDims, out);
    }

    private Tensor reshape(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] requested = e.input(1).toLongArray();
        boolean allowZero = ReshapeAttrs.of(e.node, opset).allowZero();
        long[] dims = data.dims();
        long[] outDims = new long[requested.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.length; i++) {
            long s = requested[i];
            if (s == -1) {
                if (inferred >= 0) {
                    throw e.error("shape " + Arrays.toString(requested) + " has more than one -1");
                }
                inferred = i;
                continue;
            }
            if (s == 0 && !allowZero) {
                if (i >= dims.length) {
                    throw e.error("shape " + Arrays.toString(requested) + " copies dimension " + i + " (a 0) but the"
                            + " input " + Arrays.toString(dims) + " has rank " + dims.length);
                }
                s = dims[i];
            } else if (s < 0) {
                throw e.error("shape " + Arrays.toString(requested) + " has the invalid size " + s);
            }
            outDims[i] = s;
            known = Math.multiplyExact(known, s);
        }
        long total = data.elementCount();
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw e.error("cannot reshape " + Arrays.toString(dims) + " to " + Arrays.toString(requested)
                        + ": the -1 has no whole size");
            }
            outDims[inferred] = total / known;
        } else if (known != total) {
            throw e.error("cannot reshape " + Arrays.toString(dims) + " (" + total + " elements) to "
                    + Arrays.toString(outDims) + " (" + known + " elements)");
        }
        return data.reshaped(outDims);
    }

    private Tensor flatten(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] dims = data.dims();
        int axis = FlattenAttrs.of(e.node, opset).axis(e.node, dims.length);
        return data.reshaped(new long[] {product(dims, 0, axis), product(dims, axis, dims.length)});
    }

    private Tensor cast(Evaluation e) throws ModelLoadException {
        Tensor in = e.input(0);
        // Read raw rather than through CastAttrs, which rejects a target Condense does not hold
        // (a string, say): such a Cast is left to whatever reads the model next, not folded.
        long code = Attrs.requiredInt(e.node, "to");
        Optional<DataType> target = DataType.fromOnnx((int) code).filter(t -> t.onnxCode() == code);
        if (target.isEmpty()) {
            throw NotFolded.INSTANCE;
        }
        DataType to = target.get();
        if (to == in.dtype()) {
            return in;
        }
        MemorySegment out = e.allocate(to, in.dims());
        long count = in.elementCount();
        boolean viaDoubles = in.dtype().isFloatingPoint() || (in.dtype() == DataType.UINT64 && to.isFloatingPoint());
        for (long start = 0; start < count; start += CAST_CHUNK) {
            int n = (int) Math.min(CAST_CHUNK, count - start);
            long[] chunkDims = {n};
            Tensor piece;
            // Tensor's factories carry ONNX's conversion rules (truncation, rounding, != 0 for bool).
            if (viaDoubles) {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = in.getDouble(start + i);
                }
                piece = Tensor.fromDoubles("", to, chunkDims, v);
            } else {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = in.getLong(start + i);
                }
                piece = Tensor.fromLongs("", to, chunkDims, v);
            }
            MemorySegment.copy(piece.data(), 0, out, start * to.byteSize(), piece.byteSize());
        }
        return new Tensor("", to, in.dims(), out);
    }

    private Tensor slice(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] dims = data.dims();
        long[] starts;
        long[] ends;
        Optional<long[]> axes;
        Optional<long[]> steps;
        if (opset < 10) {
            starts = Attrs.requiredInts(e.node, "starts");
            ends = Attrs.requiredInts(e.node, "ends");
            axes = Attrs.ints(e.node, "axes");
            steps = Optional.empty();
        } else {
            starts = e.input(1).toLongArray();
            ends = e.input(2).toLongArray();
            axes = e.optionalInput(3).map(Tensor::toLongArray);
            steps = e.optionalInput(4).map(Tensor::toLongArray);
        }
        int n = starts.length;
        if (ends.length != n || axes.map(a -> a.length != n).orElse(false)
                || steps.map(s -> s.length != n).orElse(false)) {
            throw e.error("starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes "
                    + axes.map(Arrays::toString).orElse("(default)") + " and steps "
                    + steps.map(Arrays::toString).orElse("(default)") + " differ in length");
        }
        long[] begin = new long[dims.length];
        long[] step = new long[dims.length];
        long[] outDims = dims.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < n; i++) {
            int axis = normalizeAxis(e, axes.isPresent() ? axes.get()[i] : i, dims.length, "an axis in 'axes'");
            if (seen[axis]) {
                throw e.error("axes " + Arrays.toString(axes.orElseThrow()) + " name axis " + axis + " twice");
            }
            seen[axis] = true;
            long st = steps.isPresent() ? steps.get()[i] : 1;
            if (st == 0) {
                throw e.error("step 0 on axis " + axis);
            }
            long dim = dims[axis];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long t = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (dim == 0) {
                s = 0;
                count = 0;
            } else if (st > 0) {
                s = Math.clamp(s, 0, dim);
                t = Math.clamp(t, 0, dim);
                count = Math.max(0, Math.ceilDiv(t - s, st));
            } else {
                // Stepping backwards starts at dim-1 at most and may run down to index 0 (end -1).
                s = Math.clamp(s, 0, dim - 1);
                t = Math.clamp(t, -1, dim - 1);
                count = Math.max(0, Math.ceilDiv(t - s, st));
            }
            begin[axis] = s;
            step[axis] = st;
            outDims[axis] = count;
        }
        long[] inStrides = strides(dims);
        long base = 0;
        long[] srcStrides = new long[dims.length];
        for (int d = 0; d < dims.length; d++) {
            base += begin[d] * inStrides[d];
            srcStrides[d] = Math.multiplyExact(inStrides[d], step[d]);
        }
        MemorySegment out = e.allocate(data.dtype(), outDims);
        copyStrided(data.data(), base, srcStrides, out, outDims, data.dtype().byteSize());
        return new Tensor("", data.dtype(), outDims, out);
    }

    private Tensor transpose(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] dims = data.dims();
        int rank = dims.length;
        long[] perm = Attrs.ints(e.node, "perm").orElseGet(() -> {
            long[] reversed = new long[rank];
            for (int i = 0; i < rank; i++) {
                reversed[i] = rank - 1 - i;
            }
            return reversed;
        });
        boolean[] used = new boolean[rank];
        boolean valid = perm.length == rank;
        for (int i = 0; valid && i < rank; i++) {
            valid = perm[i] >= 0 && perm[i] < rank && !used[(int) perm[i]];
            if (valid) {
                used[(int) perm[i]] = true;
            }
        }
        if (!valid) {
            throw e.error("perm " + Arrays.toString(perm) + " is not a permutation of the " + rank + " axes of "
                    + Arrays.toString(dims));
        }
        long[] inStrides = strides(dims);
        long[] outDims = new long[rank];
        long[] srcStrides = new long[rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = dims[(int) perm[i]];
            srcStrides[i] = inStrides[(int) perm[i]];
        }
        MemorySegment out = e.allocate(data.dtype(), outDims);
        copyStrided(data.data(), 0, srcStrides, out, outDims, data.dtype().byteSize());
        return new Tensor("", data.dtype(), outDims, out);
    }

    private Tensor expand(Evaluation e) throws ModelLoadException {
        Tensor data = e.input(0);
        long[] requested = e.input(1).toLongArray();
        for (long s : requested) {
            if (s < 0) {
                throw e.error("shape " + Arrays.toString(requested) + " has a negative size");
            }
        }
        long[] outDims = broadcastDims(e, data.dims(), requested);
        MemorySegment out = e.allocate(data.dtype(), outDims);
        copyStrided(data.data(), 0, broadcastStrides(data.dims(), outDims), out, outDims, data.dtype().byteSize());
        return new Tensor("", data.dtype(), outDims, out);
    }

    private Tensor constantOfShape(Evaluation e) throws ModelLoadException {
        long[] outDims = e.input(0).toLongArray();
        for (long s : outDims) {
            if (s < 0) {
                throw e.error("shape " + Arrays.toString(outDims) + " has a negative size");
            }
        }
        Tensor value = Attrs.tensor(e.node, "value").orElse(Tensor.ofFloats("", new long[] {1}, 0f));
        if (value.elementCount() != 1) {
            throw e.error("attribute 'value' must hold one element, got shape " + Arrays.toString(value.dims()));
        }
        MemorySegment out = e.allocate(value.dtype(), outDims);
        long width = value.dtype().byteSize();
        // A fresh segment is zeroed already, which is the common fill value.
        if (value.data().mismatch(MemorySegment.ofArray(new byte[(int) width])) != -1) {
            for (long off = 0; off < out.byteSize(); off += width) {
                MemorySegment.copy(value.data(), 0, out, off, width);
            }
        }
        return new Tensor("", value.dtype(), outDims, out);
    }

    private Tensor range(Evaluation e) throws ModelLoadException {
        Tensor start = e.input(0);
        Tensor limit = e.input(1);
        Tensor delta = e.input(2);
        for (Tensor t : List.of(start, limit, delta)) {
            if (t.elementCount() != 1) {
                throw e.error("start, limit and delta must be scalars, got shape " + Arrays.toString(t.dims()));
            }
            if (t.dtype() != start.dtype()) {
                throw e.error("start, limit and delta have different types: " + start.dtype() + " and " + t.dtype());
            }
        }
        DataType type = start.dtype();
        if (type.isFloatingPoint()) {
            double s = start.getDouble(0);
            double d = delta.getDouble(0);
            if (d == 0) {
                throw e.error("delta is 0");
            }
            long n = (long) Math.max(0, Math.ceil((limit.getDouble(0) - s) / d));
            double[] v = new double[Math.toIntExact(e.count(new long[] {n}))];
            for (int i = 0; i < v.length; i++) {
                v[i] = s + i * d;
            }
            return Tensor.fromDoubles("", type, new long[] {n}, v);
        }
        long s = start.getLong(0);
        long d = delta.getLong(0);
        if (d == 0) {
            throw e.error("delta is 0");
        }
        long n = Math.max(0, Math.ceilDiv(Math.subtractExact(limit.getLong(0), s), d));
        long[] v = new long[Math.toIntExact(e.count(new long[] {n}))];
        for (int i = 0; i < v.length; i++) {
            v[i] = s + i * d;
        }
        return Tensor.fromLongs("", type, new long[] {n}, v);
    }

    private Tensor arithmetic(Evaluation e) throws ModelLoadException {
        Tensor a = e.input(0);
        Tensor b = e.input(1);
        requireSameType(e, a, b);
        Broadcast broadcast = Broadcast.of(e, a, b);
        long[] outDims = broadcast.outDims();
        int count = Math.toIntExact(e.count(outDims));
        String op = e.node.opType();
        DataType type = a.dtype();
        if (type.isFloatingPoint()) {
            DoubleBinaryOperator f = switch (op) {
                case "Add" -> Double::sum;
                case "Sub" -> (x, y) -> x - y;
                case "Mul" -> (x, y) -> x * y;
                default -> (x, y) -> x / y;
            };
            double[] x = a.toDoubleArray();
            double[] y = b.toDoubleArray();
            double[] out = new double[count];
            broadcast.forEach((o, off) -> out[o] = f.applyAsDouble(x[(int) off[0]], y[(int) off[1]]));
            return Tensor.fromDoubles("", type, outDims, out);
        }
        long[] x = a.toLongArray();
        long[] y = b.toLongArray();
        if (op.equals("Div") && count > 0) {
            for (long v : y) {
                if (v == 0) {
                    throw e.error("integer division by zero (divisor '" + e.node.inputs().get(1) + "')");
                }
            }
        }
        LongBinaryOperator f = switch (op) {
            case "Add" -> Long::sum;
            case "Sub" -> (p, q) -> p - q;
            case "Mul" -> (p, q) -> p * q;
            // Java's / truncates toward zero, as ONNX's reference Div does on integers.
            default -> type == DataType.UINT64 ? Long::divideUnsigned : (p, q) -> p / q;
        };
        long[] out = new long[count];
        broadcast.forEach((o, off) -> out[o] = f.applyAsLong(x[(int) off[0]], y[(int) off[1]]));
        return Tensor.fromLongs("", type, outDims, out);
    }

    private Tensor equal(Evaluation e) throws ModelLoadException {
        Tensor a = e.input(0);
        Tensor b = e.input(1);
        requireSameType(e, a, b);
        Broadcast broadcast = Broadcast.of(e, a, b);
        long[] out = new long[Math.toIntExact(e.count(broadcast.outDims()))];
        if (a.dtype().isFloatingPoint()) {
            double[] x = a.toDoubleArray();
            double[] y = b.toDoubleArray();
            broadcast.forEach((o, off) -> out[o] = x[(int) off[0]] == y[(int) off[1]] ? 1 : 0);
        } else {
            long[] x = a.toLongArray();
            long[] y = b.toLongArray();
            broadcast.forEach((o, off) -> out[o] = x[(int) off[0]] == y[(int) off[1]] ? 1 : 0);
        }
        return Tensor.fromLongs("", DataType.BOOL, broadcast.outDims(), out);
    }

    private Tensor where(Evaluation e) throws ModelLoadException {
        Tensor condition = e.input(0);
        Tensor x = e.input(1);
        Tensor y = e.input(2);
        if (condition.dtype() != DataType.BOOL) {
            throw e.error("condition must be bool, got " + condition.dtype());
        }
        requireSameType(e, x, y);
        Broadcast broadcast = Broadcast.of(e, condition, x, y);
        long[] outDims = broadcast.outDims();
        MemorySegment out = e.allocate(x.dtype(), outDims);
        long width = x.dtype().byteSize();
        MemorySegment cond = condition.data();
        broadcast.forEach((o, off) -> {
            boolean pickX = cond.get(ValueLayout.JAVA_BYTE, off[0]) != 0;
            MemorySegment.copy(pickX ? x.data() : y.data(), (pickX ? off[1] : off[2]) * width, out, o * width, width);
        });
        return new Tensor("", x.dtype(), outDims, out);
    }

    private Tensor neg(Evaluation e) throws ModelLoadException {
        Tensor in = e.input(0);
        if (in.dtype().isFloatingPoint()) {
            return floatingUnary(e, v -> -v);
        }
        int count = Math.toIntExact(e.count(in.dims()));
        long[] v = in.toLongArray();
        for (int i = 0; i < count; i++) {
            v[i] = -v[i];
        }
        return Tensor.fromLongs("", in.dtype(), in.dims(), v);
    }

    private Tensor floatingUnary(Evaluation e, DoubleUnaryOperator f) throws ModelLoadException {
        Tensor in = e.input(0);
        if (!in.dtype().isFloatingPoint()) {
            throw e.error(e.node.opType() + " needs a floating-point input, got " + in.dtype());
        }
        int count = Math.toIntExact(e.count(in.dims()));
        double[] v = in.toDoubleArray();
        for (int i = 0; i < count; i++) {
            v[i] = f.applyAsDouble(v[i]);
        }
        return Tensor.fromDoubles("", in.dtype(), in.dims(), v);
    }

    // ---- shapes, strides and broadcasting ----

    private static void requireSameType(Evaluation e, Tensor a, Tensor b) throws ModelLoadException {
        if (a.dtype() != b.dtype()) {
            throw e.error("inputs have different types: " + a.dtype() + " and " + b.dtype());
        }
    }

    private static int normalizeAxis(Evaluation e, long axis, int rank, String what) throws ModelLoadException {
        return Attrs.normalizeAxis(e.node, what, axis, rank);
    }

    private static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p = Math.multiplyExact(p, dims[i]);
        }
        return p;
    }

    private static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int k = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    /** Row-major element strides. */
    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long stride = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride = Math.multiplyExact(stride, dims[i]);
        }
        return s;
    }

    /** Numpy's multidirectional broadcast of the shapes (right-aligned; a 1 stretches). */
    private static long[] broadcastDims(Evaluation e, long[]... shapes) throws ModelLoadException {
        int rank = 0;
        for (long[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int k = rank - s.length + i;
                if (s[i] == 1) {
                    continue;
                }
                if (out[k] == 1) {
                    out[k] = s[i];
                } else if (out[k] != s[i]) {
                    StringBuilder all = new StringBuilder();
                    for (long[] t : shapes) {
                        all.append(all.isEmpty() ? "" : ", ").append(Arrays.toString(t));
                    }
                    throw e.error("shapes " + all + " do not broadcast");
                }
            }
        }
        return out;
    }

    /** Element strides of {@code in} seen through {@code out}'s dimensions: 0 where {@code in} is stretched. */
    private static long[] broadcastStrides(long[] in, long[] out) {
        long[] inStrides = strides(in);
        long[] s = new long[out.length];
        for (int i = 0; i < in.length; i++) {
            int k = out.length - in.length + i;
            s[k] = in[i] == 1 ? 0 : inStrides[i];
        }
        return s;
    }

    /**
     * Copies {@code outDims} elements of {@code width} bytes from {@code src}, the element at output
     * index (i0, i1, ...) coming from element {@code base + sum(ik * srcStrides[k])}. Rows whose
     * source is contiguous are copied whole, which keeps large Transposes and Slices quick.
     */
    private static void copyStrided(MemorySegment src, long base, long[] srcStrides, MemorySegment dst,
                                    long[] outDims, int width) {
        long total = Tensor.elementCount(outDims);
        if (total == 0) {
            return;
        }
        int rank = outDims.length;
        boolean rows = rank > 0 && srcStrides[rank - 1] == 1;
        int loopRank = rows ? rank - 1 : rank;
        long rowLength = rows ? outDims[rank - 1] : 1;
        long rowBytes = rowLength * width;
        long rowCount = total / rowLength;
        long[] index = new long[loopRank];
        long srcOffset = base;
        long dstOffset = 0;
        for (long r = 0; r < rowCount; r++) {
            MemorySegment.copy(src, srcOffset * width, dst, dstOffset, rowBytes);
            dstOffset += rowBytes;
            for (int d = loopRank - 1; d >= 0; d--) {
                srcOffset += srcStrides[d];
                if (++index[d] < outDims[d]) {
                    break;
                }
                srcOffset -= srcStrides[d] * outDims[d];
                index[d] = 0;
            }
        }
    }

    /** Receives each output index with the matching element index of every broadcast input. */
    private interface BroadcastVisitor {
        void visit(int out, long[] inputOffsets);
    }

    /**
     * Inputs broadcast together: the output dims and, per input, its element strides seen through
     * them. Private, never compared, so its arrays are held as they are.
     */
    private record Broadcast(long[] outDims, long[][] strides) {

        static Broadcast of(Evaluation e, Tensor... inputs) throws ModelLoadException {
            long[][] shapes = new long[inputs.length][];
            for (int k = 0; k < inputs.length; k++) {
                shapes[k] = inputs[k].dims();
            }
            long[] outDims = broadcastDims(e, shapes);
            long[][] strides = new long[inputs.length][];
            for (int k = 0; k < inputs.length; k++) {
                strides[k] = broadcastStrides(shapes[k], outDims);
            }
            return new Broadcast(outDims, strides);
        }

        /** Visits every output index with the matching element index of each input. */
        void forEach(BroadcastVisitor visitor) {
            int total = Math.toIntExact(Tensor.elementCount(outDims));
            int rank = outDims.length;
            long[] offsets = new long[strides.length];
            long[] index = new long[rank];
            for (int o = 0; o < total; o++) {
                visitor.visit(o, offsets);
                for (int d = rank - 1; d >= 0; d--) {
                    for (int k = 0; k < strides.length; k++) {
                        offsets[k] += strides[k][d];
                    }
                    if (++index[d] < outDims[d]) {
                        break;
                    }
                    for (int k = 0; k < strides.length; k++) {
                        offsets[k] -= strides[k][d] * outDims[d];
                    }
                    index[d] = 0;
                }
            }
        }
    }

    // ---- one evaluation's context ----

    /** The node being evaluated, its constant inputs and the cap on its output. */
    private static final class Evaluation {
        final Node node;
        final Map<String, Tensor> constants;
        final long limit;

        Evaluation(Node node, Map<String, Tensor> constants, long limit) {
            this.node = node;
            this.constants = constants;
            this.limit = limit;
        }

        Tensor input(int i) throws ModelLoadException {
            Optional<Tensor> t = optionalInput(i);
            if (t.isEmpty()) {
                throw error("required input #" + i + " is missing");
            }
            return t.get();
        }

        Optional<Tensor> optionalInput(int i) throws ModelLoadException {
            if (i >= node.inputs().size() || node.inputs().get(i).isEmpty()) {
                return Optional.empty();
            }
            String name = node.inputs().get(i);
            Tensor t = constants.get(name);
            if (t == null) {
                throw error("input '" + name + "' is not a constant");
            }
            return Optional.of(t);
        }

        ModelLoadException error(String message) {
            return new ModelLoadException(node.describe() + ": " + message);
        }

        /** The element count of an output shape, or no fold at all when it passes the cap. */
        long count(long[] dims) throws ModelLoadException {
            long count;
            try {
                count = Tensor.elementCount(dims);
            } catch (ArithmeticException | IllegalArgumentException ex) {
                throw error("output shape " + Arrays.toString(dims) + " is invalid: " + ex.getMessage());
            }
            if (count > limit) {
                throw NotFolded.INSTANCE;
            }
            return count;
        }

        MemorySegment allocate(DataType type, long[] dims) throws ModelLoadException {
            long bytes;
            try {
                bytes = Math.multiplyExact(count(dims), (long) type.byteSize());
            } catch (ArithmeticException ex) {
                throw error("output shape " + Arrays.toString(dims) + " of " + type + " overflows a byte count");
            }
            // Byte arrays stop just short of 2 GiB; only uncapped data movement gets past that.
            return bytes <= MAX_OUTPUT_ELEMENTS_LIMIT ? MemorySegment.ofArray(new byte[(int) bytes])
                    : Arena.ofAuto().allocate(bytes, Long.BYTES);
        }
    }

    /** Signals, without a stack trace, that a node is left unfolded (too large, or an unhandled form). */
    private static final class NotFolded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NotFolded INSTANCE = new NotFolded();

        private NotFolded() {
            super("not folded", null, false, false);
        }
    }
}
