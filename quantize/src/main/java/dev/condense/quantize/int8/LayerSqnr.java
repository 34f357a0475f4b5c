// The diagnosis of one quantized layer: how far its int8 output is from fp32, in decibels.
package dev.condense.quantize.int8;

/**
 * @param layer       the layer
 * @param sqnrDb      10·log10(Σ y² / Σ (y − ŷ)²) of the layer's output in the quantized model against
 *                    fp32, over the calibration set: error accumulated from every layer before it
 * @param lossDb      how many dB this layer lost against the layer it reads from (the worst of its
 *                    quantized predecessors); large values point at the layer that hurts; NaN for a layer
 *                    whose input is exact after quantization (its loss is its whole noise)
 */
public record LayerSqnr(QuantizedLayer layer, double sqnrDb, double lossDb) {
}
