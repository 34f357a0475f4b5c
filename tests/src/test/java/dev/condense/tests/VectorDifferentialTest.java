// The vector engine against ONNX Runtime on whole models: the zoo at reference scale and three real PyTorch exports.
package dev.condense.tests;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.models.NetBuilder;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both engines run the same imported model on the same seeded input. Whole-model tolerances are
 * relative to the largest output, since summation order differs between the engines (blocked
 * GEMM, Winograd or im2col in one, direct loops in the other) and the error grows with depth.
 */
class VectorDifferentialTest {

    /** Vector against ONNX Runtime: max |v - o| <= RELATIVE_TOLERANCE * max |o| + ABSOLUTE_TOLERANCE. */
    static final double RELATIVE_TOLERANCE = 1e-3;
    static final double ABSOLUTE_TOLERANCE = 1e-4;
    /** Vector against PyTorch's own output, element by element, as OrtRoundTripTest holds ONNX Runtime. */
    static final double EXPORT_ATOL = OrtRoundTripTest.EXPORT_ATOL;
    static final double EXPORT_RTOL = OrtRoundTripTest.EXPORT_RTOL;
    /** Two, as CI machines have: enough to exercise the split of every kernel. */
    static final int THREADS = 2;
    static final long INPUT_SEED = 42;

    /**
     * Every op kind the zoo uses at ImageNet scale: tanh and average pooling (LeNet-5), LRN and a
     * two-group convolution (AlexNet 2012), ceil-mode pooling and concatenation (GoogLeNet,
     * SqueezeNet), asymmetric kernels and padded average pooling at 299 (Inception v3), depthwise
     * convolutions with ReLU and ReLU6 (MobileNets), residual additions with folded BatchNorm
     * (ResNet-18), BatchNorm before convolution (DenseNet), Swish and squeeze-and-excitation
     * (EfficientNet). Left out by default, for time and memory on a two-core machine: VGG-16,
     * VGG-19 and VGG-16-BN (15 to 20 GMACs and 0.5 GB of weights each; ONNX Runtime alone takes
     * 5 to 11 s to open one), ResNet-50, single-tower AlexNet and SqueezeNet 1.1, whose ops the
     * set already covers. {@code -Dcondense.zoo.all=true} runs every entry.
     */
    static Stream<String> referenceNames() {
        if (Boolean.getBoolean("condense.zoo.all")) {
            return Zoo.entries().stream().map(Zoo.Entry::name);
        }
        return Stream.of("lenet-5", "lenet-5-caffe", "lenet-300-100", "alexnet-2012", "googlenet", "googlenet-2014",
                "inception-v3", "mobilenet-v1", "mobilenet-v2", "squeezenet-1.0", "resnet-18", "densenet-121",
                "efficientnet-b0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceNames")
    void zooModelAtReferenceScaleMatchesOnnxRuntime(String name) throws Exception {
        Zoo.Entry entry = Zoo.get(name);
        ZooSpec spec = entry.referenceSpec();
        Model model = entry.build(spec);
        Tensor input = gaussian(NetBuilder.INPUT, new long[] {1, spec.channels(), spec.height(), spec.width()});
        float[] ort = run(model, Backend.ORT_CPU, input);
        float[] vector = run(model, Backend.VECTOR, input);
        assertWithinMaxRelative(ort, vector, name + " " + spec.inputText());
    }

    static Stream<String> pytorchExports() {
        return TestData.PYTORCH_EXPORTS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pytorchExports")
    void pytorchExportMatchesPyTorchAndOnnxRuntime(String name) throws Exception {
        Path dir = TestData.pytorchExport(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Tensor input = OnnxReader.readTensor(dir.resolve("input_0.pb"));
        double[] pytorch = OnnxReader.readTensor(dir.resolve("output_0.pb")).toDoubleArray();
        float[] vector = run(model, Backend.VECTOR, input);
        assertEquals(pytorch.length, vector.length, name + ": output sizes, vector against PyTorch");
        for (int i = 0; i < pytorch.length; i++) {
            double bound = EXPORT_ATOL + EXPORT_RTOL * Math.abs(pytorch[i]);
            if (!(Math.abs(vector[i] - pytorch[i]) <= bound)) {
                throw new AssertionError(name + " vs PyTorch: output " + i + " is " + vector[i] + ", PyTorch "
                        + pytorch[i] + ", beyond " + bound);
            }
        }
        assertWithinMaxRelative(run(model, Backend.ORT_CPU, input), vector, name);
    }

    /** The first output of one run on {@code backend}; the input takes the name of the model's first input. */
    private static float[] run(Model model, Backend backend, Tensor input) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(backend).withThreads(THREADS))) {
            String name = s.inputs().getFirst().name();
            try (Result r = s.run(Map.of(name, input.withName(name)))) {
                return r.first().toFloatArray();
            }
        }
    }

    private static Tensor gaussian(String name, long[] dims) {
        SplittableRandom rng = new SplittableRandom(INPUT_SEED);
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats(name, dims, values);
    }

    static void assertWithinMaxRelative(float[] reference, float[] actual, String what) {
        assertEquals(reference.length, actual.length, what + ": output sizes");
        double maxAbs = 0;
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < reference.length; i++) {
            assertTrue(Float.isFinite(reference[i]), what + ": ONNX Runtime gave " + reference[i] + " at " + i);
            maxAbs = Math.max(maxAbs, Math.abs(reference[i]));
            double d = Math.abs((double) actual[i] - reference[i]);
            assertFalse(Double.isNaN(d), what + ": the vector engine gave " + actual[i] + " at " + i);
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        assertTrue(maxAbs > 0, what + ": ONNX Runtime's output is all zeros, which proves nothing");
        double bound = RELATIVE_TOLERANCE * maxAbs + ABSOLUTE_TOLERANCE;
        assertTrue(maxDiff <= bound, what + ": max |vector - ort| = " + maxDiff + " at " + worst + " (vector "
                + (worst < 0 ? "-" : actual[worst]) + ", ort " + (worst < 0 ? "-" : reference[worst])
                + "), over " + bound + " = " + RELATIVE_TOLERANCE + " * max |ort| " + maxAbs + " + "
                + ABSOLUTE_TOLERANCE + "; first values " + Arrays.toString(Arrays.copyOf(actual, Math.min(5, actual.length))));
    }
}
