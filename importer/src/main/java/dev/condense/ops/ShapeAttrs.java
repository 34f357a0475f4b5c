// Typed attributes of Shape: the start/end slice of the dimensions added in opset 15.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Shape's {@code start} (default 0) and {@code end} (default: the rank); both may be negative. */
public record ShapeAttrs(long start, long end) {

    /** The {@code end} that stands for "through the last dimension". */
    public static final long TO_END = Long.MAX_VALUE;

    public static ShapeAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.requireSince(node, "start", opset, 15);
        Attrs.requireSince(node, "end", opset, 15);
        return new ShapeAttrs(Attrs.getInt(node, "start", 0), Attrs.getInt(node, "end", TO_END));
    }

    /** First dimension reported, clamped into [0, rank] as ONNX says. */
    public int first(int rank) {
        return clamp(start, rank);
    }

    /** One past the last dimension reported, clamped into [0, rank]. */
    public int last(int rank) {
        return clamp(end, rank);
    }

    private static int clamp(long index, int rank) {
        long i = index < 0 ? index + rank : index;
        return (int) Math.max(0, Math.min(rank, i));
    }
}
