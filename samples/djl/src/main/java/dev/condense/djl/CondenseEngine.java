// The DJL engine "Condense": runs .dcz and .onnx models on Condense's runtime, keeps NDArrays in DJL's PyTorch engine.
package dev.condense.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.Properties;

/**
 * A hybrid engine, as DJL's ONNX Runtime engine is: Condense runs the model, and every NDArray
 * (what translators create, what the model returns) belongs to DJL's PyTorch engine, whose
 * NDManager {@link #newBaseManager} hands out. So pre- and post-processing run on PyTorch's
 * operators and only the model's forward pass runs on Condense (its pure-Java vector engine, or
 * ONNX Runtime when the criteria option {@code backend} says so). Arrays are on the CPU; a GPU is
 * reached through {@code backend=ort-cuda}, not through a DJL {@link Device}.
 *
 * <p>Inference only: no gradient collection, no training, no parameter updates. Its rank (20) is
 * above every DJL engine's, so Condense is never DJL's default engine; it is chosen by name.
 */
public final class CondenseEngine extends Engine {

    /** The name {@code Criteria.optEngine} and {@code Engine.getEngine} take. */
    public static final String ENGINE_NAME = "Condense";
    /** The engine whose NDManager and operators hold the arrays. */
    public static final String ARRAY_ENGINE_NAME = "PyTorch";
    static final int RANK = 20;

    private final String version;
    private Engine arrayEngine;

    CondenseEngine() {
        Properties properties = new Properties();
        try (InputStream in = CondenseEngine.class.getResourceAsStream("engine.properties")) {
            if (in == null) {
                throw new IllegalStateException("engine.properties is missing beside " + CondenseEngine.class.getName()
                        + "; the jar was not built by Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Condense DJL engine's engine.properties", e);
        }
        this.version = properties.getProperty("version", "unknown");
    }

    /** DJL's PyTorch engine, started on first use; DJL calls this to run the operators Condense lacks. */
    @Override
    public synchronized Engine getAlternativeEngine() {
        if (arrayEngine == null) {
            if (!Engine.hasEngine(ARRAY_ENGINE_NAME)) {
                throw new EngineException("the Condense engine keeps NDArrays in DJL's " + ARRAY_ENGINE_NAME
                        + " engine, which is not on the class path (ai.djl.pytorch:pytorch-engine, pytorch-jni and"
                        + " pytorch-native-cpu); the engines there are " + Engine.getAllEngines());
            }
            arrayEngine = Engine.getEngine(ARRAY_ENGINE_NAME);
        }
        return arrayEngine;
    }

    @Override
    public String getEngineName() {
        return ENGINE_NAME;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    /** Condense's version. */
    @Override
    public String getVersion() {
        return version;
    }

    /** None of DJL's standard capabilities (CUDA, MKL, ...) describe this engine's arrays or runs. */
    @Override
    public boolean hasCapability(String capability) {
        return false;
    }

    @Override
    public Device defaultDevice() {
        return Device.cpu();
    }

    /** No DJL device but the CPU: a GPU run goes through the ort-cuda backend instead. */
    @Override
    public int getGpuCount() {
        return 0;
    }

    @Override
    public Model newModel(String name, Device device) {
        checkCpu(device);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("the Condense engine copies tensors byte for byte between"
                    + " Condense (little-endian) and DJL (native order); this platform is " + ByteOrder.nativeOrder());
        }
        return new CondenseModel(name, newBaseManager(device));
    }

    @Override
    public NDManager newBaseManager() {
        return newBaseManager(null);
    }

    /** A manager of the PyTorch engine on the CPU. */
    @Override
    public NDManager newBaseManager(Device device) {
        checkCpu(device);
        return getAlternativeEngine().newBaseManager(Device.cpu());
    }

    @Override
    public GradientCollector newGradientCollector() {
        throw new UnsupportedOperationException("the Condense engine runs inference only; train with DJL's "
                + ARRAY_ENGINE_NAME + " engine and compress the trained model");
    }

    private static void checkCpu(Device device) {
        if (device != null && !Device.cpu().getDeviceType().equals(device.getDeviceType())) {
            throw new IllegalArgumentException("the Condense engine keeps arrays on the CPU, not " + device
                    + "; to run the model on a GPU, set Criteria.optOption(\"" + CondenseModel.OPTION_BACKEND
                    + "\", \"ort-cuda\")");
        }
    }

    @Override
    public String toString() {
        return ENGINE_NAME + ":" + version + " (arrays: " + ARRAY_ENGINE_NAME + ")";
    }
}
