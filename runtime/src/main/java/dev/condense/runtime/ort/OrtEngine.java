// ONNX Runtime behind the Engine interface: CPU, or CUDA when the GPU build and a GPU are present.
package dev.condense.runtime.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model goes to ONNX Runtime as the bytes {@link OnnxWriter} writes, so what ORT runs is what
 * Condense imported (passes applied, external data inlined). CUDA needs the {@code onnxruntime_gpu}
 * artifact (the Maven profile {@code cuda}) and a visible GPU; without either, opening fails with a
 * message that says which is missing.
 *
 * <p>Runs hold a read lock and closing takes the write lock: ORT frees the session's native memory
 * on close, so a run still inside it would read freed memory and crash the JVM rather than throw.
 */
public final class OrtEngine implements Engine {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String description;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private OrtEngine(OrtEnvironment env, OrtSession session, String description) {
        this.env = env;
        this.session = session;
        this.description = description;
    }

    public static OrtEngine open(Model model, Backend backend, SessionOptions options) throws SessionException {
        if (backend != Backend.ORT_CPU && backend != Backend.ORT_CUDA) {
            throw new IllegalArgumentException("OrtEngine runs ort-cpu and ort-cuda, not " + backend);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // Tensors cross to ORT as raw bytes in ONNX's little-endian layout; ORT reads them natively.
            throw new SessionException(backend.id() + ": ONNX Runtime reads tensors in native byte order and this"
                    + " machine is big-endian; use the vector backend");
        }
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "condense");
        } catch (LinkageError | IllegalStateException e) {
            // NoClassDefFoundError without the jar, UnsatisfiedLinkError or "failed to load" without its native library.
            throw new SessionException(backend.id() + ": ONNX Runtime cannot start on this machine (the onnxruntime"
                    + " artifact and its native library for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + "): " + e.getMessage(), e);
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.threads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (backend == Backend.ORT_CUDA) {
                addCuda(so);
            }
            OrtSession session;
            try {
                session = env.createSession(OnnxWriter.toBytes(model), so);
            } catch (OrtException e) {
                // The CUDA provider binds device 0 while the session is created: no GPU fails here, not in addCUDA.
                throw new SessionException(backend == Backend.ORT_CUDA
                        ? "ort-cuda: ONNX Runtime could not create a CUDA session (is a GPU visible, and are CUDA 12"
                        + " and cuDNN 9 installed?), or refused the model: " + e.getMessage()
                        : backend.id() + ": ONNX Runtime refused the model: " + e.getMessage(), e);
            }
            return new OrtEngine(env, session, backend.id() + " (ONNX Runtime " + env.getVersion() + ", "
                    + options.threads() + " thread" + (options.threads() == 1 ? "" : "s") + ")");
        } catch (OrtException e) {
            throw new SessionException(backend.id() + ": ONNX Runtime rejected the session options: "
                    + e.getMessage(), e);
        }
    }

    /** Adds the CUDA provider on device 0, or says which part is missing: the GPU build, or CUDA itself. */
    private static void addCuda(OrtSession.SessionOptions so) throws SessionException {
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            throw new SessionException("ort-cuda needs ONNX Runtime's CUDA build: the onnxruntime_gpu artifact,"
                    + " built with the Maven profile 'cuda' (mvn -Pcuda ...); this build of ONNX Runtime has the"
                    + " providers " + providers);
        }
        try {
            so.addCUDA(0);
        } catch (OrtException e) {
            throw new SessionException("ort-cuda: ONNX Runtime could not start CUDA on device 0 (is a GPU visible,"
                    + " and are CUDA 12 and cuDNN 9 installed where the loader finds them?): " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) throws SessionException {
        lifecycle.readLock().lock();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            if (closed) {
                throw new IllegalStateException("session is closed");
            }
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getKey(), e.getValue()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new SessionException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
            lifecycle.readLock().unlock();
        }
    }

    /** Copies the tensor into a direct buffer ORT reads in place (the bytes are ONNX's little-endian layout). */
    private OnnxTensor toOrt(String name, Tensor t) throws OrtException, SessionException {
        OnnxJavaType type = switch (t.dtype()) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case UINT16, UINT32, UINT64 -> throw new SessionException("input '" + name + "' is "
                    + t.dtype().displayName() + ", which ONNX Runtime's Java API cannot pass in");
        };
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.nativeOrder());
        MemorySegment.ofBuffer(bytes).copyFrom(t.data());
        return OnnxTensor.createTensor(env, bytes, t.dims(), type);
    }

    private static Tensor fromOrt(String name, OnnxValue value) throws SessionException {
        if (!(value instanceof OnnxTensor t)) {
            throw new SessionException("output '" + name + "' is a " + value.getInfo() + ", not a tensor;"
                    + " Condense reads tensor outputs only");
        }
        TensorInfo info = t.getInfo();
        DataType dtype = switch (info.type) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case INT16 -> DataType.INT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOL -> DataType.BOOL;
            case STRING, UNKNOWN -> throw new SessionException("output '" + name + "' is of type " + info.type
                    + ", which Condense does not read");
        };
        long[] shape = info.getShape();
        // A fresh heap copy of ORT's buffer, bytes in native (little-endian, checked at open) order.
        ByteBuffer raw = t.getByteBuffer();
        byte[] bytes = new byte[raw.remaining()];
        raw.get(bytes);
        long expected = Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.byteSize());
        if (bytes.length != expected) {
            throw new SessionException("output '" + name + "' " + dtype.displayName() + Arrays.toString(shape)
                    + " came back with " + bytes.length + " bytes, not " + expected);
        }
        return Tensor.ofRaw(name, dtype, shape, bytes);
    }

    @Override
    public String describe() {
        return description;
    }

    /** Waits for runs in flight, then frees the native session; idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            // Closing releases native memory; a failure there leaves nothing for the caller to do.
            throw new IllegalStateException("ONNX Runtime failed to close its session: " + e.getMessage(), e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
