/** Runtime: the Session API over ONNX Runtime and the pure-Java Vector API engine (issue 4). */
package dev.condense.runtime;
