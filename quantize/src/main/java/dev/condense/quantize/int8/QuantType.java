// The two 8-bit integer types a quantized tensor takes, with their ranges and ONNX element types.
package dev.condense.quantize.int8;

import dev.condense.ir.DataType;

import java.util.Locale;

/** An 8-bit quantized element type. Weights are always {@link #INT8}; activations either. */
public enum QuantType {
    UINT8(0, 255, DataType.UINT8),
    INT8(-128, 127, DataType.INT8);

    private final int qmin;
    private final int qmax;
    private final DataType dtype;

    QuantType(int qmin, int qmax, DataType dtype) {
        this.qmin = qmin;
        this.qmax = qmax;
        this.dtype = dtype;
    }

    public int qmin() {
        return qmin;
    }

    public int qmax() {
        return qmax;
    }

    public DataType dtype() {
        return dtype;
    }

    /** The largest magnitude symmetric weights use: 127, so that -127..127 is symmetric about 0. */
    public int symmetricMax() {
        return qmax;
    }

    public static QuantType parse(String text) throws QuantizationException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "uint8", "u8" -> UINT8;
            case "int8", "s8", "i8" -> INT8;
            default -> throw new QuantizationException("activation type '" + text + "' is unknown; use uint8 or int8");
        };
    }

    public String label() {
        return dtype.displayName();
    }
}
