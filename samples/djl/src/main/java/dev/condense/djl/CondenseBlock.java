// The DJL Block of a Condense model: feeds an NDList to a Condense Session and returns its outputs as NDArrays.
package dev.condense.djl;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractSymbolBlock;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.condense.ir.Dim;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A symbol block over the graph the model file holds: nothing to initialize, no parameters DJL
 * can see or train. Inputs are matched to the model's inputs by name when every array has one,
 * by position when none has; outputs come back in the model's output order, named, in the
 * manager of the first input (so a predictor frees them with the batch). The session checks
 * element types and shapes and its messages say what the model expects.
 */
final class CondenseBlock extends AbstractSymbolBlock {

    private final Session session;

    CondenseBlock(Session session) {
        this.session = session;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("the Condense engine runs inference only: no gradients, no"
                    + " training; train with DJL's PyTorch engine (Condense's module train) and compress the result");
        }
        Map<String, Tensor> feeds = feeds(inputs);
        NDManager manager = inputs.head().getManager();
        try (Result result = session.run(feeds)) {
            NDList outputs = new NDList(result.names().size());
            for (Map.Entry<String, Tensor> output : result.asMap().entrySet()) {
                NDArray array = TensorConversion.toNDArray(manager, output.getValue());
                array.setName(output.getKey());
                outputs.add(array);
            }
            return outputs;
        } catch (SessionException e) {
            throw new EngineException("Condense session (" + session.describe() + ") failed: " + e.getMessage(), e);
        }
    }

    private Map<String, Tensor> feeds(NDList inputs) {
        List<ValueInfo> expected = session.inputs();
        if (inputs.size() != expected.size()) {
            throw new IllegalArgumentException("the model takes " + expected.size() + " input(s) " + names(expected)
                    + ", got " + inputs.size() + " array(s)");
        }
        long named = inputs.stream().filter(a -> a.getName() != null && !a.getName().isEmpty()).count();
        if (named != 0 && named != inputs.size()) {
            throw new IllegalArgumentException("name all input arrays or none: " + named + " of " + inputs.size()
                    + " have a name; the model's inputs are " + names(expected));
        }
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            NDArray array = inputs.get(i);
            String name = named == 0 ? expected.get(i).name() : array.getName();
            if (feeds.put(name, TensorConversion.toTensor(name, array)) != null) {
                throw new IllegalArgumentException("two input arrays are named '" + name + "'; the model's inputs are "
                        + names(expected));
            }
        }
        return feeds;
    }

    private static List<String> names(List<ValueInfo> values) {
        return values.stream().map(ValueInfo::name).toList();
    }

    /** The model's inputs; a dimension that is not fixed (the batch axis, usually) is -1. */
    @Override
    public PairList<String, Shape> describeInput() {
        return describe(session.inputs());
    }

    /** The model's outputs, as {@link #describeInput()}. */
    @Override
    public PairList<String, Shape> describeOutput() {
        return describe(session.outputs());
    }

    private static PairList<String, Shape> describe(List<ValueInfo> values) {
        PairList<String, Shape> out = new PairList<>();
        for (ValueInfo v : values) {
            List<Dim> dims = v.shape().orElse(List.of());
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i) instanceof Dim.Fixed(long size) ? size : -1;
            }
            out.add(v.name(), new Shape(shape));
        }
        return out;
    }

    /** None: the weights are inside the session, compressed or not, and DJL never updates them. */
    @Override
    public ParameterList getDirectParameters() {
        return new ParameterList();
    }

    @Override
    public String toString() {
        return "CondenseBlock(" + session.describe() + ")";
    }
}
