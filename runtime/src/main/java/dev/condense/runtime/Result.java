// The outputs of one Session run, by name; closing it releases them.
package dev.condense.runtime;

import dev.condense.ir.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Outputs are in the model's output order. The tensors are the caller's to keep until
 * {@link #close()}; after it every accessor throws.
 */
public final class Result implements AutoCloseable {

    private final Map<String, Tensor> outputs;
    private volatile boolean closed;

    public Result(Map<String, Tensor> outputs) {
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** The output of that name. */
    public Tensor get(String name) {
        checkClosed();
        Tensor t = outputs.get(name);
        if (t == null) {
            throw new NoSuchElementException("no output '" + name + "'; the outputs are " + outputs.keySet());
        }
        return t;
    }

    /** The first output, the usual one for classifiers. */
    public Tensor first() {
        checkClosed();
        return outputs.values().iterator().next();
    }

    public List<String> names() {
        checkClosed();
        return List.copyOf(outputs.keySet());
    }

    public Map<String, Tensor> asMap() {
        checkClosed();
        return outputs;
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("result is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
