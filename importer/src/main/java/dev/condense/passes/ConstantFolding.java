// Replaces nodes computable before any input is fed (constant inputs, static shapes) by initializers.
package dev.condense.passes;

import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.shape.ShapeInference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Constant folding. A node is folded when {@link ConstantEvaluator} implements it and every input
 * is an initializer or a value folded before it; a Shape node is folded when its input's shape is
 * static, and a Gather or Slice of a Shape when the dimensions it picks are fixed (a symbolic batch
 * elsewhere does not matter). Repeated with fresh shape inference until nothing changes, this
 * collapses the Shape-Gather-Unsqueeze-Concat-Reshape chains older PyTorch exporters emit around
 * Flatten into one Reshape with a constant shape. Folded outputs keep their names. Afterwards,
 * default-domain nodes whose outputs nothing reads are dropped, and so are initializers nothing
 * reads. Ops that compute or replicate data are folded only up to a cap on the output's elements.
 */
public final class ConstantFolding implements GraphPass {

    /** Where the folding takes value shapes from. */
    public enum Shapes {
        /** Run {@link ShapeInference} before each round; what import uses. */
        INFER,
        /** Use the value infos the model already carries, e.g. when a caller filled them. */
        AS_GIVEN
    }

    public static final long DEFAULT_MAX_FOLDED_ELEMENTS = ConstantEvaluator.DEFAULT_MAX_OUTPUT_ELEMENTS;

    // Each round folds at least one node; a new round only helps when folding fixed more shapes,
    // which real exporters need once or twice.
    private static final int MAX_ROUNDS = 16;

    private final Shapes shapes;
    private final long maxFoldedElements;

    /** Folding with shape inference and the default cap. */
    public ConstantFolding() {
        this(Shapes.INFER, DEFAULT_MAX_FOLDED_ELEMENTS);
    }

    public ConstantFolding(Shapes shapes, long maxFoldedElements) {
        if (maxFoldedElements < 0 || maxFoldedElements > ConstantEvaluator.MAX_OUTPUT_ELEMENTS_LIMIT) {
            throw new IllegalArgumentException("maxFoldedElements must be in [0, "
                    + ConstantEvaluator.MAX_OUTPUT_ELEMENTS_LIMIT + "], got " + maxFoldedElements);
        }
        this.shapes = Objects.requireNonNull(shapes, "shapes");
        this.maxFoldedElements = maxFoldedElements;
    }

    @Override
    public String name() {
        return "constant-folding";
    }

