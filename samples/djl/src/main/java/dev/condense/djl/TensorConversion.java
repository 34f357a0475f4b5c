// Copies values between DJL NDArrays and Condense tensors, mapping element types through one table.
package dev.condense.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/**
 * Both sides keep elements row-major; Condense stores them little-endian (ONNX's raw layout) and
 * DJL in the platform's order, so the bytes are copied as they are, which is exact on the
 * little-endian platforms DJL's native engines run on ({@link CondenseEngine} refuses others).
 */
final class TensorConversion {

    /**
     * The element types both Condense and DJL's PyTorch engine hold. PyTorch through DJL 0.35.1
     * aborts the JVM when asked for an int16, bfloat16 or unsigned 16- to 64-bit array, so those
     * are left out and refused with an exception; DJL's string and complex arrays have no Condense twin.
     */
    private static final Map<ai.djl.ndarray.types.DataType, DataType> TO_CONDENSE =
            new EnumMap<>(ai.djl.ndarray.types.DataType.class);
    private static final Map<DataType, ai.djl.ndarray.types.DataType> TO_DJL = new EnumMap<>(DataType.class);

    static {
        pair(ai.djl.ndarray.types.DataType.FLOAT32, DataType.FLOAT);
        pair(ai.djl.ndarray.types.DataType.FLOAT64, DataType.DOUBLE);
        pair(ai.djl.ndarray.types.DataType.FLOAT16, DataType.FLOAT16);
        pair(ai.djl.ndarray.types.DataType.UINT8, DataType.UINT8);
        pair(ai.djl.ndarray.types.DataType.INT8, DataType.INT8);
        pair(ai.djl.ndarray.types.DataType.INT32, DataType.INT32);
        pair(ai.djl.ndarray.types.DataType.INT64, DataType.INT64);
        pair(ai.djl.ndarray.types.DataType.BOOLEAN, DataType.BOOL);
    }

    private TensorConversion() {
    }

    private static void pair(ai.djl.ndarray.types.DataType djl, DataType condense) {
        TO_CONDENSE.put(djl, condense);
        TO_DJL.put(condense, djl);
    }

    /**
     * DJL's name for a Condense element type.
     *
     * @throws IllegalArgumentException for a type the array engine cannot hold; {@code what} names the tensor
     */
    static ai.djl.ndarray.types.DataType toDjl(DataType dtype, String what) {
        ai.djl.ndarray.types.DataType djl = TO_DJL.get(dtype);
        if (djl == null) {
            throw new IllegalArgumentException(what + " is " + dtype.displayName() + ", which DJL's "
                    + CondenseEngine.ARRAY_ENGINE_NAME + " arrays cannot hold; the types they take are "
                    + TO_DJL.values());
        }
        return djl;
    }

    /**
     * A Condense tensor named {@code name} with {@code array}'s shape, type and values (copied).
     *
     * @throws IllegalArgumentException when Condense has no such element type (DJL's string or complex arrays)
     */
    static Tensor toTensor(String name, NDArray array) {
        DataType dtype = TO_CONDENSE.get(array.getDataType());
        if (dtype == null) {
            throw new IllegalArgumentException("input '" + name + "' is a " + array.getDataType() + " array "
                    + array.getShape() + "; the types Condense takes from DJL are " + TO_CONDENSE.keySet());
        }
        ByteBuffer bytes = array.toByteBuffer();
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        // The record checks that the bytes fill the shape exactly.
        return new Tensor(name, dtype, array.getShape().getShape(), MemorySegment.ofArray(raw));
    }

    /** An array of {@code manager}'s engine with the tensor's shape, type and values (copied). */
    static NDArray toNDArray(NDManager manager, Tensor tensor) {
        ai.djl.ndarray.types.DataType dtype = toDjl(tensor.dtype(), "output '" + tensor.name() + "'");
        ByteBuffer buffer = manager.allocateDirect(Math.toIntExact(tensor.byteSize()));
        MemorySegment.ofBuffer(buffer).copyFrom(tensor.data());
        NDArray array = manager.create(buffer, new Shape(tensor.dims()), dtype);
        array.setName(tensor.name());
        return array;
    }
}
