// How one layer's weights are encoded: sparse or dense, the relative index width, Huffman coding on or off.
package dev.condense.compress.layer;

import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.sparse.RelativeIndex;

/**
 * Settings of {@link LayerCodec#encode}. {@code sparse} stores only the kept (non-zero) weights and
 * their positions as a {@link RelativeIndex} of {@code relativeIndexBits}-bit gaps (Deep Compression
 * used 8 bits for convolutions and 5 for fully connected layers); dense stores every position.
 * {@code huffman} Huffman-codes the relative indices and the codebook indices, each stream with its
 * own canonical code whose lengths are at most {@code huffmanLengthLimit}; raw fp32 values are never
 * Huffman-coded.
 */
public record LayerOptions(boolean sparse, int relativeIndexBits, boolean huffman, int huffmanLengthLimit) {

    public LayerOptions {
        if (relativeIndexBits < RelativeIndex.MIN_BITS || relativeIndexBits > RelativeIndex.MAX_BITS) {
            throw new IllegalArgumentException("relativeIndexBits " + relativeIndexBits + " outside "
                    + RelativeIndex.MIN_BITS + ".." + RelativeIndex.MAX_BITS);
        }
        if (huffmanLengthLimit < 1 || huffmanLengthLimit > HuffmanCode.MAX_LENGTH) {
            throw new IllegalArgumentException("huffmanLengthLimit " + huffmanLengthLimit + " outside 1.." + HuffmanCode.MAX_LENGTH);
        }
    }

    /** Deep Compression's full coding: sparse with {@code relativeIndexBits}-bit gaps, Huffman on. */
    public static LayerOptions deepCompression(int relativeIndexBits) {
        return new LayerOptions(true, relativeIndexBits, true, HuffmanCode.DEFAULT_LENGTH_LIMIT);
    }

    /** Every position stored, no Huffman coding: codebook indices at a fixed width, or raw fp32. */
    public static LayerOptions dense() {
        return new LayerOptions(false, 8, false, HuffmanCode.DEFAULT_LENGTH_LIMIT);
    }

    public LayerOptions withSparse(boolean on) {
        return new LayerOptions(on, relativeIndexBits, huffman, huffmanLengthLimit);
    }

    public LayerOptions withRelativeIndexBits(int bits) {
        return new LayerOptions(sparse, bits, huffman, huffmanLengthLimit);
    }

    public LayerOptions withHuffman(boolean on) {
        return new LayerOptions(sparse, relativeIndexBits, on, huffmanLengthLimit);
    }

    public LayerOptions withHuffmanLengthLimit(int limit) {
        return new LayerOptions(sparse, relativeIndexBits, huffman, limit);
    }
}
