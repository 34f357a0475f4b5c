// Runs k-means weight sharing over a model's Conv, Gemm and MatMul weights with bits chosen per layer.
package dev.condense.quantize.sharing;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.layers.LayerRules;
import dev.condense.layers.WeightLayer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses bits per layer by rule ({@link LayerRules}: name, short name, op type, family; by default
 * conv=8 and fc=5, Deep Compression's settings), clusters each layer's kept (non-zero) weights into
 * 2^bits centroids with {@link KMeans1D} and assigns them. Layers no rule reaches stay unshared.
 * Each layer's random init is seeded from the seed and the weight's name, so it does not depend on
 * which other layers are shared. Instances are immutable.
 */
public final class WeightSharer {

    public static final int DEFAULT_CONV_BITS = 8;
    public static final int DEFAULT_FC_BITS = 5;
    public static final long DEFAULT_SEED = 20160501L;

    private final LayerRules<Integer> bits;
    private final KMeansInit init;
    private final long seed;
    private final int maxIterations;

    private WeightSharer(LayerRules<Integer> bits, KMeansInit init, long seed, int maxIterations) {
        this.bits = Objects.requireNonNull(bits, "bits");
        this.init = Objects.requireNonNull(init, "init");
        this.seed = seed;
        if (maxIterations < 0) {
            throw new IllegalArgumentException("iteration limit must be >= 0, got " + maxIterations);
        }
        this.maxIterations = maxIterations;
    }

    /** conv=8, fc=5 bits, linear init, at most {@value KMeans1D#DEFAULT_MAX_ITERATIONS} iterations. */
    public static WeightSharer defaults() {
        LayerRules<Integer> rules = LayerRules.<Integer>none().with("conv", DEFAULT_CONV_BITS).with("fc", DEFAULT_FC_BITS);
        return new WeightSharer(rules, KMeansInit.LINEAR, DEFAULT_SEED, KMeans1D.DEFAULT_MAX_ITERATIONS);
    }

    /** Only the layers {@code bits} reaches are shared; linear init and the default limit and seed. */
    public static WeightSharer of(LayerRules<Integer> bits) {
        for (Integer b : bits.rules().values()) {
            checkBits(b);
        }
        bits.fallback().ifPresent(WeightSharer::checkBits);
        return new WeightSharer(bits, KMeansInit.LINEAR, DEFAULT_SEED, KMeans1D.DEFAULT_MAX_ITERATIONS);
    }

    /** This sharer with {@code key} (layer name, op type or family) at {@code bits} bits. */
    public WeightSharer withBits(String key, int bits) {
        return new WeightSharer(this.bits.with(key, checkBits(bits)), init, seed, maxIterations);
    }

    /** This sharer with rules such as "conv=8,fc=5,fc6=4" (a bare number sets the default) added on top. */
    public WeightSharer withBits(String rules) {
        LayerRules<Integer> parsed = LayerRules.parse(rules, s -> {
            try {
                return checkBits(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a bit count", e);
            }
        });
        return new WeightSharer(bits.withAll(parsed), init, seed, maxIterations);
    }

    public WeightSharer withInit(KMeansInit newInit) {
        return new WeightSharer(bits, newInit, seed, maxIterations);
    }

    public WeightSharer withSeed(long newSeed) {
        return new WeightSharer(bits, init, newSeed, maxIterations);
    }

    public WeightSharer withMaxIterations(int newMaxIterations) {
        return new WeightSharer(bits, init, seed, newMaxIterations);
    }

    public LayerRules<Integer> bits() {
        return bits;
    }

    public KMeansInit init() {
        return init;
    }

    private static int checkBits(int bits) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits per weight must lie in [1, 16], got " + bits);
        }
        return bits;
    }

    /**
     * Clusters every layer a rule reaches. Throws {@link IllegalArgumentException} when a rule names
     * no layer or a kept weight is NaN or infinite.
     */
    public SharingResult share(Model model) {
        List<WeightLayer> layers = WeightLayer.of(model.graph());
        bits.checkKeys(layers);
        List<WeightSharing> out = new ArrayList<>();
        for (WeightLayer layer : layers) {
            Optional<LayerRules.Resolved<Integer>> rule = bits.resolve(layer);
            if (rule.isEmpty()) {
                continue;
            }
            int layerBits = rule.get().value();
            float[] kept = keptWeights(layer.weight());
            Clustering clustering;
            try {
                clustering = KMeans1D.fit(kept, 1 << layerBits, init, layerSeed(layer.weightName()), maxIterations);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(layer.describe() + ": " + e.getMessage(), e);
            }
            float[] codebook = clustering.codebook();
            out.add(new WeightSharing(layer.name(), layer.weightName(), layerBits, codebook,
                    KMeans1D.assign(codebook, kept), clustering.iterations()));
        }
        return new SharingResult(out);
    }

    private long layerSeed(String weightName) {
        return seed ^ (weightName.hashCode() * 0x9E37_79B9_7F4A_7C15L);
    }

    /** The non-zero elements of an fp32 weight, in flat order. */
    static float[] keptWeights(Tensor weight) {
        MemorySegment data = weight.data();
        long size = weight.elementCount();
        long count = 0;
        for (long i = 0; i < size; i++) {
            if (data.getAtIndex(Tensor.FLOAT_LE, i) != 0f) {
                count++;
            }
        }
        float[] out = new float[Math.toIntExact(count)];
        int next = 0;
        for (long i = 0; i < size; i++) {
            float w = data.getAtIndex(Tensor.FLOAT_LE, i);
            if (w != 0f) {
                out[next++] = w;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "WeightSharer[bits " + bits + ", " + init + ", seed " + seed + ", " + maxIterations + " iterations]";
    }
}
