// Shipped models quantized to QDQ int8 run on the vector engine's int8 kernels and agree with ONNX Runtime's int8 run.
package dev.condense.tests;

import dev.condense.cli.Main;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each model is quantized by {@code condense quantize} (per-channel int8 weights, uint8
 * activations, QDQ, a few random calibration inputs: the point is the engines, not accuracy),
 * then both engines run it on the same seeded inputs. ONNX Runtime fuses the same QDQ patterns
 * into its own int8 kernels and requantizes its own way (QLinearAdd, depthwise), so outputs differ
 * by a few quantization steps after dozens of layers; they must agree to {@link #MIN_SQNR_DB}, and
 * the vector engine's int8 output must stay as close to the fp32 model's as ONNX Runtime's does.
 */
class VectorInt8Test {

    /** Signal-to-noise ratio of the vector engine's int8 output against ONNX Runtime's. */
    static final double MIN_SQNR_DB = 25;
    /** How much further from fp32 the vector engine's int8 output may be than ONNX Runtime's. */
    static final double MAX_SQNR_LOSS_DB = 3;
    static final int THREADS = 2;

    @TempDir
    static Path dir;

    static List<Path> models() throws Exception {
        return TestData.shippedModels();
    }

    @ParameterizedTest
    @MethodSource("models")
    void int8OnTheVectorEngineAgreesWithOnnxRuntime(Path model) throws Exception {
        Path q = dir.resolve(model.getFileName().toString().replace(".onnx", "-int8.onnx"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"quantize", model.toString(), "-o", q.toString(), "--calibration", "random",
                "--samples", "4", "--calibration-batch", "4", "--backend", "ort-cpu"}, new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertEquals(0, code, "quantize " + model + ": " + err);
        Model fp32 = Session.readModel(model);
        Model int8 = Session.readModel(q);
        for (long seed = 1; seed <= 2; seed++) {
            Tensor input = gaussian(fp32, seed);
            float[] reference = run(fp32, Backend.ORT_CPU, input);
            float[] ort = run(int8, Backend.ORT_CPU, input);
            float[] vector = run(int8, Backend.VECTOR, input);
            double agree = sqnr(ort, vector);
            double vectorVsFp32 = sqnr(reference, vector);
            double ortVsFp32 = sqnr(reference, ort);
            System.out.printf(java.util.Locale.ROOT, "%-22s seed %d: vector vs ort int8 %.1f dB; vs fp32: vector %.1f dB,"
                    + " ort %.1f dB%n", model.getFileName(), seed, agree, vectorVsFp32, ortVsFp32);
            assertTrue(agree >= MIN_SQNR_DB, model.getFileName() + ": vector against ort-cpu on the int8 model "
                    + agree + " dB");
            assertTrue(vectorVsFp32 >= ortVsFp32 - MAX_SQNR_LOSS_DB, model.getFileName() + ": vector int8 " + vectorVsFp32
                    + " dB from fp32, ort-cpu int8 " + ortVsFp32 + " dB");
        }
    }

    private static float[] run(Model model, Backend backend, Tensor input) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(backend).withThreads(THREADS))) {
            String name = s.inputs().getFirst().name();
            try (Result r = s.run(Map.of(name, input.withName(name)))) {
                return r.first().toFloatArray();
            }
        }
    }

    private static Tensor gaussian(Model model, long seed) {
        long[] dims = dev.condense.ir.Dim.sizes(model.graph().inputs().getFirst().shape().orElseThrow().stream()
                .map(d -> d instanceof dev.condense.ir.Dim.Fixed ? d : dev.condense.ir.Dim.of(1)).toList());
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats("input", dims, values);
    }

    /** 10 log10(|signal|^2 / |signal - other|^2). */
    static double sqnr(float[] signal, float[] other) {
        assertEquals(signal.length, other.length);
        double s = 0;
        double n = 0;
        for (int i = 0; i < signal.length; i++) {
            s += (double) signal[i] * signal[i];
            double d = (double) signal[i] - other[i];
            n += d * d;
        }
        return n == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(s / n);
    }
}
