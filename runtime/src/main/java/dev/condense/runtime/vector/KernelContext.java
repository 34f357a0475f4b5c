// What a kernel factory knows about its node: typed operands with static shapes, constants, threads, fusion.
package dev.condense.runtime.vector;

import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.runtime.SessionException;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every shape is static here: the plan compiler fixed the input shapes, folded the constants and
 * inferred the rest. Operands handed out are placed in the arena by the memory planner after all
 * kernels exist.
 */
public final class KernelContext {

    private final Node node;
    private final int opset;
    private final List<Operand> inputs;
    private final List<Tensor> constants;
    private final List<Operand> outputs;
    private final Parallel parallel;
    private final Activation activation;
    private final Operand residual;
    boolean residualTaken;
    final List<Operand> scratch = new java.util.ArrayList<>();
    final int[] aliasOf;

    KernelContext(Node node, int opset, List<Operand> inputs, List<Tensor> constants, List<Operand> outputs,
                  Parallel parallel, Activation activation, Operand residual) {
        this.node = node;
        this.opset = opset;
        this.inputs = inputs;
        this.constants = constants;
        this.outputs = outputs;
        this.parallel = parallel;
        this.activation = activation;
        this.residual = residual;
        this.aliasOf = new int[outputs.size()];
        Arrays.fill(aliasOf, -1);
    }

    public Node node() {
        return node;
    }

    public int opset() {
        return opset;
    }

    /** The number of input slots, empty optional ones included. */
    public int inputCount() {
        return inputs.size();
    }

    /** True when input {@code i} exists and is not an omitted optional. */
    public boolean hasInput(int i) {
        return i < inputs.size() && inputs.get(i) != null;
    }

    public Operand input(int i) throws SessionException {
        if (!hasInput(i)) {
            throw error("needs input " + i + ", which is missing");
        }
        return inputs.get(i);
    }

    /** The constant value of input {@code i} in its own element type (shapes, axes, pads), when it is one. */
    public Optional<Tensor> constantInput(int i) {
        return i < constants.size() ? Optional.ofNullable(constants.get(i)) : Optional.empty();
    }

    public int outputCount() {
        return outputs.size();
    }

    public Operand output(int j) {
        return outputs.get(j);
    }

    /** A region of {@code floats} floats the kernel may use while it runs (packing, columns). */
    public Operand scratch(String purpose, long floats) {
        Operand s = new Operand(node.name() + "#" + purpose, new long[] {floats}, null);
        scratch.add(s);
        return s;
    }

    /** Declares that output {@code output} is input {@code input}'s memory seen with another shape. */
    public void alias(int output, int input) throws SessionException {
        if (!hasInput(input) || inputs.get(input).isConstant()) {
            throw error("cannot alias output " + output + " to input " + input + ", which is not an activation");
        }
        aliasOf[output] = input;
    }

    public Parallel parallel() {
        return parallel;
    }

    /** The activation fused into this node (NONE unless the node is a Conv, Gemm or MatMul whose only consumer was one). */
    public Activation activation() {
        return activation;
    }

    /**
     * The tensor of the output's shape to add before the activation, when the plan compiler fused
     * the Add that followed this Conv; a kernel that takes it must add it.
     */
    public java.util.Optional<Operand> residual() {
        residualTaken = true;
        return java.util.Optional.ofNullable(residual);
    }

    /** "node 'conv1' (Conv)": how messages about this node name it. */
    public String label() {
        return label(node);
    }

    /** A SessionException naming the node and its op. */
    public SessionException error(String message) {
        return new SessionException(label(node) + ": " + message);
    }

    /** "node 'conv1' (Conv)", or "Conv (output 'y')" for an unnamed node. */
    static String label(Node n) {
        return n.name().isEmpty() ? n.describe() : "node '" + n.name() + "' (" + n.opType() + ")";
    }
}
