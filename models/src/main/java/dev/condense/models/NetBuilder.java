// Builds a CNN as an ONNX graph layer by layer: shapes, parameter and MAC counts, and seeded weights.
package dev.condense.models;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Every family builder drives one of these. It knows the shape of every value as it goes, so it
 * sizes fully connected layers, rejects inputs too small for a layout with the layer that ran out
 * of pixels, and counts parameters and multiply-accumulates without needing shape inference.
 *
 * <p>Weights are seeded: He-normal for layers followed by ReLU-like activations, Glorot-uniform for
 * tanh and linear outputs. The builder also tracks the mean square of each activation, which is
 * what the next BatchNormalization's running variance is set from: a freshly built network then
 * keeps its activations at unit scale through any depth, the way a trained one does, and its
 * running statistics look like trained ones (means near zero, variances near the real ones).
 *
 * <p>A builder made with {@code materialize = false} only counts: it allocates no weights, so the
 * zoo can list VGG-19's 143 M parameters instantly.
 */
public final class NetBuilder {

    /** A value in the graph: its name and shape without the batch axis ({@code [C, H, W]} or {@code [F]}). */
    public record Value(String name, long[] shape, double meanSquare) {
        public Value {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public int channels() {
            return Math.toIntExact(shape[0]);
        }

        public long height() {
            return shape[1];
        }

        public long width() {
            return shape[2];
        }

        public boolean spatial() {
            return shape.length == 3;
        }
    }

    /** How a layer's weights are drawn. */
    public enum Init {
        /** Normal with variance 2 / fan-in: keeps the signal through ReLU (He et al. 2015). */
        HE,
        /** Uniform with variance 2 / (fan-in + fan-out): suits tanh and linear layers (Glorot and Bengio 2010). */
        GLOROT
    }

    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final int OPSET = 13;

    private final String modelName;
    private final ZooSpec spec;
    private final boolean materialize;
    private final SplittableRandom rng;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private double multiplier = 1.0;
    private long parameters;
    private long learnable;
    private long macs;

    public NetBuilder(String modelName, ZooSpec spec, boolean materialize) {
        this.modelName = modelName;
        this.spec = spec;
        this.materialize = materialize;
        this.rng = new SplittableRandom(spec.seed());
    }

    public ZooSpec spec() {
        return spec;
    }

    /** The graph input {@code input: float32[N, C, H, W]}. */
    public Value input() {
        return new Value(INPUT, new long[] {spec.channels(), spec.height(), spec.width()}, 1.0);
    }

    /** Sets the width multiplier that {@link #width(int)} applies. */
    public void widthMultiplier(double m) {
        this.multiplier = m;
    }

    public double widthMultiplier() {
        return multiplier;
    }

    /**
     * A channel count scaled by the width multiplier: unchanged at 1, otherwise rounded to a multiple
     * of 8 (at least 8, and never more than 10 % under the exact product), as MobileNet does.
     */
    public int width(int channels) {
        return multiplier == 1.0 ? channels : roundToEight(channels * multiplier);
    }

