// Constants and shared pieces of the DCZ container format: entry names, the tensor entry header, checksums, JSON.
package dev.condense.compress.dcz;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.condense.compress.FormatException;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerSizes;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** The parts of docs/FORMAT.md that writer and reader share. */
final class DczFormat {
    static final String FORMAT_NAME = "dcz";
    /** Version 2 deflates manifest.json and graph.onnx; version 1 stored every entry. Both are read. */
    static final int FORMAT_VERSION = 2;
    static final int OLDEST_FORMAT_VERSION = 1;
    static final String MANIFEST = "manifest.json";
    static final String GRAPH = "graph.onnx";
    static final String TENSOR_PREFIX = "tensors/";
    /** The manifest is small (a few hundred bytes per tensor); a larger one is refused before parsing. */
    static final int MAX_MANIFEST_BYTES = 64 << 20;
    static final int MAX_RANK = 32;

    /** Tensor entry header: "DCZT", version, encoding id, rank, reserved, then rank u64 dimensions. */
    static final int TENSOR_MAGIC = 0x545A4344;
    static final int TENSOR_HEADER_VERSION = 1;
    static final int TENSOR_HEADER_BYTES = 8;
    private static final int MAX_SANITIZED_NAME = 96;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // Compact: on a LeNet-sized model, indentation alone was a twentieth of the container.
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private DczFormat() {
    }

    /** Entry name of the tensor at {@code index}: "tensors/", the index, and the name with unusual characters as '_'. */
    static String tensorEntryName(int index, String tensorName) {
        StringBuilder s = new StringBuilder(TENSOR_PREFIX).append(index).append('-');
        for (int i = 0; i < tensorName.length() && i < MAX_SANITIZED_NAME; i++) {
            char c = tensorName.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            s.append(plain ? c : '_');
        }
        return s.toString();
    }

    /** The tensor entry: its header followed by the payload. */
    static MemorySegment tensorEntry(DczTensor tensor) {
        long[] dims = tensor.dims();
        long headerBytes = TENSOR_HEADER_BYTES + 8L * dims.length;
        MemorySegment entry = MemorySegment.ofArray(new byte[Math.toIntExact(headerBytes + tensor.payload().byteSize())]);
        entry.set(INT_LE, 0, TENSOR_MAGIC);
        entry.set(ValueLayout.JAVA_BYTE, 4, (byte) TENSOR_HEADER_VERSION);
        entry.set(ValueLayout.JAVA_BYTE, 5, (byte) tensor.encoding().id());
        entry.set(ValueLayout.JAVA_BYTE, 6, (byte) dims.length);
        for (int d = 0; d < dims.length; d++) {
            entry.set(LONG_LE, TENSOR_HEADER_BYTES + 8L * d, dims[d]);
        }
        MemorySegment.copy(tensor.payload(), 0, entry, headerBytes, tensor.payload().byteSize());
        return entry;
    }

