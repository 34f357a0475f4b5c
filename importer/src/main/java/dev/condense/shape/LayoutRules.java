// Shape rules of the ops that move, select or create elements: Reshape, Concat, Slice, Gather, Shape, Resize and kin.
package dev.condense.shape;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.ops.AxesAttrs;
import dev.condense.ops.ConcatAttrs;
import dev.condense.ops.ConstantAttrs;
import dev.condense.ops.ConstantOfShapeAttrs;
import dev.condense.ops.FlattenAttrs;
import dev.condense.ops.DepthToSpaceAttrs;
import dev.condense.ops.GatherAttrs;
import dev.condense.ops.GatherNdAttrs;
import dev.condense.ops.PadAttrs;
import dev.condense.ops.ReshapeAttrs;
import dev.condense.ops.ResizeAttrs;
import dev.condense.ops.ShapeAttrs;
import dev.condense.ops.SliceAttrs;
import dev.condense.ops.SplitAttrs;
import dev.condense.ops.TopKAttrs;
import dev.condense.ops.TransposeAttrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.LongBinaryOperator;
import java.util.stream.Collectors;

/**
 * Inference for layout and indexing ops. Where an op's shape depends on a small integer input
 * (Reshape's shape, Slice's starts, Unsqueeze's axes), that input must be a constant or a value
 * tracked through shape arithmetic; otherwise the affected dimensions are unknown.
 */
final class LayoutRules {

    /** Slice ends at or beyond this (INT32_MAX, as exporters write "to the end") keep a symbolic dimension. */
    private static final long SLICE_TO_END = Integer.MAX_VALUE;

    private LayoutRules() {
    }

    static boolean infer(NodeContext c) throws ModelLoadException {
        switch (c.node.opType()) {
            case "Reshape" -> reshape(c);
            case "Flatten" -> flatten(c);
            case "Squeeze" -> squeeze(c);
            case "Unsqueeze" -> unsqueeze(c);
            case "Transpose" -> transpose(c);
            case "Concat" -> concat(c);
            case "Split" -> split(c);
            case "Slice" -> slice(c);
            case "Gather" -> gather(c);
            case "GatherElements" -> c.output(0, c.dtype(0), c.shape(1));
            case "GatherND" -> gatherNd(c);
            case "Scatter", "ScatterElements", "ScatterND" -> c.output(0, c.dtype(0), c.shape(0));
            case "TopK" -> topK(c);
            case "NonZero" -> c.output(0, DataType.INT64, c.shape(0).map(s -> List.of(Dim.of(s.size()), Dim.UNKNOWN)));
            case "DepthToSpace", "SpaceToDepth" -> depthToSpace(c);
            case "Pad" -> pad(c);
            case "Tile" -> tile(c);
            case "Expand" -> expand(c);
            case "Shape" -> shape(c);
            case "Size" -> size(c);
            case "Constant" -> c.outputConstant(0, ConstantAttrs.of(c.node, c.opset).value());
            case "ConstantOfShape" -> constantOfShape(c);
            case "Range" -> range(c);
            case "Resize", "Upsample" -> resize(c);
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- reshaping ----

    /**
     * Reshape: 0 copies the input dimension (unless allowzero), one -1 takes what is left. The
     * element counts are compared as monomials, so [N, 16, 5, 5] to [-1, 400] gives [N, 400].
     */
    private static void reshape(NodeContext c) throws ModelLoadException {
        ReshapeAttrs attrs = ReshapeAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<SymbolicValues> target = c.values(1);
        if (target.isEmpty()) {
            c.output(0, x.dtype(), unknownDims(c, 1));
            return;
        }
        SymbolicValues t = target.get();
        String targetText = format(t);
        Optional<List<Dim>> xs = x.shape();
        int inferred = -1;
        boolean hasZero = false;
        List<Dim> out = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) {
            Optional<Monomial> e = t.get(i);
            if (e.isEmpty() || !e.get().isConstant()) {
                out.add(e.map(Monomial::toDim).orElse(Dim.UNKNOWN));
                continue;
            }
            long v = e.get().coefficient();
            if (v < -1) {
                throw c.error("shape input " + targetText + " holds " + v + " at index " + i + "; entries must be >= -1");
            }
            if (v == -1) {
                if (inferred >= 0) {
                    throw c.error("shape input " + targetText + " has more than one -1");
                }
                inferred = i;
                out.add(Dim.UNKNOWN);
            } else if (v == 0 && !attrs.allowZero()) {
                if (xs.isPresent() && i >= xs.get().size()) {
                    throw c.error("shape input " + targetText + " has 0 at index " + i + ", which copies dimension " + i
                            + " of " + c.describeInput(0) + ", a tensor of rank " + xs.get().size());
                }
                out.add(xs.isPresent() ? xs.get().get(i) : Dim.UNKNOWN);
            } else {
                hasZero |= v == 0;
                out.add(Dim.of(v));
            }
        }
        if (attrs.allowZero() && hasZero && inferred >= 0) {
            throw c.error("shape input " + targetText + " mixes 0 and -1, which allowzero=1 forbids");
        }
        Optional<Monomial> total = xs.flatMap(Monomial::product);
        if (inferred >= 0) {
            List<Dim> others = new ArrayList<>(out);
            others.remove(inferred);
            Optional<Monomial> rest = product(c, others, targetText);
            if (total.isPresent() && rest.isPresent()) {
                Optional<Monomial> q = total.get().dividedBy(rest.get());
                if (q.isPresent()) {
                    out.set(inferred, q.get().toDim());
                } else if (total.get().isConstant() && rest.get().isConstant()) {
                    throw c.error("cannot reshape " + c.describeInput(0) + " (" + total.get() + " elements) to "
                            + targetText + ": the other dimensions hold " + rest.get()
                            + " elements, which does not divide " + total.get());
                }
            }
        } else {
            Optional<Monomial> count = product(c, out, targetText);
            if (total.isPresent() && count.isPresent() && total.get().isConstant() && count.get().isConstant()
                    && total.get().coefficient() != count.get().coefficient()) {
                throw c.error("cannot reshape " + c.describeInput(0) + " (" + total.get() + " elements) to "
                        + targetText + " (" + count.get() + " elements)");
            }
        }
        c.output(0, x.dtype(), out);
        if (out.size() <= 1) {
            c.values(0).ifPresent(v -> c.outputValues(0, v));
        }
    }

    /** The product of target dimensions, with an overflow reported against the target shape. */
    private static Optional<Monomial> product(NodeContext c, List<Dim> dims, String targetText) throws ModelLoadException {
        try {
            return Monomial.product(dims);
        } catch (ArithmeticException e) {
            throw c.error("shape input " + targetText + " describes more elements than a 64-bit count holds");
        }
    }

    /** Flatten: [d0 * ... * d(axis-1), d(axis) * ... * d(n-1)]. */
    private static void flatten(NodeContext c) throws ModelLoadException {
        FlattenAttrs attrs = FlattenAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.output(0, x.dtype(), List.of(Dim.UNKNOWN, Dim.UNKNOWN));
            return;
        }
        List<Dim> xs = x.shape().get();
        int axis = attrs.axis(c.node, xs.size());
        c.output(0, x.dtype(), List.of(productDim(xs.subList(0, axis)), productDim(xs.subList(axis, xs.size()))));
    }

