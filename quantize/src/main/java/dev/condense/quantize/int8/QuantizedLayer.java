// One layer of a quantized model as the diagnosis sees it: where its output is in the fp32 and the int8 graphs.
package dev.condense.quantize.int8;

/**
 * @param name            the layer's node name (or weight name when the node has none)
 * @param opType          Conv, Gemm or MatMul
 * @param floatOutput     the layer's output in the fp32 model (after its ReLU, when the ReLU was folded into the quantization)
 * @param quantizedOutput the same value in the quantized model, as the next layer reads it (dequantized)
 * @param weightParams    the weights' scales (one per output channel, or one)
 */
public record QuantizedLayer(String name, String opType, String floatOutput, String quantizedOutput,
                             QuantParams weightParams) {
}
