// Deep Compression's two retraining steps: pruned weights fine-tuned with their masks held, shared weights fine-tuned through their centroids.
package dev.condense.train;

import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.prune.Mask;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.CentroidIndices;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.quantize.sharing.WeightSharing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retraining as Han, Mao and Dally describe it. After pruning, the surviving weights train on
 * with every pruned one held at exactly zero. After weight sharing, the centroids train: the
 * gradient of each shared weight is summed per centroid and the centroid moves, while which
 * centroid each weight uses does not change.
 *
 * <p>Both keep the invariant the DCZ encoder relies on: a weight is kept exactly when it is
 * non-zero. A kept weight or a centroid that training lands on exactly 0.0f is moved to the
 * smallest normal float of its sign.
 */
public final class Retrainer {

    private Retrainer() {
    }

    /** The outcome of a retraining step: the model after it, and what each epoch did. */
    public record Retrained<T>(T result, Model model, List<Trainer.EpochReport> epochs) {
    }

    /**
     * Retrains {@code pruned} (the model with {@code pruning} applied) with the masks held.
     *
     * @return the retrained model, pruned positions exactly zero
     */
    public static Retrained<Model> retrainPruned(Model pruned, PruneResult pruning, Dataset train, Dataset test,
                                                 TrainConfig config, Trainer.Listener listener)
            throws TrainingException, DatasetException {
        try (GraphModule module = GraphModule.of(pruned)) {
            Map<String, float[]> masks = new LinkedHashMap<>();
            for (Map.Entry<String, Mask> e : pruning.masks().entrySet()) {
                Mask m = e.getValue();
                float[] f = new float[Math.toIntExact(m.size())];
                for (int p = 0; p < f.length; p++) {
                    f[p] = m.isKept(p) ? 1f : 0f;
                }
                masks.put(e.getKey(), f);
            }
            List<Trainer.EpochReport> epochs = Trainer.fit(module, train, test, config, masks, listener);
            Model out = module.toModel();
            Map<String, Tensor> inits = new LinkedHashMap<>(out.graph().initializers());
            for (Map.Entry<String, Mask> e : pruning.masks().entrySet()) {
                Tensor w = inits.get(e.getKey());
                float[] v = w.toFloatArray();
                Mask m = e.getValue();
                boolean changed = false;
                for (int p = 0; p < v.length; p++) {
                    boolean kept = m.isKept(p);
                    if (kept && v[p] == 0f) {
                        v[p] = Float.MIN_NORMAL;
                        changed = true;
                    } else if (!kept && v[p] != 0f) {
                        throw new IllegalStateException("pruned position " + p + " of '" + e.getKey() + "' became "
                                + v[p] + " in retraining");
                    }
                }
                if (changed) {
                    inits.put(e.getKey(), Tensor.ofFloats(w.name(), w.dims(), v));
                }
            }
            Model result = out.withGraph(out.graph().withInitializers(inits));
            return new Retrained<>(result, result, epochs);
        }
    }

    /**
     * Fine-tunes the codebooks of {@code sharing}, computed on {@code pruned} (whose non-zero
     * weights, in flat order, are the ones each layer's indices address).
     *
     * @return the sharing with tuned codebooks (each sorted again, the indices relabelled with it
     *         so every weight keeps its cluster), and the model with it applied
     */
    public static Retrained<SharingResult> fineTuneCentroids(Model pruned, SharingResult sharing, Dataset train,
                                                             Dataset test, TrainConfig config, Trainer.Listener listener)
            throws TrainingException, DatasetException {
        try (GraphModule module = GraphModule.of(pruned)) {
            for (WeightSharing s : sharing.layers()) {
                Tensor w = module.model().graph().initializers().get(s.weightName());
                if (w == null) {
                    throw new TrainingException("the model has no weight '" + s.weightName() + "' for shared layer '"
                            + s.layer() + "'");
                }
                float[] v = w.toFloatArray();
                int[] index = new int[v.length];
                int next = 0;
                for (int p = 0; p < v.length; p++) {
                    if (v[p] != 0f) {
                        if (next == s.keptWeights()) {
                            throw new TrainingException(mismatch(s, v));
                        }
                        index[p] = s.indices().get(next++);
                    } else {
                        index[p] = -1;
                    }
                }
                if (next != s.keptWeights()) {
                    throw new TrainingException(mismatch(s, v));
                }
                module.tie(s.weightName(), s.codebook(), index);
            }
            List<Trainer.EpochReport> epochs = Trainer.fit(module, train, test, config, Map.of(), listener);
            List<WeightSharing> tuned = new ArrayList<>();
            for (WeightSharing s : sharing.layers()) {
                tuned.add(resorted(s, module.codebook(s.weightName())));
            }
            SharingResult result = new SharingResult(tuned);
            return new Retrained<>(result, result.apply(pruned), epochs);
        }
    }

    /** {@code s} with {@code codebook} in place of its own: sorted, no centroid exactly 0, indices relabelled. */
    static WeightSharing resorted(WeightSharing s, float[] codebook) {
        int k = codebook.length;
        Integer[] order = new Integer[k];
        for (int j = 0; j < k; j++) {
            order[j] = j;
            if (codebook[j] == 0f) {
                codebook[j] = Math.copySign(Float.MIN_NORMAL, s.codebook()[j]);
            }
        }
        Arrays.sort(order, (a, b) -> Float.compare(codebook[a], codebook[b]));
        int[] newLabel = new int[k];
        float[] sorted = new float[k];
        for (int j = 0; j < k; j++) {
            newLabel[order[j]] = j;
            sorted[j] = codebook[order[j]];
        }
        int[] indices = s.indices().toIntArray();
        for (int i = 0; i < indices.length; i++) {
            indices[i] = newLabel[indices[i]];
        }
        return new WeightSharing(s.layer(), s.weightName(), s.bits(), sorted, CentroidIndices.of(k, indices),
                s.iterations());
    }

    private static String mismatch(WeightSharing s, float[] v) {
        long nonZero = 0;
        for (float x : v) {
            nonZero += x != 0f ? 1 : 0;
        }
        return "weight '" + s.weightName() + "' has " + nonZero + " non-zero elements; its sharing addresses "
                + s.keptWeights();
    }
}
