/**
 * Tensor files: the NumPy {@code .npy} codec and a facade that reads and writes a lone tensor as
 * {@code .npy} or as an ONNX TensorProto {@code .pb}, choosing the format by content or extension.
 */
package dev.condense.io;
