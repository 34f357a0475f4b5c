/**
 * Int8 quantization: calibrated static post-training quantization to QDQ or QOperator form,
 * dynamic quantization of fully connected layers, and the per-layer diagnosis (SQNR) that says
 * which layer an accuracy drop comes from.
 */
package dev.condense.quantize.int8;
