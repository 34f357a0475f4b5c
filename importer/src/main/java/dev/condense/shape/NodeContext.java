// One node's view of shape inference: its input types and constants, the output types a rule sets, its errors.
package dev.condense.shape;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.List;
import java.util.Optional;

/** The inputs a shape rule reads and the outputs it sets, for one node. */
final class NodeContext {

    final Node node;
    final int opset;
    private final KnownValues known;
    private final ValueInfo[] outputs;
    private final SymbolicValues[] outputValues;
    private final Tensor[] outputConstants;

    NodeContext(Node node, int opset, KnownValues known) {
        this.node = node;
        this.opset = opset;
        this.known = known;
        this.outputs = new ValueInfo[node.outputs().size()];
        this.outputValues = new SymbolicValues[node.outputs().size()];
        this.outputConstants = new Tensor[node.outputs().size()];
    }

    // ---- inputs ----

    boolean hasInput(int i) {
        return node.input(i).isPresent();
    }

    int inputCount() {
        return node.inputs().size();
    }

    /** The type of required input {@code i}. */
    ValueInfo input(int i) throws ModelLoadException {
        String name = node.input(i).orElseThrow(() -> error("required input " + i + " is missing"));
        return known.type(name).orElseThrow(() -> error("input " + i + " '" + name + "' has no known type"));
    }

    /** The type of input {@code i} when it is present and typed; never throws. */
    Optional<ValueInfo> knownType(int i) {
        return node.input(i).flatMap(known::type);
    }

    DataType dtype(int i) throws ModelLoadException {
        return input(i).dtype();
    }

    /** The shape of required input {@code i}, empty when its rank is unknown. */
    Optional<List<Dim>> shape(int i) throws ModelLoadException {
        return input(i).shape();
    }

    Optional<Tensor> constant(int i) {
        return node.input(i).flatMap(known::constant);
    }

    /** Tracked elements of input {@code i}: a small integer constant or a propagated shape computation. */
    Optional<SymbolicValues> values(int i) {
        return node.input(i).flatMap(known::tracked);
    }

    /** Input {@code i} as known integers (axes, pads, repeats), when every element is known. */
    Optional<long[]> longs(int i) {
        return values(i).flatMap(SymbolicValues::constants);
    }

    /** Input {@code i} as known floats (scales), when it is a constant. */
    Optional<double[]> doubles(int i) {
        return constant(i).map(Tensor::toDoubleArray);
    }

    /** "'x' float32[N, 3, 32, 32]": input {@code i} as messages quote it. */
    String describeInput(int i) {
        Optional<String> name = node.input(i);
        if (name.isEmpty()) {
            return "(input " + i + " absent)";
        }
        return "'" + name.get() + "' " + known.type(name.get()).map(ValueInfo::typeString).orElse("of unknown type");
    }

    // ---- outputs ----

    int outputCount() {
        return outputs.length;
    }

    void output(int i, DataType dtype, List<Dim> shape) {
        output(i, dtype, Optional.of(shape));
    }

    void output(int i, DataType dtype, Optional<List<Dim>> shape) {
        if (i < outputs.length && !node.outputs().get(i).isEmpty()) {
            outputs[i] = new ValueInfo(node.outputs().get(i), dtype, shape);
        }
    }

    void outputUnknownShape(int i, DataType dtype) {
        output(i, dtype, Optional.empty());
    }

    /** Records the elements output {@code i} holds, for later Reshape, Expand, Slice and the like. */
    void outputValues(int i, SymbolicValues values) {
        if (i < outputs.length) {
            outputValues[i] = values;
        }
    }

    /** Records that output {@code i} is a known constant (a Constant node). */
    void outputConstant(int i, Tensor value) {
        if (i < outputs.length) {
            outputConstants[i] = value;
            output(i, value.dtype(), Dim.fixed(value.dims()));
            SymbolicValues.of(value).ifPresent(v -> outputValues[i] = v);
        }
    }

    Optional<ValueInfo> result(int i) {
        return Optional.ofNullable(outputs[i]);
    }

    Optional<SymbolicValues> resultValues(int i) {
        return Optional.ofNullable(outputValues[i]);
    }

    Optional<Tensor> resultConstant(int i) {
        return Optional.ofNullable(outputConstants[i]);
    }

    // ---- errors ----

    ModelLoadException error(String message) {
        return new ModelLoadException(node.describe() + ": " + message);
    }

    /** Axis in [0, rank), counting negative ones from the end; {@code what} names it in the message. */
    int axis(String what, long axis, int rank) throws ModelLoadException {
        if (axis < -rank || axis >= rank) {
            throw error(what + " is " + axis + "; for " + describeInput(0) + " (rank " + rank + ") it must lie in ["
                    + (-rank) + ", " + (rank - 1) + "]");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** A dimension of a computed size, or an error when the size is negative. */
    Dim size(long size, String what) throws ModelLoadException {
        if (size < 0) {
            throw error(what + " would be " + size);
        }
        return Dim.of(size);
    }
}
