// Reads an ONNX TensorProto .pb test file (conformance inputs and expected outputs) into dims plus little-endian bytes.
package dev.condense.tests;

import com.google.protobuf.ByteString;
import dev.condense.ir.DataType;
import dev.condense.onnx.proto.Onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A tensor from a .pb file: the element type, the dims and the elements in ONNX's raw little-endian
 * layout, whichever field (raw_data or the typed repeated fields) the file used. A deliberately
 * small test helper; a later issue adds a tensor-file reader to the product.
 */
record ProtoTensor(String name, DataType dtype, long[] dims, ByteBuffer data) {

    static ProtoTensor read(Path file) {
        Onnx.TensorProto t;
        try {
            t = Onnx.TensorProto.parseFrom(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
        DataType dtype = DataType.fromOnnx(t.getDataType())
                .orElseThrow(() -> new IllegalArgumentException(file + ": element type " + t.getDataType()));
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int count = Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(count, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != data.capacity()) {
                throw new IllegalArgumentException(file + ": raw_data has " + raw.size() + " bytes, dims need "
                        + data.capacity());
            }
            raw.copyTo(data);
        } else {
            for (int i = 0; i < count; i++) {
                switch (dtype) {
                    case FLOAT -> data.putFloat(t.getFloatData(i));
                    case DOUBLE -> data.putDouble(t.getDoubleData(i));
                    case INT64 -> data.putLong(t.getInt64Data(i));
                    case UINT64 -> data.putLong(t.getUint64Data(i));
                    case UINT32 -> data.putInt((int) t.getUint64Data(i));
                    case INT32 -> data.putInt(t.getInt32Data(i));
                    case INT16, UINT16, FLOAT16, BFLOAT16 -> data.putShort((short) t.getInt32Data(i));
                    case INT8, UINT8, BOOL -> data.put((byte) t.getInt32Data(i));
                }
            }
        }
        data.flip();
        return new ProtoTensor(t.getName(), dtype, dims, data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    int elementCount() {
        return data.capacity() / dtype.byteSize();
    }

    /** Element {@code i} as a double, whatever the element type. */
    double get(int i) {
        int at = i * dtype.byteSize();
        return switch (dtype) {
            case FLOAT -> data.getFloat(at);
            case DOUBLE -> data.getDouble(at);
            case INT64, UINT64 -> data.getLong(at);
            case INT32 -> data.getInt(at);
            case UINT32 -> data.getInt(at) & 0xFFFFFFFFL;
            case INT16 -> data.getShort(at);
            case UINT16 -> data.getShort(at) & 0xFFFF;
            case FLOAT16 -> Float.float16ToFloat(data.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xFFFF) << 16);
            case INT8 -> data.get(at);
            case UINT8, BOOL -> data.get(at) & 0xFF;
        };
    }

    /** All elements as doubles. */
    double[] values() {
        double[] out = new double[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    float[] floats() {
        float[] out = new float[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) get(i);
        }
        return out;
    }

    long[] longs() {
        long[] out = new long[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype == DataType.INT64 || dtype == DataType.UINT64 ? data.getLong(i * 8) : (long) get(i);
        }
        return out;
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public String toString() {
        return name + ": " + dtype + Arrays.toString(dims);
    }
}
