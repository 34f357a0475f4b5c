/**
 * Deep Compression's second stage: weights of a layer share a codebook of 2^bits centroids found by
 * one-dimensional k-means, and each kept weight stores only its centroid's index.
 */
package dev.condense.quantize.sharing;
