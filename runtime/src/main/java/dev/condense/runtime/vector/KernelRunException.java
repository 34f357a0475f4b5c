// A value only known at run time that a kernel cannot compute with (a quantization scale fed as an input).
package dev.condense.runtime.vector;

/**
 * Kernels check what they can when the plan is built; this covers the few values that arrive with
 * the feeds. {@link Plan} turns it into the SessionException the caller of a run sees.
 */
public final class KernelRunException extends RuntimeException {

    public KernelRunException(String message) {
        super(message);
    }
}
