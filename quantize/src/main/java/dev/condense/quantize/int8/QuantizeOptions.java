// What a user chooses when quantizing: granularity, activation type, calibration method, output form, exclusions.
package dev.condense.quantize.int8;

import java.util.Objects;
import java.util.Set;

/**
 * Options of static and dynamic quantization. Weights are int8 symmetric (zero point 0, range
 * -127..127), per output channel unless {@code perChannel} is false.
 *
 * @param perChannel  one weight scale per output channel (the default) or one per tensor
 * @param activations uint8 (default) or int8 asymmetric activations
 * @param method      how activation ranges are chosen from calibration
 * @param format      QDQ (QuantizeLinear/DequantizeLinear around float ops) or QOperator (QLinearConv, QLinearMatMul)
 * @param exclude     layers kept in fp32: node names, their short names or weight names
 */
public record QuantizeOptions(boolean perChannel, QuantType activations, CalibrationMethod method, Format format,
                              Set<String> exclude) {

    /** The two ways ONNX writes a quantized model. */
    public enum Format {
        QDQ("qdq"),
        QOPERATOR("qoperator");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Format parse(String text) throws QuantizationException {
            for (Format f : values()) {
                if (f.label.equalsIgnoreCase(text)) {
                    return f;
                }
            }
            throw new QuantizationException("format '" + text + "' is unknown; use qdq or qoperator");
        }
    }

    public QuantizeOptions {
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(format, "format");
        exclude = Set.copyOf(exclude);
    }

    /** Per-channel int8 weights, uint8 activations, min-max calibration, QDQ, nothing excluded. */
    public static QuantizeOptions defaults() {
        return new QuantizeOptions(true, QuantType.UINT8, new CalibrationMethod.MinMax(), Format.QDQ, Set.of());
    }

    public QuantizeOptions withPerChannel(boolean on) {
        return new QuantizeOptions(on, activations, method, format, exclude);
    }

    public QuantizeOptions withActivations(QuantType type) {
        return new QuantizeOptions(perChannel, type, method, format, exclude);
    }

    public QuantizeOptions withMethod(CalibrationMethod m) {
        return new QuantizeOptions(perChannel, activations, m, format, exclude);
    }

    public QuantizeOptions withFormat(Format f) {
        return new QuantizeOptions(perChannel, activations, method, f, exclude);
    }

    public QuantizeOptions withExclude(Set<String> layers) {
        return new QuantizeOptions(perChannel, activations, method, format, layers);
    }
}
