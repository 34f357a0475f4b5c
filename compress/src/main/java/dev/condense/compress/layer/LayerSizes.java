// Where the bytes of one encoded layer go, part by part, for size tables like Deep Compression's.
package dev.condense.compress.layer;

/**
 * The parts of one layer encoding. {@code entryCount} counts stored entries (kept weights plus
 * fillers when sparse, every weight when dense). {@code indexBits} is the relative-index stream,
 * {@code weightBits} the value stream (codebook indices, or 32 bits per entry for raw fp32);
 * {@code headerBytes} the fixed header and the section length fields; {@code codebookBytes} the
 * centroids (4 bytes each); {@code huffmanTableBytes} the code-length tables. {@link #totalBytes()}
 * is exactly the encoding's length.
 */
public record LayerSizes(long elementCount, long entryCount, long keptCount, long headerBytes, long codebookBytes,
                         long huffmanTableBytes, long indexBits, long weightBits) {

    public LayerSizes {
        if (elementCount < 0 || entryCount < 0 || keptCount < 0 || keptCount > entryCount || headerBytes < 0
                || codebookBytes < 0 || huffmanTableBytes < 0 || indexBits < 0 || weightBits < 0) {
            throw new IllegalArgumentException("inconsistent layer sizes: elements " + elementCount + ", entries "
                    + entryCount + ", kept " + keptCount + ", header " + headerBytes + ", codebook " + codebookBytes
                    + ", tables " + huffmanTableBytes + ", index bits " + indexBits + ", weight bits " + weightBits);
        }
    }

    /** Filler entries: stored zeros that bridge gaps longer than the relative index can express. */
    public long fillerCount() {
        return entryCount - keptCount;
    }

    public long indexBytes() {
        return (indexBits + 7) / 8;
    }

    public long weightBytes() {
        return (weightBits + 7) / 8;
    }

    public long totalBytes() {
        return headerBytes + codebookBytes + huffmanTableBytes + indexBytes() + weightBytes();
    }

    /** The layer as dense fp32: 4 bytes per weight. */
    public long originalBytes() {
        return elementCount * 4;
    }

    /** Original over encoded size. */
    public double compressionRate() {
        return (double) originalBytes() / totalBytes();
    }

    /** Fraction of weights kept (non-zero), as the paper's "Weights%" column. */
    public double density() {
        return elementCount == 0 ? 0 : (double) keptCount / elementCount;
    }

    /** Average bits per stored entry for the value (the paper's "weight bits"). */
    public double bitsPerWeight() {
        return entryCount == 0 ? 0 : (double) weightBits / entryCount;
    }

    /** Average bits per stored entry for its position (the paper's "index bits"); 0 when dense. */
    public double bitsPerIndex() {
        return entryCount == 0 ? 0 : (double) indexBits / entryCount;
    }
}