    @Override
    public Model apply(Model model) throws ModelLoadException {
        Model current = model;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Model typed = shapes == Shapes.INFER ? ShapeInference.infer(current) : current;
            Optional<Graph> folded = foldOnce(typed.graph(), typed.opset());
            if (folded.isEmpty()) {
                return typed.withGraph(prune(typed.graph()));
            }
            current = typed.withGraph(prune(folded.get()));
        }
        return current;
    }

    /** The graph with every foldable node replaced by initializers, or empty when none was. */
    private Optional<Graph> foldOnce(Graph graph, int opset) throws ModelLoadException {
        ConstantEvaluator evaluator = new ConstantEvaluator(opset, maxFoldedElements);
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        // Outputs of Shape nodes (and of Gathers and Slices of them) that stay unfolded because
        // some dimension is not fixed: their elements as dims, so picking fixed ones still folds.
        Map<String, List<Dim>> shapeVectors = new HashMap<>();
        List<Node> kept = new ArrayList<>();
        boolean changed = false;
        for (Node node : graph.nodes()) {
            Optional<List<Tensor>> values = node.isDefaultDomain()
                    ? fold(node, graph, opset, evaluator, constants, shapeVectors) : Optional.empty();
            if (values.isPresent()) {
                for (Tensor t : values.get()) {
                    constants.put(t.name(), t);
                }
                changed = true;
            } else {
                kept.add(node);
            }
        }
        if (!changed) {
            return Optional.empty();
        }
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        valueInfo.keySet().removeAll(constants.keySet());
        return Optional.of(new Graph(graph.name(), kept, graph.inputs(), graph.outputs(), constants, valueInfo));
    }

    private Optional<List<Tensor>> fold(Node node, Graph graph, int opset, ConstantEvaluator evaluator,
                                        Map<String, Tensor> constants, Map<String, List<Dim>> shapeVectors)
            throws ModelLoadException {
        if (node.opType().equals("Shape") && node.input(0).isPresent() && !constants.containsKey(node.inputs().getFirst())) {
            return foldShape(node, graph, opset, shapeVectors);
        }
        if ((node.opType().equals("Gather") || node.opType().equals("Slice")) && node.input(0).isPresent()
                && shapeVectors.containsKey(node.inputs().getFirst())) {
            return foldPickFromShape(node, evaluator, constants, shapeVectors);
        }
        if (node.opType().equals("Identity")) {
            // An Identity of a constant is an alias (exporters use them to share one tensor between
            // layers); RemoveIdentity points the readers at the original instead of copying it.
            return Optional.empty();
        }
        if (!ConstantEvaluator.supports(node) || !allInputsConstant(node, constants)) {
            return Optional.empty();
        }
        return evaluator.evaluate(node, constants);
    }

    private static boolean allInputsConstant(Node node, Map<String, Tensor> constants) {
        for (String in : node.inputs()) {
            if (!in.isEmpty() && !constants.containsKey(in)) {
                return false;
            }
        }
        return true;
    }

    /** A Shape of a non-constant value: folded when the dims it reports are fixed, else remembered. */
    private static Optional<List<Tensor>> foldShape(Node node, Graph graph, int opset,
                                                    Map<String, List<Dim>> shapeVectors) throws ModelLoadException {
        Optional<List<Dim>> inputShape = graph.typeOf(node.inputs().getFirst()).flatMap(ValueInfo::shape);
        if (inputShape.isEmpty()) {
            return Optional.empty();
        }
        List<Dim> dims = inputShape.get();
        int[] range = ConstantEvaluator.shapeRange(node, dims.size(), opset);
        List<Dim> reported = dims.subList(range[0], range[1]);
        if (Dim.allFixed(reported)) {
            return Optional.of(List.of(Tensor.vector(node.output(), Dim.sizes(reported))));
        }
        shapeVectors.put(node.output(), List.copyOf(reported));
        return Optional.empty();
    }

    /**
     * A Gather or Slice on a partly known shape vector. It is evaluated on the vector of positions
     * [0, 1, ..., n-1] in place of the shape, which tells which dims it picks without
     * re-implementing either op; it folds when all picked dims are fixed.
     */
    private static Optional<List<Tensor>> foldPickFromShape(Node node, ConstantEvaluator evaluator,
                                                            Map<String, Tensor> constants,
                                                            Map<String, List<Dim>> shapeVectors)
            throws ModelLoadException {
        for (int i = 1; i < node.inputs().size(); i++) {
            String in = node.inputs().get(i);
            if (!in.isEmpty() && !constants.containsKey(in)) {
                return Optional.empty();
            }
        }
        String source = node.inputs().getFirst();
        List<Dim> dims = shapeVectors.get(source);
        long[] positions = new long[dims.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        Map<String, Tensor> withPositions = new HashMap<>(constants);
        withPositions.put(source, Tensor.vector(source, positions));
        Optional<List<Tensor>> picked = evaluator.evaluate(node, withPositions);
        if (picked.isEmpty()) {
            return Optional.empty();
        }
        Tensor pickedPositions = picked.get().getFirst();
        long[] at = pickedPositions.toLongArray();
        List<Dim> pickedDims = new ArrayList<>(at.length);
        for (long p : at) {
            pickedDims.add(dims.get((int) p));
        }
        if (Dim.allFixed(pickedDims)) {
            return Optional.of(List.of(Tensor.ofLongs(node.output(), pickedPositions.dims(), Dim.sizes(pickedDims))));
        }
        if (pickedPositions.rank() == 1) {
            shapeVectors.put(node.output(), List.copyOf(pickedDims));
        }
        return Optional.empty();
    }

    /**
     * Drops default-domain nodes none of whose outputs anything reads (ONNX ops have no side
     * effects; other domains are left alone), then initializers and value infos nothing refers to.
     */
    static Graph prune(Graph graph) {
        Set<String> read = ValueNames.externallyRead(graph);
        List<Node> nodes = graph.nodes();
        boolean[] live = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean needed = !n.isDefaultDomain() || n.outputs().isEmpty();
            for (String out : n.outputs()) {
                needed |= !out.isEmpty() && read.contains(out);
            }
            if (needed) {
                live[i] = true;
                read.addAll(n.inputs());
            }
        }
        List<Node> kept = new ArrayList<>();
        Set<String> produced = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (live[i]) {
                kept.add(nodes.get(i));
                produced.addAll(nodes.get(i).outputs());
            }
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        initializers.keySet().retainAll(read);
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        valueInfo.keySet().retainAll(produced);
        if (kept.size() == nodes.size() && initializers.size() == graph.initializers().size()
                && valueInfo.size() == graph.valueInfo().size()) {
            return graph;
        }
        return new Graph(graph.name(), kept, graph.inputs(), graph.outputs(), initializers, valueInfo);
    }
}
