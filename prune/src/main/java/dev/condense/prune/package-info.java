/**
 * Pruning (Deep Compression's first stage): masks, magnitude pruning by keep fraction, quality
 * times standard deviation or one global threshold, the paper's AlexNet and VGG-16 presets, and
 * filter (structured) pruning that shrinks the graph.
 */
package dev.condense.prune;
