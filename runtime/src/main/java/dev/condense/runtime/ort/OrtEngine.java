// ONNX Runtime behind the Engine interface: CPU, or CUDA when the GPU build and a GPU are present.
package dev.condense.runtime.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxWriter;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Engine;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model goes to ONNX Runtime as the bytes {@link OnnxWriter} writes, so what ORT runs is what
 * Condense imported (passes applied, external data inlined). CUDA needs the {@code onnxruntime_gpu}
 * artifact (the Maven profile {@code cuda}) and a visible GPU; without either, opening fails with a
 * message that says which is missing.
 */
public final class OrtEngine implements Engine {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String description;

    private OrtEngine(OrtEnvironment env, OrtSession session, String description) {
        this.env = env;
        this.session = session;
        this.description = description;
    }

    public static OrtEngine open(Model model, Backend backend, SessionOptions options) throws SessionException {
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "condense");
        } catch (LinkageError e) {
            throw new SessionException("ONNX Runtime is not on the class path (the onnxruntime artifact): " + e, e);
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.threads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (backend == Backend.ORT_CUDA) {
                EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
                if (!providers.contains(OrtProvider.CUDA)) {
                    throw new SessionException("ort-cuda needs ONNX Runtime's CUDA build (the onnxruntime_gpu artifact,"
                            + " Maven profile 'cuda'); this one has providers " + providers);
                }
                try {
                    so.addCUDA(0);
                } catch (OrtException e) {
                    throw new SessionException("ort-cuda: ONNX Runtime could not start CUDA on device 0 (is a GPU"
                            + " visible and the CUDA/cuDNN libraries installed?): " + e.getMessage(), e);
                }
            }
            OrtSession session = env.createSession(OnnxWriter.toBytes(model), so);
            return new OrtEngine(env, session, backend.id() + " (ONNX Runtime " + env.getVersion() + ", "
                    + options.threads() + " thread" + (options.threads() == 1 ? "" : "s") + ")");
        } catch (OrtException e) {
            throw new SessionException(backend.id() + ": ONNX Runtime refused the model: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) throws SessionException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getValue()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt(e.getKey(), (OnnxTensor) e.getValue()));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new SessionException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOrt(Tensor t) throws OrtException, SessionException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.nativeOrder());
        MemorySegment.ofBuffer(bytes).copyFrom(t.data());
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new SessionException("ONNX Runtime tensors are native-endian; this machine is big-endian");
        }
        return switch (t.dtype()) {
            case FLOAT -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), t.dims());
            case DOUBLE -> OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), t.dims());
            case INT64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer(), t.dims());
            case INT32 -> OnnxTensor.createTensor(env, bytes.asIntBuffer(), t.dims());
            default -> throw new SessionException("ort backends take float, double, int32 and int64 inputs, got "
                    + t.dtype().displayName() + " for '" + t.name() + "'");
        };
    }

    private static Tensor fromOrt(String name, OnnxTensor t) throws SessionException {
        long[] shape = t.getInfo().getShape();
        ByteBuffer raw = t.getByteBuffer();
        if (raw == null) {
            throw new SessionException("output '" + name + "' is of type " + t.getInfo().type + ", which Condense does not read");
        }
        DataType dtype = switch (t.getInfo().type) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            default -> throw new SessionException("output '" + name + "' is of type " + t.getInfo().type
                    + ", which Condense does not read");
        };
        byte[] bytes = new byte[raw.remaining()];
        raw.order(ByteOrder.LITTLE_ENDIAN).get(bytes);
        return Tensor.ofRaw(name, dtype, shape, bytes);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // Closing releases native memory; a failure there leaves nothing for the caller to do.
            throw new IllegalStateException("ONNX Runtime failed to close its session: " + e.getMessage(), e);
        }
    }
}
