// The checked error of quantization: a message naming the tensor, layer or option that is wrong.
package dev.condense.quantize.int8;

/** Raised for impossible options, malformed quantization parameters and unusable calibration sets. */
public class QuantizationException extends Exception {

    public QuantizationException(String message) {
        super(message);
    }

    public QuantizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
