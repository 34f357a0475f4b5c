/** The documented CNN families as ONNX builders, datasets and tensor files (issue 3). */
package dev.condense.models;
