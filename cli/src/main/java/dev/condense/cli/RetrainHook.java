// compress --retrain: the pipeline's retraining steps run on the trainer, with every stage's accuracy measured on the runtime.
package dev.condense.cli;

import dev.condense.compress.pipeline.Retraining;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import dev.condense.train.Retrainer;
import dev.condense.train.TrainConfig;
import dev.condense.train.TrainingException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Retrains with {@link Retrainer} on {@code train} and measures each stage's top-1 and top-5 on
 * {@code test} through a runtime session, printing a line per stage as it goes.
 */
final class RetrainHook implements Retraining {

    /** A stage's accuracy. */
    record StageAccuracy(String stage, double top1, double top5) {
    }

    private final Dataset train;
    private final Dataset test;
    private final TrainConfig pruneConfig;
    private final TrainConfig shareConfig;
    private final SessionOptions evalOptions;
    private final PrintWriter out;
    private final Progress progress;
    private final List<StageAccuracy> stages = new ArrayList<>();

    RetrainHook(Dataset train, Dataset test, TrainConfig pruneConfig, TrainConfig shareConfig, SessionOptions evalOptions,
                PrintWriter out) {
        this.train = train;
        this.test = test;
        this.pruneConfig = pruneConfig;
        this.shareConfig = shareConfig;
        this.evalOptions = evalOptions;
        this.out = out;
        this.progress = Progress.forStdout(out);
    }

    List<StageAccuracy> stages() {
        return List.copyOf(stages);
    }

    @Override
    public void stage(String stage, Model model) throws RetrainingException {
        record(stage, model);
    }

    /** Records a stage measured before (the same model seen by an earlier run), printing it as if measured. */
    void known(StageAccuracy s) {
        stages.add(s);
        print(s);
    }

    private void print(StageAccuracy s) {
        double drop = stages.getFirst().top1() - s.top1();
        out.printf(Locale.ROOT, "stage %-18s top-1 %6.2f%%  top-5 %6.2f%%  (%+.2f points against dense)%n", s.stage(),
                100 * s.top1(), 100 * s.top5(), -100 * drop);
        out.flush();
    }

    /** Measures and records {@code model} as {@code stage}. */
    StageAccuracy record(String stage, Model model) throws RetrainingException {
        try {
            Accuracy a = Accuracy.of(model, test, evalOptions, Accuracy.DEFAULT_BATCH);
            StageAccuracy s = new StageAccuracy(stage, a.top1(), a.top5());
            stages.add(s);
            print(s);
            return s;
        } catch (ModelLoadException | SessionException | DatasetException | UserException e) {
            throw new RetrainingException("evaluating the model after stage '" + stage + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Model retrainPruned(Model pruned, PruneResult pruning, int iteration, int iterations)
            throws RetrainingException {
        try {
            return Retrainer.retrainPruned(pruned, pruning, train, null, pruneConfig,
                    TrainCommand.listener(progress, "retrain " + iteration + "/" + iterations + ", epoch")).model();
        } catch (TrainingException | DatasetException e) {
            throw new RetrainingException("retraining after pruning failed: " + e.getMessage(), e);
        }
    }

    /** With no centroid epochs ({@code shareConfig} null) k-means' codebooks stay as they are. */
    @Override
    public SharingResult tuneCentroids(Model pruned, SharingResult sharing) throws RetrainingException {
        if (shareConfig == null) {
            return sharing;
        }
        try {
            return Retrainer.fineTuneCentroids(pruned, sharing, train, null, shareConfig,
                    TrainCommand.listener(progress, "centroids, epoch")).result();
        } catch (TrainingException | DatasetException e) {
            throw new RetrainingException("fine-tuning the centroids failed: " + e.getMessage(), e);
        }
    }
}
