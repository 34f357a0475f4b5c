// One compiled node of a vector plan: shapes, constants and buffer offsets are fixed; it only computes.
package dev.condense.runtime.vector;

/** Kernels hold no per-run state, so one kernel serves every workspace and thread at once. */
@FunctionalInterface
public interface Kernel {

    /** Computes the node's outputs from its inputs in {@code arena}. */
    void run(float[] arena);
}
