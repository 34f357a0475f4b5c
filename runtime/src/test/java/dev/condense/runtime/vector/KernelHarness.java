// Builds one kernel outside a plan and runs it in a guarded arena, so kernel tests need no model or shape inference.
package dev.condense.runtime.vector;

import dev.condense.ir.Attribute;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.runtime.SessionException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operands are placed at odd offsets between guard bands and the whole arena is filled with a
 * signalling pattern first, so a kernel that reads outside its inputs gets NaN garbage and one
 * that writes outside its outputs or scratch is caught: after the run, every float outside them
 * must be unchanged (inputs included). The kernel runs twice and must give the same outputs to
 * within {@link #RERUN_ULPS}, which catches state kept between runs. Not bit for bit: the Vector
 * API computes EXP, LOG, TANH and POW lanes with java.lang.Math until the JIT compiles the loop
 * and with the JDK's vector math library after, so a run that straddles compilation may differ
 * in the last bits (sums do not: the kernels fold lanes in a fixed order).
 */
public final class KernelHarness {

    /** What fills unwritten arena floats: a NaN with a recognizable payload. */
    static final float GARBAGE = Float.intBitsToFloat(0x7fc0dead);

    private static final int GUARD = 5;

    /** How far apart two runs of one kernel may be, in units in the last place. */
    static final int RERUN_ULPS = 2;

    private KernelHarness() {
    }

    /** One input slot: an activation, a float constant, an integer constant, or omitted. */
    public record In(long[] shape, float[] values, Tensor tensor, boolean omitted) {

        public static In activation(long[] shape, float[] values) {
            return new In(shape, values, null, false);
        }

        public static In constant(long[] shape, float[] values) {
            return new In(shape, values, Tensor.ofFloats("", shape, values), false);
        }

        /** An int64 constant of rank 1 (axes, pads, indices, sizes). */
        public static In ints(long... values) {
            return intsShaped(new long[] {values.length}, values);
        }

        public static In intsShaped(long[] shape, long... values) {
            float[] f = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                f[i] = values[i];
            }
            return new In(shape, f, Tensor.ofLongs("", shape, values), false);
        }

        /** A bool constant of one value (Dropout's training_mode). */
        public static In bool(boolean value) {
            return new In(new long[0], new float[] {value ? 1 : 0},
                    Tensor.ofRaw("", dev.condense.ir.DataType.BOOL, new long[0], new byte[] {(byte) (value ? 1 : 0)}),
                    false);
        }

        public static In none() {
            return new In(new long[0], new float[0], null, true);
        }
    }

    /** A node of {@code op} with the given attributes; inputs named x0, x1, ... (absent ones ""), outputs y0, ... */
    public static Node node(String op, int inputs, int outputs, Map<String, Attribute> attributes) {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add("x" + i);
        }
        List<String> out = new ArrayList<>();
        for (int j = 0; j < outputs; j++) {
            out.add("y" + j);
        }
        return Node.of("n", op, in, out, attributes);
    }

    /** Attributes from name/value pairs: Integer/Long to INT, Float to FLOAT, String, long[] to INTS, float[] to FLOATS. */
    public static Map<String, Attribute> attrs(Object... pairs) {
        Map<String, Attribute> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            String name = (String) pairs[i];
            Object v = pairs[i + 1];
            m.put(name, switch (v) {
                case Integer n -> new Attribute.IntValue(n);
                case Long n -> new Attribute.IntValue(n);
                case Float f -> new Attribute.FloatValue(f);
                case String s -> new Attribute.StringValue(s);
                case long[] a -> new Attribute.Ints(a);
                case float[] a -> new Attribute.Floats(a);
                default -> throw new IllegalArgumentException("attribute " + name + ": " + v);
            });
        }
        return m;
    }

    /** Builds the kernel with {@code factory} and runs it; returns each output's floats. */
    public static float[][] run(KernelFactory factory, Node node, int opset, List<In> inputs, List<long[]> outputShapes,
                                int threads) throws SessionException {
        List<Operand> ins = new ArrayList<>();
        List<Tensor> constants = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            In in = inputs.get(i);
            if (in.omitted()) {
                ins.add(null);
                constants.add(null);
                continue;
            }
            if (in.values().length != Math.toIntExact(Tensor.elementCount(in.shape()))) {
                throw new IllegalArgumentException("input " + i + ": " + in.values().length + " values for shape "
                        + Arrays.toString(in.shape()));
            }
            ins.add(new Operand("x" + i, in.shape(), in.tensor() != null ? in.values().clone() : null));
            constants.add(in.tensor());
        }
        List<Operand> outs = new ArrayList<>();
        for (int j = 0; j < outputShapes.size(); j++) {
            outs.add(new Operand("y" + j, outputShapes.get(j), null));
        }
        try (Parallel parallel = new Parallel(threads)) {
            KernelContext ctx = new KernelContext(node, opset, ins, constants, outs, parallel, Activation.NONE, null);
            Kernel kernel = factory.create(ctx);

            // Layout: guard, activations, outputs (unless aliased), scratch, each followed by a guard.
            int at = 3;
            List<int[]> writable = new ArrayList<>();
            for (Operand o : ins) {
                if (o != null && !o.isConstant()) {
                    o.place(at);
                    at += o.size() + GUARD;
                }
            }
            for (int j = 0; j < outs.size(); j++) {
                Operand o = outs.get(j);
                if (ctx.aliasOf[j] >= 0) {
                    o.place(ins.get(ctx.aliasOf[j]).offset());
                } else {
                    o.place(at);
                    writable.add(new int[] {at, o.size()});
                    at += o.size() + GUARD;
                }
            }
            for (Operand s : ctx.scratch) {
                s.place(at);
                writable.add(new int[] {at, s.size()});
                at += s.size() + GUARD;
            }
            float[] arena = new float[at + GUARD];
            Arrays.fill(arena, GARBAGE);
            for (int i = 0; i < ins.size(); i++) {
                Operand o = ins.get(i);
                if (o != null && !o.isConstant()) {
                    System.arraycopy(inputs.get(i).values(), 0, arena, o.offset(), o.size());
                }
            }
            float[] before = arena.clone();
            kernel.run(arena);
            float[][] first = outputs(outs, arena);
            for (int i = 0; i < arena.length; i++) {
                if (!inside(writable, i) && Float.floatToRawIntBits(arena[i]) != Float.floatToRawIntBits(before[i])) {
                    throw new AssertionError(node.opType() + " wrote arena float " + i + " outside its outputs and"
                            + " scratch (" + before[i] + " became " + arena[i] + ")");
                }
            }
            kernel.run(arena);
            float[][] second = outputs(outs, arena);
            for (int j = 0; j < first.length; j++) {
                for (int i = 0; i < first[j].length; i++) {
                    float a = first[j][i];
                    float b = second[j][i];
                    boolean same = Float.compare(a, b) == 0 || Math.abs(a - b) <= RERUN_ULPS * Math.ulp(a);
                    if (!same) {
                        throw new AssertionError(node.opType() + " output " + j + " element " + i + " is " + a
                                + " in one run and " + b + " in the next");
                    }
                }
            }
            return first;
        }
    }

    /** One output with one thread. */
    public static float[] run1(KernelFactory factory, Node node, int opset, List<In> inputs, long[] outputShape)
            throws SessionException {
        return run(factory, node, opset, inputs, List.of(outputShape), 1)[0];
    }

    private static float[][] outputs(List<Operand> outs, float[] arena) {
        float[][] r = new float[outs.size()][];
        for (int j = 0; j < outs.size(); j++) {
            Operand o = outs.get(j);
            r[j] = Arrays.copyOfRange(arena, o.offset(), o.offset() + o.size());
        }
        return r;
    }

    private static boolean inside(List<int[]> regions, int i) {
        for (int[] r : regions) {
            if (i >= r[0] && i < r[0] + r[1]) {
                return true;
            }
        }
        return false;
    }
}
