// The measuring options `sweep` and `demo` share: which engines are timed, how many images, threads.
package dev.condense.cli;

import picocli.CommandLine.Option;

/** How a sweep measures each configuration, besides the engine that measures accuracy. */
final class SweepRunArgs {

    @Option(names = "--latency", paramLabel = "B,B|none", defaultValue = "vector,ort-cpu",
            description = "the engines timed at batch 1 (default: ${DEFAULT-VALUE})")
    String latency = "vector,ort-cpu";

    @Option(names = "--threads", paramLabel = "N", description = "threads for every engine and for retraining (default: one per core)")
    Integer threads;

    @Option(names = "--eval-limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer evalLimit;

    @Option(names = "--train-limit", paramLabel = "N", description = "retrain on the first N training images only")
    Integer trainLimit;
}
