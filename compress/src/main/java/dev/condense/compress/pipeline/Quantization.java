// What the pipeline calls to quantize the pruned model to int8, in place of weight sharing: the quantizer behind it is wired in by the caller.
package dev.condense.compress.pipeline;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;

/**
 * Int8 quantization as a pipeline stage. After pruning (and the retraining after it, when on) the
 * pipeline hands the pruned fp32 model to {@link #quantize} and stores what comes back: a QDQ model
 * whose weights are INT8 (or UINT8) initializers read through DequantizeLinear nodes, the scale an
 * fp32 initializer (one value, or one per channel along the node's axis) and the zero point an
 * initializer of the weight's type. Each such weight is stored in the int8 encodings (sparse when
 * that is smaller: a pruned weight quantizes to the zero point, 0 when symmetric), every other
 * initializer as the pipeline stores it without quantization (fp32 ones as tensor entries, the
 * rest, such as int32 biases, inline in the graph). Replaces weight sharing: a pipeline does one or
 * the other ({@link CompressionPipeline#withQuantization}).
 */
@FunctionalInterface
public interface Quantization {

    /**
     * The quantized model of {@code pruned}. Pruned weights are zeros in {@code pruned}; a quantizer
     * that keeps them at the zero point keeps the pruning's savings.
     */
    Model quantize(Model pruned) throws QuantizationException;

    /**
     * A failure of the quantizer or its calibration data, its message for the user. A
     * {@link ModelLoadException}, so that {@link CompressionPipeline#compress(Model)} reports it
     * without a new checked exception for its existing callers.
     */
    final class QuantizationException extends ModelLoadException {
        private static final long serialVersionUID = 1L;

        public QuantizationException(String message) {
            super(message);
        }

        public QuantizationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
