// The encodings a tensor entry of a DCZ container may use, with their ids in the entry header and names in the manifest.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;

/** How a tensor entry's payload is encoded (docs/FORMAT.md, "Tensor entries"). */
public enum TensorEncoding {
    /** Little-endian fp32, every element. */
    RAW_FP32(0, "raw-fp32"),
    /** The layer encoding of {@code LayerCodec}: sparse and/or shared, optionally Huffman-coded. */
    DEEP_COMPRESSION(1, "deep-compression"),
    /** The int8 encoding of {@code Int8Codec}, dense: int8 or uint8 values with their scales and zero points. */
    INT8(2, "int8"),
    /** The int8 encoding of {@code Int8Codec}, sparse: a relative index over the values other than the zero point. */
    SPARSE_INT8(3, "sparse-int8");

    private final int id;
    private final String label;

    TensorEncoding(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The byte in the tensor entry header. */
    public int id() {
        return id;
    }

    /** True for the encodings of 8-bit integer tensors ({@link #INT8}, {@link #SPARSE_INT8}). */
    public boolean int8() {
        return this == INT8 || this == SPARSE_INT8;
    }

    /** The name in manifest.json. */
    public String label() {
        return label;
    }

    static TensorEncoding ofId(int id, String source) throws FormatException {
        for (TensorEncoding e : values()) {
            if (e.id == id) {
                return e;
            }
        }
        throw new FormatException(source + ": tensor encoding id " + id + " is unknown; known: " + known());
    }

    static TensorEncoding ofLabel(String label, String source) throws FormatException {
        for (TensorEncoding e : values()) {
            if (e.label.equals(label)) {
                return e;
            }
        }
        throw new FormatException(source + ": tensor encoding '" + label + "' is unknown; known: " + known());
    }

    private static String known() {
        StringBuilder s = new StringBuilder();
        for (TensorEncoding e : values()) {
            s.append(s.isEmpty() ? "" : ", ").append(e.id).append(" '").append(e.label).append('\'');
        }
        return s.toString();
    }
}
