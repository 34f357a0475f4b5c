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

    /**
     * PyTorch's {@code x.view(x.size(0), -1)} exports as Shape, Gather, Unsqueeze, Concat and
     * Reshape on a symbolic batch, which no constant folding removes: the trainer runs the chain
     * at any batch size and agrees with the runtime.
     */
    @org.junit.jupiter.api.Test
    void batchDependentShapeArithmeticTrains() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] w = new float[2 * 9];
        float[] fc = new float[3 * 8];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (float) r.nextGaussian();
        }
        java.util.List<dev.condense.ir.Dim> in = java.util.List.of(dev.condense.ir.Dim.symbol("N"),
                dev.condense.ir.Dim.of(1), dev.condense.ir.Dim.of(4), dev.condense.ir.Dim.of(4));
        java.util.Map<String, Tensor> inits = new java.util.LinkedHashMap<>();
        inits.put("w", Tensor.ofFloats("w", new long[] {2, 1, 3, 3}, w));
        inits.put("fc", Tensor.ofFloats("fc", new long[] {3, 8}, fc));
        inits.put("zero", Tensor.ofLongs("zero", new long[] {}, 0));
        inits.put("axes", Tensor.ofLongs("axes", new long[] {1}, 0));
        inits.put("rest", Tensor.ofLongs("rest", new long[] {1}, -1));
        java.util.List<dev.condense.ir.Node> nodes = java.util.List.of(
                dev.condense.ir.Node.of("conv", "Conv", java.util.List.of("input", "w"), java.util.List.of("c")),
                dev.condense.ir.Node.of("shape", "Shape", java.util.List.of("c"), java.util.List.of("s")),
                dev.condense.ir.Node.of("batch", "Gather", java.util.List.of("s", "zero"), java.util.List.of("b"),
                        java.util.Map.of("axis", dev.condense.ir.Attribute.of(0L))),
                dev.condense.ir.Node.of("unsqueeze", "Unsqueeze", java.util.List.of("b", "axes"), java.util.List.of("b1")),
                dev.condense.ir.Node.of("concat", "Concat", java.util.List.of("b1", "rest"), java.util.List.of("shp"),
                        java.util.Map.of("axis", dev.condense.ir.Attribute.of(0L))),
                dev.condense.ir.Node.of("flatten", "Reshape", java.util.List.of("c", "shp"), java.util.List.of("f")),
                dev.condense.ir.Node.of("fc", "Gemm", java.util.List.of("f", "fc"), java.util.List.of("logits"),
                        java.util.Map.of("transB", dev.condense.ir.Attribute.of(1L))));
        dev.condense.ir.Graph g = new dev.condense.ir.Graph("view", nodes,
                java.util.List.of(new dev.condense.ir.ValueInfo("input", dev.condense.ir.DataType.FLOAT,
                        java.util.Optional.of(in))),
                java.util.List.of(new dev.condense.ir.ValueInfo("logits", dev.condense.ir.DataType.FLOAT,
                        java.util.Optional.empty())), inits, java.util.Map.of());
        Model model = Model.of(g, 13);
        int n = 5;
        float[] x = new float[n * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] expected;
        try (Session s = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(1));
             Result out = s.run(Map.of("input", Tensor.ofFloats("input", new long[] {n, 1, 4, 4}, x)))) {
            expected = out.first().toFloatArray();
        }
        try (GraphModule module = GraphModule.of(model);
             NDManager m = PyTorchEngine.get(2).newBaseManager()) {
            assertTrue(module.model().graph().opHistogram().containsKey("Gather"),
                    "the batch-dependent chain must survive simplification for this test to mean anything");
            assertClose("view(x.size(0), -1)", expected,
                    module.forward(m.create(x, new Shape(n, 1, 4, 4)), false).toFloatArray());
        }
    }
}
