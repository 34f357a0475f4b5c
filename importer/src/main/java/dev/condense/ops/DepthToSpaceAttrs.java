// Typed attributes of DepthToSpace and SpaceToDepth (pixel shuffle and its inverse).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.List;

/**
 * The required {@code blocksize} (>= 1) and, for DepthToSpace from opset 11, the channel order
 * {@code mode}: DCR (depth-column-row, the default) or CRD (column-row-depth, PyTorch's PixelShuffle).
 */
public record DepthToSpaceAttrs(int blockSize, boolean columnRowDepth) {

    public static DepthToSpaceAttrs of(Node node, int opset) throws ModelLoadException {
        long blockSize = Attrs.requiredInt(node, "blocksize");
        if (blockSize < 1 || blockSize > Integer.MAX_VALUE) {
            throw new ModelLoadException(node.describe() + ": attribute 'blocksize' is " + blockSize + "; it must be >= 1");
        }
        Attrs.requireSince(node, "mode", opset, 11);
        return new DepthToSpaceAttrs((int) blockSize, Attrs.oneOf(node, "mode", "DCR", List.of("DCR", "CRD")).equals("CRD"));
    }
}
