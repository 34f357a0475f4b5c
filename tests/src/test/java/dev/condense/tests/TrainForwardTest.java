// The trainer's forward pass (DJL on PyTorch) against the vector runtime on every zoo family at Fashion-MNIST scale: the training engine computes the model the runtime runs.
package dev.condense.tests;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import dev.condense.train.GraphModule;
import dev.condense.train.PyTorchEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainForwardTest {

    /** Both engines sum in float32 in different orders; logits of order 1-10 agree to this. */
    private static final double TOLERANCE = 2e-3;

    @ParameterizedTest
    @ValueSource(strings = {"lenet-5", "lenet-5-caffe", "lenet-300-100", "alexnet-2012", "vgg-16-bn", "resnet-18",
            "googlenet-2014", "mobilenet-v2", "squeezenet-1.0", "densenet-121", "efficientnet-b0", "inception-v3"})
    void inferenceModeMatchesTheVectorRuntime(String name) throws Exception {
        Model model = Zoo.find(name).orElseThrow().build(ZooSpec.fashionMnist());
        int n = 3;
        float[] x = new float[n * 28 * 28];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] expected;
        try (Session s = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(2));
             Result out = s.run(Map.of("input", Tensor.ofFloats("input", new long[] {n, 1, 28, 28}, x)))) {
            expected = out.first().toFloatArray();
        }
        float[] actual;
        try (GraphModule module = GraphModule.of(model);
             NDManager m = PyTorchEngine.get(2).newBaseManager()) {
            NDArray logits = module.forward(m.create(x, new Shape(n, 1, 28, 28)), false);
            actual = logits.toFloatArray();
        }
        assertClose(name + " against the vector runtime", expected, actual);
    }

    /** Every value within {@link #TOLERANCE} of the largest magnitude (or of 1). */
    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= TOLERANCE * Math.max(1, scale),
                    what + ", value " + i + ": expected " + expected[i] + ", trainer " + actual[i]);
        }
    }

    /** Real PyTorch exports: the trainer's forward pass reproduces the output PyTorch recorded with them. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("dev.condense.tests.TestData#PYTORCH_EXPORTS")
    void pytorchExportsReproduceTheirRecordedOutput(String name) throws Exception {
        java.nio.file.Path dir = TestData.pytorchExport(name);
        Model model = dev.condense.onnx.OnnxReader.read(dir.resolve("model.onnx"));
        Tensor input = dev.condense.onnx.OnnxReader.readTensor(dir.resolve("input_0.pb"));
        float[] expected = dev.condense.onnx.OnnxReader.readTensor(dir.resolve("output_0.pb")).toFloatArray();
        float[] actual;
        try (GraphModule module = GraphModule.of(model);
             NDManager m = PyTorchEngine.get(2).newBaseManager()) {
            actual = module.forward(m.create(input.toFloatArray(), new Shape(input.dims())), false).toFloatArray();
        }
        assertClose(name + " against the output PyTorch recorded", expected, actual);
    }
}
