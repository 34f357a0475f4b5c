// How quantization runs a model without depending on a runtime: the caller supplies the engine.
package dev.condense.quantize.int8;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;

import java.util.Map;

/**
 * Runs a model on one batch and returns every graph output as floats (quantized outputs
 * converted). Implementations may keep a session per model instance; calibration asks for the
 * same model many times.
 */
@FunctionalInterface
public interface ModelRunner {

    Map<String, float[]> run(Model model, Map<String, Tensor> feed) throws QuantizationException;
}
