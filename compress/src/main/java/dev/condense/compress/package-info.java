/** Compression: Huffman and relative-index codecs, the DCZ container, the Deep Compression pipeline (issue 5). */
package dev.condense.compress;
