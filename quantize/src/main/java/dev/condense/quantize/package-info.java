/** Quantization: k-means weight sharing (issue 5) and calibrated int8 (issue 7). */
package dev.condense.quantize;
