// One tensor of a DCZ container: its name, shape, encoding and encoded bytes.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;
import dev.condense.compress.layer.EncodedLayer;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as a DCZ container stores it: the ONNX initializer name, its dimensions, and the payload
 * in {@code encoding} (read-only). A raw fp32 payload must hold exactly 4 bytes per element; a
 * Deep Compression or int8 payload is checked when written and when read. An int8 tensor's
 * elements are INT8 or UINT8 (its payload says which); the others' are FLOAT.
 */
public record DczTensor(String name, long[] dims, TensorEncoding encoding, MemorySegment payload) {

    public DczTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoding, "encoding");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tensor needs a name");
        }
        dims = dims.clone();
        if (dims.length > DczFormat.MAX_RANK) {
            throw new IllegalArgumentException("tensor '" + name + "' has rank " + dims.length + ", at most " + DczFormat.MAX_RANK);
        }
        long count = Tensor.elementCount(dims);
        if (encoding == TensorEncoding.RAW_FP32 && payload.byteSize() != Math.multiplyExact(count, 4L)) {
            throw new IllegalArgumentException("tensor '" + name + "' " + Arrays.toString(dims) + " needs " + 4 * count
                    + " bytes of fp32, got " + payload.byteSize());
        }
        payload = payload.isReadOnly() ? payload : payload.asReadOnly();
    }

    /** A raw fp32 tensor holding {@code values} (copied, little-endian). */
    public static DczTensor raw(String name, long[] dims, float... values) {
        return fromTensor(Tensor.ofFloats(name, dims, values));
    }

    /** A raw fp32 tensor with the bytes of an fp32 IR tensor. */
    public static DczTensor fromTensor(Tensor tensor) {
        if (tensor.dtype() != DataType.FLOAT) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.dtype()
                    + "; raw DCZ tensors are FLOAT");
        }
        return new DczTensor(tensor.name(), tensor.dims(), TensorEncoding.RAW_FP32, tensor.data());
    }

    /** A tensor in the layer encoding. */
    public static DczTensor encoded(String name, long[] dims, EncodedLayer layer) {
        if (layer.sizes().elementCount() != Tensor.elementCount(dims)) {
            throw new IllegalArgumentException("tensor '" + name + "' " + Arrays.toString(dims) + " has "
                    + Tensor.elementCount(dims) + " elements, its encoding " + layer.sizes().elementCount());
        }
        return new DczTensor(name, dims, TensorEncoding.DEEP_COMPRESSION, layer.bytes());
    }

    /**
     * A tensor in the int8 encoding of {@link Int8Codec}: {@link TensorEncoding#SPARSE_INT8} when
     * the encoding is sparse, else {@link TensorEncoding#INT8}.
     */
    public static DczTensor int8(String name, long[] dims, EncodedLayer layer) {
        Int8Codec.Header header;
        try {
            header = Int8Codec.header(layer.bytes(), dims, "tensor '" + name + "'");
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new DczTensor(name, dims, header.sparse() ? TensorEncoding.SPARSE_INT8 : TensorEncoding.INT8, layer.bytes());
    }

    /** The int8 tensor holding {@code values} as {@code quantization} describes them, encoded with {@code options}. */
    public static DczTensor int8(String name, long[] dims, byte[] values, Int8Quantization quantization,
                                 LayerOptions options) {
        return int8(name, dims, Int8Codec.encode(values, dims, quantization, options));
    }

    /** FLOAT, or INT8 / UINT8 for the int8 encodings (as the payload's header says). */
    public DataType elementType(String source) throws FormatException {
        if (!encoding.int8()) {
            return DataType.FLOAT;
        }
        return Int8Codec.header(payload, dims, source).quantization().unsigned() ? DataType.UINT8 : DataType.INT8;
    }

    /** The scales and zero points of an int8 tensor; {@code source} names it in messages. */
    public Int8Quantization quantization(String source) throws FormatException {
        if (!encoding.int8()) {
            throw new IllegalStateException("tensor '" + name + "' is " + encoding.label() + ", not int8");
        }
        return Int8Codec.header(payload, dims, source).quantization();
    }

    /** The stored values of an int8 tensor, one byte per element. */
    public byte[] int8Values(String source) throws FormatException {
        if (!encoding.int8()) {
            throw new IllegalStateException("tensor '" + name + "' is " + encoding.label() + ", not int8");
        }
        return Int8Codec.decode(payload, dims, source);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        return Tensor.elementCount(dims);
    }

    /**
     * The dense fp32 values (an int8 tensor's dequantized: {@code (q - zeroPoint) * scale});
     * {@code source} names the tensor's entry in error messages.
     */
    public float[] decode(String source) throws FormatException {
        long count = elementCount();
        if (count > LayerCodec.MAX_ELEMENTS) {
            throw new FormatException(source + ": " + count + " elements exceed one array (" + LayerCodec.MAX_ELEMENTS + ")");
        }
        return switch (encoding) {
            case RAW_FP32 -> {
                float[] out = new float[(int) count];
                MemorySegment.copy(payload, Tensor.FLOAT_LE, 0, out, 0, out.length);
                yield out;
            }
            case DEEP_COMPRESSION -> {
                float[] out = LayerCodec.decode(payload, source);
                if (out.length != count) {
                    throw new FormatException(source + ": encoding holds " + out.length + " elements, the tensor "
                            + Arrays.toString(dims) + " has " + count);
                }
                yield out;
            }
            case INT8, SPARSE_INT8 -> Int8Codec.dequantize(payload, dims, source);
        };
    }

    /**
     * The dense values in a fresh {@code byte[]}-backed segment, the layout of {@link Tensor#data()}
     * for the element type: little-endian fp32, or one byte per element for an int8 tensor; decoded
     * straight into it, without an array in between.
     */
    public MemorySegment decodeToSegment(String source) throws FormatException {
        long count = elementCount();
        if (count > LayerCodec.MAX_ELEMENTS) {
            throw new FormatException(source + ": " + count + " elements exceed one array (" + LayerCodec.MAX_ELEMENTS + ")");
        }
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(encoding.int8() ? count : 4 * count)]);
        switch (encoding) {
            case RAW_FP32 -> MemorySegment.copy(payload, 0, out, 0, out.byteSize());
            case DEEP_COMPRESSION -> {
                long held = LayerCodec.elementCount(payload, source);
                if (held != count) {
                    throw new FormatException(source + ": encoding holds " + held + " elements, the tensor "
                            + Arrays.toString(dims) + " has " + count);
                }
                LayerCodec.decode(payload, source, out);
            }
            case INT8, SPARSE_INT8 -> Int8Codec.decode(payload, dims, source, out);
        }
        return out;
    }

    /** The dense values as an IR tensor of this name, shape and element type (fp32, or int8 / uint8 as stored). */
    public Tensor toTensor(String source) throws FormatException {
        return new Tensor(name, elementType(source), dims, decodeToSegment(source));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DczTensor other && name.equals(other.name) && Arrays.equals(dims, other.dims)
                && encoding == other.encoding && payload.byteSize() == other.payload.byteSize()
                && payload.mismatch(other.payload) == -1;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), encoding, payload.byteSize());
    }

    @Override
    public String toString() {
        return "DczTensor[" + name + " " + Arrays.toString(dims) + " " + encoding.label() + ", " + payload.byteSize() + " bytes]";
    }
}
