// Checks every zoo family: published parameter counts, structure at both scales, seeds and errors.
package dev.condense.models;

import dev.condense.ir.Dim;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import dev.condense.shape.ModelCost;
import dev.condense.shape.ShapeInference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooTest {

    static Stream<Zoo.Entry> entries() {
        return Zoo.entries().stream();
    }

    @Test
    void zooHasEveryDocumentedFamily() {
        Set<String> families = new HashSet<>();
        Zoo.entries().forEach(e -> families.add(e.family()));
        assertEquals(Set.of("LeNet", "AlexNet", "VGG", "ResNet", "GoogLeNet", "Inception", "MobileNet", "SqueezeNet",
                "DenseNet", "EfficientNet"), families);
        assertEquals(19, Zoo.entries().size());
        assertEquals(Zoo.entries().size(), Zoo.entries().stream().map(Zoo.Entry::name).distinct().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void parameterCountMatchesThePublishedFigure(Zoo.Entry e) {
        long counted = e.cost(e.referenceSpec()).learnableParameters();
        double relative = Math.abs(counted - e.publishedParameters()) / (double) e.publishedParameters();
        assertTrue(relative <= e.tolerance(), e.name() + " has " + counted + " parameters, published "
                + e.publishedParameters() + " (" + e.source() + "): off by " + relative);
    }

    @Test
    void publishedFiguresAreMatchedExactlyWhereThePublisherCountedExactly() {
        // Every entry except the paper GoogLeNet cites an exact count; the builders reproduce each one.
        for (Zoo.Entry e : Zoo.entries()) {
            if (e.tolerance() == Zoo.MATCH_TOLERANCE) {
                assertEquals(e.publishedParameters(), e.cost(e.referenceSpec()).learnableParameters(), e.name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void fashionMnistScaleBuildsImportsAndInfersShapes(Zoo.Entry e) throws Exception {
        ZooSpec spec = ZooSpec.fashionMnist();
        Model model = e.build(spec);
        assertStructure(e, spec, model);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void referenceScaleCountsAgreeWithTheGenericCounter(Zoo.Entry e) throws Exception {
        // Building at ImageNet scale allocates up to 574 MB (VGG-19), so this runs the big ones one at a time.
        ZooSpec spec = e.referenceSpec();
        Model model = e.build(spec);
        Zoo.Cost built = e.cost(spec);
        ModelCost counted = ModelCost.of(model);
        assertEquals(built.parameters(), counted.parameters(), "stored parameters");
        assertEquals(built.learnableParameters(), counted.learnableParameters(), "learnable parameters");
        assertEquals(built.macs(), counted.macs(), "MACs");
        Model inferred = ShapeInference.infer(model);
        assertEquals(List.of(Dim.symbol("N"), Dim.of(spec.classes())),
                inferred.graph().typeOf(inferred.graph().outputs().getFirst().name()).orElseThrow().shape()
                        .orElseThrow());
    }

    @Test
    void macsAtReferenceScaleMatchPublishedOperationCounts() {
        // Published multiply-accumulates per 224x224 image (299 for Inception v3), as papers and
        // torchvision quote them ("GFLOPS" there means MACs): within 2 %.
        assertMacs("alexnet", 0.714e9);
        assertMacs("vgg-16", 15.47e9);
        assertMacs("vgg-19", 19.63e9);
        assertMacs("resnet-18", 1.81e9);
        assertMacs("resnet-50", 4.09e9);
        assertMacs("googlenet", 1.50e9);
        assertMacs("inception-v3", 5.71e9);
        assertMacs("mobilenet-v1", 569e6);
        assertMacs("mobilenet-v2", 301e6);
        assertMacs("squeezenet-1.1", 0.35e9);
        assertMacs("densenet-121", 2.83e9);
        assertMacs("efficientnet-b0", 0.39e9);
    }

    private static void assertMacs(String name, double published) {
        Zoo.Entry e = Zoo.get(name);
        long macs = e.cost(e.referenceSpec()).macs();
        assertEquals(published, macs, published * 0.02, name);
    }

    @Test
    void smallInputsUseReducedWidthsUnlessAMultiplierIsGiven() {
        Zoo.Entry vgg = Zoo.get("vgg-16");
        assertEquals(0.25, vgg.cost(ZooSpec.fashionMnist()).widthMultiplier());
        assertEquals(1.0, vgg.cost(ZooSpec.imagenet()).widthMultiplier());
        Zoo.Cost full = vgg.cost(ZooSpec.fashionMnist().withWidthMultiplier(1.0));
        assertEquals(1.0, full.widthMultiplier());
        assertTrue(full.learnableParameters() > 10 * vgg.cost(ZooSpec.fashionMnist()).learnableParameters());
        // The class count only changes the classifier: 4096 * (1000 - 10) weights and 990 biases.
        long delta = vgg.cost(ZooSpec.imagenet()).learnableParameters()
                - vgg.cost(ZooSpec.imagenet().withClasses(10)).learnableParameters();
        assertEquals(4096L * 990 + 990, delta);
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        Zoo.Entry e = Zoo.get("resnet-18");
        byte[] a = OnnxWriter.toBytes(e.build(ZooSpec.fashionMnist()));
        byte[] b = OnnxWriter.toBytes(e.build(ZooSpec.fashionMnist()));
        byte[] c = OnnxWriter.toBytes(e.build(ZooSpec.fashionMnist().withSeed(7)));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(a.length, c.length);
    }

    @Test
    void batchNormStatisticsLookTrained() {
        Model m = Zoo.get("resnet-18").build(ZooSpec.fashionMnist());
        int checked = 0;
        for (var node : m.graph().nodes()) {
            if (!node.opType().equals("BatchNormalization")) {
                continue;
            }
            float[] gamma = m.graph().initializer(node.inputs().get(1)).orElseThrow().toFloatArray();
            float[] var = m.graph().initializer(node.inputs().get(4)).orElseThrow().toFloatArray();
            float[] mean = m.graph().initializer(node.inputs().get(3)).orElseThrow().toFloatArray();
            double meanVar = 0;
            for (int i = 0; i < var.length; i++) {
                assertTrue(var[i] > 0, node.name() + " variance " + var[i]);
                assertTrue(gamma[i] > 0.5 && gamma[i] < 1.5, node.name() + " scale " + gamma[i]);
                meanVar += var[i] / var.length;
            }
            double rmsMean = Math.sqrt(Arrays.stream(toDoubles(mean)).map(v -> v * v).average().orElseThrow());
            // Running means sit near zero relative to the spread, as after training on centred data.
            assertTrue(rmsMean < 0.3 * Math.sqrt(meanVar), node.name() + ": mean " + rmsMean + " var " + meanVar);
            checked++;
        }
        assertEquals(20, checked);
    }

    @Test
    void inputTooSmallForTheLayoutNamesTheLayer() {
        ZooSpec tiny = ZooSpec.fashionMnist().withInput(1, 4, 4);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Zoo.get("lenet-5-caffe").build(tiny));
        assertTrue(ex.getMessage().contains("lenet-5-caffe does not fit input 1x4x4: layer conv1"), ex.getMessage());
    }

    @Test
    void namesAreFoundLooselyAndUnknownNamesListTheChoices() {
        assertEquals("resnet-18", Zoo.get("ResNet18").name());
        assertEquals("squeezenet-1.1", Zoo.get("squeezenet1_1").name());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Zoo.get("resnet-34"));
        assertTrue(ex.getMessage().startsWith("no zoo model 'resnet-34'; there are lenet-5, "), ex.getMessage());
    }

    @Test
    void specRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new ZooSpec(0, 28, 28, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ZooSpec(1, 28, 28, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ZooSpec(1, 28, 28, 10, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ZooSpec(1, 28, 28, 10, Double.NaN, 1));
    }

    @Test
    void widthsRoundToMultiplesOfEightLikeMobileNet() {
        assertEquals(8, NetBuilder.roundToEight(3));
        assertEquals(16, NetBuilder.roundToEight(16 * 0.75 + 1));
        assertEquals(24, NetBuilder.roundToEight(20));
        assertEquals(32, NetBuilder.roundToEight(28.8));
        assertEquals(32, NetBuilder.roundToEight(35.5));
        assertEquals(40, NetBuilder.roundToEight(36));
    }

    private static void assertStructure(Zoo.Entry e, ZooSpec spec, Model model) throws ModelLoadException {
        GraphValidator.validate(model.graph());
        Model reread = OnnxReader.read(OnnxWriter.toBytes(model), null, e.name());
        Model inferred = ShapeInference.infer(reread);
        ValueInfo out = inferred.graph().typeOf(NetBuilder.OUTPUT).orElseThrow();
        assertEquals(List.of(Dim.symbol("N"), Dim.of(spec.classes())), out.shape().orElseThrow(), e.name());
        assertEquals(13, model.opset());
        ModelCost cost = ModelCost.of(reread);
        assertEquals(e.cost(spec).learnableParameters(), cost.learnableParameters(), e.name());
        assertEquals(e.cost(spec).macs(), cost.macs(), e.name());
        for (Tensor t : model.graph().initializers().values()) {
            for (float v : t.toFloatArray()) {
                assertTrue(Float.isFinite(v), t.name());
            }
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
