/**
 * Datasets the rest of Condense streams from for evaluation, training and calibration: the
 * {@link dev.condense.data.Dataset} abstraction with its batching, IDX files (Fashion-MNIST) held
 * once in memory as uint8, and folders of the user's own images decoded lazily.
 */
package dev.condense.data;