    private static Dim productDim(List<Dim> dims) {
        return Monomial.product(dims).map(Monomial::toDim).orElse(Dim.UNKNOWN);
    }

    private static void squeeze(NodeContext c) throws ModelLoadException {
        AxesAttrs attrs = AxesAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<long[]> known = knownAxes(c, x, attrs.axes(), attrs.axesFromInput() && c.hasInput(1),
                (rank, count) -> count > 0 && count <= rank ? rank - count : -1);
        if (known.isEmpty()) {
            return;
        }
        long[] axes = known.get();
        List<Dim> xs = x.shape().get();
        boolean[] drop = new boolean[xs.size()];
        if (axes.length == 0) {
            for (int i = 0; i < xs.size(); i++) {
                if (!xs.get(i).isFixed()) {
                    // Whether an unknown dimension is 1, and so whether it goes, is not known.
                    c.outputUnknownShape(0, x.dtype());
                    return;
                }
                drop[i] = xs.get(i).size() == 1;
            }
        }
        for (long a : axes) {
            int axis = c.axis("squeeze axis", a, xs.size());
            if (drop[axis]) {
                throw c.error("squeeze axes " + Arrays.toString(axes) + " name axis " + axis + " twice");
            }
            Dim d = xs.get(axis);
            if (d.isFixed() && d.size() != 1) {
                throw c.error("cannot squeeze axis " + axis + " of " + c.describeInput(0) + ": its size is " + d);
            }
            drop[axis] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (!drop[i]) {
                out.add(xs.get(i));
            }
        }
        c.output(0, x.dtype(), out);
        c.values(0).ifPresent(v -> c.outputValues(0, v));
    }

