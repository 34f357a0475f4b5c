// An imported graph bound to DJL: its float initializers as trainable parameters or buffers, its nodes as kernels, a forward pass autograd can follow.
package dev.condense.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.passes.Passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's graph as a differentiable function. Building it simplifies the graph (constant
 * folding, identity removal) and sorts every float initializer into one of three kinds:
 * <ul>
 *   <li><b>parameters</b>, what the optimizer moves: weights and biases of Conv, Gemm and MatMul,
 *       BatchNormalization's scale and shift, and non-scalar operands of Add, Sub and Mul;</li>
 *   <li><b>buffers</b>: BatchNormalization's running mean and variance, updated by training-mode
 *       forward passes;</li>
 *   <li><b>constants</b>: everything else (Clip bounds, Reshape shapes, scalars).</li>
 * </ul>
 * A parameter may be <em>tied</em> to a codebook ({@link #tie}): its value is then gathered from
 * trainable centroids on every pass, so gradients reach the centroids summed per cluster.
 * {@link #toModel()} writes the current values back into the graph. Not thread-safe.
 */
public final class GraphModule implements AutoCloseable {

    /** A weight whose value is {@code codebook[index]} at each kept position and 0 elsewhere. */
    record Tying(NDArray codebook, NDArray zero, NDArray indices, Shape shape) {
    }

    private final Model model;
    private final NDManager manager;
    private final List<Node> nodes;
    private final List<TrainOps.Kernel> kernels;
    private final String inputName;
    private final String outputName;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Map<String, NDArray> constants = new HashMap<>();
    private final Map<String, Tying> tied = new LinkedHashMap<>();
    private boolean closed;

    private GraphModule(Model model, NDManager manager) throws TrainingException {
        this.model = model;
        this.manager = manager;
        Graph g = model.graph();
        List<ValueInfo> feeds = g.inputs();
        if (feeds.size() != 1 || feeds.getFirst().dtype() != DataType.FLOAT) {
            throw new TrainingException("the trainer takes models of one float input (an image batch); this one has "
                    + feeds.size() + " input(s): " + feeds);
        }
        inputName = feeds.getFirst().name();
        outputName = g.outputs().getFirst().name();
        this.nodes = g.nodes();
        Set<String> trainable = new HashSet<>();
        Set<String> stats = new HashSet<>();
        for (Node n : nodes) {
            switch (n.opType()) {
                case "Conv", "Gemm", "ConvTranspose" -> {
                    n.input(1).ifPresent(trainable::add);
                    n.input(2).ifPresent(trainable::add);
                }
                case "MatMul" -> {
                    n.input(0).ifPresent(trainable::add);
                    n.input(1).ifPresent(trainable::add);
                }
                case "BatchNormalization" -> {
                    n.input(1).ifPresent(trainable::add);
                    n.input(2).ifPresent(trainable::add);
                    n.input(3).ifPresent(stats::add);
                    n.input(4).ifPresent(stats::add);
                }
                case "Add", "Sub", "Mul" -> {
                    for (String in : n.inputs()) {
                        Tensor t = g.initializers().get(in);
                        if (t != null && t.elementCount() > 1) {
                            trainable.add(in);
                        }
                    }
                }
                default -> {
                }
            }
        }
        for (Tensor t : g.initializers().values()) {
            NDArray a = toArray(t);
            if (t.dtype() == DataType.FLOAT && stats.contains(t.name())) {
                buffers.put(t.name(), a);
            } else if (t.dtype() == DataType.FLOAT && trainable.contains(t.name())) {
                a.setRequiresGradient(true);
                parameters.put(t.name(), a);
            } else {
                constants.put(t.name(), a);
            }
        }
        int opset = model.opset();
        this.kernels = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            try {
                kernels.add(TrainOps.lookup(n, opset).bind(n, opset));
            } catch (ModelLoadException e) {
                throw new TrainingException(e.getMessage(), e);
            }
        }
    }

    /**
     * Binds {@code model} for training on the PyTorch engine.
     *
     * @throws TrainingException when the graph does not simplify, has an op without a training
     *                           kernel, or is not a one-input image model
     */
    public static GraphModule of(Model model) throws TrainingException {
        Model simplified;
        try {
            simplified = Passes.run(model, Passes.simplify());
        } catch (ModelLoadException e) {
            throw new TrainingException("the graph does not simplify: " + e.getMessage(), e);
        }
        NDManager manager = PyTorchEngine.get(0).newBaseManager();
        try {
            return new GraphModule(simplified, manager);
        } catch (TrainingException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The forward pass: logits for the batch {@code x} ({@code [N, C, H, W]}), in training or inference mode. */
    public NDArray forward(NDArray x, boolean training) throws TrainingException {
        checkClosed();
        NDManager step = x.getManager();
        Map<String, NDArray> values = new HashMap<>();
        values.put(inputName, x);
        // A tied weight is gathered from its codebook once per pass; its value shadows the parameter's.
        tied.forEach((name, t) -> values.put(name, materialize(t, step)));
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            NDArray[] in = new NDArray[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                String name = n.inputs().get(k);
                if (name.isEmpty()) {
                    continue;
                }
                NDArray v = values.get(name);
                if (v == null) {
                    v = parameters.get(name);
                }
                if (v == null) {
                    v = buffers.get(name);
                }
                if (v == null) {
                    v = constants.get(name);
                }
                if (v == null) {
                    throw new TrainingException(n.describe() + ": input '" + name + "' has no value");
                }
                in[k] = v;
            }
            NDArray out;
            try {
                out = kernels.get(i).apply(in, training);
            } catch (RuntimeException e) {
                throw new TrainingException(n.describe() + " failed on inputs " + shapes(in) + ": " + e.getMessage(), e);
            }
            // Results land on the manager of their first operand, which may be a parameter's; this step owns them all.
            out.attach(step);
            values.put(n.output(), out);
        }
        NDArray logits = values.get(outputName);
        if (logits == null) {
            throw new TrainingException("the graph output '" + outputName + "' was not computed");
        }
        return logits;
    }

    /** The trainable arrays by initializer name (tied weights excluded: their codebooks train instead). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>(parameters);
        for (String name : tied.keySet()) {
            out.remove(name);
        }
        return out;
    }

    /** The codebooks of tied weights, by weight name. */
    public Map<String, NDArray> codebooks() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tied.forEach((k, v) -> out.put(k, v.codebook));
        return out;
    }

    /** The names of the weights of Conv, Gemm and MatMul layers (rank >= 2), which weight decay and masks apply to. */
    public boolean isWeight(String name) {
        NDArray a = parameters.get(name);
        return a != null && a.getShape().dimension() >= 2;
    }

    /** The array of a parameter, for tests and constraints. */
    public NDArray parameter(String name) {
        NDArray a = parameters.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no trainable parameter '" + name + "'; there are " + parameters.keySet());
        }
        return a;
    }

    /**
     * Ties weight {@code name} to {@code codebook}: position p takes {@code codebook[index[p]]},
     * or 0 where {@code index[p] < 0} (pruned). The codebook becomes trainable; the weight does not.
     */
    void tie(String name, float[] codebook, int[] index) {
        NDArray w = parameter(name);
        long size = w.size();
        if (index.length != size) {
            throw new IllegalArgumentException("weight '" + name + "' has " + size + " elements, the index " + index.length);
        }
        long[] gather = new long[index.length];
        for (int p = 0; p < index.length; p++) {
            if (index[p] >= codebook.length) {
                throw new IllegalArgumentException("weight '" + name + "': index " + index[p] + " at " + p
                        + " is past the codebook's " + codebook.length + " entries");
            }
            gather[p] = index[p] < 0 ? codebook.length : index[p];
        }
        NDArray c = manager.create(codebook);
        c.setRequiresGradient(true);
        tied.put(name, new Tying(c, manager.zeros(new Shape(1)), manager.create(gather), w.getShape()));
    }

    /** A tied weight's value, {@code [codebook..., 0][indices]} in the weight's shape, owned by {@code owner}. */
    private static NDArray materialize(Tying t, NDManager owner) {
        NDArray all = t.codebook.concat(t.zero);
        all.attach(owner);
        NDArray w = all.gather(t.indices, 0).reshape(t.shape);
        w.attach(owner);
        return w;
    }

    /** The current values of a tied weight's codebook. */
    float[] codebook(String name) {
        return tied.get(name).codebook.toFloatArray();
    }

    /** The model with the current parameter and buffer values (tied weights materialized). */
    public Model toModel() {
        checkClosed();
        Graph g = model.graph();
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (Tensor t : g.initializers().values()) {
            NDArray a = parameters.get(t.name());
            if (a == null) {
                a = buffers.get(t.name());
            }
            Tying tie = tied.get(t.name());
            if (tie != null) {
                try (NDManager tmp = manager.newSubManager()) {
                    inits.put(t.name(), Tensor.ofFloats(t.name(), t.dims(), materialize(tie, tmp).toFloatArray()));
                }
            } else if (a != null) {
                inits.put(t.name(), Tensor.ofFloats(t.name(), t.dims(), a.toFloatArray()));
            } else {
                inits.put(t.name(), t);
            }
        }
        return model.withGraph(g.withInitializers(inits));
    }

    /** A manager for what lives as long as one training run (optimizer buffers, masks); this module closes it at the latest. */
    NDManager newSubManager() {
        checkClosed();
        return manager.newSubManager();
    }

    /** The simplified model this module was built from. */
    public Model model() {
        return model;
    }

    private NDArray toArray(Tensor t) {
        long[] dims = t.dims();
        Shape shape = new Shape(dims);
        return switch (t.dtype()) {
            case FLOAT -> manager.create(t.toFloatArray(), shape);
            case INT64, INT32, INT16, INT8, UINT8, BOOL -> manager.create(t.toLongArray(), shape);
            default -> manager.create(toFloats(t.toDoubleArray()), shape);
        };
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static String shapes(NDArray[] in) {
        List<String> s = new ArrayList<>();
        for (NDArray a : in) {
            s.add(a == null ? "-" : a.getShape().toString());
        }
        return s.toString();
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("the graph module is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
