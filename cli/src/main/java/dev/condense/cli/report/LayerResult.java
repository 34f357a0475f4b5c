// One weight layer of a results line: how much was kept, how many bits each weight and index took, and the bytes before and after.
package dev.condense.cli.report;

/**
 * A weight layer's compression accounting, as {@code condense compress --report} writes it. "Fixed" bit widths are
 * the paper's P+Q columns (codebook index and relative index at their fixed width); "stored" ones are P+Q+H (after
 * Huffman coding), averaged over the layer's stored entries.
 *
 * @param entries stored entries: kept weights plus the zero fillers relative indexing needs
 */
public record LayerResult(String layer, String op, String encoding, long weights, long kept, long entries,
                          double weightBitsFixed, double weightBitsStored, double indexBitsFixed,
                          double indexBitsStored, long codebookBytes, long bytesBefore, long bytesAfter) {

    /** Percentage of the layer's weights that survived pruning. */
    public double keptPercent() {
        return weights == 0 ? 0 : 100.0 * kept / weights;
    }

    /** Bits each stored entry takes after Huffman coding: its weight code plus its relative index. */
    public double storedBitsPerWeight() {
        return weightBitsStored + indexBitsStored;
    }

    /** Bytes the layer would take with fixed-width codes (pruning and quantization, no Huffman coding). */
    public double fixedWidthBytes() {
        return entries * (weightBitsFixed + indexBitsFixed) / 8 + codebookBytes;
    }

    /** The paper's "Compress rate (P+Q)": fp32 bytes over {@link #fixedWidthBytes()}. */
    public double fixedWidthRatio() {
        double after = fixedWidthBytes();
        return after == 0 ? Double.NaN : bytesBefore / after;
    }

    /** The paper's "Compress rate (P+Q+H)": fp32 bytes over the bytes actually stored. */
    public double storedRatio() {
        return bytesAfter == 0 ? Double.NaN : (double) bytesBefore / bytesAfter;
    }
}
