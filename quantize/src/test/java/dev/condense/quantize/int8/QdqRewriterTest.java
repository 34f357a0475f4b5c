package dev.condense.quantize.int8;

import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QdqRewriterTest {

    private static Map<String, double[]> ranges(QdqRewriter.Plan plan) {
        Map<String, double[]> r = new HashMap<>();
        for (String t : plan.calibrationTensors()) {
            r.put(t, t.equals("x") ? new double[] {0, 1} : new double[] {-2, 6});
        }
        return r;
    }

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    @Test
    void planCalibratesOnlyTensorsWithTheirOwnScale() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        QdqRewriter.Plan plan = QdqRewriter.plan(m, QuantizeOptions.defaults());
        // x, and the ReLU's output (the Conv now writes it); MaxPool and Flatten pass r1's scale on.
        assertEquals(List.of("x", "r1"), plan.calibrationTensors());
        assertEquals("r1", plan.paramSource().get("p1"));
        assertEquals("r1", plan.paramSource().get("f1"));
        assertFalse(plan.quantizedTensors().contains("logits"), "graph outputs stay fp32");
    }

    @Test
    void rewriteWritesQdqPairsInt8WeightsInt32BiasAndDropsTheRelu() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        QdqRewriter.Plan plan = QdqRewriter.plan(m, QuantizeOptions.defaults());
        QdqRewriter.Result r = QdqRewriter.rewrite(plan, ranges(plan));
        Graph g = r.model().graph();
        assertEquals(0, count(g, "Relu"), "the ReLU is done by the QuantizeLinear with zero point 0");
        assertEquals(4, count(g, "QuantizeLinear")); // x, r1, p1, f1
        assertEquals(4 + 4, count(g, "DequantizeLinear")); // + w1, b1, w2, b2
        Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        assertEquals("r1", conv.outputs().getFirst(), "the Conv writes the removed ReLU's output");

        Tensor w1 = m.graph().initializers().get("w1");
        Tensor q = g.initializers().values().stream().filter(t -> t.dtype() == DataType.INT8 && t.dims().length == 4)
                .findFirst().orElseThrow();
        QuantParams wp = r.layers().getFirst().weightParams();
        assertEquals(4, wp.channels());
        float[] w = w1.toFloatArray();
        byte[] qb = q.toByteArray();
        for (int i = 0; i < w.length; i++) {
            int c = i / 9;
            assertEquals(Math.clamp(Math.round(w[i] / wp.scales()[c]), -127, 127), qb[i], "weight " + i);
            assertTrue(Math.abs(w[i] - qb[i] * wp.scales()[c]) <= wp.scales()[c] / 2 + 1e-7);
        }
        // The largest magnitude of each channel maps to ±127.
        for (int c = 0; c < 4; c++) {
            int max = 0;
            for (int i = c * 9; i < c * 9 + 9; i++) {
                max = Math.max(max, Math.abs(qb[i]));
            }
            assertEquals(127, max);
        }
        Tensor bq = g.initializers().values().stream().filter(t -> t.dtype() == DataType.INT32 && t.rank() == 1
                && t.elementCount() == 4).findFirst().orElseThrow();
        float sx = r.activationParams().get("x").scale();
        float[] b = m.graph().initializers().get("b1").toFloatArray();
        for (int c = 0; c < 4; c++) {
            assertEquals(Math.round(b[c] / (double) (sx * wp.scales()[c])), bq.getLong(c));
        }
        // MaxPool and Flatten keep r1's parameters, so a runtime can drop their pairs.
        assertEquals(r.activationParams().get("r1"), r.activationParams().get("p1"));
        assertEquals(r.activationParams().get("r1"), r.activationParams().get("f1"));
        assertEquals(0, r.activationParams().get("r1").zeroPoint(), "range widened to start at 0");
        assertFalse(g.initializers().containsKey("w1"), "the fp32 weight is gone");
        assertEquals(2, r.layers().size());
    }

    @Test
    void perTensorAndInt8ActivationsAndExclusion() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        QuantizeOptions o = QuantizeOptions.defaults().withPerChannel(false).withActivations(QuantType.INT8)
                .withExclude(Set.of("fc"));
        QdqRewriter.Plan plan = QdqRewriter.plan(m, o);
        QdqRewriter.Result r = QdqRewriter.rewrite(plan, ranges(plan));
        assertEquals(1, r.layers().size(), "fc is kept in fp32");
        assertFalse(r.layers().getFirst().weightParams().perChannel());
        assertEquals(-128, r.activationParams().get("r1").zeroPoint());
        assertTrue(r.model().graph().initializers().containsKey("w2"), "the excluded layer keeps its fp32 weight");
        QuantizationException e = assertThrows(QuantizationException.class,
                () -> QdqRewriter.plan(m, QuantizeOptions.defaults().withExclude(Set.of("conv9"))));
        assertTrue(e.getMessage().contains("'conv9'") && e.getMessage().contains("conv1"), e.getMessage());
    }

    @Test
    void opsets11And12AreRaisedTo13ForPerChannelWeightsAndOlderOnesRefused() throws QuantizationException {
        QdqRewriter.Plan plan = QdqRewriter.plan(StaticQuantizer.prepare(SmallNets.convNet(11)), QuantizeOptions.defaults());
        assertEquals(13, plan.model().opset());
        QdqRewriter.Result r = QdqRewriter.rewrite(plan, ranges(plan));
        assertEquals(13, r.model().opset());
        assertTrue(r.layers().getFirst().weightParams().perChannel());
        assertEquals(11, QdqRewriter.plan(StaticQuantizer.prepare(SmallNets.convNet(11)),
                QuantizeOptions.defaults().withPerChannel(false)).model().opset(), "per-tensor needs no upgrade");
        QuantizationException old = assertThrows(QuantizationException.class,
                () -> QdqRewriter.plan(SmallNets.convNet(10), QuantizeOptions.defaults()));
        assertTrue(old.getMessage().contains("--per-tensor"), old.getMessage());
        assertThrows(QuantizationException.class, () -> QdqRewriter.plan(SmallNets.convNet(9), QuantizeOptions.defaults()));
    }

    @Test
    void qoperatorFormFusesTheConvGroup() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        QdqRewriter.Plan plan = QdqRewriter.plan(m, QuantizeOptions.defaults());
        Model q = QOperatorRewriter.rewrite(QdqRewriter.rewrite(plan, ranges(plan)).model());
        Graph g = q.graph();
        assertEquals(1, count(g, "QLinearConv"));
        assertEquals(0, count(g, "Conv"));
        Node c = g.nodes().stream().filter(n -> n.opType().equals("QLinearConv")).findFirst().orElseThrow();
        assertEquals(9, c.inputs().size(), "x, scale, zp, w, scale, zp, y scale, y zp, bias");
        assertEquals(DataType.INT32, g.initializers().get(c.inputs().get(8)).dtype());
        assertEquals(1, count(g, "Gemm"), "the last layer, whose output stays fp32, keeps its QDQ form");
    }

    @Test
    void dynamicQuantizationRewritesFullyConnectedLayersOnly() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        DynamicQuantizer.Result r = DynamicQuantizer.quantize(m, QuantizeOptions.defaults());
        Graph g = r.model().graph();
        assertEquals(List.of("fc"), r.layers());
        assertEquals(1, count(g, "DynamicQuantizeLinear"));
        assertEquals(1, count(g, "MatMulInteger"));
        assertEquals(1, count(g, "Conv"), "convolutions stay fp32");
        Node mm = g.nodes().stream().filter(n -> n.opType().equals("MatMulInteger")).findFirst().orElseThrow();
        Tensor w = g.initializers().get(mm.inputs().get(1));
        assertArrayEquals(new long[] {36, 10}, w.dims(), "weights laid out [K, N]");
        assertEquals(10, g.initializers().get(mm.inputs().get(3)).elementCount(), "one zero point per column");
        assertNotNull(g.producers().get("logits"));
        assertEquals("Add", g.producers().get("logits").opType());
    }

    @Test
    void anAlreadyQuantizedModelIsRefused() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        QdqRewriter.Plan plan = QdqRewriter.plan(m, QuantizeOptions.defaults());
        Model q = QdqRewriter.rewrite(plan, ranges(plan)).model();
        QuantizationException e = assertThrows(QuantizationException.class, () -> StaticQuantizer.prepare(q));
        assertTrue(e.getMessage().contains("already quantized") && e.getMessage().contains("QuantizeLinear"), e.getMessage());
    }

    @Test
    void calibrationSetProblemsAreClearErrors() {
        Model m = SmallNets.convNet(13);
        QuantizationException empty = assertThrows(QuantizationException.class,
                () -> StaticQuantizer.checkCalibrationSet(m, List.of()));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        Tensor wrong = Tensor.ofFloats("x", new long[] {1, 1, 28, 28}, new float[784]);
        QuantizationException shape = assertThrows(QuantizationException.class,
                () -> StaticQuantizer.checkCalibrationSet(m, List.of(Map.of("x", wrong))));
        assertTrue(shape.getMessage().contains("[1, 1, 28, 28]") && shape.getMessage().contains("'x'"), shape.getMessage());
        QuantizationException missing = assertThrows(QuantizationException.class,
                () -> StaticQuantizer.checkCalibrationSet(m, List.of(Map.of("y", wrong))));
        assertTrue(missing.getMessage().contains("no value for input 'x'"), missing.getMessage());
    }

    @Test
    void calibrationCollectsRangesThroughTheRunner() throws QuantizationException {
        Model m = StaticQuantizer.prepare(SmallNets.convNet(13));
        Tensor x = Tensor.ofFloats("x", new long[] {1, 1, 8, 8}, SmallNets.gaussian(64, 9, 1f));
        // A runner that answers with fixed values for every requested output; the model itself is not run.
        ModelRunner fake = (model, feed) -> {
            Map<String, float[]> out = new HashMap<>();
            model.graph().outputs().forEach(v -> out.put(v.name(), new float[] {-1f, 0.5f, 3f}));
            return out;
        };
        Map<String, double[]> r = StaticQuantizer.calibrate(m, List.of("x", "r1"), List.of(Map.of("x", x), Map.of("x", x)),
                new CalibrationMethod.MinMax(), fake);
        assertArrayEquals(new double[] {-1, 3}, r.get("r1"));
    }
}
