// What a backend provides to a Session: a compiled model that maps checked inputs to outputs.
package dev.condense.runtime;

import dev.condense.ir.Tensor;

import java.util.Map;

/**
 * Engines receive inputs the Session has already checked against the model's declared names,
 * element types and shapes. {@link #run} may be called from many threads at once.
 */
public interface Engine extends AutoCloseable {

    /** The outputs by name, in the model's output order. */
    Map<String, Tensor> run(Map<String, Tensor> inputs) throws SessionException;

    /** One line for logs: the backend and what it chose (threads, providers). */
    String describe();

    @Override
    void close();
}
