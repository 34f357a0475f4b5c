/** Quantization: k-means weight sharing lives in {@code dev.condense.quantize.sharing}; calibrated int8 comes with issue 7. */
package dev.condense.quantize;
