// The optimizer options `train` and `compress --retrain` share, turned into a TrainConfig.
package dev.condense.cli;

import dev.condense.train.TrainConfig;
import picocli.CommandLine.Option;

import java.util.Locale;

/** SGD settings on the command line; unset options keep the base configuration's values. */
final class TrainOptions {

    @Option(names = "--batch-size", paramLabel = "N", description = "samples per step (default: 128)")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "peak learning rate (default: 0.05 training, 0.005 retraining)")
    Double learningRate;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "L2 penalty on weights (default: 5e-4 training, 1e-4 retraining)")
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "S", description = "cosine, step or constant (default: cosine)")
    String schedule;

    @Option(names = "--seed", paramLabel = "S", description = "shuffling and augmentation seed")
    Long seed;

    @Option(names = "--augment", paramLabel = "on|off", description = "random crop (padding 2) and horizontal flip (default: on for training, off for retraining)")
    String augment;

    @Option(names = "--crop-padding", paramLabel = "P", description = "random crop after padding by P pixels (0: none); overrides --augment's 2")
    Integer cropPadding;

    @Option(names = "--flip", paramLabel = "on|off", description = "random horizontal flip; overrides --augment's")
    String flip;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch threads (default: one per core)")
    Integer threads;

    @Option(names = "--limit", paramLabel = "N", description = "train on the first N training images only (a quick run)")
    Integer limit;

    TrainConfig apply(TrainConfig base) throws UserException {
        TrainConfig c = base;
        try {
            if (batchSize != null) {
                c = c.withBatchSize(batchSize);
            }
            if (learningRate != null) {
                c = c.withLearningRate(learningRate);
            }
            if (weightDecay != null) {
                c = c.withWeightDecay(weightDecay);
            }
            if (schedule != null) {
                try {
                    c = c.withSchedule(TrainConfig.Schedule.valueOf(schedule.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new UserException("--schedule must be cosine, step or constant, got '" + schedule + "'");
                }
            }
            if (seed != null) {
                c = c.withSeed(seed);
            }
            if (augment != null) {
                boolean on = onOff("--augment", augment);
                c = c.withAugmentation(on ? 2 : 0, on);
            }
            if (cropPadding != null) {
                c = c.withAugmentation(cropPadding, c.flip());
            }
            if (flip != null) {
                c = c.withAugmentation(c.cropPadding(), onOff("--flip", flip));
            }
            if (threads != null) {
                c = c.withThreads(SessionArgs.threads(threads));
            }
            if (limit != null) {
                if (limit < 1) {
                    throw new UserException("--limit must be at least 1, got " + limit);
                }
                c = c.withLimit(limit);
            }
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        return c;
    }

    private static boolean onOff(String option, String value) throws UserException {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new UserException(option + " must be on or off, got '" + value + "'");
        };
    }
}
