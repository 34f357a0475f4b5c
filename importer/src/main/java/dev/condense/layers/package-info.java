/** The weight layers compression acts on, and per-layer settings given by name, op type or family. */
package dev.condense.layers;
