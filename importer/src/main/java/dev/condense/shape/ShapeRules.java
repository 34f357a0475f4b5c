// Shape and type rules of the default-domain ops: elementwise, broadcasting, matrix products, convolution, pooling.
package dev.condense.shape;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import dev.condense.ops.ArgReduceAttrs;
import dev.condense.ops.Attrs;
import dev.condense.ops.BatchNormAttrs;
import dev.condense.ops.CastAttrs;
import dev.condense.ops.ClipAttrs;
import dev.condense.ops.ConvAttrs;
import dev.condense.ops.ConvTransposeAttrs;
import dev.condense.ops.DropoutAttrs;
import dev.condense.ops.EluAttrs;
import dev.condense.ops.GeluAttrs;
import dev.condense.ops.GemmAttrs;
import dev.condense.ops.HardSigmoidAttrs;
import dev.condense.ops.InstanceNormAttrs;
import dev.condense.ops.LayerNormAttrs;
import dev.condense.ops.LeakyReluAttrs;
import dev.condense.ops.LrnAttrs;
import dev.condense.ops.PoolAttrs;
import dev.condense.ops.ReduceAttrs;
import dev.condense.ops.SeluAttrs;
import dev.condense.ops.SlidingWindow;
import dev.condense.ops.SoftmaxAttrs;
import dev.condense.ops.WindowAttrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Per-op inference for one node: reads input types through a {@link NodeContext} and sets the
 * output types. Layout ops (Reshape, Concat, Slice, ...) live in {@link LayoutRules}.
 */
final class ShapeRules {

    /** Which inputs of a Conv-like node are X, W and the bias (-1: none). */
    private record ConvInputs(int x, int w, int bias) {
        static final ConvInputs PLAIN = new ConvInputs(0, 1, 2);
    }

    private ShapeRules() {
    }

