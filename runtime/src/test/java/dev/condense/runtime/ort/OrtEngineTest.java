// Tests of the ONNX Runtime engine: tensors of every type it passes, CUDA detection, and the announced fallback.
package dev.condense.runtime.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrtEngineTest {

    /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose the test's handler. */
    private static final Logger SESSION_LOG = Logger.getLogger(Session.class.getName());

    /** x: dtype[2, 3] -> Identity -> y. */
    private static Model identity(DataType dtype) {
        List<Dim> dims = List.of(new Dim.Fixed(2), new Dim.Fixed(3));
        return Model.of(new Graph("identity", List.of(Node.of("copy", "Identity", List.of("x"), List.of("y"))),
                List.of(ValueInfo.of("x", dtype, dims)), List.of(ValueInfo.of("y", dtype, dims)), Map.of(), Map.of()), 14);
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE", "FLOAT16", "BFLOAT16", "INT8", "UINT8", "INT16", "INT32", "INT64", "BOOL"})
    void everyTypeTheJavaApiPassesComesBackBitForBit(DataType dtype) throws Exception {
        byte[] raw = new byte[6 * dtype.byteSize()];
        new SplittableRandom(dtype.ordinal()).nextBytes(raw);
        if (dtype == DataType.BOOL) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] &= 1;
            }
        }
        Tensor x = Tensor.ofRaw("x", dtype, new long[] {2, 3}, raw);
        try (Session s = Session.open(identity(dtype), SessionOptions.of(Backend.ORT_CPU).withThreads(1));
             Result r = s.run(Map.of("x", x))) {
            Tensor y = r.get("y");
            assertEquals(dtype, y.dtype());
            assertArrayEquals(new long[] {2, 3}, y.dims());
            assertArrayEquals(raw, y.toByteArray(), dtype + " round trip");
        }
    }

    @Test
    void unsignedWideTypesAreRefusedByName() throws Exception {
        Tensor x = Tensor.ofRaw("x", DataType.UINT32, new long[] {2, 3}, new byte[24]);
        try (Session s = Session.open(identity(DataType.UINT32), SessionOptions.of(Backend.ORT_CPU).withThreads(1))) {
            SessionException e = assertThrows(SessionException.class, () -> s.run(Map.of("x", x)));
            assertEquals("input 'x' is uint32, which ONNX Runtime's Java API cannot pass in", e.getMessage());
        }
    }

    /** The message ort-cuda fails with here, or a skip where CUDA really starts. */
    private static String cudaFailure() {
        try (Session s = Session.open(identity(DataType.FLOAT), SessionOptions.of(Backend.ORT_CUDA).withThreads(1))) {
            return Assumptions.abort("ort-cuda opened here (" + s.describe() + "): a GPU is present, nothing to fall back from");
        } catch (SessionException e) {
            return e.getMessage();
        } catch (dev.condense.ir.ModelLoadException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cudaOnTheCpuBuildSaysWhatIsMissingAndWhatIsPresent() {
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this is ONNX Runtime's CUDA build (mvn -Pcuda); the CPU build's message does not apply");
        assertEquals("ort-cuda needs ONNX Runtime's CUDA build: the onnxruntime_gpu artifact, built with the Maven"
                + " profile 'cuda' (mvn -Pcuda ...); this build of ONNX Runtime has the providers "
                + OrtEnvironment.getAvailableProviders(), cudaFailure());
        assertTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CPU));
    }

    @Test
    void cudaFallsBackToCpuAndSaysSoOnce() throws Exception {
        String why = cudaFailure();
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        SESSION_LOG.addHandler(capture);
        Tensor x = Tensor.ofFloats("x", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
        try (Session s = Session.open(identity(DataType.FLOAT),
                SessionOptions.of(Backend.ORT_CUDA).withThreads(1).withFallback(Backend.ORT_CPU));
             Result r = s.run(Map.of("x", x))) {
            assertEquals(Backend.ORT_CPU, s.backend());
            assertTrue(s.describe().startsWith("ort-cpu (ONNX Runtime "), s.describe());
            assertArrayEquals(x.toFloatArray(), r.get("y").toFloatArray());
            s.run(Map.of("x", x)).close();

            List<LogRecord> warnings;
            synchronized (records) {
                warnings = records.stream().filter(rec -> rec.getLevel() == Level.WARNING).toList();
            }
            assertEquals(1, warnings.size(), "one announcement for one fallback, none per run");
            assertEquals("ort-cuda is not available (" + why + "); falling back to " + s.describe(),
                    new SimpleFormatter().formatMessage(warnings.getFirst()));
        } finally {
            SESSION_LOG.removeHandler(capture);
        }
    }
}
