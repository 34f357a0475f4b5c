// The training loop: seeded shuffled batches, augmentation, forward and backward on PyTorch, SGD with momentum, masks held at zero.
package dev.condense.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.condense.data.Batch;
import dev.condense.data.BatchOptions;
import dev.condense.data.Batches;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Scores;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Trains a {@link GraphModule} on a labelled dataset with softmax cross-entropy. Weights named in
 * {@code masks} are multiplied by their mask before the first step, their gradients and momentum
 * by it on every step, and themselves after every update, so a pruned weight stays exactly zero.
 * Tied weights ({@link GraphModule#tie}) train through their codebooks: the optimizer moves the
 * centroids by the gradients summed over each cluster, with no weight decay.
 */
public final class Trainer {

    /** What one epoch did. {@code testAccuracy} is present when a test set was given. */
    public record EpochReport(int epoch, int epochs, double loss, double trainAccuracy, OptionalDouble testAccuracy,
                              double seconds, double secondsLeft, double learningRate) {
    }

    /** Top-1 and top-5 accuracy over {@code images} samples, and the throughput of the pass. */
    public record Evaluation(double top1, double top5, int images, double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    /** Progress callbacks, on the training thread. */
    public interface Listener {
        /** After each step: the running mean loss of this epoch. */
        default void step(int epoch, int step, int steps, double meanLoss, double secondsLeft) {
        }

        default void epoch(EpochReport report) {
        }
    }

    /** Evaluation batch size: inference holds no activations for backward, so it can be large. */
    private static final int EVAL_BATCH = 500;

    private Trainer() {
    }

    /**
     * Trains {@code module} on {@code train} as {@code config} says and evaluates on {@code test}
     * (may be null) after each epoch.
     *
     * @param masks weight name to a 0/1 mask of the weight's size (flat order); may be empty
     */
    public static List<EpochReport> fit(GraphModule module, Dataset train, Dataset test, TrainConfig config,
                                        Map<String, float[]> masks, Listener listener)
            throws TrainingException, DatasetException {
        Engine engine = PyTorchEngine.get(config.threads());
        PyTorchEngine.seed(config.seed());
        Dataset data = config.limit() > 0 ? train.take(config.limit()) : train;
        int classes = data.classNames().size();
        long stepsPerEpoch = data.size() / config.batchSize();
        if (stepsPerEpoch == 0) {
            throw new TrainingException("the training set has " + data.size() + " samples, fewer than one batch of "
                    + config.batchSize());
        }
        long totalSteps = Math.multiplyExact(stepsPerEpoch, config.epochs());
        List<EpochReport> reports = new ArrayList<>();
        try (NDManager state = module.newSubManager()) {
            Map<String, NDArray> params = module.parameters();
            Map<String, NDArray> codebooks = module.codebooks();
            Map<String, NDArray> maskArrays = new HashMap<>();
            for (Map.Entry<String, float[]> e : masks.entrySet()) {
                NDArray w = module.parameter(e.getKey());
                if (e.getValue().length != w.size()) {
                    throw new TrainingException("the mask of '" + e.getKey() + "' has " + e.getValue().length
                            + " entries, the weight " + w.size());
                }
                NDArray m = state.create(e.getValue(), w.getShape());
                maskArrays.put(e.getKey(), m);
                w.muli(m);
            }
            Map<String, NDArray> velocity = new LinkedHashMap<>();
            params.forEach((k, v) -> velocity.put(k, state.zeros(v.getShape())));
            Map<String, NDArray> codebookVelocity = new LinkedHashMap<>();
            codebooks.forEach((k, v) -> codebookVelocity.put(k, state.zeros(v.getShape())));

            SplittableRandom random = new SplittableRandom(config.seed());
            long step = 0;
            long start = System.nanoTime();
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                Batches batches = data.batches(BatchOptions.of(config.batchSize()).shuffled(config.seed() + epoch)
                        .droppingLast());
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                int s = 0;
                double lr = 0;
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    lr = config.learningRateAt(step, totalSteps, stepsPerEpoch);
                    float[] x = augment(batch, data, config, random);
                    try (NDManager stepManager = state.newSubManager()) {
                        NDArray input = stepManager.create(x, new Shape(batch.shape()));
                        NDArray oneHot = stepManager.create(oneHot(batch.labels(), classes),
                                new Shape(batch.size(), classes));
                        NDArray logits;
                        NDArray loss;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            logits = module.forward(input, true);
                            if (!logits.getShape().equals(oneHot.getShape())) {
                                throw new TrainingException("the model gives " + logits.getShape() + " for a batch of "
                                        + batch.size() + "; training on " + classes + " classes needs "
                                        + oneHot.getShape());
                            }
                            loss = logits.logSoftmax(1).mul(oneHot).sum().neg().div(batch.size());
                            gc.backward(loss);
                        }
                        float l = loss.getFloat();
                        if (!Float.isFinite(l)) {
                            throw new TrainingException("the loss became " + l + " at epoch " + epoch + ", step " + (s + 1)
                                    + " (learning rate " + lr + "); lower the learning rate");
                        }
                        lossSum += l * batch.size();
                        correct += countCorrect(logits.argMax(1).toLongArray(), batch.labels());
                        seen += batch.size();
                        update(params, velocity, maskArrays, module, config, (float) lr);
                        updateCodebooks(codebooks, codebookVelocity, config, (float) lr);
                    }
                    step++;
                    s++;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double left = elapsed / step * (totalSteps - step);
                    if (listener != null) {
                        listener.step(epoch, s, (int) stepsPerEpoch, lossSum / seen, left);
                    }
                }
                OptionalDouble testAccuracy = test == null ? OptionalDouble.empty()
                        : OptionalDouble.of(evaluate(module, test).top1());
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                double elapsed = (System.nanoTime() - start) / 1e9;
                EpochReport r = new EpochReport(epoch, config.epochs(), lossSum / seen, (double) correct / seen,
                        testAccuracy, seconds, elapsed / epoch * (config.epochs() - epoch), lr);
                reports.add(r);
                if (listener != null) {
                    listener.epoch(r);
                }
            }
        }
        return reports;
    }

    /** Top-1 and top-5 accuracy of {@code module} in inference mode. */
    public static Evaluation evaluate(GraphModule module, Dataset data) throws TrainingException, DatasetException {
        Engine engine = PyTorchEngine.get(0);
        long start = System.nanoTime();
        long top1 = 0;
        long top5 = 0;
        int classes = data.classNames().size();
        try (NDManager manager = engine.newBaseManager()) {
            Batches batches = data.batches(EVAL_BATCH);
            while (batches.hasNext()) {
                Batch batch = batches.next();
                try (NDManager stepManager = manager.newSubManager()) {
                    NDArray logits = module.forward(stepManager.create(batch.data(), new Shape(batch.shape())), false);
                    float[] l = logits.toFloatArray();
                    int width = l.length / batch.size();
                    for (int i = 0; i < batch.size(); i++) {
                        int rank = Scores.rankOf(l, i * width, width, batch.labels()[i]);
                        top1 += rank == 0 ? 1 : 0;
                        top5 += rank < Math.min(5, classes) ? 1 : 0;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Evaluation((double) top1 / data.size(), (double) top5 / data.size(), data.size(), seconds);
    }

    // v = m v + g + wd w; w -= lr v; masked weights: g, v and w times the mask
    private static void update(Map<String, NDArray> params, Map<String, NDArray> velocity, Map<String, NDArray> masks,
                               GraphModule module, TrainConfig config, float lr) {
        float momentum = (float) config.momentum();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray v = velocity.get(e.getKey());
            NDArray mask = masks.get(e.getKey());
            try (NDArray g = w.getGradient()) {
                v.muli(momentum).addi(g);
                if (config.weightDecay() > 0 && module.isWeight(e.getKey())) {
                    try (NDArray decay = w.mul((float) config.weightDecay())) {
                        v.addi(decay);
                    }
                }
                if (mask != null) {
                    v.muli(mask);
                }
                try (NDArray delta = v.mul(lr)) {
                    w.subi(delta);
                }
                if (mask != null) {
                    w.muli(mask);
                }
                g.subi(g);
            }
        }
    }

    private static void updateCodebooks(Map<String, NDArray> codebooks, Map<String, NDArray> velocity,
                                        TrainConfig config, float lr) {
        float momentum = (float) config.momentum();
        for (Map.Entry<String, NDArray> e : codebooks.entrySet()) {
            NDArray c = e.getValue();
            NDArray v = velocity.get(e.getKey());
            try (NDArray g = c.getGradient()) {
                v.muli(momentum).addi(g);
                try (NDArray delta = v.mul(lr)) {
                    c.subi(delta);
                }
                g.subi(g);
            }
        }
    }

    private static long countCorrect(long[] predicted, int[] labels) {
        long n = 0;
        for (int i = 0; i < labels.length; i++) {
            n += predicted[i] == labels[i] ? 1 : 0;
        }
        return n;
    }

    private static float[] oneHot(int[] labels, int classes) {
        float[] out = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            out[i * classes + labels[i]] = 1f;
        }
        return out;
    }

    /**
     * The batch with each image shifted by up to {@code cropPadding} pixels each way (a random crop
     * of the image padded with black) and mirrored left to right with probability 1/2.
     */
    static float[] augment(Batch batch, Dataset data, TrainConfig config, SplittableRandom random) {
        if (config.cropPadding() == 0 && !config.flip()) {
            return batch.data();
        }
        int[] shape = data.sampleShape();
        int channels = shape[0];
        int h = shape[1];
        int w = shape[2];
        float[] src = batch.data();
        float[] out = new float[src.length];
        int pad = config.cropPadding();
        for (int i = 0; i < batch.size(); i++) {
            int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
            int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
            boolean mirror = config.flip() && random.nextBoolean();
            for (int c = 0; c < channels; c++) {
                float black = data.normalization().apply(Math.min(c, data.normalization().channels() - 1), 0f);
                int base = (i * channels + c) * h * w;
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    for (int x = 0; x < w; x++) {
                        int sx = (mirror ? w - 1 - x : x) + dx;
                        out[base + y * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? black : src[base + sy * w + sx];
                    }
                }
            }
        }
        return out;
    }
}