    /** Infers the node's outputs; false when the op is not one these rules know. */
    static boolean infer(NodeContext c) throws ModelLoadException {
        Node n = c.node;
        int opset = c.opset;
        switch (n.opType()) {
            case "Relu", "Sigmoid", "Tanh", "HardSwish", "Exp", "Log", "Abs", "Erf", "Floor", "Ceil", "Round",
                 "Reciprocal", "Sqrt", "Softplus", "Softsign", "Sign", "Sin", "Cos", "Mish", "ThresholdedRelu", "Shrink",
                 "Tan", "Sinh", "Cosh", "Asin", "Acos", "Atan", "Asinh", "Acosh", "Atanh", "CumSum", "Trilu",
                 "LpNormalization", "MeanVarianceNormalization" -> sameAsInput(c);
            case "Neg" -> {
                sameAsInput(c);
                Optional<SymbolicValues> v = c.values(0);
                if (v.isPresent()) {
                    List<Optional<Monomial>> negated = new ArrayList<>();
                    for (Optional<Monomial> e : v.get().elements()) {
                        negated.add(e.map(Monomial::negate));
                    }
                    c.outputValues(0, new SymbolicValues(negated));
                }
            }
            case "LeakyRelu" -> {
                LeakyReluAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "HardSigmoid" -> {
                HardSigmoidAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "Elu", "Celu" -> {
                EluAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "Selu" -> {
                SeluAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "Gelu" -> {
                GeluAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "Clip" -> {
                ClipAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "LRN" -> {
                LrnAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "InstanceNormalization" -> {
                InstanceNormAttrs.of(n, opset);
                sameAsInput(c);
            }
            case "Softmax", "LogSoftmax", "Hardmax" -> softmax(c);
            case "Identity" -> {
                sameAsInput(c);
                c.values(0).ifPresent(v -> c.outputValues(0, v));
            }
            case "Not", "IsNaN", "IsInf" -> c.output(0, DataType.BOOL, c.shape(0));
            case "Add", "Sub", "Mul", "Div" -> arithmetic(c);
            case "Pow", "Mod", "BitShift", "And", "Or", "Xor", "Sum", "Max", "Min", "Mean" ->
                    c.output(0, c.dtype(0), broadcast(c, allInputs(c)));
            case "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual" ->
                    c.output(0, DataType.BOOL, broadcast(c, allInputs(c)));
            case "Where" -> c.output(0, c.dtype(1), broadcast(c, allInputs(c)));
            case "PRelu" -> prelu(c);
            case "MatMul" -> c.output(0, c.dtype(0), matMul(c, 0, 1));
            case "MatMulInteger" -> c.output(0, DataType.INT32, matMul(c, 0, 1));
            case "QLinearMatMul" -> c.output(0, c.dtype(7), matMul(c, 0, 3));
            case "Gemm" -> gemm(c);
            case "Conv" -> conv(c, ConvInputs.PLAIN, c.dtype(0));
            case "ConvInteger" -> conv(c, new ConvInputs(0, 1, -1), DataType.INT32);
            case "QLinearConv" -> conv(c, new ConvInputs(0, 3, 8), c.dtype(7));
            case "ConvTranspose" -> convTranspose(c);
            case "MaxPool", "AveragePool" -> pool(c);
            case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> globalPool(c);
            case "BatchNormalization" -> batchNorm(c);
            case "LayerNormalization" -> layerNorm(c);
            case "Dropout" -> dropout(c);
            case "Cast" -> cast(c);
            case "CastLike" -> c.output(0, c.dtype(1), c.shape(0));
            case "QuantizeLinear" -> quantize(c);
            case "DequantizeLinear" -> c.output(0, opset >= 19 ? c.dtype(1) : DataType.FLOAT, c.shape(0));
            case "DynamicQuantizeLinear" -> {
                c.output(0, DataType.UINT8, c.shape(0));
                c.output(1, DataType.FLOAT, List.of());
                c.output(2, DataType.UINT8, List.of());
            }
            case "ArgMax", "ArgMin" -> argReduce(c);
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                 "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare" -> reduce(c);
            default -> {
                return LayoutRules.infer(c);
            }
        }
        return true;
    }

    // ---- elementwise ----

    private static void sameAsInput(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        c.output(0, x.dtype(), x.shape());
    }

    private static void softmax(NodeContext c) throws ModelLoadException {
        SoftmaxAttrs attrs = SoftmaxAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isPresent()) {
            c.axis("attribute 'axis'", attrs.axis(), x.rank());
        }
        c.output(0, x.dtype(), x.shape());
    }

    private static int[] allInputs(NodeContext c) throws ModelLoadException {
        int[] out = new int[c.inputCount()];
        for (int i = 0; i < out.length; i++) {
            if (!c.hasInput(i)) {
                throw c.error("input " + i + " is missing; " + c.node.opType() + " takes no optional inputs");
            }
            out[i] = i;
        }
        if (out.length == 0) {
            throw c.error("has no inputs");
        }
        return out;
    }

    /** Add, Sub, Mul, Div: multidirectional broadcast, plus the arithmetic on tracked shape values. */
    private static void arithmetic(NodeContext c) throws ModelLoadException {
        c.output(0, c.dtype(0), broadcast(c, 0, 1));
        Optional<SymbolicValues> a = c.values(0);
        Optional<SymbolicValues> b = c.values(1);
        if (a.isEmpty() || b.isEmpty() || !c.dtype(0).isInteger()) {
            return;
        }
        int n = Math.max(a.get().size(), b.get().size());
        if ((a.get().size() != n && a.get().size() != 1) || (b.get().size() != n && b.get().size() != 1)) {
            return;
        }
        List<Optional<Monomial>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Optional<Monomial> x = a.get().get(a.get().size() == 1 ? 0 : i);
            Optional<Monomial> y = b.get().get(b.get().size() == 1 ? 0 : i);
            out.add(x.isEmpty() || y.isEmpty() ? Optional.empty() : combine(c.node.opType(), x.get(), y.get()));
        }
        c.outputValues(0, new SymbolicValues(out));
    }

    private static Optional<Monomial> combine(String op, Monomial x, Monomial y) {
        return switch (op) {
            case "Add" -> x.plus(y);
            case "Sub" -> x.plus(y.negate());
            case "Mul" -> Optional.of(x.times(y));
            default -> {
                if (x.isConstant() && y.isConstant()) {
                    // ONNX integer division truncates toward zero, as Java's does.
                    yield y.coefficient() == 0 ? Optional.empty() : Optional.of(Monomial.constant(x.coefficient() / y.coefficient()));
                }
                yield x.dividedBy(y);
            }
        };
    }

    /** The multidirectional (NumPy) broadcast of the inputs' shapes; empty when one rank is unknown. */
    static Optional<List<Dim>> broadcast(NodeContext c, int... inputs) throws ModelLoadException {
        List<Dim> out = List.of();
        String described = null;
        for (int i : inputs) {
            Optional<List<Dim>> s = c.shape(i);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            String current = c.describeInput(i);
            out = described == null ? s.get() : broadcastPair(c, out, s.get(), described, current);
            described = described == null ? current : "their broadcast " + Dim.format(out);
        }
        return Optional.of(out);
    }

    /** Broadcasts two shapes, or throws quoting both (as {@code aName} and {@code bName}). */
    static List<Dim> broadcastPair(NodeContext c, List<Dim> a, List<Dim> b, String aName, String bName)
            throws ModelLoadException {
        int rank = Math.max(a.size(), b.size());
        Dim[] out = new Dim[rank];
        for (int k = 0; k < rank; k++) {
            int ia = k - (rank - a.size());
            int ib = k - (rank - b.size());
            if (ia < 0) {
                out[k] = b.get(ib);
                continue;
            }
            if (ib < 0) {
                out[k] = a.get(ia);
                continue;
            }
            Dim x = a.get(ia);
            Dim y = b.get(ib);
            if (sameSize(x, y) || isOne(y)) {
                out[k] = x;
            } else if (isOne(x)) {
                out[k] = y;
            } else if (x.isFixed() && y.isFixed()) {
                throw c.error("cannot broadcast " + aName + " with " + bName + ": dimension " + x + " vs " + y
                        + " (axis " + (k - rank) + " from the end); shapes " + Dim.format(a) + " and " + Dim.format(b));
            } else if (x.isFixed()) {
                out[k] = x;
            } else if (y.isFixed()) {
                out[k] = y;
            } else {
                out[k] = Dim.UNKNOWN;
            }
        }
        return List.of(out);
    }

    /** True when both dimensions are provably the same size. */
    static boolean sameSize(Dim a, Dim b) {
        if (a instanceof Dim.Unknown || b instanceof Dim.Unknown) {
            return false;
        }
        return a.equals(b) || Monomial.of(a).equals(Monomial.of(b));
    }

    private static boolean isOne(Dim d) {
        return d instanceof Dim.Fixed(long s) && s == 1;
    }

    /** PRelu: the slope broadcasts one way, to X's shape. */
    private static void prelu(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        Optional<List<Dim>> slope = c.shape(1);
        if (x.shape().isPresent() && slope.isPresent()) {
            List<Dim> xs = x.shape().get();
            List<Dim> b = broadcastPair(c, xs, slope.get(), c.describeInput(0), "slope " + c.describeInput(1));
            if (b.size() != xs.size() || hasFixedConflict(xs, b)) {
                throw c.error("slope " + c.describeInput(1) + " does not broadcast to X " + c.describeInput(0));
            }
        }
        c.output(0, x.dtype(), x.shape());
    }

    private static boolean hasFixedConflict(List<Dim> a, List<Dim> b) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).isFixed() && b.get(i).isFixed() && a.get(i).size() != b.get(i).size()) {
                return true;
            }
        }
        return false;
    }

    // ---- matrix products ----

    /** MatMul with NumPy semantics: 1-D operands are promoted and the added axis removed; batch axes broadcast. */
    private static Optional<List<Dim>> matMul(NodeContext c, int ia, int ib) throws ModelLoadException {
        Optional<List<Dim>> as = c.shape(ia);
        Optional<List<Dim>> bs = c.shape(ib);
        if (as.isEmpty() || bs.isEmpty()) {
            return Optional.empty();
        }
        List<Dim> a = as.get();
        List<Dim> b = bs.get();
        if (a.isEmpty() || b.isEmpty()) {
            throw c.error("operands must have rank >= 1; got A " + c.describeInput(ia) + " and B " + c.describeInput(ib));
        }
        List<Dim> a2 = a.size() == 1 ? List.of(Dim.of(1), a.getFirst()) : a;
        List<Dim> b2 = b.size() == 1 ? List.of(b.getFirst(), Dim.of(1)) : b;
        Dim ka = a2.getLast();
        Dim kb = b2.get(b2.size() - 2);
        if (ka.isFixed() && kb.isFixed() && ka.size() != kb.size()) {
            throw c.error("inner dimensions differ: A " + c.describeInput(ia) + " and B " + c.describeInput(ib) + " ("
                    + ka + " vs " + kb + ")");
        }
        List<Dim> out = new ArrayList<>(broadcastPair(c, a2.subList(0, a2.size() - 2), b2.subList(0, b2.size() - 2),
                "the batch dimensions of A " + c.describeInput(ia), "those of B " + c.describeInput(ib)));
        if (a.size() > 1) {
            out.add(a2.get(a2.size() - 2));
        }
        if (b.size() > 1) {
            out.add(b2.getLast());
        }
        return Optional.of(out);
    }

    /** Gemm: A [M, K] (or [K, M] when transA), B [K, N] (or [N, K]), C broadcast to [M, N]. */
    private static void gemm(NodeContext c) throws ModelLoadException {
        GemmAttrs attrs = GemmAttrs.of(c.node, c.opset);
        Optional<List<Dim>> as = c.shape(0);
        Optional<List<Dim>> bs = c.shape(1);
        for (int i = 0; i < 2; i++) {
            Optional<List<Dim>> s = i == 0 ? as : bs;
            if (s.isPresent() && s.get().size() != 2) {
                throw c.error("input " + (i == 0 ? "A " : "B ") + c.describeInput(i) + " must have rank 2");
            }
        }
        Dim m = as.map(s -> s.get(attrs.transA() ? 1 : 0)).orElse(Dim.UNKNOWN);
        Dim ka = as.map(s -> s.get(attrs.transA() ? 0 : 1)).orElse(Dim.UNKNOWN);
        Dim kb = bs.map(s -> s.get(attrs.transB() ? 1 : 0)).orElse(Dim.UNKNOWN);
        Dim n = bs.map(s -> s.get(attrs.transB() ? 0 : 1)).orElse(Dim.UNKNOWN);
        if (ka.isFixed() && kb.isFixed() && ka.size() != kb.size()) {
            throw c.error("inner dimensions differ: A " + c.describeInput(0) + (attrs.transA() ? " (transposed)" : "")
                    + " and B " + c.describeInput(1) + (attrs.transB() ? " (transposed)" : "") + " (" + ka + " vs "
                    + kb + ")");
        }
        List<Dim> out = List.of(m, n);
        if (c.hasInput(2) && c.shape(2).isPresent()) {
            List<Dim> bias = c.shape(2).get();
            List<Dim> b = broadcastPair(c, out, bias, "the product [M, N] = " + Dim.format(out), "C " + c.describeInput(2));
            if (b.size() != 2 || hasFixedConflict(out, b)) {
                throw c.error("C " + c.describeInput(2) + " does not broadcast to the product [M, N] = " + Dim.format(out));
            }
        }
        c.output(0, c.dtype(0), out);
    }

    // ---- convolution and pooling ----

    /**
     * Conv and its quantized forms: X [N, C, D1, ...], W [M, C/group, k1, ...], optional B [M];
     * Y [N, M, O1, ...] of type {@code dtype}.
     */
    private static void conv(NodeContext c, ConvInputs io, DataType dtype) throws ModelLoadException {
        ConvAttrs attrs = ConvAttrs.of(c.node, c.opset);
        Optional<List<Dim>> xs = c.shape(io.x());
        Optional<List<Dim>> ws = c.shape(io.w());
        int rank = windowRank(c, io, xs, ws);
        if (rank < 0) {
            c.outputUnknownShape(0, dtype);
            return;
        }
        int[] kernel = kernel(c, io, attrs.windowAttrs().kernelShape(), ws, rank - 2);
        SlidingWindow window = kernel == null ? null : attrs.window(c.node, kernel);
        checkAttrRank(c, attrs.windowAttrs(), rank);
        int group = attrs.group();
        Dim channels = xs.map(s -> s.get(1)).orElse(Dim.UNKNOWN);
        Dim m = ws.map(s -> s.getFirst()).orElse(Dim.UNKNOWN);
        Dim perGroup = ws.map(s -> s.get(1)).orElse(Dim.UNKNOWN);
        if (channels.isFixed() && perGroup.isFixed()
                && channels.size() != Math.multiplyExact(perGroup.size(), (long) group)) {
            throw c.error("input channels " + channels + " of X " + c.describeInput(io.x()) + " do not match weight W "
                    + c.describeInput(io.w()) + " with group " + group + ": X's channels must equal W's dim 1 ("
                    + perGroup + ") * group = " + Math.multiplyExact(perGroup.size(), (long) group));
        }
        if (m.isFixed() && m.size() % group != 0) {
            throw c.error("weight W " + c.describeInput(io.w()) + " has " + m + " output channels, which group " + group
                    + " does not divide");
        }
        checkBias(c, io, m);
        List<Dim> out = new ArrayList<>();
        out.add(xs.map(s -> s.getFirst()).orElse(Dim.UNKNOWN));
        out.add(m);
        for (int i = 0; i < rank - 2; i++) {
            out.add(windowOutput(c, io, window, i, xs.isPresent() ? xs.get().get(2 + i) : Dim.UNKNOWN));
        }
        c.output(0, dtype, out);
    }

    /** ConvTranspose: X [N, C, D1, ...], W [C, M/group, k1, ...]; Y [N, M, O1, ...]. */
    private static void convTranspose(NodeContext c) throws ModelLoadException {
        ConvTransposeAttrs attrs = ConvTransposeAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<List<Dim>> xs = x.shape();
        Optional<List<Dim>> ws = c.shape(1);
        int rank = windowRank(c, ConvInputs.PLAIN, xs, ws);
        if (rank < 0) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        int[] kernel = kernel(c, ConvInputs.PLAIN, attrs.windowAttrs().kernelShape(), ws, rank - 2);
        SlidingWindow window = kernel == null ? null : attrs.window(c.node, kernel);
        checkAttrRank(c, attrs.windowAttrs(), rank);
        Dim channels = xs.map(s -> s.get(1)).orElse(Dim.UNKNOWN);
        Dim wIn = ws.map(s -> s.getFirst()).orElse(Dim.UNKNOWN);
        if (channels.isFixed() && wIn.isFixed() && channels.size() != wIn.size()) {
            throw c.error("input channels " + channels + " of X " + c.describeInput(0) + " do not match weight W "
                    + c.describeInput(1) + ", whose dim 0 must equal them");
        }
        Dim perGroup = ws.map(s -> s.get(1)).orElse(Dim.UNKNOWN);
        Dim m = perGroup.isFixed() ? Dim.of(Math.multiplyExact(perGroup.size(), (long) attrs.group())) : Dim.UNKNOWN;
        checkBias(c, ConvInputs.PLAIN, m);
        List<Dim> out = new ArrayList<>();
        out.add(xs.map(s -> s.getFirst()).orElse(Dim.UNKNOWN));
        out.add(m);
        for (int i = 0; i < rank - 2; i++) {
            Dim in = xs.isPresent() ? xs.get().get(2 + i) : Dim.UNKNOWN;
            if (window == null || !in.isFixed()) {
                out.add(Dim.UNKNOWN);
                continue;
            }
            long size = attrs.outputSize(window, i, in.size());
            if (size < 1) {
                throw c.error("output size along spatial axis " + i + " would be " + size + " for X "
                        + c.describeInput(0) + " and W " + c.describeInput(1));
            }
            out.add(Dim.of(size));
        }
        c.output(0, x.dtype(), out);
    }

    /** MaxPool (with optional int64 Indices) and AveragePool: X [N, C, D1, ...] to [N, C, O1, ...]. */
    private static void pool(NodeContext c) throws ModelLoadException {
        PoolAttrs attrs = PoolAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<List<Dim>> shape = Optional.empty();
        if (x.shape().isPresent()) {
            List<Dim> xs = x.shape().get();
            SlidingWindow window = attrs.window();
            int spatial = window.spatialRank();
            if (xs.size() != spatial + 2) {
                throw c.error("X " + c.describeInput(0) + " must have rank " + (spatial + 2) + " ([N, C] and " + spatial
                        + " spatial dimensions for kernel_shape " + Arrays.toString(window.attrs().kernelShape()) + ")");
            }
            List<Dim> out = new ArrayList<>(xs.subList(0, 2));
            for (int i = 0; i < spatial; i++) {
                out.add(windowOutput(c, null, window, i, xs.get(2 + i)));
            }
            shape = Optional.of(out);
        }
        c.output(0, x.dtype(), shape);
        c.output(1, DataType.INT64, shape);
    }

    private static void globalPool(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        Optional<List<Dim>> shape = Optional.empty();
        if (x.shape().isPresent()) {
            List<Dim> xs = x.shape().get();
            if (xs.size() < 3) {
                throw c.error("X " + c.describeInput(0) + " must have rank >= 3 ([N, C, D1, ...])");
            }
            List<Dim> out = new ArrayList<>(xs.subList(0, 2));
            out.addAll(Collections.nCopies(xs.size() - 2, Dim.of(1)));
            shape = Optional.of(out);
        }
        c.output(0, x.dtype(), shape);
    }

    /** The rank of a Conv-like op from X, else W: at least 3 and equal between the two; -1 when neither is known. */
    private static int windowRank(NodeContext c, ConvInputs io, Optional<List<Dim>> xs, Optional<List<Dim>> ws)
            throws ModelLoadException {
        int rank = xs.map(List::size).orElse(ws.map(List::size).orElse(-1));
        if (rank < 0) {
            return -1;
        }
        if (rank < 3) {
            throw c.error((xs.isPresent() ? "X " + c.describeInput(io.x()) : "W " + c.describeInput(io.w()))
                    + " must have rank >= 3 ([N, C, D1, ...])");
        }
        if (xs.isPresent() && ws.isPresent() && ws.get().size() != rank) {
            throw c.error("weight W " + c.describeInput(io.w()) + " must have the rank of X " + c.describeInput(io.x()));
        }
        return rank;
    }

    /** Checks the spatial rank the window attributes imply (when the kernel was not known to check them). */
    private static void checkAttrRank(NodeContext c, WindowAttrs attrs, int rank) throws ModelLoadException {
        int attrRank = attrs.spatialRank();
        if (attrRank >= 0 && attrRank != rank - 2) {
            throw c.error("the attributes describe a " + attrRank + "-D window (" + attrs + ") but X "
                    + c.describeInput(0) + " has " + (rank - 2) + " spatial dimensions");
        }
    }

    /** The kernel: kernel_shape when given, else W's spatial dims when all fixed, else null. */
    private static int[] kernel(NodeContext c, ConvInputs io, int[] kernelShape, Optional<List<Dim>> ws, int spatial)
            throws ModelLoadException {
        if (ws.isPresent()) {
            List<Dim> w = ws.get();
            if (Dim.allFixed(w.subList(2, w.size()))) {
                int[] k = new int[spatial];
                for (int i = 0; i < spatial; i++) {
                    long size = w.get(2 + i).size();
                    if (size < 1 || size > Integer.MAX_VALUE) {
                        throw c.error("weight W " + c.describeInput(io.w()) + " has kernel size " + size + "; sizes must be >= 1");
                    }
                    k[i] = (int) size;
                }
                return k;
            }
        }
        return kernelShape.length > 0 ? kernelShape : null;
    }

    private static void checkBias(NodeContext c, ConvInputs io, Dim m) throws ModelLoadException {
        int input = io.bias();
        if (input < 0 || !c.hasInput(input) || c.shape(input).isEmpty()) {
            return;
        }
        List<Dim> b = c.shape(input).get();
        if (b.size() != 1 || (m.isFixed() && b.getFirst().isFixed() && b.getFirst().size() != m.size())) {
            throw c.error("bias B " + c.describeInput(input) + " must have shape [" + m + "] (one value per output channel)"
                    + " for weight W " + c.describeInput(io.w()));
        }
    }

    /** One spatial output dimension; {@code io} names the weight for messages (null for pooling). */
    private static Dim windowOutput(NodeContext c, ConvInputs io, SlidingWindow window, int axis, Dim in)
            throws ModelLoadException {
        if (window == null) {
            return Dim.UNKNOWN;
        }
        if (!in.isFixed()) {
            return window.preservesSize(axis) ? in : Dim.UNKNOWN;
        }
        long size = window.outputSize(axis, in.size());
        if (size < 1) {
            throw c.error("output size along spatial axis " + axis + " would be " + size + " ("
                    + window.describeAxis(axis, in.size()) + ") for X " + c.describeInput(io == null ? 0 : io.x())
                    + (io == null ? "" : " and W " + c.describeInput(io.w())));
        }
        return Dim.of(size);
    }

    // ---- normalization and friends ----

    /** BatchNormalization: Y has X's shape; statistics outputs (training forms) are per channel. */
    private static void batchNorm(NodeContext c) throws ModelLoadException {
        BatchNormAttrs attrs = BatchNormAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<List<Dim>> statShape = Optional.empty();
        if (x.shape().isPresent()) {
            List<Dim> xs = x.shape().get();
            if (xs.size() < 2) {
                throw c.error("X " + c.describeInput(0) + " must have rank >= 2 ([N, C, ...])");
            }
            statShape = Optional.of(attrs.spatial() ? List.of(xs.get(1)) : xs.subList(1, xs.size()));
            for (int i = 1; i <= 4; i++) {
                Optional<List<Dim>> s = c.shape(i);
                if (s.isPresent() && (s.get().size() != statShape.get().size() || hasFixedConflict(s.get(), statShape.get()))) {
                    throw c.error(List.of("", "scale", "B", "mean", "var").get(i) + " " + c.describeInput(i)
                            + " must have shape " + Dim.format(statShape.get()) + " to match X " + c.describeInput(0));
                }
            }
        }
        c.output(0, x.dtype(), x.shape());
        DataType statType = c.opset >= 14 ? c.dtype(3) : x.dtype();
        for (int i = 1; i < c.outputCount(); i++) {
            c.output(i, statType, statShape);
        }
    }

    /** LayerNormalization: Y has X's shape; Mean and InvStdDev keep the leading axes and are 1 from {@code axis} on. */
    private static void layerNorm(NodeContext c) throws ModelLoadException {
        LayerNormAttrs attrs = LayerNormAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        c.output(0, x.dtype(), x.shape());
        Optional<List<Dim>> statShape = Optional.empty();
        if (x.shape().isPresent()) {
            List<Dim> xs = x.shape().get();
            int axis = c.axis("attribute 'axis'", attrs.axis(), xs.size());
            List<Dim> s = new ArrayList<>(xs.subList(0, axis));
            s.addAll(Collections.nCopies(xs.size() - axis, Dim.of(1)));
            statShape = Optional.of(s);
        }
        DataType stash = DataType.fromOnnx(attrs.stashType()).orElse(DataType.FLOAT);
        c.output(1, stash, statShape);
        c.output(2, stash, statShape);
    }

    /** Dropout: output has X's shape; the mask is bool from opset 10 on, X's type before. */
    private static void dropout(NodeContext c) throws ModelLoadException {
        DropoutAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        c.output(0, x.dtype(), x.shape());
        c.output(1, c.opset >= 10 ? DataType.BOOL : x.dtype(), x.shape());
    }

    private static void cast(NodeContext c) throws ModelLoadException {
        CastAttrs attrs = CastAttrs.of(c.node, c.opset);
        c.output(0, attrs.to(), c.shape(0));
        if (attrs.to().isInteger()) {
            c.values(0).ifPresent(v -> c.outputValues(0, v));
        }
    }

    /** QuantizeLinear: y has x's shape and the zero point's type, else output_dtype (opset 21 on), else uint8. */
    private static void quantize(NodeContext c) throws ModelLoadException {
        DataType dtype = DataType.UINT8;
        if (c.hasInput(2)) {
            dtype = c.dtype(2);
        } else if (c.opset >= 21) {
            long code = Attrs.getInt(c.node, "output_dtype", 0);
            if (code != 0) {
                dtype = DataType.fromOnnx((int) code).filter(t -> t.onnxCode() == code).orElseThrow(() -> c.error(
                        "attribute 'output_dtype' is " + code + " (" + DataType.onnxName((int) code)
                                + "); Condense holds " + DataType.supportedList()));
            }
        }
        c.output(0, dtype, c.shape(0));
    }

    // ---- reductions ----

    private static void argReduce(NodeContext c) throws ModelLoadException {
        ArgReduceAttrs attrs = ArgReduceAttrs.of(c.node, c.opset);
        Optional<List<Dim>> xs = c.shape(0);
        if (xs.isEmpty()) {
            c.outputUnknownShape(0, DataType.INT64);
            return;
        }
        int axis = c.axis("attribute 'axis'", attrs.axis(), xs.get().size());
        c.output(0, DataType.INT64, reduced(xs.get(), new int[] {axis}, attrs.keepDims()));
    }

    private static void reduce(NodeContext c) throws ModelLoadException {
        ReduceAttrs attrs = ReduceAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        // Once the axes are input 1, attrs.axes() is empty: what a zero-length axes input holds, tracked
        // or not. When which axes go is unknown, how many is known from the input's fixed length.
        boolean fromInput = attrs.axesFromInput() && c.hasInput(1) && LayoutRules.knownLength(c, 1) != 0;
        Optional<long[]> known = LayoutRules.knownAxes(c, x, attrs.axes(), fromInput,
                (rank, count) -> attrs.keepDims() ? rank : count > 0 && count <= rank ? rank - count : -1);
        if (known.isEmpty()) {
            return;
        }
        long[] axes = known.get();
        List<Dim> xs = x.shape().get();
        if (axes.length == 0) {
            if (attrs.noopWithEmptyAxes()) {
                c.output(0, x.dtype(), xs);
                return;
            }
            axes = new long[xs.size()];
            Arrays.setAll(axes, i -> i);
        }
        int[] normalized = new int[axes.length];
        boolean[] seen = new boolean[xs.size()];
        for (int i = 0; i < axes.length; i++) {
            normalized[i] = c.axis("reduction axis", axes[i], xs.size());
            if (seen[normalized[i]]) {
                throw c.error("reduction axes " + Arrays.toString(axes) + " name axis " + normalized[i] + " twice");
            }
            seen[normalized[i]] = true;
        }
        c.output(0, x.dtype(), reduced(xs, normalized, attrs.keepDims()));
    }

    private static List<Dim> reduced(List<Dim> xs, int[] axes, boolean keepDims) {
        boolean[] reduce = new boolean[xs.size()];
        for (int a : axes) {
            reduce[a] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (!reduce[i]) {
                out.add(xs.get(i));
            } else if (keepDims) {
                out.add(Dim.of(1));
            }
        }
        return out;
    }
}