    static int roundToEight(double v) {
        int rounded = Math.max(8, (int) (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    // ---- layers ----

    /** Square-kernel convolution with symmetric padding, dense, with bias. */
    public Value conv(String name, Value x, int outChannels, int kernel, int stride, int pad) {
        return conv(name, x, outChannels, kernel, kernel, stride, stride, pad, pad, 1, true, Init.HE);
    }

    /** Square-kernel convolution with symmetric padding. */
    public Value conv(String name, Value x, int outChannels, int kernel, int stride, int pad, int group, boolean bias) {
        return conv(name, x, outChannels, kernel, kernel, stride, stride, pad, pad, group, bias, Init.HE);
    }

    /** Convolution; {@code x: [C, H, W]}, weight {@code [M, C/group, kH, kW]}. */
    public Value conv(String name, Value x, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                      int padH, int padW, int group, boolean bias, Init init) {
        requireSpatial(name, x);
        int inChannels = x.channels();
        if (group < 1 || inChannels % group != 0 || outChannels % group != 0) {
            throw new IllegalArgumentException(name + ": " + inChannels + " -> " + outChannels
                    + " channels do not split into " + group + " groups");
        }
        long outH = windowOutput(name, x.height(), kernelH, strideH, padH, false);
        long outW = windowOutput(name, x.width(), kernelW, strideW, padW, false);
        int fanIn = inChannels / group * kernelH * kernelW;
        long[] wDims = {outChannels, inChannels / group, kernelH, kernelW};
        String w = addWeight(name + ".weight", wDims, init, fanIn, outChannels / group * kernelH * kernelW);
        List<String> inputs = new ArrayList<>(List.of(x.name(), w));
        if (bias) {
            inputs.add(addConstantWeight(name + ".bias", new long[] {outChannels}, 0f, true));
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        attrs.put("dilations", Attribute.ints(1, 1));
        attrs.put("group", Attribute.of((long) group));
        attrs.put("kernel_shape", Attribute.ints(kernelH, kernelW));
        attrs.put("pads", Attribute.ints(padH, padW, padH, padW));
        attrs.put("strides", Attribute.ints(strideH, strideW));
        addNode(name, "Conv", inputs, attrs);
        macs = Math.addExact(macs, Math.multiplyExact(Math.multiplyExact((long) outChannels, outH * outW), fanIn));
        double gain = init == Init.HE ? 2.0 : 2.0 * fanIn / (fanIn + (double) outChannels / group * kernelH * kernelW);
        return new Value(name, new long[] {outChannels, outH, outW}, gain * x.meanSquare());
    }

    /** Inference BatchNormalization with learned scale and shift and running statistics that fit the input. */
    public Value batchNorm(String name, Value x, double epsilon) {
        int c = x.channels();
        float[] gamma = new float[c];
        float[] beta = new float[c];
        float[] mean = new float[c];
        float[] var = new float[c];
        double rms = Math.sqrt(Math.max(x.meanSquare(), 1e-6));
        double outMeanSquare = 0;
        for (int i = 0; i < c; i++) {
            gamma[i] = (float) rng.nextDouble(0.6, 1.4);
            beta[i] = (float) (0.1 * rng.nextGaussian());
            mean[i] = (float) (0.1 * rms * rng.nextGaussian());
            var[i] = (float) (x.meanSquare() * rng.nextDouble(0.8, 1.2));
            outMeanSquare += gamma[i] * gamma[i] + beta[i] * beta[i];
        }
        List<String> inputs = List.of(x.name(),
                addValues(name + ".weight", gamma, true), addValues(name + ".bias", beta, true),
                addValues(name + ".running_mean", mean, false), addValues(name + ".running_var", var, false));
        addNode(name, "BatchNormalization", inputs, Map.of("epsilon", Attribute.of((float) epsilon),
                "momentum", Attribute.of(0.9f)));
        return new Value(name, x.shape(), outMeanSquare / c);
    }

    public Value relu(String name, Value x) {
        addNode(name, "Relu", List.of(x.name()), Map.of());
        return new Value(name, x.shape(), x.meanSquare() / 2);
    }

    /** ReLU6, as PyTorch exports it: Clip with constant bounds 0 and 6. */
    public Value relu6(String name, Value x) {
        String min = sharedScalar("clip.min_0", 0f);
        String max = sharedScalar("clip.max_6", 6f);
        addNode(name, "Clip", List.of(x.name(), min, max), Map.of());
        return new Value(name, x.shape(), Math.min(x.meanSquare() / 2, 36));
    }

    public Value tanh(String name, Value x) {
        addNode(name, "Tanh", List.of(x.name()), Map.of());
        return new Value(name, x.shape(), Math.min(x.meanSquare(), 0.6));
    }

    public Value sigmoid(String name, Value x) {
        addNode(name, "Sigmoid", List.of(x.name()), Map.of());
        return new Value(name, x.shape(), 0.25 + 0.05 * Math.min(x.meanSquare(), 4));
    }

    /** Swish (SiLU), {@code x * sigmoid(x)}, as PyTorch exports it: Sigmoid then Mul. */
    public Value swish(String name, Value x) {
        Value gate = sigmoid(name + ".sigmoid", x);
        addNode(name, "Mul", List.of(x.name(), gate.name()), Map.of());
        return new Value(name, x.shape(), 0.35 * x.meanSquare());
    }

    public Value maxPool(String name, Value x, int kernel, int stride, int pad, boolean ceil) {
        requireSpatial(name, x);
        long h = windowOutput(name, x.height(), kernel, stride, pad, ceil);
        long w = windowOutput(name, x.width(), kernel, stride, pad, ceil);
        addNode(name, "MaxPool", List.of(x.name()), poolAttrs(kernel, stride, pad, ceil));
        return new Value(name, new long[] {x.channels(), h, w}, x.meanSquare());
    }

    public Value avgPool(String name, Value x, int kernel, int stride, int pad, boolean countIncludePad) {
        requireSpatial(name, x);
        long h = windowOutput(name, x.height(), kernel, stride, pad, false);
        long w = windowOutput(name, x.width(), kernel, stride, pad, false);
        Map<String, Attribute> attrs = poolAttrs(kernel, stride, pad, false);
        attrs.put("count_include_pad", Attribute.of(countIncludePad ? 1L : 0L));
        addNode(name, "AveragePool", List.of(x.name()), attrs);
        return new Value(name, new long[] {x.channels(), h, w}, x.meanSquare());
    }

    public Value globalAvgPool(String name, Value x) {
        requireSpatial(name, x);
        addNode(name, "GlobalAveragePool", List.of(x.name()), Map.of());
        return new Value(name, new long[] {x.channels(), 1, 1}, x.meanSquare());
    }

    /** Local response normalization across channels (AlexNet, GoogLeNet). */
    public Value lrn(String name, Value x, int size, double alpha, double beta, double bias) {
        requireSpatial(name, x);
        addNode(name, "LRN", List.of(x.name()), Map.of("size", Attribute.of((long) size),
                "alpha", Attribute.of((float) alpha), "beta", Attribute.of((float) beta),
                "bias", Attribute.of((float) bias)));
        double scale = Math.pow(bias + alpha * x.meanSquare(), -2 * beta);
        return new Value(name, x.shape(), x.meanSquare() * scale);
    }

    /** Flatten to {@code [N, C*H*W]}. */
    public Value flatten(String name, Value x) {
        long features = 1;
        for (long d : x.shape()) {
            features = Math.multiplyExact(features, d);
        }
        addNode(name, "Flatten", List.of(x.name()), Map.of("axis", Attribute.of(1L)));
        return new Value(name, new long[] {features}, x.meanSquare());
    }

    /** Fully connected layer as PyTorch exports {@code nn.Linear}: Gemm with {@code transB = 1}. */
    public Value fc(String name, Value x, int outFeatures, Init init) {
        if (x.shape().length != 1) {
            throw new IllegalStateException(name + ": a fully connected layer needs a flattened input, got "
                    + Arrays.toString(x.shape()));
        }
        int inFeatures = Math.toIntExact(x.shape()[0]);
        String w = addWeight(name + ".weight", new long[] {outFeatures, inFeatures}, init, inFeatures, outFeatures);
        String b = addUniform(name + ".bias", outFeatures, 1.0 / Math.sqrt(inFeatures));
        addNode(name, "Gemm", List.of(x.name(), w, b), Map.of("alpha", Attribute.of(1f),
                "beta", Attribute.of(1f), "transB", Attribute.of(1L)));
        macs = Math.addExact(macs, Math.multiplyExact((long) inFeatures, outFeatures));
        double gain = init == Init.HE ? 2.0 : 2.0 * inFeatures / (inFeatures + (double) outFeatures);
        return new Value(name, new long[] {outFeatures}, gain * x.meanSquare());
    }

    /** Elementwise sum of two values of one shape (residual connections). */
    public Value add(String name, Value a, Value b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException(name + ": cannot add " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()));
        }
        addNode(name, "Add", List.of(a.name(), b.name()), Map.of());
        return new Value(name, a.shape(), a.meanSquare() + b.meanSquare());
    }

    /** Channel gating: {@code x: [C, H, W]} times {@code scale: [C, 1, 1]} (squeeze-and-excitation). */
    public Value scale(String name, Value x, Value scale) {
        if (scale.channels() != x.channels() || scale.height() != 1 || scale.width() != 1) {
            throw new IllegalStateException(name + ": cannot scale " + Arrays.toString(x.shape()) + " by "
                    + Arrays.toString(scale.shape()));
        }
        addNode(name, "Mul", List.of(x.name(), scale.name()), Map.of());
        return new Value(name, x.shape(), x.meanSquare() * scale.meanSquare());
    }

    /** Channel concatenation of values with the same spatial size (Inception, Fire, dense blocks). */
    public Value concat(String name, List<Value> parts) {
        long channels = 0;
        double weighted = 0;
        for (Value p : parts) {
            requireSpatial(name, p);
            if (p.height() != parts.getFirst().height() || p.width() != parts.getFirst().width()) {
                throw new IllegalStateException(name + ": concatenated values differ in size: "
                        + Arrays.toString(parts.getFirst().shape()) + " and " + Arrays.toString(p.shape()));
            }
            channels += p.channels();
            weighted += p.channels() * p.meanSquare();
        }
        addNode(name, "Concat", parts.stream().map(Value::name).toList(), Map.of("axis", Attribute.of(1L)));
        Value first = parts.getFirst();
        return new Value(name, new long[] {channels, first.height(), first.width()}, weighted / channels);
    }

    // ---- results ----

    public long parameters() {
        return parameters;
    }

    /** Parameters a training run updates: all but BatchNormalization running statistics and constants. */
    public long learnableParameters() {
        return learnable;
    }

    /** Multiply-accumulates of one forward pass on one image (convolutions and fully connected layers). */
    public long macs() {
        return macs;
    }

    /** The model whose output {@code logits: float32[N, classes]} is {@code out}. */
    public Model build(Value out) {
        if (!materialize) {
            throw new IllegalStateException("builder for " + modelName + " was made to count only");
        }
        if (out.shape().length != 1) {
            throw new IllegalStateException(modelName + ": the output must be flat, got " + Arrays.toString(out.shape()));
        }
        List<Node> all = new ArrayList<>(nodes);
        all.add(Node.of(OUTPUT, "Identity", List.of(out.name()), List.of(OUTPUT)));
        Dim batch = Dim.symbol("N");
        List<Dim> inputDims = List.of(batch, Dim.of(spec.channels()), Dim.of(spec.height()), Dim.of(spec.width()));
        Graph graph = new Graph(modelName, all,
                List.of(ValueInfo.of(INPUT, DataType.FLOAT, inputDims)),
                List.of(ValueInfo.of(OUTPUT, DataType.FLOAT, List.of(batch, Dim.of(out.shape()[0])))),
                weights, Map.of());
        return Model.of(graph, OPSET);
    }

    // ---- internals ----

    private void requireSpatial(String name, Value x) {
        if (!x.spatial()) {
            throw new IllegalStateException(name + ": needs a [C, H, W] input, got " + Arrays.toString(x.shape()));
        }
    }

    private long windowOutput(String name, long in, int kernel, int stride, int pad, boolean ceil) {
        long span = in + 2L * pad - kernel;
        long out;
        if (span < 0) {
            out = 0;
        } else if (ceil) {
            out = Math.ceilDiv(span, stride) + 1;
            if ((out - 1) * stride >= in + pad) {
                out--;
            }
        } else {
            out = span / stride + 1;
        }
        if (out < 1) {
            throw new IllegalArgumentException(modelName + " does not fit input " + spec.inputText() + ": layer "
                    + name + " gets " + in + " pixels for a " + kernel + "-wide window with padding " + pad);
        }
        return out;
    }

    private static Map<String, Attribute> poolAttrs(int kernel, int stride, int pad, boolean ceil) {
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        if (ceil) {
            attrs.put("ceil_mode", Attribute.of(1L));
        }
        attrs.put("kernel_shape", Attribute.ints(kernel, kernel));
        attrs.put("pads", Attribute.ints(pad, pad, pad, pad));
        attrs.put("strides", Attribute.ints(stride, stride));
        return attrs;
    }

    private void addNode(String name, String op, List<String> inputs, Map<String, Attribute> attrs) {
        if (!names.add(name)) {
            throw new IllegalStateException(modelName + ": layer name '" + name + "' is used twice");
        }
        nodes.add(Node.of(name, op, inputs, List.of(name), attrs));
    }

    private void count(long elements, boolean isLearnable) {
        parameters = Math.addExact(parameters, elements);
        if (isLearnable) {
            learnable = Math.addExact(learnable, elements);
        }
    }

    private String addWeight(String name, long[] dims, Init init, int fanIn, int fanOut) {
        long n = Tensor.elementCount(dims);
        count(n, true);
        if (materialize) {
            MemorySegment seg = MemorySegment.ofArray(new byte[Math.toIntExact(Math.multiplyExact(n, 4L))]);
            if (init == Init.HE) {
                double std = Math.sqrt(2.0 / fanIn);
                for (long i = 0; i < n; i++) {
                    seg.setAtIndex(Tensor.FLOAT_LE, i, (float) (std * rng.nextGaussian()));
                }
            } else {
                double limit = Math.sqrt(6.0 / (fanIn + fanOut));
                for (long i = 0; i < n; i++) {
                    seg.setAtIndex(Tensor.FLOAT_LE, i, (float) rng.nextDouble(-limit, limit));
                }
            }
            weights.put(name, new Tensor(name, DataType.FLOAT, dims, seg));
        }
        return name;
    }

    private String addUniform(String name, int n, double limit) {
        count(n, true);
        if (materialize) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) rng.nextDouble(-limit, limit);
            }
            weights.put(name, Tensor.ofFloats(name, new long[] {n}, v));
        }
        return name;
    }

    private String addValues(String name, float[] values, boolean isLearnable) {
        count(values.length, isLearnable);
        if (materialize) {
            weights.put(name, Tensor.ofFloats(name, new long[] {values.length}, values));
        }
        return name;
    }

    private String addConstantWeight(String name, long[] dims, float value, boolean isLearnable) {
        long n = Tensor.elementCount(dims);
        count(n, isLearnable);
        if (materialize) {
            float[] v = new float[Math.toIntExact(n)];
            Arrays.fill(v, value);
            weights.put(name, Tensor.ofFloats(name, dims, v));
        }
        return name;
    }

    private String sharedScalar(String name, float value) {
        if (names.add(name)) {
            count(1, false);
            if (materialize) {
                weights.put(name, Tensor.ofFloats(name, new long[0], value));
            }
        }
        return name;
    }
}