    /** Parses a tensor entry's header; the payload is a slice of {@code entry}. {@code source} names the entry. */
    static DczTensor parseTensorEntry(String tensorName, MemorySegment entry, String source) throws FormatException {
        if (entry.byteSize() < TENSOR_HEADER_BYTES) {
            throw new FormatException(source + ": " + entry.byteSize() + " bytes, shorter than the " + TENSOR_HEADER_BYTES
                    + "-byte tensor header");
        }
        int magic = entry.get(INT_LE, 0);
        if (magic != TENSOR_MAGIC) {
            throw new FormatException(source + ": tensor header starts with 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(TENSOR_MAGIC) + " (\"DCZT\")");
        }
        int version = entry.get(ValueLayout.JAVA_BYTE, 4) & 0xFF;
        if (version != TENSOR_HEADER_VERSION) {
            throw new FormatException(source + ": tensor header version " + version + "; this reader reads "
                    + TENSOR_HEADER_VERSION);
        }
        TensorEncoding encoding = TensorEncoding.ofId(entry.get(ValueLayout.JAVA_BYTE, 5) & 0xFF, source);
        int rank = entry.get(ValueLayout.JAVA_BYTE, 6) & 0xFF;
        int reserved = entry.get(ValueLayout.JAVA_BYTE, 7) & 0xFF;
        if (rank > MAX_RANK || reserved != 0) {
            throw new FormatException(source + ": tensor header declares rank " + rank + " (at most " + MAX_RANK
                    + ") and reserved byte " + reserved + " (expected 0)");
        }
        long headerBytes = TENSOR_HEADER_BYTES + 8L * rank;
        if (entry.byteSize() < headerBytes) {
            throw new FormatException(source + ": rank " + rank + " needs a " + headerBytes + "-byte header, the entry has "
                    + entry.byteSize() + " bytes");
        }
        long[] dims = new long[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            dims[d] = entry.get(LONG_LE, TENSOR_HEADER_BYTES + 8L * d);
            if (dims[d] < 0) {
                throw new FormatException(source + ": dimension " + d + " is " + Long.toUnsignedString(dims[d]));
            }
            try {
                count = Math.multiplyExact(count, dims[d]);
            } catch (ArithmeticException e) {
                throw new FormatException(source + ": dimensions overflow a 64-bit element count at dimension " + d, e);
            }
        }
        MemorySegment payload = entry.asSlice(headerBytes);
        if (encoding == TensorEncoding.RAW_FP32 && (count > payload.byteSize() / 4 || payload.byteSize() != 4 * count)) {
            throw new FormatException(source + ": raw fp32 tensor of " + count + " elements needs " + (count <= Long.MAX_VALUE / 4
                    ? String.valueOf(4 * count) : "more than 2^63") + " bytes, the payload has " + payload.byteSize());
        }
        if (encoding == TensorEncoding.DEEP_COMPRESSION) {
            LayerSizes sizes = LayerCodec.sizes(payload, source);
            if (sizes.elementCount() != count) {
                throw new FormatException(source + ": layer encoding holds " + sizes.elementCount() + " elements, the header's "
                        + "dimensions " + Arrays.toString(dims) + " make " + count);
            }
        }
        if (encoding.int8()) {
            // Checks the element count against the dims, the channels against the axis, and the scales.
            Int8Codec.Header header = Int8Codec.header(payload, dims, source);
            if (header.sparse() != (encoding == TensorEncoding.SPARSE_INT8)) {
                throw new FormatException(source + ": encoding " + encoding.id() + " ('" + encoding.label() + "') holds a "
                        + (header.sparse() ? "sparse" : "dense") + " int8 payload; "
                        + (header.sparse() ? TensorEncoding.SPARSE_INT8 : TensorEncoding.INT8).id() + " is the id for that");
            }
        }
        return new DczTensor(tensorName, dims, encoding, payload);
    }

    /** The per-part sizes of a tensor's payload: the layer or int8 encoding's own, or 4 bytes per element for raw fp32. */
    static LayerSizes layerSizes(DczTensor tensor, String source) throws FormatException {
        return switch (tensor.encoding()) {
            case DEEP_COMPRESSION -> LayerCodec.sizes(tensor.payload(), source);
            case INT8, SPARSE_INT8 -> {
                Int8Codec.Header header = Int8Codec.header(tensor.payload(), tensor.dims(), source);
                if (header.sparse() != (tensor.encoding() == TensorEncoding.SPARSE_INT8)) {
                    throw new FormatException(source + ": encoding '" + tensor.encoding().label() + "' with a "
                            + (header.sparse() ? "sparse" : "dense") + " int8 payload");
                }
                yield header.sizes();
            }
            case RAW_FP32 -> {
                long n = tensor.elementCount();
                long kept = 0;
                for (long i = 0; i < n; i++) {
                    kept += tensor.payload().getAtIndex(Tensor.FLOAT_LE, i) != 0 ? 1 : 0;
                }
                yield new LayerSizes(n, n, kept, 0, 0, 0, 0, 32 * n);
            }
        };
    }

    static String sha256(MemorySegment data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data.asByteBuffer());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
