// One layer's weights in the layer encoding, with the accounting of its parts.
package dev.condense.compress.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The bytes {@link LayerCodec#encode} produced (read-only, format in docs/FORMAT.md, "Layer
 * encoding") and how they split into header, codebook, Huffman tables, index and weight bits.
 */
public record EncodedLayer(MemorySegment bytes, LayerSizes sizes) {

    public EncodedLayer {
        Objects.requireNonNull(sizes, "sizes");
        if (bytes.byteSize() != sizes.totalBytes()) {
            throw new IllegalArgumentException("encoding of " + bytes.byteSize() + " bytes but its parts sum to "
                    + sizes.totalBytes());
        }
        bytes = bytes.isReadOnly() ? bytes : bytes.asReadOnly();
    }

    public long byteSize() {
        return bytes.byteSize();
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.toArray(ValueLayout.JAVA_BYTE);
    }
}
