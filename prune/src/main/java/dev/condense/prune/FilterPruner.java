// Structured pruning: removes whole output filters of convolutions by L1 norm and shrinks what reads their channels.
package dev.condense.prune;

import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.layers.LayerRules;
import dev.condense.layers.WeightLayer;
import dev.condense.ops.BatchNormAttrs;
import dev.condense.ops.ClipAttrs;
import dev.condense.ops.ConvAttrs;
import dev.condense.ops.FlattenAttrs;
import dev.condense.ops.GemmAttrs;
import dev.condense.shape.ShapeInference;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Removes the output filters of smallest L1 norm from convolutions (Li et al. 2017, "Pruning
 * Filters for Efficient ConvNets"), each layer ranked on its own original weights. A Conv keeps
 * {@code max(1, round(fraction * M))} of its M filters (ties: the lower index stays), and the graph
 * is rewritten so the removed channels disappear: the Conv's weight rows and bias, the parameters
 * of BatchNormalizations on the way, and the input channels of every consumer at the end of the
 * chain: a group-1 Conv's weight columns, or after Flatten (axis 1, spatial size known) the rows
 * of a Gemm's or MatMul's weight that read those channels.
 *
 * <p>Between the Conv and those consumers a chain may pass BatchNormalization (inference),
 * activations that map 0 to 0 (Relu, LeakyRelu, Clip with min <= 0 <= max, Tanh, Elu, Selu,
 * HardSwish, Softsign), Identity, inference Dropout, and pooling (MaxPool, AveragePool, LpPool and
 * their global forms); it may fan out. The pruned model then computes exactly what the original
 * computes with those channels silenced (filter, bias, BatchNorm scale and shift set to zero).
 * Anything else on the way (Add, Concat, a grouped or depthwise Conv, a graph output, LRN, which
 * mixes channels) makes the Conv unprunable: named by a rule, it is an error naming the node;
 * reached by a type rule or the default, it is skipped and listed with the reason.
 */
public final class FilterPruner {

    private static final Set<String> ZERO_PRESERVING = Set.of("Relu", "LeakyRelu", "Tanh", "Elu", "Selu",
            "HardSwish", "Softsign", "Identity", "Dropout");
    private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool",
            "GlobalMaxPool", "GlobalLpPool");

    private final LayerRules<Double> rules;

    private FilterPruner(LayerRules<Double> rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** Every Conv whose channels can be removed keeps {@code fraction} of its filters. */
    public static FilterPruner keep(double fraction) {
        return of(LayerRules.withDefault(checkFraction(fraction)));
    }

    /** Keep fractions per layer; a Conv no rule reaches is left whole. */
    public static FilterPruner of(LayerRules<Double> rules) {
        return new FilterPruner(rules);
    }

    /** Rules as text, e.g. "conv1=0.5,conv2=0.75" or "0.5" for every Conv. */
    public static FilterPruner parse(String text) {
        return of(LayerRules.parse(text, s -> {
            try {
                return checkFraction(Double.parseDouble(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a keep fraction", e);
            }
        }));
    }

    /** This pruner with one more rule. */
    public FilterPruner with(String key, double fraction) {
        return new FilterPruner(rules.with(key, checkFraction(fraction)));
    }

    public LayerRules<Double> rules() {
        return rules;
    }

    /**
     * The pruned model and its report. Throws {@link IllegalArgumentException} when a rule names no
     * layer, names a fully connected layer, or names a Conv whose channels cannot be removed;
     * {@link ModelLoadException} when the model is malformed where the pruner reads it.
     */
    public FilterPruneResult prune(Model model) throws ModelLoadException {
        Graph graph = model.graph();
        List<WeightLayer> layers = WeightLayer.of(graph);
        rules.checkKeys(layers);
        Context context = new Context(model);

        List<Chain> chains = new ArrayList<>();
        List<FilterPruning> rows = new ArrayList<>();
        List<FilterPruneResult.Skipped> skipped = new ArrayList<>();
        for (WeightLayer layer : layers) {
            Optional<LayerRules.Resolved<Double>> rule = rules.resolve(layer);
            if (rule.isEmpty()) {
                continue;
            }
            if (layer.kind() != WeightLayer.Kind.CONV) {
                if (rule.get().match().namesLayer()) {
                    throw new IllegalArgumentException("rule '" + rule.get().key() + "' names " + layer.describe()
                            + "; filter pruning removes the output filters of Conv layers");
                }
                continue;
            }
            Chain chain;
            try {
                chain = analyze(layer, context);
            } catch (Unsupported e) {
                if (rule.get().match().namesLayer()) {
                    throw new IllegalArgumentException("cannot remove filters of " + e.getMessage(), e);
                }
                skipped.add(new FilterPruneResult.Skipped(layer.name(), e.getMessage()));
                continue;
            }
            FilterPruning row = chooseFilters(layer, rule.get().value());
            chains.add(chain);
            rows.add(row);
            chain.keptFilters = row.keptFilters();
        }
        return new FilterPruneResult(rewrite(model, chains), rows, skipped);
    }

    private static double checkFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("filter keep fraction must lie in (0, 1], got " + fraction);
        }
        return fraction;
    }

    // ---- choosing filters ----

    // weight: [M, C, k...]; filter m is row m, its L1 norm the sum of |w| over that row.
    private static FilterPruning chooseFilters(WeightLayer layer, double fraction) {
        Tensor weight = layer.weight();
        int filters = Math.toIntExact(weight.dim(0));
        long perFilter = filters == 0 ? 0 : weight.elementCount() / filters;
        double[] norms = new double[filters];
        MemorySegment data = weight.data();
        for (int m = 0; m < filters; m++) {
            double sum = 0;
            long base = m * perFilter;
            for (long j = 0; j < perFilter; j++) {
                sum += Math.abs(data.getAtIndex(Tensor.FLOAT_LE, base + j));
            }
            norms[m] = sum;
        }
        int keep = (int) Math.max(1, Math.min(filters, Math.round(fraction * filters)));
        Integer[] order = new Integer[filters];
        for (int m = 0; m < filters; m++) {
            order[m] = m;
        }
        // Filter counts are small (thousands at most), so sorting boxed indices costs nothing.
        Arrays.sort(order, Comparator.comparingDouble((Integer m) -> -norms[m]).thenComparingInt(m -> m));
        int[] kept = new int[keep];
        for (int i = 0; i < keep; i++) {
            kept[i] = order[i];
        }
        Arrays.sort(kept);
        double threshold = filters == 0 ? 0 : norms[order[keep - 1]];
        return new FilterPruning(layer.name(), filters, kept, threshold);
    }

    // ---- following the channels ----

    /** Why a Conv's filters cannot be removed; the message starts with the Conv. */
    private static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message);
        }
    }

    /** A Flatten'd consumer: the fc weight's axis that reads the flattened channels, and the positions per channel. */
    private record FlattenedRead(Node fc, String weightName, int axis, long spatial) {
    }

    /** Everything removing one Conv's output channels touches. */
    private static final class Chain {
        final WeightLayer conv;
        final List<Node> batchNorms = new ArrayList<>();
        final List<Node> nextConvs = new ArrayList<>();
        final List<FlattenedRead> flattened = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        int[] keptFilters;

        Chain(WeightLayer conv) {
            this.conv = conv;
        }
    }

    /** What the analysis reads about the whole graph, computed once. */
    private static final class Context {
        final Model model;
        final Graph graph;
        final int opset;
        final Map<String, List<Node>> consumers;
        final Set<String> graphOutputs = new HashSet<>();
        Graph inferred;

        Context(Model model) {
            this.model = model;
            this.graph = model.graph();
            this.opset = model.opset();
            this.consumers = graph.consumers();
            for (ValueInfo o : graph.outputs()) {
                graphOutputs.add(o.name());
            }
        }

        Graph inferred() throws ModelLoadException {
            if (inferred == null) {
                inferred = ShapeInference.infer(model).graph();
            }
            return inferred;
        }

        /** The float initializer {@code node} reads as input {@code i}, which no other node reads. */
        Tensor ownedInitializer(Node node, int i, String conv, String role) throws Unsupported {
            Optional<Tensor> t = node.input(i).flatMap(graph::initializer);
            if (t.isEmpty() || !t.get().dtype().isFloatingPoint()) {
                throw new Unsupported(conv + ": the " + role + " of " + node.describe()
                        + " is not a floating-point initializer");
            }
            List<Node> readers = consumers.getOrDefault(t.get().name(), List.of());
            boolean isOutput = graphOutputs.contains(t.get().name());
            if (readers.size() != 1 || isOutput) {
                List<String> others = new ArrayList<>();
                readers.stream().filter(n -> n != node).forEach(n -> others.add(n.describe()));
                if (isOutput) {
                    others.add("the graph output");
                }
                throw new Unsupported(conv + ": the " + role + " '" + t.get().name() + "' of " + node.describe()
                        + " is also read by " + String.join(", ", others) + "; shrinking it would change them too");
            }
            return t.get();
        }
    }

    private static Chain analyze(WeightLayer layer, Context c) throws Unsupported, ModelLoadException {
        Node conv = layer.node();
        String who = layer.describe();
        int group = ConvAttrs.of(conv, c.opset).group();
        if (group != 1) {
            throw new Unsupported(who + ": it has group " + group + "; only the filters of group-1 convolutions can be"
                    + " removed one by one");
        }
        long filters = layer.weight().dim(0);
        c.ownedInitializer(conv, 1, who, "weight");
        if (conv.input(2).isPresent()) {
            Tensor bias = c.ownedInitializer(conv, 2, who, "bias");
            if (bias.elementCount() != filters || bias.rank() != 1) {
                throw new Unsupported(who + ": its bias '" + bias.name() + "' has shape " + Arrays.toString(bias.dims())
                        + ", not [" + filters + "]");
            }
        }
        Chain chain = new Chain(layer);
        Deque<String> frontier = new ArrayDeque<>();
        frontier.push(conv.output());
        while (!frontier.isEmpty()) {
            String value = frontier.pop();
            chain.values.add(value);
            if (c.graphOutputs.contains(value)) {
                throw new Unsupported(who + ": its channels reach the graph output '" + value + "'");
            }
            for (Node next : c.consumers.getOrDefault(value, List.of())) {
                if (!next.isDefaultDomain() || next.inputs().indexOf(value) != 0
                        || next.inputs().lastIndexOf(value) != 0) {
                    throw new Unsupported(who + ": its channels reach " + next.describe() + reach(next));
                }
                String op = next.opType();
                if (op.equals("BatchNormalization")) {
                    checkBatchNorm(next, filters, who, c);
                    chain.batchNorms.add(next);
                    frontier.push(onlyOutput(next, who, c, chain));
                } else if (op.equals("Clip")) {
                    checkClip(next, who, c);
                    frontier.push(onlyOutput(next, who, c, chain));
                } else if (ZERO_PRESERVING.contains(op) || POOLS.contains(op)) {
                    frontier.push(onlyOutput(next, who, c, chain));
                } else if (op.equals("Conv")) {
                    checkNextConv(next, filters, who, c);
                    chain.nextConvs.add(next);
                } else if (op.equals("Flatten")) {
                    followFlatten(next, value, filters, who, c, chain);
                } else {
                    throw new Unsupported(who + ": its channels reach " + next.describe() + reach(next));
                }
            }
        }
        return chain;
    }

    private static String reach(Node node) {
        return switch (node.opType()) {
            case "Add", "Sum", "Mul", "Sub", "Div" -> ", which combines them with another tensor channel by channel;"
                    + " both sides would have to lose the same channels";
            case "Concat" -> ", which joins them with other channels; the channels after it would have to be renumbered";
            case "LRN" -> ", which normalizes each channel by its neighbours; removing one changes the others";
            case "Sigmoid", "HardSigmoid", "Softplus" -> ", which maps 0 to a non-zero value; a removed channel would"
                    + " not be silent";
            default -> ", which filter pruning cannot shrink (it follows BatchNormalization, activations that keep 0"
                    + " at 0 and pooling, to a group-1 Conv or Flatten followed by Gemm or MatMul)";
        };
    }

    /** The node's first output; its other outputs (Dropout's mask, MaxPool's indices) must be unused. */
    private static String onlyOutput(Node node, String who, Context c, Chain chain) throws Unsupported {
        for (int i = 1; i < node.outputs().size(); i++) {
            String extra = node.outputs().get(i);
            if (!extra.isEmpty() && (c.consumers.containsKey(extra) || c.graphOutputs.contains(extra))) {
                throw new Unsupported(who + ": output " + i + " '" + extra + "' of " + node.describe()
                        + " is read; it would change shape too");
            }
            if (!extra.isEmpty()) {
                chain.values.add(extra);
            }
        }
        return node.output();
    }

    private static void checkBatchNorm(Node bn, long channels, String who, Context c)
            throws Unsupported, ModelLoadException {
        BatchNormAttrs attrs = BatchNormAttrs.of(bn, c.opset);
        if (attrs.trainingMode() || !attrs.spatial()) {
            throw new Unsupported(who + ": " + bn.describe() + " is in training mode or not per channel");
        }
        String[] roles = {"scale", "bias", "mean", "variance"};
        for (int i = 1; i <= 4; i++) {
            Tensor p = c.ownedInitializer(bn, i, who, roles[i - 1]);
            if (p.rank() != 1 || p.elementCount() != channels) {
                throw new Unsupported(who + ": the " + roles[i - 1] + " '" + p.name() + "' of " + bn.describe()
                        + " has shape " + Arrays.toString(p.dims()) + ", not [" + channels + "]");
            }
        }
    }

    private static void checkClip(Node clip, String who, Context c) throws Unsupported, ModelLoadException {
        ClipAttrs attrs = ClipAttrs.of(clip, c.opset);
        double min = attrs.min();
        double max = attrs.max();
        if (attrs.boundsFromInputs()) {
            for (int i = 1; i <= 2; i++) {
                if (clip.input(i).isEmpty()) {
                    continue;
                }
                Optional<Tensor> bound = clip.input(i).flatMap(c.graph::initializer);
                if (bound.isEmpty() || bound.get().elementCount() != 1) {
                    throw new Unsupported(who + ": the bounds of " + clip.describe() + " are not constant scalars");
                }
                if (i == 1) {
                    min = bound.get().getDouble(0);
                } else {
                    max = bound.get().getDouble(0);
                }
            }
        }
        if (!(min <= 0 && max >= 0)) {
            throw new Unsupported(who + ": " + clip.describe() + " clips to [" + min + ", " + max
                    + "], which maps 0 to a non-zero value; a removed channel would not be silent");
        }
    }

    private static void checkNextConv(Node next, long channels, String who, Context c)
            throws Unsupported, ModelLoadException {
        int group = ConvAttrs.of(next, c.opset).group();
        if (group != 1) {
            throw new Unsupported(who + ": its channels feed " + next.describe() + " with group " + group
                    + ", whose input channels cannot be removed one by one");
        }
        Tensor weight = c.ownedInitializer(next, 1, who, "weight");
        if (weight.rank() < 3 || weight.dim(1) != channels) {
            throw new Unsupported(who + ": the weight '" + weight.name() + "' of " + next.describe() + " has shape "
                    + Arrays.toString(weight.dims()) + ", which does not read " + channels + " input channels");
        }
    }

    // Flatten (axis 1): [N, C, d...] -> [N, C * S], S = d1 * d2 * ...; channel c is features [c * S, (c + 1) * S).
    private static void followFlatten(Node flatten, String value, long channels, String who, Context c, Chain chain)
            throws Unsupported, ModelLoadException {
        Optional<ValueInfo> known = c.inferred().typeOf(value);
        int rank = known.map(ValueInfo::rank).orElse(-1);
        if (rank < 2) {
            throw new Unsupported(who + ": " + flatten.describe() + " reads '" + value + "', whose rank is unknown or below 2;"
                    + " the spatial size must be known to remove columns after it");
        }
        int axis = FlattenAttrs.of(flatten, c.opset).axis(flatten, rank);
        if (axis != 1) {
            throw new Unsupported(who + ": " + flatten.describe() + " flattens from axis " + axis
                    + "; only axis 1 keeps each channel's features together");
        }
        ValueInfo type = known.orElseThrow();
        List<Dim> dims = type.shape().orElseThrow();
        long spatial = 1;
        for (Dim d : dims.subList(2, rank)) {
            if (!d.isFixed()) {
                throw new Unsupported(who + ": " + flatten.describe() + " reads " + type.typeString()
                        + "; the spatial size must be known to remove columns after it (fix the input shape)");
            }
            spatial = Math.multiplyExact(spatial, d.size());
        }
        String features = flatten.output();
        chain.values.add(features);
        if (c.graphOutputs.contains(features)) {
            throw new Unsupported(who + ": its channels reach the graph output '" + features + "'");
        }
        long width = Math.multiplyExact(channels, spatial);
        for (Node fc : c.consumers.getOrDefault(features, List.of())) {
            if (!fc.isDefaultDomain() || fc.inputs().indexOf(features) != 0 || fc.inputs().lastIndexOf(features) != 0
                    || !(fc.opType().equals("Gemm") || fc.opType().equals("MatMul"))) {
                throw new Unsupported(who + ": " + flatten.describe() + " feeds " + fc.describe()
                        + "; after Flatten only Gemm and MatMul (reading it as their first input) can lose columns");
            }
            int readAxis = 0;
            if (fc.opType().equals("Gemm")) {
                GemmAttrs attrs = GemmAttrs.of(fc, c.opset);
                if (attrs.transA()) {
                    throw new Unsupported(who + ": " + fc.describe() + " transposes its input (transA)");
                }
                readAxis = attrs.transB() ? 1 : 0;
            }
            Tensor weight = c.ownedInitializer(fc, 1, who, "weight");
            if (weight.rank() != 2 || weight.dim(readAxis) != width) {
                throw new Unsupported(who + ": the weight '" + weight.name() + "' of " + fc.describe() + " has shape "
                        + Arrays.toString(weight.dims()) + "; expected " + width + " (" + channels + " channels x "
                        + spatial + " positions) along axis " + readAxis);
            }
            chain.flattened.add(new FlattenedRead(fc, weight.name(), readAxis, spatial));
        }
    }

    // ---- rewriting ----

    private static Model rewrite(Model model, List<Chain> chains) {
        if (chains.isEmpty()) {
            return model;
        }
        Graph graph = model.graph();
        // Per tensor, the indices kept along axis 0 and axis 1 (null: the axis stays whole).
        Map<String, int[][]> slices = new LinkedHashMap<>();
        Set<String> staleValues = new HashSet<>();
        for (Chain chain : chains) {
            int[] kept = chain.keptFilters;
            Node conv = chain.conv.node();
            addSlice(slices, chain.conv.weightName(), 0, kept);
            conv.input(2).ifPresent(bias -> addSlice(slices, bias, 0, kept));
            for (Node bn : chain.batchNorms) {
                for (int i = 1; i <= 4; i++) {
                    addSlice(slices, bn.inputs().get(i), 0, kept);
                }
            }
            for (Node next : chain.nextConvs) {
                addSlice(slices, next.inputs().get(1), 1, kept);
            }
            for (FlattenedRead read : chain.flattened) {
                addSlice(slices, read.weightName(), read.axis(), featureIndices(kept, read.spatial()));
            }
            staleValues.addAll(chain.values);
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        for (Map.Entry<String, int[][]> e : slices.entrySet()) {
            Tensor t = initializers.get(e.getKey());
            int[][] keep = e.getValue();
            if (keep[0] != null) {
                t = slice(t, 0, keep[0]);
            }
            if (keep[1] != null) {
                t = slice(t, 1, keep[1]);
            }
            initializers.put(e.getKey(), t);
        }
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        valueInfo.keySet().removeAll(staleValues);
        return model.withGraph(graph.withInitializers(initializers).withValueInfo(valueInfo));
    }

    private static void addSlice(Map<String, int[][]> slices, String tensor, int axis, int[] keep) {
        int[][] perAxis = slices.computeIfAbsent(tensor, k -> new int[2][]);
        if (perAxis[axis] != null) {
            // The analysis lets each tensor be read by one node, so one chain at most slices an axis.
            throw new IllegalStateException("tensor '" + tensor + "' sliced twice along axis " + axis);
        }
        perAxis[axis] = keep;
    }

    private static int[] featureIndices(int[] channels, long spatial) {
        int s = Math.toIntExact(spatial);
        int[] out = new int[Math.multiplyExact(channels.length, s)];
        for (int i = 0; i < channels.length; i++) {
            for (int j = 0; j < s; j++) {
                out[i * s + j] = channels[i] * s + j;
            }
        }
        return out;
    }

    /** {@code t} keeping only the indices {@code keep} along {@code axis}, any element type. */
    static Tensor slice(Tensor t, int axis, int[] keep) {
        long[] dims = t.dims();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        long inner = t.dtype().byteSize();
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        long along = dims[axis];
        long[] newDims = dims.clone();
        newDims[axis] = keep.length;
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(
                Math.multiplyExact(Math.multiplyExact(outer, keep.length), inner))]);
        long at = 0;
        for (long o = 0; o < outer; o++) {
            for (int k : keep) {
                MemorySegment.copy(t.data(), (o * along + k) * inner, out, at, inner);
                at += inner;
            }
        }
        return new Tensor(t.name(), t.dtype(), newDims, out);
    }

    @Override
    public String toString() {
        return "FilterPruner[" + rules + "]";
    }
}
