// The engines a Session can run on: ONNX Runtime on CPU or CUDA, or Condense's pure-Java Vector API engine.
package dev.condense.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Chosen explicitly when a session opens; the chosen one is logged once, a fallback announced. */
public enum Backend {
    /** ONNX Runtime's CPU execution provider (native, from the {@code onnxruntime} artifact). */
    ORT_CPU("ort-cpu"),
    /** ONNX Runtime's CUDA execution provider (needs the {@code onnxruntime_gpu} artifact and a GPU). */
    ORT_CUDA("ort-cuda"),
    /** Condense's engine on {@code jdk.incubator.vector}: no native code. */
    VECTOR("vector");

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    /** The name the command line and options use: {@code ort-cpu}, {@code ort-cuda}, {@code vector}. */
    public String id() {
        return id;
    }

    /** The backend of that name, or an error listing the names there are. */
    public static Backend of(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        for (Backend b : values()) {
            if (b.id.equals(key)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no backend '" + name + "'; there are "
                + Arrays.stream(values()).map(Backend::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
