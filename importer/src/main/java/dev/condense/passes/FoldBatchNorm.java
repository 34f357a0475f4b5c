// Folds inference BatchNormalization into the Conv or Gemm before it, rescaling that layer's weights and bias.
package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.ops.BatchNormAttrs;
import dev.condense.ops.GemmAttrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * BatchNormalization folding. With s = gamma / sqrt(var + eps) per channel, a BN after a Conv
 * becomes the Conv with W' = W * s (per output channel) and b' = (b - mean) * s + beta, b = 0 when
 * the Conv has no bias. A BN after a Gemm (Y = alpha * A * op(B) + beta * C) scales op(B)'s output
 * columns by s and takes C' = (beta * C - mean) * s + beta_bn with the Gemm's beta set to 1. A pair
 * is folded only when the layer's output feeds that BN alone, the BN runs in inference mode, and
 * every weight and BN parameter is a floating-point initializer of matching length; everything else
 * is left as it is. New initializers get names no value uses; old ones go when nothing reads them.
 * Import does not run this pass (it changes the weights compression sees); compression does.
 */
public final class FoldBatchNorm implements GraphPass {

    @Override
    public String name() {
        return "fold-batch-norm";
    }

    @Override
    public Model apply(Model model) throws ModelLoadException {
        Graph graph = model.graph();
        int opset = model.opset();
        List<Node> nodes = graph.nodes();
        Map<String, Integer> producerIndex = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                producerIndex.put(out, i);
            }
        }
        Map<String, List<Node>> consumers = graph.consumers();
        Set<String> externallyRead = ValueNames.externallyRead(graph);
        Set<String> taken = ValueNames.allNames(graph);

        Node[] replacement = new Node[nodes.size()];
        boolean[] dropped = new boolean[nodes.size()];
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        Set<String> maybeUnused = new HashSet<>();
        Set<String> foldedAway = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            if (!bn.isDefaultDomain() || !bn.opType().equals("BatchNormalization")) {
                continue;
            }
            Optional<BnParams> params = inferenceParams(bn, graph, opset);
            if (params.isEmpty() || bn.input(0).isEmpty()) {
                continue;
            }
            String x = bn.inputs().getFirst();
            Integer p = producerIndex.get(x);
            if (p == null || replacement[p] != null || dropped[p] || externallyRead.contains(x)
                    || consumers.getOrDefault(x, List.of()).size() != 1) {
                continue;
            }
            Node layer = nodes.get(p);
            if (!layer.isDefaultDomain() || layer.outputs().size() != 1) {
                continue;
            }
            Optional<Node> folded = switch (layer.opType()) {
                case "Conv" -> foldIntoConv(layer, bn, params.get(), graph, initializers, taken);
                case "Gemm" -> foldIntoGemm(layer, bn, params.get(), graph, opset, initializers, taken);
                default -> Optional.empty();
            };
            if (folded.isPresent()) {
                replacement[p] = folded.get();
                dropped[i] = true;
                maybeUnused.addAll(layer.inputs());
                maybeUnused.addAll(bn.inputs());
                foldedAway.add(x);
            }
        }
        if (foldedAway.isEmpty()) {
            return model;
        }

        List<Node> kept = new ArrayList<>();
        Set<String> read = new HashSet<>(externallyRead);
        for (int i = 0; i < nodes.size(); i++) {
            if (!dropped[i]) {
                Node n = replacement[i] != null ? replacement[i] : nodes.get(i);
                kept.add(n);
                read.addAll(n.inputs());
            }
        }
        for (String name : maybeUnused) {
            if (!read.contains(name)) {
                initializers.remove(name);
            }
        }
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        valueInfo.keySet().removeAll(foldedAway);
        return model.withGraph(new Graph(graph.name(), kept, graph.inputs(), graph.outputs(), initializers, valueInfo));
    }

    /** The BN's per-channel factor s and shift (beta - mean * s), when it is a foldable inference BN. */
    private record BnParams(double[] scale, double[] mean, double[] beta) {
        int channels() {
            return scale.length;
        }
    }

    private static Optional<BnParams> inferenceParams(Node bn, Graph graph, int opset) throws ModelLoadException {
        // Extra outputs (running mean and variance, saved statistics) exist only in training mode.
        for (int k = 1; k < bn.outputs().size(); k++) {
            if (!bn.outputs().get(k).isEmpty()) {
                return Optional.empty();
            }
        }
        BatchNormAttrs attrs = BatchNormAttrs.of(bn, opset);
        // spatial=false (opsets 7 and 8) normalizes per activation, not per channel.
        if (attrs.trainingMode() || !attrs.spatial()) {
            return Optional.empty();
        }
        double epsilon = attrs.epsilon();
        Optional<Tensor> gamma = floatInitializer(graph, bn, 1);
        Optional<Tensor> beta = floatInitializer(graph, bn, 2);
        Optional<Tensor> mean = floatInitializer(graph, bn, 3);
        Optional<Tensor> var = floatInitializer(graph, bn, 4);
        if (gamma.isEmpty() || beta.isEmpty() || mean.isEmpty() || var.isEmpty()) {
            return Optional.empty();
        }
        long channels = gamma.get().elementCount();
        if (beta.get().elementCount() != channels || mean.get().elementCount() != channels
                || var.get().elementCount() != channels) {
            return Optional.empty();
        }
        double[] g = gamma.get().toDoubleArray();
        double[] v = var.get().toDoubleArray();
        double[] scale = new double[g.length];
        for (int c = 0; c < g.length; c++) {
            scale[c] = g[c] / Math.sqrt(v[c] + epsilon);
        }
        return Optional.of(new BnParams(scale, mean.get().toDoubleArray(), beta.get().toDoubleArray()));
    }

    // conv: x [N, C, ...] * W [M, C/group, k...] + b [M] -> [N, M, ...]; the BN's channels are M.
    private static Optional<Node> foldIntoConv(Node conv, Node bn, BnParams bnParams, Graph graph,
                                               Map<String, Tensor> initializers, Set<String> taken) {
        Optional<Tensor> weight = floatInitializer(graph, conv, 1);
        if (weight.isEmpty() || conv.input(0).isEmpty() || weight.get().rank() < 1
                || weight.get().dim(0) != bnParams.channels()) {
            return Optional.empty();
        }
        Tensor w = weight.get();
        int channels = bnParams.channels();
        Optional<double[]> bias = optionalVector(graph, conv, 2, channels, w.dtype());
        if (bias.isEmpty()) {
            return Optional.empty();
        }
        double[] weights = w.toDoubleArray();
        int perChannel = weights.length / channels;
        for (int m = 0; m < channels; m++) {
            for (int k = 0; k < perChannel; k++) {
                weights[m * perChannel + k] *= bnParams.scale[m];
            }
        }
        double[] b = foldedBias(bias.get(), 1.0, bnParams);
        String weightName = ValueNames.fresh(w.name() + "_bn_folded", taken);
        String biasName = ValueNames.fresh(baseName(conv, bn) + "_bias_bn_folded", taken);
        initializers.put(weightName, Tensor.fromDoubles(weightName, w.dtype(), w.dims(), weights));
        initializers.put(biasName, Tensor.fromDoubles(biasName, w.dtype(), new long[] {channels}, b));
        return Optional.of(conv.withInputs(List.of(conv.inputs().getFirst(), weightName, biasName))
                .withOutputs(List.of(bn.output())));
    }

    // gemm: A [M, K] * op(B) [K, N] + C -> [M, N]; the BN's channels are the N output columns.
    private static Optional<Node> foldIntoGemm(Node gemm, Node bn, BnParams bnParams, Graph graph, int opset,
                                               Map<String, Tensor> initializers, Set<String> taken)
            throws ModelLoadException {
        Optional<Tensor> weight = floatInitializer(graph, gemm, 1);
        if (weight.isEmpty() || gemm.input(0).isEmpty() || weight.get().rank() != 2) {
            return Optional.empty();
        }
        Tensor w = weight.get();
        GemmAttrs attrs = GemmAttrs.of(gemm, opset);
        boolean transB = attrs.transB();
        int channels = bnParams.channels();
        long columns = transB ? w.dim(0) : w.dim(1);
        if (columns != channels) {
            return Optional.empty();
        }
        Optional<double[]> c = optionalVector(graph, gemm, 2, channels, w.dtype());
        if (c.isEmpty()) {
            return Optional.empty();
        }
        double[] weights = w.toDoubleArray();
        int inner = Math.toIntExact(transB ? w.dim(1) : w.dim(0));
        for (int n = 0; n < channels; n++) {
            for (int k = 0; k < inner; k++) {
                int at = transB ? n * inner + k : k * channels + n;
                weights[at] *= bnParams.scale[n];
            }
        }
        double beta = attrs.beta();
        double[] bias = foldedBias(c.get(), beta, bnParams);
        String weightName = ValueNames.fresh(w.name() + "_bn_folded", taken);
        String biasName = ValueNames.fresh(baseName(gemm, bn) + "_bias_bn_folded", taken);
        initializers.put(weightName, Tensor.fromDoubles(weightName, w.dtype(), w.dims(), weights));
        initializers.put(biasName, Tensor.fromDoubles(biasName, w.dtype(), new long[] {channels}, bias));
        Map<String, Attribute> attributes = new LinkedHashMap<>(gemm.attributes());
        attributes.put("beta", Attribute.of(1f));
        return Optional.of(gemm.withInputs(List.of(gemm.inputs().getFirst(), weightName, biasName))
                .withOutputs(List.of(bn.output())).withAttributes(attributes));
    }

    /** (factor * b - mean) * s + beta per channel. */
    private static double[] foldedBias(double[] b, double factor, BnParams p) {
        double[] out = new double[p.channels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = (factor * b[c] - p.mean[c]) * p.scale[c] + p.beta[c];
        }
        return out;
    }

    /**
     * Input {@code i} as one value per channel: zeros when omitted, the element repeated when it
     * holds one, the elements when they are a [channels] or [1, channels] initializer of the
     * layer's type; empty for anything else (a non-constant, or a full [M, N] Gemm bias).
     */
    private static Optional<double[]> optionalVector(Graph graph, Node node, int i, int channels, DataType type) {
        if (node.input(i).isEmpty()) {
            return Optional.of(new double[channels]);
        }
        Optional<Tensor> t = floatInitializer(graph, node, i);
        if (t.isEmpty() || t.get().dtype() != type) {
            return Optional.empty();
        }
        long[] dims = t.get().dims();
        long count = t.get().elementCount();
        double[] out = new double[channels];
        if (count == 1 && dims.length <= 2) {
            Arrays.fill(out, t.get().getDouble(0));
            return Optional.of(out);
        }
        boolean perChannel = count == channels && dims[dims.length - 1] == channels
                && (dims.length == 1 || (dims.length == 2 && dims[0] == 1));
        return perChannel ? Optional.of(t.get().toDoubleArray()) : Optional.empty();
    }

    private static Optional<Tensor> floatInitializer(Graph graph, Node node, int i) {
        return node.input(i).flatMap(graph::initializer).filter(t -> t.dtype().isFloatingPoint());
    }

    private static String baseName(Node layer, Node bn) {
        if (!layer.name().isEmpty()) {
            return layer.name();
        }
        return bn.name().isEmpty() ? bn.output() : bn.name();
    }
}
