// Builds the kernel of one node from what the plan compiler knows about it.
package dev.condense.runtime.vector;

import dev.condense.runtime.SessionException;

@FunctionalInterface
public interface KernelFactory {

    /** The node's kernel; constants may be repacked here, once, for the kernel's loops. */
    Kernel create(KernelContext ctx) throws SessionException;
}