    private static void unsqueeze(NodeContext c) throws ModelLoadException {
        AxesAttrs attrs = AxesAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (attrs.axesFromInput() && !c.hasInput(1)) {
            throw c.error("required input 1 (axes) is missing");
        }
        Optional<long[]> known = knownAxes(c, x, attrs.axes(), attrs.axesFromInput(),
                (rank, count) -> count >= 0 && count < Integer.MAX_VALUE - rank ? rank + count : -1);
        if (known.isEmpty()) {
            return;
        }
        long[] axes = known.get();
        List<Dim> xs = x.shape().get();
        int rank = xs.size() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int axis = c.axis("unsqueeze axis", a, rank);
            if (inserted[axis]) {
                throw c.error("unsqueeze axes " + Arrays.toString(axes) + " name output axis " + axis + " twice");
            }
            inserted[axis] = true;
        }
        List<Dim> out = new ArrayList<>(rank);
        int next = 0;
        for (int i = 0; i < rank; i++) {
            out.add(inserted[i] ? Dim.of(1) : xs.get(next++));
        }
        c.output(0, x.dtype(), out);
        c.values(0).ifPresent(v -> c.outputValues(0, v));
    }

    private static void transpose(NodeContext c) throws ModelLoadException {
        TransposeAttrs attrs = TransposeAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        int[] perm = attrs.permutation(c.node, xs.size());
        List<Dim> out = new ArrayList<>(perm.length);
        for (int p : perm) {
            out.add(xs.get(p));
        }
        c.output(0, x.dtype(), out);
    }

    // ---- joining and splitting ----

    /** Concat: equal ranks, equal dimensions off the axis, sizes summed along it. */
    private static void concat(NodeContext c) throws ModelLoadException {
        ConcatAttrs attrs = ConcatAttrs.of(c.node, c.opset);
        if (c.inputCount() == 0) {
            throw c.error("has no inputs");
        }
        DataType dtype = c.dtype(0);
        int first = -1;
        for (int i = 0; i < c.inputCount(); i++) {
            if (c.shape(i).isPresent()) {
                if (first < 0) {
                    first = i;
                } else if (c.shape(i).get().size() != c.shape(first).get().size()) {
                    throw c.error("input " + i + " " + c.describeInput(i) + " and input " + first + " "
                            + c.describeInput(first) + " differ in rank");
                }
            }
        }
        if (first < 0) {
            c.outputUnknownShape(0, dtype);
            return;
        }
        List<Dim> ref = c.shape(first).get();
        int axis = c.axis("attribute 'axis'", attrs.axis(), ref.size());
        List<Dim> out = new ArrayList<>(ref);
        Optional<Monomial> sum = Optional.of(Monomial.constant(0));
        for (int i = 0; i < c.inputCount(); i++) {
            Optional<List<Dim>> s = c.shape(i);
            if (s.isEmpty()) {
                sum = Optional.empty();
                continue;
            }
            for (int d = 0; d < out.size(); d++) {
                if (d == axis) {
                    continue;
                }
                Dim a = out.get(d);
                Dim b = s.get().get(d);
                if (a.isFixed() && b.isFixed() && a.size() != b.size()) {
                    throw c.error("input " + i + " " + c.describeInput(i) + " and input " + first + " "
                            + c.describeInput(first) + " differ in dimension " + d + " (" + b + " vs " + a
                            + "), which only the concatenation axis " + axis + " may");
                }
                if (!a.isFixed() && (b.isFixed() || a instanceof Dim.Unknown)) {
                    out.set(d, b);
                }
            }
            Optional<Monomial> m = Monomial.of(s.get().get(axis));
            sum = sum.isPresent() && m.isPresent() ? sum.get().plus(m.get()) : Optional.empty();
        }
        out.set(axis, sum.map(Monomial::toDim).orElse(Dim.UNKNOWN));
        c.output(0, dtype, out);
        if (out.size() == 1) {
            List<Optional<Monomial>> joined = new ArrayList<>();
            for (int i = 0; i < c.inputCount(); i++) {
                Optional<SymbolicValues> v = c.values(i);
                if (v.isEmpty()) {
                    return;
                }
                joined.addAll(v.get().elements());
            }
            c.outputValues(0, new SymbolicValues(joined));
        }
    }

    /** Split: given part sizes, num_outputs parts of ceil(d / n), or equal parts, one per output. */
    private static void split(NodeContext c) throws ModelLoadException {
        SplitAttrs attrs = SplitAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        int n = c.outputCount();
        if (x.shape().isEmpty()) {
            for (int i = 0; i < n; i++) {
                c.outputUnknownShape(i, x.dtype());
            }
            return;
        }
        List<Dim> xs = x.shape().get();
        int axis = c.axis("attribute 'axis'", attrs.axis(), xs.size());
        Dim d = xs.get(axis);
        Optional<long[]> sizes = Optional.empty();
        boolean sizesUnknown = false;
        if (attrs.splitFromInput() && c.hasInput(1)) {
            sizes = c.longs(1);
            sizesUnknown = sizes.isEmpty();
        } else if (attrs.split().length > 0) {
            sizes = Optional.of(attrs.split());
        }
        Dim[] parts = new Dim[n];
        if (sizes.isPresent()) {
            long[] s = sizes.get();
            if (s.length != n) {
                throw c.error("split sizes " + Arrays.toString(s) + " name " + s.length + " parts but the node has " + n
                        + " outputs");
            }
            long total = 0;
            for (int i = 0; i < n; i++) {
                parts[i] = c.size(s[i], "split size " + i);
                total = Math.addExact(total, s[i]);
            }
            if (d.isFixed() && total != d.size()) {
                throw c.error("split sizes " + Arrays.toString(s) + " add up to " + total + " but axis " + axis + " of "
                        + c.describeInput(0) + " has " + d);
            }
        } else if (sizesUnknown || !d.isFixed()) {
            Dim part = Dim.UNKNOWN;
            if (!sizesUnknown && attrs.numOutputs() == 0) {
                part = Monomial.of(d).flatMap(m -> m.dividedBy(Monomial.constant(n))).map(Monomial::toDim).orElse(Dim.UNKNOWN);
            }
            Arrays.fill(parts, part);
        } else if (attrs.numOutputs() > 0) {
            long chunk = Math.ceilDiv(d.size(), n);
            long last = d.size() - chunk * (n - 1);
            if (last < 0) {
                throw c.error("cannot split axis " + axis + " of " + c.describeInput(0) + " into " + n
                        + " parts of " + chunk);
            }
            Arrays.fill(parts, Dim.of(chunk));
            parts[n - 1] = Dim.of(last);
        } else {
            if (d.size() % n != 0) {
                throw c.error("cannot split axis " + axis + " of " + c.describeInput(0) + " into " + n
                        + " equal parts");
            }
            Arrays.fill(parts, Dim.of(d.size() / n));
        }
        for (int i = 0; i < n; i++) {
            List<Dim> out = new ArrayList<>(xs);
            out.set(axis, parts[i]);
            c.output(i, x.dtype(), out);
        }
    }

    // ---- selecting ----

    /**
     * Slice with ONNX's clamping: negative starts and ends count from the end, then starts clamp to
     * [0, d] ([0, d-1] for negative steps) and ends to [0, d] ([-1, d-1]).
     */
    private static void slice(NodeContext c) throws ModelLoadException {
        SliceAttrs attrs = SliceAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        Optional<long[]> starts;
        Optional<long[]> ends;
        Optional<long[]> axes;
        Optional<long[]> steps;
        if (attrs.fromInputs()) {
            starts = c.longs(1);
            ends = c.longs(2);
            axes = c.hasInput(3) ? c.longs(3) : Optional.of(new long[0]);
            steps = c.hasInput(4) ? c.longs(4) : Optional.of(new long[0]);
        } else {
            starts = Optional.of(attrs.starts());
            ends = Optional.of(attrs.ends());
            axes = Optional.of(attrs.axes());
            steps = Optional.of(new long[0]);
        }
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        int rank = xs.size();
        if (starts.isEmpty() || ends.isEmpty() || axes.isEmpty() || steps.isEmpty()) {
            List<Dim> out = new ArrayList<>(Collections.nCopies(rank, Dim.UNKNOWN));
            if (axes.isPresent() && axes.get().length > 0) {
                out = new ArrayList<>(xs);
                for (long a : axes.get()) {
                    out.set(c.axis("slice axis", a, rank), Dim.UNKNOWN);
                }
            }
            c.output(0, x.dtype(), out);
            return;
        }
        int n = starts.get().length;
        long[] axisList = axes.get().length == 0 ? defaultAxes(n) : axes.get();
        long[] stepList = steps.get().length == 0 ? ones(n) : steps.get();
        if (ends.get().length != n || axisList.length != n || stepList.length != n) {
            throw c.error("starts " + Arrays.toString(starts.get()) + ", ends " + Arrays.toString(ends.get())
                    + ", axes " + Arrays.toString(axisList) + " and steps " + Arrays.toString(stepList)
                    + " must have the same length");
        }
        List<Dim> out = new ArrayList<>(xs);
        boolean[] seen = new boolean[rank];
        int[] sliceAxes = new int[n];
        for (int j = 0; j < n; j++) {
            int axis = c.axis("slice axis", axisList[j], rank);
            if (seen[axis]) {
                throw c.error("slice axes " + Arrays.toString(axisList) + " name axis " + axis + " twice");
            }
            seen[axis] = true;
            sliceAxes[j] = axis;
            long step = stepList[j];
            if (step == 0) {
                throw c.error("slice step for axis " + axis + " is 0");
            }
            Dim d = xs.get(axis);
            long start = starts.get()[j];
            long end = ends.get()[j];
            if (d.isFixed()) {
                long[] range = sliceRange(start, end, step, d.size());
                out.set(axis, Dim.of(sliceCount(range, step)));
            } else {
                boolean whole = (step == 1 && start == 0 && end >= SLICE_TO_END)
                        || (step == -1 && start == -1 && end <= -SLICE_TO_END);
                out.set(axis, whole ? d : Dim.UNKNOWN);
            }
        }
        c.output(0, x.dtype(), out);
        Optional<SymbolicValues> v = c.values(0);
        if (v.isPresent() && rank == 1 && n == 1) {
            long[] range = sliceRange(starts.get()[0], ends.get()[0], stepList[0], v.get().size());
            long count = sliceCount(range, stepList[0]);
            List<Optional<Monomial>> picked = new ArrayList<>();
            for (long k = 0; k < count; k++) {
                picked.add(v.get().get((int) (range[0] + k * stepList[0])));
            }
            c.outputValues(0, new SymbolicValues(picked));
        }
    }

    /** The clamped {start, end} of a slice of a dimension of size {@code d}. */
    private static long[] sliceRange(long start, long end, long step, long d) {
        long s = start < 0 ? start + d : start;
        long e = end < 0 ? end + d : end;
        if (step > 0) {
            return new long[] {clamp(s, 0, d), clamp(e, 0, d)};
        }
        return new long[] {clamp(s, 0, d - 1), clamp(e, -1, d - 1)};
    }

    private static long sliceCount(long[] range, long step) {
        long span = step > 0 ? range[1] - range[0] : range[0] - range[1];
        return Math.max(0, Math.ceilDiv(span, Math.absExact(step)));
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Gather: data[:axis] + indices.shape + data[axis+1:]; constant indices are range-checked. */
    private static void gather(NodeContext c) throws ModelLoadException {
        GatherAttrs attrs = GatherAttrs.of(c.node, c.opset);
        ValueInfo data = c.input(0);
        Optional<List<Dim>> is = c.shape(1);
        if (data.shape().isEmpty()) {
            c.outputUnknownShape(0, data.dtype());
            return;
        }
        List<Dim> ds = data.shape().get();
        if (ds.isEmpty()) {
            throw c.error("data " + c.describeInput(0) + " must have rank >= 1");
        }
        int axis = c.axis("attribute 'axis'", attrs.axis(), ds.size());
        Optional<long[]> indices = c.longs(1);
        Dim d = ds.get(axis);
        if (indices.isPresent() && d.isFixed()) {
            for (long index : indices.get()) {
                if (index < -d.size() || index >= d.size()) {
                    throw c.error("index " + index + " is out of range for axis " + axis + " of " + c.describeInput(0)
                            + "; valid indices lie in [" + (-d.size()) + ", " + (d.size() - 1) + "]");
                }
            }
        }
        if (is.isEmpty()) {
            c.outputUnknownShape(0, data.dtype());
            return;
        }
        List<Dim> out = new ArrayList<>(ds.subList(0, axis));
        out.addAll(is.get());
        out.addAll(ds.subList(axis + 1, ds.size()));
        c.output(0, data.dtype(), out);
        Optional<SymbolicValues> v = c.values(0);
        if (v.isPresent() && ds.size() == 1 && indices.isPresent()) {
            List<Optional<Monomial>> picked = new ArrayList<>();
            for (long index : indices.get()) {
                long i = index < 0 ? index + v.get().size() : index;
                if (i < 0 || i >= v.get().size()) {
                    return;
                }
                picked.add(v.get().get((int) i));
            }
            c.outputValues(0, new SymbolicValues(picked));
        }
    }

    /** GatherND: indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]. */
    private static void gatherNd(NodeContext c) throws ModelLoadException {
        GatherNdAttrs attrs = GatherNdAttrs.of(c.node, c.opset);
        ValueInfo data = c.input(0);
        Optional<List<Dim>> is = c.shape(1);
        if (data.shape().isEmpty() || is.isEmpty() || is.get().isEmpty() || !is.get().getLast().isFixed()) {
            c.outputUnknownShape(0, data.dtype());
            return;
        }
        List<Dim> ds = data.shape().get();
        List<Dim> indices = is.get();
        long depth = indices.getLast().size();
        int b = attrs.batchDims();
        if (b >= Math.min(ds.size(), indices.size()) || depth < 1 || b + depth > ds.size()) {
            throw c.error("indices " + c.describeInput(1) + " with batch_dims " + b + " do not index data "
                    + c.describeInput(0) + ": the last indices dimension must lie in [1, " + (ds.size() - b) + "]");
        }
        List<Dim> out = new ArrayList<>(indices.subList(0, indices.size() - 1));
        out.addAll(ds.subList(b + (int) depth, ds.size()));
        c.output(0, data.dtype(), out);
    }

    /** TopK: values and int64 indices of X's shape with k along the axis. */
    private static void topK(NodeContext c) throws ModelLoadException {
        TopKAttrs attrs = TopKAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            c.outputUnknownShape(1, DataType.INT64);
            return;
        }
        List<Dim> xs = x.shape().get();
        int axis = c.axis("attribute 'axis'", attrs.axis(), xs.size());
        Optional<long[]> k = attrs.kFromInput() ? c.longs(1) : Optional.of(new long[] {attrs.k()});
        Dim kDim = Dim.UNKNOWN;
        if (k.isPresent() && k.get().length == 1) {
            long value = k.get()[0];
            Dim d = xs.get(axis);
            if (value < 0 || (d.isFixed() && value > d.size())) {
                throw c.error("k is " + value + " but axis " + axis + " of " + c.describeInput(0) + " has " + d
                        + " elements");
            }
            kDim = Dim.of(value);
        }
        List<Dim> out = new ArrayList<>(xs);
        out.set(axis, kDim);
        c.output(0, x.dtype(), out);
        c.output(1, DataType.INT64, out);
    }

    /** DepthToSpace: [N, C, H, W] to [N, C/b^2, H*b, W*b]; SpaceToDepth the inverse. */
    private static void depthToSpace(NodeContext c) throws ModelLoadException {
        DepthToSpaceAttrs attrs = DepthToSpaceAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        if (xs.size() != 4) {
            throw c.error("X " + c.describeInput(0) + " must have rank 4 ([N, C, H, W])");
        }
        long b = attrs.blockSize();
        Monomial area = Monomial.constant(Math.multiplyExact(b, b));
        Monomial side = Monomial.constant(b);
        boolean toSpace = c.node.opType().equals("DepthToSpace");
        Dim channels = xs.get(1);
        if (channels.isFixed() && toSpace && channels.size() % area.coefficient() != 0) {
            throw c.error("channels of X " + c.describeInput(0) + " are not divisible by blocksize^2 = " + area);
        }
        for (int i = 2; i < 4 && !toSpace; i++) {
            if (xs.get(i).isFixed() && xs.get(i).size() % b != 0) {
                throw c.error("dimension " + i + " of X " + c.describeInput(0) + " is not divisible by blocksize " + b);
            }
        }
        List<Dim> out = new ArrayList<>(xs);
        out.set(1, scale(channels, toSpace ? null : area, toSpace ? area : null));
        for (int i = 2; i < 4; i++) {
            out.set(i, scale(xs.get(i), toSpace ? side : null, toSpace ? null : side));
        }
        c.output(0, x.dtype(), out);
    }

    /** {@code d * times} or {@code d / divisor} as a dimension, unknown when not exact. */
    private static Dim scale(Dim d, Monomial times, Monomial divisor) {
        Optional<Monomial> m = Monomial.of(d);
        if (times != null) {
            m = m.map(v -> v.times(times));
        }
        if (divisor != null) {
            m = m.flatMap(v -> v.dividedBy(divisor));
        }
        return m.map(Monomial::toDim).orElse(Dim.UNKNOWN);
    }

    /** Pad: each padded dimension grows by its begin and end pads (negative ones crop). */
    private static void pad(NodeContext c) throws ModelLoadException {
        PadAttrs attrs = PadAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        int rank = xs.size();
        Optional<long[]> pads = attrs.padsFromInput() ? c.longs(1) : Optional.of(attrs.pads());
        if (attrs.padsFromInput() && !c.hasInput(1)) {
            throw c.error("required input 1 (pads) is missing");
        }
        Optional<long[]> axes = c.opset >= 18 && c.hasInput(3) ? c.longs(3) : Optional.of(defaultAxes(rank));
        if (pads.isEmpty() || axes.isEmpty()) {
            c.output(0, x.dtype(), Collections.nCopies(rank, Dim.UNKNOWN));
            return;
        }
        long[] p = pads.get();
        long[] a = axes.get();
        if (p.length != 2 * a.length) {
            throw c.error("pads " + Arrays.toString(p) + " has " + p.length + " values; " + c.describeInput(0)
                    + (a.length == rank ? " of rank " + rank : " padded along " + a.length + " axes") + " needs "
                    + 2 * a.length + " (a begin and an end per axis)");
        }
        List<Dim> out = new ArrayList<>(xs);
        for (int j = 0; j < a.length; j++) {
            int axis = c.axis("pad axis", a[j], rank);
            long grow = Math.addExact(p[j], p[j + a.length]);
            Dim d = xs.get(axis);
            if (d.isFixed()) {
                out.set(axis, c.size(Math.addExact(d.size(), grow),
                        "padded size of axis " + axis + " of " + c.describeInput(0) + " (pads " + Arrays.toString(p) + ")"));
            } else {
                out.set(axis, grow == 0 ? d : Dim.UNKNOWN);
            }
        }
        c.output(0, x.dtype(), out);
    }

    /** Tile: each dimension times its repeat count. */
    private static void tile(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        Optional<long[]> repeats = c.longs(1);
        if (repeats.isEmpty()) {
            c.output(0, x.dtype(), Collections.nCopies(xs.size(), Dim.UNKNOWN));
            return;
        }
        long[] r = repeats.get();
        if (r.length != xs.size()) {
            throw c.error("repeats " + Arrays.toString(r) + " has " + r.length + " values but " + c.describeInput(0)
                    + " has rank " + xs.size());
        }
        List<Dim> out = new ArrayList<>(xs.size());
        for (int i = 0; i < r.length; i++) {
            if (r[i] < 0) {
                throw c.error("repeats " + Arrays.toString(r) + " holds " + r[i] + "; repeats must be >= 0");
            }
            Monomial times = Monomial.constant(r[i]);
            out.add(r[i] == 0 ? Dim.of(0)
                    : Monomial.of(xs.get(i)).map(m -> m.times(times).toDim()).orElse(Dim.UNKNOWN));
        }
        c.output(0, x.dtype(), out);
    }

    /** Expand: broadcast of the input's shape with the requested one. */
    private static void expand(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        Optional<SymbolicValues> target = c.values(1);
        List<Dim> targetDims;
        if (target.isPresent()) {
            for (Optional<Monomial> e : target.get().elements()) {
                if (e.isPresent() && e.get().isConstant() && e.get().coefficient() < 0) {
                    throw c.error("shape input " + format(target.get()) + " holds a negative size");
                }
            }
            targetDims = target.get().toDims();
        } else {
            Optional<List<Dim>> unknown = unknownDims(c, 1);
            if (unknown.isEmpty() || x.shape().isEmpty()) {
                c.outputUnknownShape(0, x.dtype());
                return;
            }
            targetDims = unknown.get();
        }
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        c.output(0, x.dtype(), ShapeRules.broadcastPair(c, x.shape().get(), targetDims, c.describeInput(0),
                "shape " + (target.isPresent() ? format(target.get()) : Dim.format(targetDims))));
    }

    // ---- creating ----

    private static void shape(NodeContext c) throws ModelLoadException {
        ShapeAttrs attrs = ShapeAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.output(0, DataType.INT64, List.of(Dim.UNKNOWN));
            return;
        }
        List<Dim> xs = x.shape().get();
        int first = attrs.first(xs.size());
        int last = Math.max(first, attrs.last(xs.size()));
        c.output(0, DataType.INT64, List.of(Dim.of(last - first)));
        c.outputValues(0, SymbolicValues.ofDims(xs.subList(first, last)));
    }

    private static void size(NodeContext c) throws ModelLoadException {
        ValueInfo x = c.input(0);
        c.output(0, DataType.INT64, List.of());
        x.shape().flatMap(Monomial::product).ifPresent(m -> c.outputValues(0, new SymbolicValues(List.of(Optional.of(m)))));
    }

    private static void constantOfShape(NodeContext c) throws ModelLoadException {
        Tensor value = ConstantOfShapeAttrs.of(c.node, c.opset).value();
        Optional<SymbolicValues> target = c.values(0);
        if (target.isEmpty()) {
            c.output(0, value.dtype(), unknownDims(c, 0));
            return;
        }
        for (Optional<Monomial> e : target.get().elements()) {
            if (e.isPresent() && e.get().isConstant() && e.get().coefficient() < 0) {
                throw c.error("shape input " + format(target.get()) + " holds a negative size");
            }
        }
        List<Dim> out = target.get().toDims();
        c.output(0, value.dtype(), out);
        if (value.dtype().isInteger() && out.size() == 1 && out.getFirst().isFixed()
                && out.getFirst().size() <= SymbolicValues.MAX_ELEMENTS) {
            long[] fill = new long[(int) out.getFirst().size()];
            Arrays.fill(fill, value.getLong(0));
            c.outputValues(0, SymbolicValues.ofLongs(fill));
        }
    }

    /** Range: max(ceil((limit - start) / delta), 0) elements. */
    private static void range(NodeContext c) throws ModelLoadException {
        DataType dtype = c.dtype(0);
        Optional<long[]> ints = c.longs(0).flatMap(s -> c.longs(1).flatMap(l -> c.longs(2).map(d ->
                new long[] {s[0], l[0], d[0]})));
        long count;
        if (dtype.isInteger() && ints.isPresent()) {
            long[] v = ints.get();
            if (v[2] == 0) {
                throw c.error("delta is 0");
            }
            count = Math.max(0, Math.ceilDiv(Math.subtractExact(v[1], v[0]), v[2]));
            c.output(0, dtype, List.of(Dim.of(count)));
            if (count <= SymbolicValues.MAX_ELEMENTS) {
                long[] values = new long[(int) count];
                for (int i = 0; i < values.length; i++) {
                    values[i] = v[0] + i * v[2];
                }
                c.outputValues(0, SymbolicValues.ofLongs(values));
            }
            return;
        }
        Optional<double[]> start = c.doubles(0);
        Optional<double[]> limit = c.doubles(1);
        Optional<double[]> delta = c.doubles(2);
        if (start.isEmpty() || limit.isEmpty() || delta.isEmpty()) {
            c.output(0, dtype, List.of(Dim.UNKNOWN));
            return;
        }
        if (delta.get()[0] == 0) {
            throw c.error("delta is 0");
        }
        double n = Math.ceil((limit.get()[0] - start.get()[0]) / delta.get()[0]);
        if (!(n < Long.MAX_VALUE)) {
            throw c.error("range from " + start.get()[0] + " to " + limit.get()[0] + " by " + delta.get()[0]
                    + " has more elements than a 64-bit count holds");
        }
        c.output(0, dtype, List.of(Dim.of(Math.max(0, (long) n))));
    }

    /**
     * Resize and Upsample: given sizes, or floor(d * scale) per axis. Non-constant scales or sizes,
     * the aspect-ratio policies on symbolic inputs and tf_crop_and_resize leave the dimension unknown.
     */
    private static void resize(NodeContext c) throws ModelLoadException {
        ResizeAttrs attrs = ResizeAttrs.of(c.node, c.opset);
        ValueInfo x = c.input(0);
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return;
        }
        List<Dim> xs = x.shape().get();
        int rank = xs.size();
        boolean upsample = c.node.opType().equals("Upsample");
        int scalesInput = upsample || c.opset < 11 ? 1 : 2;
        long[] axesAttr = attrs.axes();
        int[] axes = new int[axesAttr.length == 0 ? rank : axesAttr.length];
        for (int j = 0; j < axes.length; j++) {
            axes[j] = axesAttr.length == 0 ? j : c.axis("resize axis", axesAttr[j], rank);
        }
        Optional<long[]> sizes = !upsample && c.opset >= 11 && c.hasInput(3) ? c.longs(3) : Optional.empty();
        Optional<double[]> scales = upsample && c.opset < 9 ? Optional.of(toDoubles(attrs.scales()))
                : c.hasInput(scalesInput) ? c.doubles(scalesInput) : Optional.empty();
        if (scales.isPresent() && scales.get().length == 0) {
            scales = Optional.empty();
        }
        boolean sizesGiven = !upsample && c.opset >= 11 && c.hasInput(3);
        List<Dim> out = new ArrayList<>(xs);
        if (sizes.isPresent() && sizes.get().length > 0) {
            long[] s = sizes.get();
            requireLength(c, "sizes", Arrays.toString(s), s.length, axes.length);
            for (int j = 0; j < axes.length; j++) {
                c.size(s[j], "requested size " + j);
            }
            resizeToSizes(attrs, xs, axes, s, out);
        } else if (scales.isPresent() && !attrs.coordinateTransformationMode().equals("tf_crop_and_resize")) {
            double[] s = scales.get();
            requireLength(c, "scales", Arrays.toString(s), s.length, axes.length);
            for (int j = 0; j < axes.length; j++) {
                if (!(s[j] > 0)) {
                    throw c.error("scales " + Arrays.toString(s) + " holds " + s[j] + "; scales must be > 0");
                }
                out.set(axes[j], scaled(xs.get(axes[j]), s[j]));
            }
        } else if (scales.isPresent() || sizesGiven || c.hasInput(scalesInput)) {
            for (int axis : axes) {
                out.set(axis, Dim.UNKNOWN);
            }
        }
        c.output(0, x.dtype(), out);
    }

    private static void resizeToSizes(ResizeAttrs attrs, List<Dim> xs, int[] axes, long[] sizes, List<Dim> out) {
        String policy = attrs.keepAspectRatioPolicy();
        if (policy.equals("stretch")) {
            for (int j = 0; j < axes.length; j++) {
                out.set(axes[j], Dim.of(sizes[j]));
            }
            return;
        }
        double scale = policy.equals("not_larger") ? Double.POSITIVE_INFINITY : 0;
        for (int j = 0; j < axes.length; j++) {
            Dim d = xs.get(axes[j]);
            if (!d.isFixed() || d.size() == 0) {
                for (int axis : axes) {
                    out.set(axis, Dim.UNKNOWN);
                }
                return;
            }
            double r = (double) sizes[j] / d.size();
            scale = policy.equals("not_larger") ? Math.min(scale, r) : Math.max(scale, r);
        }
        for (int axis : axes) {
            out.set(axis, Dim.of((long) Math.floor(scale * xs.get(axis).size() + 0.5)));
        }
    }

    /** floor(d * scale) for a fixed size; a symbolic size survives whole-number scales. */
    private static Dim scaled(Dim d, double scale) {
        if (d.isFixed()) {
            return Dim.of((long) Math.floor(d.size() * scale));
        }
        if (scale == Math.rint(scale) && scale < Integer.MAX_VALUE) {
            Monomial factor = Monomial.constant((long) scale);
            return Monomial.of(d).map(m -> m.times(factor).toDim()).orElse(Dim.UNKNOWN);
        }
        return Dim.UNKNOWN;
    }

    private static void requireLength(NodeContext c, String what, String values, int length, int expected)
            throws ModelLoadException {
        if (length != expected) {
            throw c.error(what + " " + values + " has " + length + " values; " + c.describeInput(0) + " needs "
                    + expected + " (one per resized axis)");
        }
    }

    // ---- shared ----

    /**
     * The axes of Squeeze, Unsqueeze or a Reduce op when they and X's shape are known; otherwise
     * empty, with output 0 already set. The axes are {@code attrAxes}, or input 1's values when
     * {@code fromInput}. When those values are unknown, output 0 gets
     * {@code outputRank(X's rank, input 1's fixed length or -1)} unknown dimensions (an unknown rank
     * when X's rank is unknown or that rank is negative); when only X's shape is unknown, an
     * unknown shape.
     */
    static Optional<long[]> knownAxes(NodeContext c, ValueInfo x, long[] attrAxes, boolean fromInput,
                                      LongBinaryOperator outputRank) throws ModelLoadException {
        long[] axes = attrAxes;
        if (fromInput) {
            Optional<long[]> given = c.longs(1);
            if (given.isEmpty()) {
                long count = knownLength(c, 1);
                long rank = x.shape().isPresent() ? outputRank.applyAsLong(x.rank(), count) : -1;
                c.output(0, x.dtype(), rank >= 0
                        ? Optional.of(Collections.nCopies((int) rank, Dim.UNKNOWN)) : Optional.empty());
                return Optional.empty();
            }
            axes = given.get();
        }
        if (x.shape().isEmpty()) {
            c.outputUnknownShape(0, x.dtype());
            return Optional.empty();
        }
        return Optional.of(axes);
    }

    /** The length of 1-D input {@code input} when fixed, else -1. */
    static long knownLength(NodeContext c, int input) throws ModelLoadException {
        Optional<List<Dim>> s = c.shape(input);
        return s.isPresent() && s.get().size() == 1 && s.get().getFirst().isFixed() ? s.get().getFirst().size() : -1;
    }

    /** For a shape-valued input whose elements are not known: that many unknown dims, if its length is fixed. */
    private static Optional<List<Dim>> unknownDims(NodeContext c, int input) throws ModelLoadException {
        Optional<List<Dim>> s = c.shape(input);
        if (s.isPresent() && s.get().size() == 1 && s.get().getFirst().isFixed()
                && s.get().getFirst().size() <= Integer.MAX_VALUE) {
            return Optional.of(Collections.nCopies((int) s.get().getFirst().size(), Dim.UNKNOWN));
        }
        return Optional.empty();
    }

    /** "[-1, 400]" or "[N, ?]": tracked values as messages quote them. */
    private static String format(SymbolicValues v) {
        return v.elements().stream().map(e -> e.map(Monomial::toString).orElse("?"))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static long[] defaultAxes(int n) {
        long[] out = new long[n];
        Arrays.setAll(out, i -> i);
        return out;
    }

    private static long[] ones(int n) {
        long[] out = new long[n];
        Arrays.fill(out, 1);
        return out;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
