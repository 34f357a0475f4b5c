// How to train: epochs, batch size, SGD with momentum and weight decay, the learning-rate schedule, seed and augmentation.
package dev.condense.train;

/**
 * Settings of one training run. Stochastic gradient descent with momentum ({@code v = m v + g +
 * wd w; w -= lr v}, weight decay on weights of rank 2 and more only), the learning rate following
 * {@code schedule} over all steps after a linear warm-up of {@code warmupEpochs}. Shuffling and
 * augmentation draw from {@code seed}, so a run is repeatable up to PyTorch's own nondeterminism.
 *
 * @param epochs       passes over the training set, at least 1
 * @param batchSize    samples per step
 * @param learningRate peak learning rate
 * @param momentum     in [0, 1)
 * @param weightDecay  L2 penalty, >= 0
 * @param schedule     how the rate falls from its peak
 * @param warmupEpochs epochs of linear warm-up (may be fractional; 0 for none)
 * @param seed         shuffling, augmentation and dropout
 * @param cropPadding  random crop after padding each side by this many pixels (0: off)
 * @param flip         random horizontal flip
 * @param threads      PyTorch intra-op threads (0: one per core)
 * @param limit        use at most this many training samples (0: all), for quick runs
 */
public record TrainConfig(int epochs, int batchSize, double learningRate, double momentum, double weightDecay,
                          Schedule schedule, double warmupEpochs, long seed, int cropPadding, boolean flip, int threads,
                          int limit) {

    /** How the learning rate falls over a run. */
    public enum Schedule {
        /** Half a cosine from the peak to zero. */
        COSINE,
        /** Divided by 10 after half and after three quarters of the steps. */
        STEP,
        /** The peak throughout: fine-tuning. */
        CONSTANT
    }

    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be a positive number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must lie in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(warmupEpochs >= 0) || warmupEpochs > epochs) {
            throw new IllegalArgumentException("warm-up must lie in [0, epochs], got " + warmupEpochs);
        }
        if (cropPadding < 0 || cropPadding > 16) {
            throw new IllegalArgumentException("crop padding must lie in [0, 16], got " + cropPadding);
        }
        if (threads < 0 || limit < 0) {
            throw new IllegalArgumentException("threads and limit cannot be negative");
        }
        java.util.Objects.requireNonNull(schedule, "schedule");
    }

    /** From-scratch training: cosine schedule, lr 0.05, momentum 0.9, weight decay 5e-4, crop and flip. */
    public static TrainConfig defaults(int epochs) {
        return new TrainConfig(epochs, 128, 0.05, 0.9, 5e-4, Schedule.COSINE, Math.min(1, epochs / 10.0), 20161103L, 2,
                true, 0, 0);
    }

    /** Retraining after pruning or sharing: a smaller constant rate, no warm-up, no augmentation. */
    public static TrainConfig fineTune(int epochs) {
        return new TrainConfig(epochs, 128, 0.005, 0.9, 1e-4, Schedule.COSINE, 0, 20161103L, 0, false, 0, 0);
    }

    public TrainConfig withEpochs(int n) {
        return new TrainConfig(n, batchSize, learningRate, momentum, weightDecay, schedule, Math.min(warmupEpochs, n),
                seed, cropPadding, flip, threads, limit);
    }

    public TrainConfig withLearningRate(double lr) {
        return new TrainConfig(epochs, batchSize, lr, momentum, weightDecay, schedule, warmupEpochs, seed, cropPadding,
                flip, threads, limit);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(epochs, b, learningRate, momentum, weightDecay, schedule, warmupEpochs, seed, cropPadding,
                flip, threads, limit);
    }

    public TrainConfig withWeightDecay(double wd) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, wd, schedule, warmupEpochs, seed, cropPadding,
                flip, threads, limit);
    }

    public TrainConfig withSchedule(Schedule s) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, s, warmupEpochs, seed, cropPadding,
                flip, threads, limit);
    }

    public TrainConfig withWarmup(double w) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, schedule, w, seed, cropPadding,
                flip, threads, limit);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, schedule, warmupEpochs, s,
                cropPadding, flip, threads, limit);
    }

    public TrainConfig withAugmentation(int padding, boolean hflip) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, schedule, warmupEpochs, seed,
                padding, hflip, threads, limit);
    }

    public TrainConfig withThreads(int t) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, schedule, warmupEpochs, seed,
                cropPadding, flip, t, limit);
    }

    public TrainConfig withLimit(int n) {
        return new TrainConfig(epochs, batchSize, learningRate, momentum, weightDecay, schedule, warmupEpochs, seed,
                cropPadding, flip, threads, n);
    }

    /** The learning rate at {@code step} of {@code totalSteps}, {@code stepsPerEpoch} to an epoch. */
    public double learningRateAt(long step, long totalSteps, long stepsPerEpoch) {
        long warm = Math.round(warmupEpochs * stepsPerEpoch);
        if (step < warm) {
            return learningRate * (step + 1) / warm;
        }
        double t = totalSteps <= warm ? 1 : (double) (step - warm) / (totalSteps - warm);
        return switch (schedule) {
            case COSINE -> learningRate * 0.5 * (1 + Math.cos(Math.PI * t));
            case STEP -> learningRate * (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01);
            case CONSTANT -> learningRate;
        };
    }
}
