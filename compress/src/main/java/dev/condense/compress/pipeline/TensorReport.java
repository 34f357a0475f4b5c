// One row of a compression report: a tensor of the model, how it was stored, and its bytes before and after.
package dev.condense.compress.pipeline;

import dev.condense.compress.dcz.TensorEncoding;
import dev.condense.compress.layer.LayerSizes;

import java.util.Objects;

/**
 * How one initializer went into the container: an fp32 one, or an int8 weight of a QDQ model
 * (encoding {@code int8} or {@code sparse-int8}, 8 bits per stored value before Huffman coding,
 * its scales and zero points counted as {@code sizes.codebookBytes()}). For a weight layer,
 * {@code layer} and {@code opType} name it; other tensors (biases, BatchNorm parameters) have ""
 * there and are stored raw. {@link #bytesBefore()} is always the tensor as fp32.
 *
 * @param tensor            the initializer's name
 * @param layer             the weight layer's name, or "" for another tensor
 * @param opType            Conv, Gemm or MatMul, or ""
 * @param shareBits         bits of the layer's codebook, 0 when its kept weights are raw fp32
 * @param relativeIndexBits width of the relative index, 0 when stored dense
 * @param encoding          how the container stores it
 * @param sizes             the payload's parts (for raw fp32: 32 bits per element)
 */
public record TensorReport(String tensor, String layer, String opType, int shareBits, int relativeIndexBits,
                           TensorEncoding encoding, LayerSizes sizes) {

    public TensorReport {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(sizes, "sizes");
    }

    public boolean isWeightLayer() {
        return !layer.isEmpty();
    }

    public long weights() {
        return sizes.elementCount();
    }

    /** Non-zero weights stored. */
    public long kept() {
        return sizes.keptCount();
    }

    /** kept / weights, the paper's "Weights%"; 1 for an empty tensor. */
    public double keptFraction() {
        return weights() == 0 ? 1.0 : (double) kept() / weights();
    }

    /** 4 bytes per element: the tensor as fp32. */
    public long bytesBefore() {
        return sizes.originalBytes();
    }

    /** The payload in the container (its 8-byte-plus-dims entry header is container overhead). */
    public long bytesAfter() {
        return sizes.totalBytes();
    }

    public double ratio() {
        return bytesAfter() == 0 ? 1.0 : (double) bytesBefore() / bytesAfter();
    }

    /** Bits per stored entry for the value without Huffman coding (the paper's "P+Q" weight bits): the code width. */
    public double fixedWeightBits() {
        if (encoding.int8()) {
            return 8;
        }
        if (shareBits == 0) {
            return 32;
        }
        boolean zeroSymbol = sizes.entryCount() > sizes.keptCount();
        int alphabet = (1 << shareBits) + (zeroSymbol ? 1 : 0);
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(alphabet - 1));
    }

    /** Bits per stored entry for the value as stored ("P+Q+H" when Huffman-coded). */
    public double storedWeightBits() {
        return sizes.bitsPerWeight();
    }

    /** Bits per stored entry for the position without Huffman coding: the relative index width, 0 when dense. */
    public double fixedIndexBits() {
        return relativeIndexBits;
    }

    /** Bits per stored entry for the position as stored, 0 when dense. */
    public double storedIndexBits() {
        return sizes.bitsPerIndex();
    }
}
