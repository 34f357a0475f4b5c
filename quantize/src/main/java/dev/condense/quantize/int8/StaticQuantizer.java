// Static post-training quantization end to end: prepare, calibrate, rewrite, diagnose.
package dev.condense.quantize.int8;

import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.passes.FoldBatchNorm;
import dev.condense.passes.GraphPass;
import dev.condense.passes.Passes;
import dev.condense.shape.ShapeInference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calibration set is a list of feeds (batches) for the model's inputs; {@link ModelRunner}
 * runs them. Ranges come from the fp32 model with every calibration tensor made a graph output;
 * the diagnosis runs the fp32 and the quantized model on the same batches, one batch at a time, so
 * memory stays at one batch of activations.
 */
public final class StaticQuantizer {

    /** Ops that mark a model as quantized already. */
    private static final Set<String> QUANTIZED_OPS = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
            "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger");

    private StaticQuantizer() {
    }

    /** BatchNorm folded into the layers before it, constants folded, Identity dropped, shapes inferred. */
    public static Model prepare(Model model) throws QuantizationException {
        for (Node n : model.graph().nodes()) {
            if (QUANTIZED_OPS.contains(n.opType())) {
                throw new QuantizationException("the model is already quantized: node '" + n.name() + "' is " + n.opType()
                        + "; quantize its fp32 original");
            }
        }
        try {
            List<GraphPass> passes = new ArrayList<>(Passes.simplify());
            passes.add(new FoldBatchNorm());
            return ShapeInference.infer(Passes.run(model, passes));
        } catch (ModelLoadException e) {
            throw new QuantizationException("cannot prepare the model for quantization: " + e.getMessage(), e);
        }
    }

    /** Checks that the calibration set can feed the model: not empty, every input present with its rank and fixed sizes. */
    public static void checkCalibrationSet(Model model, List<Map<String, Tensor>> batches) throws QuantizationException {
        if (batches.isEmpty()) {
            throw new QuantizationException("the calibration set is empty; give at least one sample");
        }
        Graph g = model.graph();
        for (ValueInfo in : g.inputs()) {
            if (g.initializers().containsKey(in.name())) {
                continue;
            }
            for (int b = 0; b < batches.size(); b++) {
                Tensor t = batches.get(b).get(in.name());
                if (t == null) {
                    throw new QuantizationException("calibration batch " + b + " has no value for input '" + in.name()
                            + "'; it has " + batches.get(b).keySet());
                }
                if (in.shape().isPresent()) {
                    var dims = in.shape().get();
                    boolean ok = dims.size() == t.rank();
                    for (int i = 0; ok && i < dims.size(); i++) {
                        ok = !dims.get(i).isFixed() || dims.get(i).size() == t.dim(i);
                    }
                    if (!ok) {
                        throw new QuantizationException("calibration sample shape " + java.util.Arrays.toString(t.dims())
                                + " does not fit input '" + in.name() + "' of type " + in.typeString());
                    }
                }
            }
        }
    }

    /** The range of every tensor in {@code tensors} by {@code method}, from runs of {@code prepared}. */
    public static Map<String, double[]> calibrate(Model prepared, List<String> tensors, List<Map<String, Tensor>> batches,
                                                  CalibrationMethod method, ModelRunner runner) throws QuantizationException {
        checkCalibrationSet(prepared, batches);
        Model probe = withOutputs(prepared, tensors);
        Map<String, ActivationStats> stats = new LinkedHashMap<>();
        for (String t : tensors) {
            stats.put(t, new ActivationStats(t));
        }
        for (Map<String, Tensor> feed : batches) {
            Map<String, float[]> out = runner.run(probe, feed);
            for (ActivationStats s : stats.values()) {
                s.observeRange(require(out, s.tensor()));
            }
        }
        if (method.needsHistogram()) {
            for (Map<String, Tensor> feed : batches) {
                Map<String, float[]> out = runner.run(probe, feed);
                for (ActivationStats s : stats.values()) {
                    s.observeHistogram(require(out, s.tensor()));
                }
            }
        }
        Map<String, double[]> ranges = new LinkedHashMap<>();
        for (ActivationStats s : stats.values()) {
            ranges.put(s.tensor(), s.range(method));
        }
        return ranges;
    }

    /** Plans, calibrates and rewrites: the quantized model of {@code model}. */
    public static QdqRewriter.Result quantize(Model model, QuantizeOptions options, List<Map<String, Tensor>> calibration,
                                             ModelRunner runner) throws QuantizationException {
        Model prepared = prepare(model);
        QdqRewriter.Plan plan = QdqRewriter.plan(prepared, options);
        Map<String, double[]> ranges = calibrate(plan.model(), plan.calibrationTensors(), calibration, options.method(),
                runner);
        QdqRewriter.Result qdq = QdqRewriter.rewrite(plan, ranges);
        if (options.format() == QuantizeOptions.Format.QOPERATOR) {
            return new QdqRewriter.Result(QOperatorRewriter.rewrite(qdq.model()), qdq.layers(), qdq.activationParams());
        }
        return qdq;
    }

    /**
     * Per-layer SQNR of the quantized model against fp32 on {@code batches}, plus the model outputs'
     * SQNR under the key of each output name (in the returned {@code outputs} map). {@code quantized}
     * is in QDQ form, whose dequantized tensors are the layers' outputs as the next layer reads them.
     */
    public static Diagnosis diagnose(Model prepared, QdqRewriter.Result quantized, List<Map<String, Tensor>> batches,
                                     ModelRunner runner) throws QuantizationException {
        checkCalibrationSet(prepared, batches);
        List<QuantizedLayer> layers = quantized.layers();
        List<String> floatNames = new ArrayList<>();
        List<String> quantNames = new ArrayList<>();
        for (QuantizedLayer l : layers) {
            floatNames.add(l.floatOutput());
            quantNames.add(l.quantizedOutput());
        }
        List<String> outputs = prepared.graph().outputs().stream().map(ValueInfo::name).toList();
        Model fp = withOutputs(prepared, floatNames);
        Model q = withOutputs(quantized.model(), quantNames);
        Sqnr[] perLayer = new Sqnr[layers.size()];
        for (int i = 0; i < perLayer.length; i++) {
            perLayer[i] = new Sqnr();
        }
        Map<String, Sqnr> perOutput = new LinkedHashMap<>();
        outputs.forEach(o -> perOutput.put(o, new Sqnr()));
        for (Map<String, Tensor> feed : batches) {
            Map<String, float[]> a = runner.run(fp, feed);
            Map<String, float[]> b = runner.run(q, feed);
            for (int i = 0; i < layers.size(); i++) {
                perLayer[i].add(require(a, floatNames.get(i)), require(b, quantNames.get(i)));
            }
            for (String o : outputs) {
                perOutput.get(o).add(require(a, o), require(b, o));
            }
        }
        List<LayerSqnr> table = new ArrayList<>();
        Map<String, Double> byTensor = new HashMap<>();
        // A layer reading the model input is measured against the input's own quantization noise.
        for (ValueInfo in : prepared.graph().inputs()) {
            QuantParams p = quantized.activationParams().get(in.name());
            if (p != null) {
                Sqnr s = new Sqnr();
                for (Map<String, Tensor> feed : batches) {
                    float[] x = feed.get(in.name()).toFloatArray();
                    float[] xq = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        xq[i] = p.dequantize(p.quantize(x[i], 0), 0);
                    }
                    s.add(x, xq);
                }
                byTensor.put(in.name(), s.db());
            }
        }
        Map<String, Node> producers = quantized.model().graph().producers();
        for (int i = 0; i < layers.size(); i++) {
            QuantizedLayer l = layers.get(i);
            double db = perLayer[i].db();
            double before = upstream(producers, l, byTensor);
            // Against an exact input (a lossless input quantization) the loss is the layer's whole noise: no number.
            table.add(new LayerSqnr(l, db, Double.isNaN(before) || Double.isNaN(db) || before >= 99 ? Double.NaN
                    : Math.max(0, before - Math.min(db, 99))));
            byTensor.put(l.quantizedOutput(), db);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        perOutput.forEach((k, v) -> out.put(k, v.db()));
        return new Diagnosis(table, out);
    }

    /** The per-layer table and the SQNR of each graph output. */
    public record Diagnosis(List<LayerSqnr> layers, Map<String, Double> outputs) {

        /** The lowest output SQNR (the model's, for a single-output model). */
        public double outputDb() {
            return outputs.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }
    }

    /**
     * The lowest SQNR among the quantized layers whose outputs reach this layer's input without
     * passing another weight layer; +∞ (99 dB, capped) for a layer reading the model input.
     */
    private static double upstream(Map<String, Node> producers, QuantizedLayer l, Map<String, Double> byTensor) {
        Node self = producers.get(l.floatOutput());
        if (self == null) {
            return Double.NaN;
        }
        double worst = 99;
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(self.inputs().getFirst()));
        Set<String> seen = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            Double db = byTensor.get(t);
            if (db != null) {
                worst = Math.min(worst, db);
                continue;
            }
            Node p = producers.get(t);
            if (p != null) {
                for (String in : p.inputs()) {
                    if (!in.isEmpty()) {
                        todo.push(in);
                    }
                }
            }
        }
        return worst;
    }

    /**
     * Each layer quantized alone: the SQNR of the model's output (the lowest over its outputs) when
     * only that layer, and the activations around it, are int8. Unlike the cumulative table, this
     * does not blame a layer for the noise it inherits. Costs one quantized model per layer.
     */
    public static Map<String, Double> isolated(Model model, QuantizeOptions options, List<Map<String, Tensor>> batches,
                                               ModelRunner runner) throws QuantizationException {
        Model prepared = prepare(model);
        checkCalibrationSet(prepared, batches);
        QdqRewriter.Plan full = QdqRewriter.plan(prepared, options);
        Map<String, double[]> ranges = new HashMap<>(calibrate(prepared, full.calibrationTensors(), batches,
                options.method(), runner));
        List<String> names = new ArrayList<>();
        full.weighted().values().forEach(l -> names.add(l.name()));
        List<String> outputs = prepared.graph().outputs().stream().map(ValueInfo::name).toList();
        List<Map<String, float[]>> reference = new ArrayList<>();
        for (Map<String, Tensor> feed : batches) {
            reference.add(runner.run(prepared, feed));
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String layer : names) {
            Set<String> others = new LinkedHashSet<>(options.exclude());
            names.stream().filter(n -> !n.equals(layer)).forEach(others::add);
            QdqRewriter.Plan plan = QdqRewriter.plan(prepared, options.withExclude(others));
            List<String> missing = plan.calibrationTensors().stream().filter(t -> !ranges.containsKey(t)).toList();
            if (!missing.isEmpty()) {
                ranges.putAll(calibrate(prepared, missing, batches, options.method(), runner));
            }
            Model q = QdqRewriter.rewrite(plan, ranges).model();
            Map<String, Sqnr> perOutput = new LinkedHashMap<>();
            outputs.forEach(o -> perOutput.put(o, new Sqnr()));
            for (int b = 0; b < batches.size(); b++) {
                Map<String, float[]> got = runner.run(q, batches.get(b));
                for (String o : outputs) {
                    perOutput.get(o).add(require(reference.get(b), o), require(got, o));
                }
            }
            out.put(layer, perOutput.values().stream().mapToDouble(Sqnr::db).min().orElse(Double.NaN));
        }
        return out;
    }

    /** Top-1 accuracy of a model on held-out labelled data, as a fraction; supplied by the caller. */
    @FunctionalInterface
    public interface AccuracyProbe {
        double top1(Model model) throws QuantizationException;
    }

    /** One step of the automatic exclusion: the layers kept in fp32 so far and the accuracy then. */
    public record ExclusionStep(List<String> excluded, double top1, double dropPoints) {
    }

    /** The model {@link #excludeUntil} settled on, with the fp32 accuracy and every step tried. */
    public record AutoExclusion(QdqRewriter.Result result, double floatTop1, List<ExclusionStep> steps, boolean reached) {
    }

    /**
     * Quantizes, measures top-1, and while the drop exceeds {@code maxDropPoints} keeps one more
     * layer in fp32: the layer that, quantized alone, leaves the model's output with the lowest SQNR
     * ({@link #isolated}, measured once), recalibrating each time. Stops when the drop is within
     * budget; with every layer excluded the model is the fp32 one, so it always stops.
     */
    public static AutoExclusion excludeUntil(Model model, QuantizeOptions options, List<Map<String, Tensor>> calibration,
                                             ModelRunner runner, AccuracyProbe probe, double maxDropPoints)
            throws QuantizationException {
        if (!(maxDropPoints >= 0)) {
            throw new QuantizationException("--max-drop must be 0 or more points, got " + maxDropPoints);
        }
        Model prepared = prepare(model);
        double floatTop1 = probe.top1(prepared);
        List<String> excluded = new ArrayList<>(options.exclude());
        List<ExclusionStep> steps = new ArrayList<>();
        List<String> worstFirst = null;
        while (true) {
            QuantizeOptions o = options.withExclude(new LinkedHashSet<>(excluded));
            QdqRewriter.Result r = quantize(prepared, o, calibration, runner);
            double top1 = probe.top1(r.model());
            double drop = 100 * (floatTop1 - top1);
            steps.add(new ExclusionStep(List.copyOf(excluded), top1, drop));
            if (drop <= maxDropPoints || r.layers().isEmpty()) {
                return new AutoExclusion(r, floatTop1, steps, drop <= maxDropPoints);
            }
            if (worstFirst == null) {
                Map<String, Double> alone = isolated(prepared, o, calibration, runner);
                worstFirst = new ArrayList<>(alone.keySet());
                worstFirst.sort(java.util.Comparator.comparingDouble(alone::get));
            }
            String next = worstFirst.stream().filter(n -> !excluded.contains(n)).findFirst().orElse(null);
            if (next == null) {
                return new AutoExclusion(r, floatTop1, steps, false);
            }
            excluded.add(next);
        }
    }

    /** {@code model} with {@code names} added as graph outputs (typed from value info), duplicates ignored. */
    public static Model withOutputs(Model model, List<String> names) throws QuantizationException {
        Graph g = model.graph();
        Set<String> present = new LinkedHashSet<>();
        g.outputs().forEach(v -> present.add(v.name()));
        List<ValueInfo> outs = new ArrayList<>(g.outputs());
        for (String n : names) {
            if (present.add(n)) {
                ValueInfo v = g.typeOf(n).orElse(ValueInfo.unknownShape(n, DataType.FLOAT));
                outs.add(v.withName(n));
            }
        }
        return model.withGraph(g.withOutputs(outs));
    }

    private static float[] require(Map<String, float[]> out, String name) throws QuantizationException {
        float[] v = out.get(name);
        if (v == null) {
            throw new QuantizationException("the run did not return '" + name + "'");
        }
        return v;
    }
}
