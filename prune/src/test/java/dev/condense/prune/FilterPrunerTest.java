// Checks filter pruning: which filters go, the shapes after it, equal outputs to the original with those channels silenced, and refusals.
package dev.condense.prune;

import dev.condense.ir.Attribute;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.prune.TinyEvaluator.Value;
import dev.condense.shape.ShapeInference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterPrunerTest {

    /** Outputs of the pruned model and of the silenced original are computed the same way up to added zeros. */
    private static final double OUTPUT_TOLERANCE = 1e-9;

    /** x [2, 3, 8, 8] -> conv1 (6) -> bn1 -> relu1 -> pool1 -> conv2 (5) -> relu2 -> conv3 (4, 1x1) -> relu3 -> flatten -> fc (10). */
    private static Model chain() {
        TestNets b = new TestNets(7).input("x", Dim.fixed(2, 3, 8, 8));
        String v = b.conv("conv1", "x", 3, 6, 3);
        v = b.batchNorm("bn1", v, 6);
        v = b.unary("relu1", "Relu", v);
        v = b.maxPool("pool1", v);
        v = b.conv("conv2", v, 6, 5, 3);
        v = b.unary("relu2", "Relu", v);
        v = b.conv("conv3", v, 5, 4, 1);
        v = b.unary("relu3", "Relu", v);
        v = b.flatten("flatten", v);
        return b.model(b.gemm("fc", v, 64, 10));
    }

    private static Value input(long seed, long... dims) {
        int n = Math.toIntExact(Tensor.elementCount(dims));
        float[] x = TestNets.gaussian(new SplittableRandom(seed), n, 1.0);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = x[i];
        }
        return new Value(dims, d);
    }

    /** The filter indices a plain sort by L1 norm keeps: largest norms, lower index first among equals. */
    private static int[] topFiltersByL1(Tensor weight, int keep) {
        int filters = (int) weight.dim(0);
        int per = (int) (weight.elementCount() / filters);
        float[] w = weight.toFloatArray();
        double[] norms = new double[filters];
        for (int m = 0; m < filters; m++) {
            for (int j = 0; j < per; j++) {
                norms[m] += Math.abs(w[m * per + j]);
            }
        }
        return IntStream.range(0, filters).boxed()
                .sorted(Comparator.comparingDouble((Integer m) -> -norms[m]).thenComparingInt(m -> m))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** {@code model} with the filters not in {@code kept} silenced: their weight rows and the listed per-channel tensors zeroed. */
    private static Model silence(Model model, String weight, int[] kept, String... perChannel) {
        Map<String, Tensor> init = new LinkedHashMap<>(model.graph().initializers());
        boolean[] keep = new boolean[(int) init.get(weight).dim(0)];
        for (int k : kept) {
            keep[k] = true;
        }
        for (String name : concat(weight, perChannel)) {
            Tensor t = init.get(name);
            float[] v = t.toFloatArray();
            int per = v.length / keep.length;
            for (int m = 0; m < keep.length; m++) {
                if (!keep[m]) {
                    Arrays.fill(v, m * per, (m + 1) * per, 0f);
                }
            }
            init.put(name, Tensor.ofFloats(name, t.dims(), v));
        }
        return model.withGraph(model.graph().withInitializers(init));
    }

    private static String[] concat(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static void assertSameOutputs(Model expected, Model actual, Map<String, Value> inputs, String output) {
        Value want = TinyEvaluator.run(expected, inputs, output);
        Value got = TinyEvaluator.run(actual, inputs, output);
        assertArrayEquals(want.dims(), got.dims());
        for (int i = 0; i < want.data().length; i++) {
            assertEquals(want.data()[i], got.data()[i], OUTPUT_TOLERANCE, output + "[" + i + "]");
        }
    }

    private static long[] shapeOf(Model inferred, String value) {
        return Dim.sizes(inferred.graph().typeOf(value).orElseThrow().shape().orElseThrow());
    }

    @Test
    void removesFiltersAndShrinksEveryReader() throws ModelLoadException {
        Model original = chain();
        Map<String, Tensor> before = original.graph().initializers();
        FilterPruneResult result = FilterPruner.parse("conv1=0.5, conv2=0.6, conv3=0.5").prune(original);

        assertEquals(List.of("conv1", "conv2", "conv3"), result.layers().stream().map(FilterPruning::layer).toList());
        int[] kept1 = topFiltersByL1(before.get("conv1.w"), 3);
        int[] kept2 = topFiltersByL1(before.get("conv2.w"), 3);
        int[] kept3 = topFiltersByL1(before.get("conv3.w"), 2);
        assertArrayEquals(kept1, result.layers().get(0).keptFilters());
        assertArrayEquals(kept2, result.layers().get(1).keptFilters());
        assertArrayEquals(kept3, result.layers().get(2).keptFilters());
        assertEquals(6, result.layers().get(0).filters());
        assertTrue(result.skipped().isEmpty());

        Model pruned = result.model();
        Map<String, Tensor> after = pruned.graph().initializers();
        assertArrayEquals(new long[] {3, 3, 3, 3}, after.get("conv1.w").dims());
        assertArrayEquals(new long[] {3}, after.get("bn1.var").dims());
        assertArrayEquals(new long[] {3, 3, 3, 3}, after.get("conv2.w").dims());
        assertArrayEquals(new long[] {2, 3, 1, 1}, after.get("conv3.w").dims());
        assertArrayEquals(new long[] {10, 32}, after.get("fc.w").dims());
        assertEquals(before.get("fc.b"), after.get("fc.b"));

        Model inferred = ShapeInference.infer(pruned);
        assertArrayEquals(new long[] {2, 3, 8, 8}, shapeOf(inferred, "relu1.y"));
        assertArrayEquals(new long[] {2, 3, 4, 4}, shapeOf(inferred, "pool1.y"));
        assertArrayEquals(new long[] {2, 3, 4, 4}, shapeOf(inferred, "conv2.y"));
        assertArrayEquals(new long[] {2, 2, 4, 4}, shapeOf(inferred, "conv3.y"));
        assertArrayEquals(new long[] {2, 32}, shapeOf(inferred, "flatten.y"));
        assertArrayEquals(new long[] {2, 10}, shapeOf(inferred, "fc.y"));

        Model silenced = silence(original, "conv1.w", kept1, "conv1.b", "bn1.scale", "bn1.bias");
        silenced = silence(silenced, "conv2.w", kept2, "conv2.b");
        silenced = silence(silenced, "conv3.w", kept3, "conv3.b");
        Map<String, Value> x = Map.of("x", input(11, 2, 3, 8, 8));
        assertSameOutputs(silenced, pruned, x, "fc.y");

        // The original itself is untouched, and differs from the pruned model (so the comparison above can fail).
        assertSame(before, original.graph().initializers());
        assertArrayEquals(new long[] {6, 3, 3, 3}, original.graph().initializers().get("conv1.w").dims());
        Value full = TinyEvaluator.run(original, x, "fc.y");
        Value less = TinyEvaluator.run(pruned, x, "fc.y");
        assertTrue(Math.abs(full.data()[0] - less.data()[0]) > 1e-3);
    }

    @Test
    void thresholdIsTheSmallestKeptNormAndTiesKeepTheLowerIndex() throws ModelLoadException {
        TestNets b = new TestNets(1).input("x", Dim.fixed(1, 2, 4, 4));
        String v = b.conv("conv1", "x", 2, 5, 1);
        b.initializer(Tensor.ofFloats("conv1.w", new long[] {5, 2, 1, 1}, 1, -1, 2.5f, 2.5f, -2.5f, 2.5f, 0.5f, 0,
                1, 4));
        v = b.conv("conv2", v, 5, 3, 1);
        FilterPruneResult result = FilterPruner.keep(0.4).prune(b.model(v));
        // Norms 2, 5, 5, 0.5, 5: keep two, the tie at 5 goes to filters 1 and 2.
        FilterPruning conv1 = result.layers().getFirst();
        assertArrayEquals(new int[] {1, 2}, conv1.keptFilters());
        assertEquals(5.0, conv1.threshold());
        // conv2 ends at the graph output, so the default rule skips it with the reason.
        assertEquals(1, result.layers().size());
        assertEquals("conv2", result.skipped().getFirst().layer());
        assertTrue(result.skipped().getFirst().reason().contains("reach the graph output 'conv2.y'"),
                result.skipped().getFirst().reason());
    }

    @Test
    void fanOutToSeveralConvolutionsAndMatMulAfterFlatten() throws ModelLoadException {
        TestNets b = new TestNets(3).input("x", Dim.fixed(1, 3, 6, 6));
        String v = b.conv("conv1", "x", 3, 8, 3);
        v = b.unary("relu1", "Relu", v);
        String a = b.conv("conv2a", v, 8, 4, 3);
        String c = b.conv("conv2b", v, 8, 2, 1);
        String f = b.flatten("flatten", b.unary("relu2", "Relu", c));
        String y = b.matMul("mm", f, 72, 5);
        Model original = b.model(a, y);

        FilterPruneResult result = FilterPruner.parse("conv1=0.25,conv2b=0.5").prune(original);
        int[] kept1 = topFiltersByL1(original.graph().initializers().get("conv1.w"), 2);
        int[] kept2b = topFiltersByL1(original.graph().initializers().get("conv2b.w"), 1);
        Model pruned = result.model();
        assertArrayEquals(new long[] {4, 2, 3, 3}, pruned.graph().initializers().get("conv2a.w").dims());
        assertArrayEquals(new long[] {1, 2, 1, 1}, pruned.graph().initializers().get("conv2b.w").dims());
        assertArrayEquals(new long[] {36, 5}, pruned.graph().initializers().get("mm.w").dims());
        Model inferred = ShapeInference.infer(pruned);
        assertArrayEquals(new long[] {1, 4, 6, 6}, shapeOf(inferred, "conv2a.y"));
        assertArrayEquals(new long[] {1, 36}, shapeOf(inferred, "flatten.y"));

        Model silenced = silence(silence(original, "conv1.w", kept1, "conv1.b"), "conv2b.w", kept2b, "conv2b.b");
        Map<String, Value> x = Map.of("x", input(5, 1, 3, 6, 6));
        assertSameOutputs(silenced, pruned, x, "conv2a.y");
        assertSameOutputs(silenced, pruned, x, "mm.y");
    }

    /** x -> conv1 -> relu1 -> conv2 -> add(conv2, relu1) -> conv3 (group 2) -> output. */
    private static Model residual() {
        TestNets b = new TestNets(5).input("x", Dim.fixed(1, 4, 4, 4));
        String v = b.unary("relu1", "Relu", b.conv("conv1", "x", 4, 4, 3));
        String r = b.conv("conv2", v, 4, 4, 3);
        b.node(Node.of("add", "Add", List.of(r, v), List.of("add.y")));
        b.weight("conv3.w", 4, 2, 1, 1);
        b.node(Node.of("conv3", "Conv", List.of("add.y", "conv3.w"), List.of("conv3.y"),
                Map.of("group", Attribute.of(2L))));
        b.weight("conv4.w", 2, 4, 1, 1);
        b.node(Node.of("conv4", "Conv", List.of("conv3.y", "conv4.w"), List.of("conv4.y")));
        return b.model("conv4.y");
    }

    @Test
    void defaultRuleSkipsWhatItCannotShrinkAndSaysWhy() throws ModelLoadException {
        Model model = residual();
        FilterPruneResult result = FilterPruner.keep(0.5).prune(model);
        assertEquals(List.of(), result.layers());
        assertSame(model, result.model());
        Map<String, String> reasons = new LinkedHashMap<>();
        result.skipped().forEach(s -> reasons.put(s.layer(), s.reason()));
        assertEquals(List.of("conv1", "conv2", "conv3", "conv4"), List.copyOf(reasons.keySet()));
        assertTrue(reasons.get("conv1").contains("reach Add 'add'"), reasons.get("conv1"));
        assertTrue(reasons.get("conv2").contains("reach Add 'add'"), reasons.get("conv2"));
        assertTrue(reasons.get("conv3").contains("has group 2"), reasons.get("conv3"));
        assertTrue(reasons.get("conv4").contains("graph output 'conv4.y'"), reasons.get("conv4"));
        assertTrue(result.table().contains("skipped conv1: "));
    }

    @Test
    void namedLayerThatCannotShrinkIsAnError() {
        IllegalArgumentException add = assertThrows(IllegalArgumentException.class,
                () -> FilterPruner.parse("conv2=0.5").prune(residual()));
        assertEquals("cannot remove filters of Conv 'conv2' (weight 'conv2.w', [4, 4, 3, 3]): its channels reach"
                + " Add 'add', which combines them with another tensor channel by channel; both sides would have to"
                + " lose the same channels", add.getMessage());

        TestNets b = new TestNets(2).input("x", Dim.fixed(1, 2, 4, 4));
        String v = b.conv("conv1", "x", 2, 4, 1);
        b.weight("dw.w", 4, 1, 3, 3);
        b.node(Node.of("dw", "Conv", List.of(v, "dw.w"), List.of("dw.y"), Map.of("group", Attribute.of(4L))));
        Model depthwise = b.model("dw.y");
        IllegalArgumentException grouped = assertThrows(IllegalArgumentException.class,
                () -> FilterPruner.parse("conv1=0.5").prune(depthwise));
        assertTrue(grouped.getMessage().endsWith("its channels feed Conv 'dw' with group 4, whose input channels"
                + " cannot be removed one by one"), grouped.getMessage());

        IllegalArgumentException fc = assertThrows(IllegalArgumentException.class,
                () -> FilterPruner.parse("fc=0.5").prune(chain()));
        assertTrue(fc.getMessage().contains("names Gemm 'fc'"), fc.getMessage());
    }

    @Test
    void aTensorAnotherNodeReadsIsNotShrunk() {
        TestNets b = new TestNets(6).input("x", Dim.fixed(1, 2, 4, 4));
        String v = b.conv("conv1", "x", 2, 4, 1);
        String w = b.conv("conv2", v, 4, 3, 1);
        b.weight("conv3.w", 4, 2, 1, 1);
        b.node(Node.of("conv3", "Conv", List.of("x", "conv3.w", "conv1.b"), List.of("conv3.y")));
        Model model = b.model(w, "conv3.y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterPruner.parse("conv1=0.5").prune(model));
        assertEquals("cannot remove filters of Conv 'conv1' (weight 'conv1.w', [4, 2, 1, 1]): the bias 'conv1.b' of"
                + " Conv 'conv1' is also read by Conv 'conv3'; shrinking it would change them too", e.getMessage());
    }

    @Test
    void flattenNeedsAKnownSpatialSize() {
        TestNets b = new TestNets(4).input("x", List.of(Dim.of(1), Dim.of(3), Dim.symbol("H"), Dim.symbol("W")));
        String v = b.flatten("flatten", b.conv("conv1", "x", 3, 2, 1));
        Model model = b.model(b.gemm("fc", v, 8, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterPruner.parse("conv1=0.5").prune(model));
        assertTrue(e.getMessage().contains("Flatten 'flatten' reads float32[1, 2, H, W]; the spatial size must be known"),
                e.getMessage());
    }

    @Test
    void keepsAtLeastOneFilterAndRejectsBadFractions() throws ModelLoadException {
        FilterPruneResult result = FilterPruner.parse("conv1=0.01").prune(chain());
        assertEquals(1, result.layers().getFirst().kept());
        assertThrows(IllegalArgumentException.class, () -> FilterPruner.keep(0));
        assertThrows(IllegalArgumentException.class, () -> FilterPruner.parse("conv1=1.5"));
        assertThrows(IllegalArgumentException.class, () -> FilterPruner.parse("conv9=0.5").prune(chain()));
    }

    @Test
    void sliceKeepsTheChosenIndicesAlongAnAxis() {
        Tensor t = Tensor.ofFloats("t", new long[] {2, 3, 2}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertArrayEquals(new float[] {0, 1, 4, 5, 6, 7, 10, 11},
                FilterPruner.slice(t, 1, new int[] {0, 2}).toFloatArray());
        assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, FilterPruner.slice(t, 0, new int[] {1}).toFloatArray());
    }
}
