// Typed attributes of Pad: pads and value as attributes before opset 11, as inputs from opset 11.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Pad's attributes. Before opset 11 {@code pads} ({@code [x1_begin, x2_begin, ..., x1_end, ...]},
 * negative values crop) and {@code value} are attributes; from opset 11 they are inputs 1 and 2
 * ({@code padsFromInput}, {@code pads} empty, {@code value} 0), and from opset 18 input 3 names
 * the axes the pads apply to. {@code wrap} mode exists from opset 19.
 */
public record PadAttrs(Mode mode, long[] pads, float value, boolean padsFromInput) {

    public enum Mode { CONSTANT, REFLECT, EDGE, WRAP }

    public PadAttrs {
        pads = pads.clone();
    }

    public static PadAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "pads", opset, 11, "the pads are input 1");
        Attrs.rejectFrom(node, "value", opset, 11, "the constant value is input 2");
        List<String> modes = opset >= 19 ? List.of("constant", "reflect", "edge", "wrap")
                : List.of("constant", "reflect", "edge");
        Mode mode = Mode.valueOf(Attrs.oneOf(node, "mode", "constant", modes).toUpperCase(Locale.ROOT));
        if (opset >= 11) {
            return new PadAttrs(mode, new long[0], 0f, true);
        }
        long[] pads = Attrs.requiredInts(node, "pads");
        if (pads.length % 2 != 0) {
            throw new ModelLoadException(node.describe() + ": attribute 'pads' has " + pads.length + " values "
                    + Arrays.toString(pads) + "; it needs a begin and an end per axis");
        }
        return new PadAttrs(mode, pads, Attrs.getFloat(node, "value", 0f), false);
    }

    @Override
    public long[] pads() {
        return pads.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PadAttrs p && mode == p.mode && Arrays.equals(pads, p.pads)
                && Float.compare(value, p.value) == 0 && padsFromInput == p.padsFromInput;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {mode, pads, value, padsFromInput});
    }

    @Override
    public String toString() {
        return "PadAttrs[mode=" + mode + ", pads=" + Arrays.toString(pads) + ", value=" + value + ", padsFromInput="
                + padsFromInput + "]";
    }
}
