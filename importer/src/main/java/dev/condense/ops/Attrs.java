// Reads node attributes with their ONNX types checked, so the typed op records never see a wrongly typed value.
package dev.condense.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Typed attribute access for the {@code *Attrs} records. Every failure is a {@link ModelLoadException}
 * whose message names the node, the attribute, the value found and what would have been valid.
 */
public final class Attrs {

    private Attrs() {
    }

    /** An INT attribute, or {@code defaultValue} when absent. */
    public static long getInt(Node node, String name, long defaultValue) throws ModelLoadException {
        OptionalLong v = optionalInt(node, name);
        return v.isPresent() ? v.getAsLong() : defaultValue;
    }

    /** An INT attribute that may be absent. */
    public static OptionalLong optionalInt(Node node, String name) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return OptionalLong.empty();
        }
        if (a.get() instanceof Attribute.IntValue(long v)) {
            return OptionalLong.of(v);
        }
        throw wrongType(node, name, "INT", a.get());
    }

    /** An INT attribute the op requires. */
    public static long requiredInt(Node node, String name) throws ModelLoadException {
        OptionalLong v = optionalInt(node, name);
        if (v.isEmpty()) {
            throw missing(node, name, "INT");
        }
        return v.getAsLong();
    }

    /** An INT attribute used as a boolean: 0 or 1, nothing else. */
    public static boolean flag(Node node, String name, boolean defaultValue) throws ModelLoadException {
        long v = getInt(node, name, defaultValue ? 1 : 0);
        if (v != 0 && v != 1) {
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' must be 0 or 1, got " + v);
        }
        return v == 1;
    }

    /** A FLOAT attribute, or {@code defaultValue} when absent. */
    public static float getFloat(Node node, String name, float defaultValue) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return defaultValue;
        }
        if (a.get() instanceof Attribute.FloatValue(float v)) {
            return v;
        }
        throw wrongType(node, name, "FLOAT", a.get());
    }

    /** An INTS attribute that may be absent. */
    public static Optional<long[]> ints(Node node, String name) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        if (a.get() instanceof Attribute.Ints ints) {
            return Optional.of(ints.values());
        }
        throw wrongType(node, name, "INTS", a.get());
    }

    /** An INTS attribute the op requires. */
    public static long[] requiredInts(Node node, String name) throws ModelLoadException {
        Optional<long[]> v = ints(node, name);
        if (v.isEmpty()) {
            throw missing(node, name, "INTS");
        }
        return v.get();
    }

    /** A FLOATS attribute that may be absent. */
    public static Optional<float[]> floats(Node node, String name) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        if (a.get() instanceof Attribute.Floats floats) {
            return Optional.of(floats.values());
        }
        throw wrongType(node, name, "FLOATS", a.get());
    }

    /** A STRING attribute, or {@code defaultValue} when absent. */
    public static String string(Node node, String name, String defaultValue) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return defaultValue;
        }
        if (a.get() instanceof Attribute.StringValue(String v)) {
            return v;
        }
        throw wrongType(node, name, "STRING", a.get());
    }

    /** A STRING attribute that must be one of {@code valid}; {@code defaultValue} when absent. */
    public static String oneOf(Node node, String name, String defaultValue, List<String> valid) throws ModelLoadException {
        String v = string(node, name, defaultValue);
        if (!valid.contains(v)) {
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' is '" + v
                    + "'; valid values are " + String.join(", ", valid));
        }
        return v;
    }

    /** A TENSOR attribute that may be absent. */
    public static Optional<Tensor> tensor(Node node, String name) throws ModelLoadException {
        Optional<Attribute> a = node.attribute(name);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        if (a.get() instanceof Attribute.TensorValue(Tensor t)) {
            return Optional.of(t);
        }
        throw wrongType(node, name, "TENSOR", a.get());
    }

    /** An INTS attribute whose values must all be >= 1 (kernel sizes, strides, dilations); empty when absent. */
    public static int[] positiveInts(Node node, String name) throws ModelLoadException {
        long[] values = ints(node, name).orElse(new long[0]);
        for (long v : values) {
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new ModelLoadException(node.describe() + ": attribute '" + name + "' is "
                        + Arrays.toString(values) + "; every value must be a positive int, got " + v);
            }
        }
        return toInts(values);
    }

    /** An INTS attribute whose values must all be >= 0 (pads of Conv and pooling); empty when absent. */
    public static int[] nonNegativeInts(Node node, String name) throws ModelLoadException {
        long[] values = ints(node, name).orElse(new long[0]);
        for (long v : values) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new ModelLoadException(node.describe() + ": attribute '" + name + "' is "
                        + Arrays.toString(values) + "; every value must be a non-negative int, got " + v);
            }
        }
        return toInts(values);
    }

    /** Rejects attribute {@code name} when the model's opset predates the version that introduced it. */
    public static void requireSince(Node node, String name, int opset, int since) throws ModelLoadException {
        if (opset < since && node.attribute(name).isPresent()) {
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' exists from opset " + since
                    + " on; this model uses opset " + opset);
        }
    }

    /** Rejects attribute {@code name} from the opset that removed it on, saying where the value went. */
    public static void rejectFrom(Node node, String name, int opset, int removedIn, String replacement)
            throws ModelLoadException {
        if (opset >= removedIn && node.attribute(name).isPresent()) {
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' was removed in opset "
                    + removedIn + " (" + replacement + "); this model uses opset " + opset);
        }
    }

    /** Rejects a list of axes that names one axis twice (before normalization against a rank). */
    public static void requireDistinct(Node node, String name, long[] axes) throws ModelLoadException {
        Set<Long> seen = new HashSet<>();
        for (long a : axes) {
            if (!seen.add(a)) {
                throw new ModelLoadException(node.describe() + ": " + name + " " + Arrays.toString(axes)
                        + " repeat axis " + a);
            }
        }
    }

    /**
     * Maps {@code axis} into [0, rank), counting negative values from the end, or throws naming the
     * valid range. {@code what} says which axis it is in the message ("attribute 'axis'").
     */
    public static int normalizeAxis(Node node, String what, long axis, int rank) throws ModelLoadException {
        if (axis < -rank || axis >= rank) {
            throw new ModelLoadException(node.describe() + ": " + what + " is " + axis + "; for rank " + rank
                    + " it must lie in [" + (-rank) + ", " + (rank - 1) + "]");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** "INT 3", "FLOATS [1.0, 2.0]": an attribute value as messages quote it. */
    public static String show(Attribute a) {
        String value = switch (a) {
            case Attribute.IntValue(long v) -> Long.toString(v);
            case Attribute.FloatValue(float v) -> Float.toString(v);
            case Attribute.StringValue(String v) -> "'" + v + "'";
            case Attribute.Ints v -> v.toString();
            case Attribute.Floats v -> v.toString();
            case Attribute.TensorValue(Tensor t) -> t.toString();
            case Attribute.Strings v -> v.values().toString();
            case Attribute.Tensors v -> v.values().size() + " tensors";
            case Attribute.GraphValue v -> "graph '" + v.value().name() + "'";
            case Attribute.Graphs v -> v.values().size() + " graphs";
        };
        return a.typeName() + " " + value;
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    private static ModelLoadException wrongType(Node node, String name, String expected, Attribute found) {
        return new ModelLoadException(node.describe() + ": attribute '" + name + "' must be " + expected
                + ", got " + show(found));
    }

    private static ModelLoadException missing(Node node, String name, String type) {
        return new ModelLoadException(node.describe() + ": required attribute '" + name + "' (" + type
                + ") is missing");
    }
}
