// What the pipeline calls between its stages when it retrains: the trainer behind it lives in module train, wired in by the caller.
package dev.condense.compress.pipeline;

import dev.condense.ir.Model;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;

/**
 * Retraining between Deep Compression's stages. The pipeline prunes (in {@code iterations}
 * steps), hands each pruned model to {@link #retrainPruned}, shares the weights of the last one
 * and hands the sharing to {@link #tuneCentroids}; {@link #stage} sees the model after every step,
 * so an implementation can measure what each one costs in accuracy.
 */
public interface Retraining {

    /**
     * The model after a stage: "dense" (simplified, before anything), "pruned i/K",
     * "retrained i/K", "shared", "centroids tuned".
     */
    void stage(String stage, Model model) throws RetrainingException;

    /** Retrains {@code pruned} with the masks of {@code pruning} held; pruned weights must stay zero. */
    Model retrainPruned(Model pruned, PruneResult pruning, int iteration, int iterations) throws RetrainingException;

    /** Fine-tunes the codebooks of {@code sharing} (computed on {@code pruned}); indices must not change. Returning {@code sharing} itself means no tuning. */
    SharingResult tuneCentroids(Model pruned, SharingResult sharing) throws RetrainingException;

    /** A failure of the trainer or its data, its message for the user. */
    final class RetrainingException extends Exception {
        public RetrainingException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
