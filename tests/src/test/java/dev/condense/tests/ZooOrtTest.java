// Runs zoo models in ONNX Runtime: every family at Fashion-MNIST scale, a representative set at ImageNet scale.
package dev.condense.tests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.condense.ir.Model;
import dev.condense.models.NetBuilder;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooOrtTest {

    /** Logits of seeded networks on unit-variance inputs stay in this band when activations keep their scale. */
    static final double MIN_LOGIT_SPREAD = 1e-2;
    static final double MAX_ABS_LOGIT = 1e3;

    static Stream<String> names() {
        return Zoo.entries().stream().map(Zoo.Entry::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void fashionMnistScaleRunsInOnnxRuntime(String name) throws OrtException {
        runAndCheck(Zoo.get(name), ZooSpec.fashionMnist());
    }

    /**
     * ImageNet-scale models with every op kind the zoo uses: LRN and groups, ceil pooling, depthwise,
     * squeeze-and-excitation, dense concatenation. {@code -Dcondense.zoo.all=true} runs every entry
     * (VGG-19 alone needs about 2 GB of heap and a minute on two cores, so the default set leaves the
     * biggest out).
     */
    static Stream<String> referenceNames() {
        if (Boolean.getBoolean("condense.zoo.all")) {
            return names();
        }
        return Stream.of("alexnet-2012", "googlenet", "googlenet-2014", "inception-v3", "mobilenet-v1",
                "squeezenet-1.0", "densenet-121", "efficientnet-b0", "resnet-18");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceNames")
    void referenceScaleRunsInOnnxRuntime(String name) throws OrtException {
        Zoo.Entry e = Zoo.get(name);
        runAndCheck(e, e.referenceSpec());
    }

    private static void runAndCheck(Zoo.Entry e, ZooSpec spec) throws OrtException {
        Model model = e.build(spec);
        byte[] bytes = OnnxWriter.toBytes(model);
        int batch = 2;
        int pixels = spec.channels() * spec.height() * spec.width();
        float[] input = new float[batch * pixels];
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rng.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, OrtRoundTripTest.options());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
                     new long[] {batch, spec.channels(), spec.height(), spec.width()});
             OrtSession.Result result = session.run(Map.of(NetBuilder.INPUT, x))) {
            OnnxTensor y = (OnnxTensor) result.get(NetBuilder.OUTPUT).orElseThrow();
            assertArrayEquals(new long[] {batch, spec.classes()}, y.getInfo().getShape(), e.name());
            float[] logits = new float[batch * spec.classes()];
            y.getFloatBuffer().get(logits);
            double sum = 0;
            double sumSq = 0;
            double maxAbs = 0;
            boolean rowsDiffer = false;
            for (int i = 0; i < logits.length; i++) {
                assertTrue(Float.isFinite(logits[i]), e.name() + " logit " + i + " = " + logits[i]);
                sum += logits[i];
                sumSq += logits[i] * (double) logits[i];
                maxAbs = Math.max(maxAbs, Math.abs(logits[i]));
                if (i < spec.classes() && logits[i] != logits[i + spec.classes()]) {
                    rowsDiffer = true;
                }
            }
            double mean = sum / logits.length;
            double spread = Math.sqrt(Math.max(0, sumSq / logits.length - mean * mean));
            assertTrue(rowsDiffer, e.name() + ": two different images gave the same logits");
            assertTrue(spread > MIN_LOGIT_SPREAD && maxAbs < MAX_ABS_LOGIT,
                    e.name() + " " + spec.inputText() + ": logits spread " + spread + ", max |logit| " + maxAbs);
        }
    }
}
