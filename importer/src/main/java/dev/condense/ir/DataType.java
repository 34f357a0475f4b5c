// Element types of ONNX tensors that Condense holds in its IR, with their ONNX codes and widths.
package dev.condense.ir;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Element type of a tensor. The codes are those of ONNX's {@code TensorProto.DataType}. */
public enum DataType {
    FLOAT(1, 4, "float32"),
    UINT8(2, 1, "uint8"),
    INT8(3, 1, "int8"),
    UINT16(4, 2, "uint16"),
    INT16(5, 2, "int16"),
    INT32(6, 4, "int32"),
    INT64(7, 8, "int64"),
    BOOL(9, 1, "bool"),
    FLOAT16(10, 2, "float16"),
    DOUBLE(11, 8, "float64"),
    UINT32(12, 4, "uint32"),
    UINT64(13, 8, "uint64"),
    BFLOAT16(16, 2, "bfloat16");

    private final int onnxCode;
    private final int byteSize;
    private final String displayName;

    DataType(int onnxCode, int byteSize, String displayName) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
        this.displayName = displayName;
    }

    /** The value of {@code TensorProto.DataType} for this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes one element occupies in ONNX's little-endian raw layout. */
    public int byteSize() {
        return byteSize;
    }

    /** The NumPy-style name used in messages and reports (float32, int64, ...). */
    public String displayName() {
        return displayName;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16 || this == BFLOAT16;
    }

    public boolean isInteger() {
        return !isFloatingPoint() && this != BOOL;
    }

    /** The type with the given ONNX code, or empty when Condense does not hold that type. */
    public static Optional<DataType> fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** ONNX's name for a type code, including the ones Condense does not hold, for error messages. */
    public static String onnxName(int code) {
        return switch (code) {
            case 0 -> "UNDEFINED";
            case 8 -> "STRING";
            case 14 -> "COMPLEX64";
            case 15 -> "COMPLEX128";
            case 17 -> "FLOAT8E4M3FN";
            case 18 -> "FLOAT8E4M3FNUZ";
            case 19 -> "FLOAT8E5M2";
            case 20 -> "FLOAT8E5M2FNUZ";
            case 21 -> "UINT4";
            case 22 -> "INT4";
            case 23 -> "FLOAT4E2M1";
            default -> fromOnnx(code).map(t -> t.name()).orElse("code " + code);
        };
    }

    /** The supported types, for messages that list the alternatives. */
    public static String supportedList() {
        return Arrays.stream(values()).map(DataType::displayName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return displayName;
    }
}
