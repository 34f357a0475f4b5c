// Starts DJL's PyTorch engine offline, from the native library on the class path, once per process.
package dev.condense.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The training engine. DJL would download PyTorch's native library when it finds none; Condense
 * ships it as a Maven dependency ({@code pytorch-native-cpu}, linux-x86_64) and sets
 * {@code ai.djl.offline} so that a missing library is an error rather than a download.
 */
public final class PyTorchEngine {

    private static Engine engine;

    private PyTorchEngine() {
    }

    /**
     * The engine, loaded on first use with {@code threads} intra-op threads (0: PyTorch's default,
     * one per core).
     *
     * @throws TrainingException when the native library does not load (the message says why)
     */
    public static synchronized Engine get(int threads) throws TrainingException {
        if (engine == null) {
            System.setProperty("ai.djl.offline", "true");
            // DJL logs through SLF4J and Condense binds no provider; SLF4J would say so on every start.
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "ERROR");
            }
            try {
                engine = Engine.getEngine("PyTorch");
                // Settable once, before any parallel work: the trainer never runs ops concurrently.
                JniUtils.setNumInteropThreads(1);
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                throw new TrainingException("DJL's PyTorch engine did not start (offline, native library from "
                        + "ai.djl.pytorch:pytorch-native-cpu on the class path): " + e.getMessage(), e);
            }
        }
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        return engine;
    }

    /** Seeds PyTorch's generator (dropout masks). */
    public static void seed(long seed) {
        JniUtils.setSeed(seed);
    }
}
