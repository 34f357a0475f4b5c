// NDArray to Tensor and back keeps shape, element type and every value, for each type both sides hold.
package dev.condense.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorConversionTest {

    /** Every type the conversion takes. */
    private static final List<DataType> TYPES = List.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16,
            DataType.UINT8, DataType.INT8, DataType.INT32, DataType.INT64, DataType.BOOLEAN);

    @Test
    void roundTripKeepsShapeTypeAndValues() {
        Random random = new Random(11);
        double[] values = new double[2 * 3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(201) - 100;
        }
        try (NDManager manager = Engine.getEngine("Condense").newBaseManager()) {
            for (DataType type : TYPES) {
                NDArray original = manager.create(values, new Shape(2, 3, 4)).toType(type, false);
                Tensor tensor = TensorConversion.toTensor("x", original);
                assertArrayEquals(new long[] {2, 3, 4}, tensor.dims(), type.toString());
                assertEquals(type, TensorConversion.toDjl(tensor.dtype(), "x"));
                double[] expected = original.toType(DataType.FLOAT64, false).toDoubleArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], tensor.getDouble(i), 0.0, type + " element " + i);
                }
                NDArray back = TensorConversion.toNDArray(manager, tensor);
                assertEquals(type, back.getDataType());
                assertEquals(original.getShape(), back.getShape());
                assertEquals("x", back.getName());
                assertTrue(original.contentEquals(back), type.toString());
            }
        }
    }

    @Test
    void scalarsAndEmptyArraysKeepTheirShapes() {
        try (NDManager manager = Engine.getEngine("Condense").newBaseManager()) {
            Tensor scalar = TensorConversion.toTensor("s", manager.create(2.5f));
            assertEquals(0, scalar.rank());
            assertEquals(2.5f, scalar.getFloat(0));
            NDArray empty = TensorConversion.toNDArray(manager, Tensor.ofFloats("e", new long[] {0, 4}));
            assertEquals(new Shape(0, 4), empty.getShape());
        }
    }

    @Test
    void typesPyTorchCannotHoldAreRefusedNotPassedOn() {
        try (NDManager manager = Engine.getEngine("Condense").newBaseManager()) {
            for (String name : List.of("INT16", "BFLOAT16", "UINT16", "UINT32", "UINT64")) {
                dev.condense.ir.DataType type = dev.condense.ir.DataType.valueOf(name);
                Tensor tensor = Tensor.fromLongs("y", type, new long[] {2}, new long[] {1, 2});
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> TensorConversion.toNDArray(manager, tensor));
                assertTrue(e.getMessage().startsWith("output 'y' is " + type.displayName()), e.getMessage());
            }
        }
    }
}
