// `condense bench`: time backends side by side in one process on the same input, after checking they agree.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.VectorEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench",
        description = {"Time backends side by side on one model, after checking that their outputs agree.",
                "Reports latency (median, p90, mean, min), images per second and each backend's median against"
                        + " ort-cpu's. Every backend gets the same seeded random input; when outputs disagree the"
                        + " command fails after printing the timings, since a fast wrong engine is no result."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense bench resnet50.onnx --backend vector,ort-cpu --threads 4",
                "  condense bench mobilenet.onnx --batch 8 --warmup 5 --iterations 50 --json"})
final class BenchCommand implements Callable<Integer> {

    /** Outputs agree when max |a - b| <= RELATIVE_TOLERANCE * max |reference| + ABSOLUTE_TOLERANCE. */
    static final double RELATIVE_TOLERANCE = 1e-3;
    /**
     * For a quantized model (QuantizeLinear, QLinearConv, ... in its graph): engines that both compute
     * in int8 may round a requantization differently, one quantization step, and such steps add up
     * over a deep network; 5 % of max |output| still catches a wrong kernel.
     */
    static final double QUANTIZED_RELATIVE_TOLERANCE = 0.05;
    private static final java.util.Set<String> QUANTIZED_OPS = java.util.Set.of("QuantizeLinear", "DequantizeLinear",
            "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger");
    static final double ABSOLUTE_TOLERANCE = 1e-4;
    /** Timed runs in a row on one backend before the next backend's turn. */
    static final int MAX_BLOCK = 5;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model to time: ONNX, or a .dcz container (decoded on load)")
    Path modelFile;

    @Option(names = {"-b", "--backend"}, paramLabel = "B,B..", defaultValue = "vector,ort-cpu",
            description = "backends to compare, in report order (default: ${DEFAULT-VALUE})")
    String backends;

    @Option(names = "--threads", paramLabel = "N", description = "threads per run, every backend alike (default: every core)")
    Integer threads;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "images per run (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "10", description = "untimed runs per backend first (default: ${DEFAULT-VALUE}); unless 0, the vector engine then runs on until its JIT compiler has been idle for a block of runs, at most 20 s")
    int warmup;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "20", description = "timed runs per backend (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "seed of the random input (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--profile", description = "after timing, show where the vector engine's time goes: per op and the slowest nodes")
    boolean profile;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--baseline", paramLabel = "MODEL",
            description = "a second model (e.g. the fp32 original of an int8 MODEL) timed on the same backends in the"
                    + " same turns; reports MODEL's median over the baseline's per backend and the SQNR of MODEL's"
                    + " outputs against the baseline's")
    Path baselineFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Latency of the timed runs, in milliseconds. */
    record Latency(double median, double p90, double mean, double min) {

        /** Median of an even count is the mean of the middle two; p90 is the nearest rank (ceil(0.9 n)). */
        static Latency of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
            double p90 = s[(int) Math.ceil(0.9 * n) - 1];
            double mean = Arrays.stream(s).asDoubleStream().sum() / n;
            return new Latency(median / 1e6, p90 / 1e6, mean / 1e6, s[0] / 1e6);
        }
    }

    /** How far one backend's outputs lie from the reference's, over every output. */
    record Agreement(double maxAbsDiff, double maxAbsReference, double relativeTolerance, String problem) {

        double relative() {
            return maxAbsReference > 0 ? maxAbsDiff / maxAbsReference : maxAbsDiff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }

        boolean agrees() {
            return problem == null && maxAbsDiff <= relativeTolerance * maxAbsReference + ABSOLUTE_TOLERANCE;
        }

        static Agreement of(Map<String, Tensor> reference, Map<String, Tensor> other, double relativeTolerance) {
            double diff = 0;
            double ref = 0;
            for (Map.Entry<String, Tensor> e : reference.entrySet()) {
                Tensor a = e.getValue();
                Tensor b = other.get(e.getKey());
                if (b == null) {
                    return new Agreement(Double.NaN, Double.NaN, relativeTolerance, "output '" + e.getKey() + "' is missing");
                }
                if (!Arrays.equals(a.dims(), b.dims())) {
                    return new Agreement(Double.NaN, Double.NaN, relativeTolerance, "output '" + e.getKey() + "' is " + Feeds.typeOf(b)
                            + ", not " + Feeds.typeOf(a));
                }
                for (long i = 0; i < a.elementCount(); i++) {
                    double x = a.getDouble(i);
                    double y = b.getDouble(i);
                    if (Double.isFinite(x)) {
                        ref = Math.max(ref, Math.abs(x));
                    }
                    if (Double.compare(x, y) == 0) {
                        continue; // equal, infinities and NaNs included
                    }
                    double d = Math.abs(x - y);
                    if (!Double.isFinite(d)) {
                        // NaN or infinity on one side only: max() alone would let a NaN slip through.
                        return new Agreement(Double.POSITIVE_INFINITY, ref, relativeTolerance, "output '" + e.getKey() + "' element " + i
                                + " is " + y + ", reference " + x);
                    }
                    diff = Math.max(diff, d);
                }
            }
            return new Agreement(diff, ref, relativeTolerance, null);
        }
    }

    @Override
    public Integer call() throws UserException, ModelLoadException, SessionException, IOException, FormatException {
        List<Backend> chosen = SessionArgs.backends("--backend", backends);
        int threadCount = SessionArgs.threads(threads);
        if (batch < 1 || warmup < 0 || iterations < 1) {
            throw new UserException("--batch and --iterations must be at least 1 and --warmup at least 0; got batch "
                    + batch + ", warmup " + warmup + ", iterations " + iterations);
        }
        Model model = ModelFiles.read(modelFile);
        boolean quantized = model.graph().nodes().stream().anyMatch(n -> QUANTIZED_OPS.contains(n.opType()));
        double tolerance = quantized ? QUANTIZED_RELATIVE_TOLERANCE : RELATIVE_TOLERANCE;
        Model baseline = baselineFile == null ? null : ModelFiles.read(baselineFile);
        List<Session> sessions = new ArrayList<>();
        List<Session> baselines = new ArrayList<>();
        try {
            double[] openMs = new double[chosen.size()];
            for (int b = 0; b < chosen.size(); b++) {
                long t0 = System.nanoTime();
                sessions.add(Session.open(model, SessionArgs.options(chosen.get(b), threadCount, null)
                        .withBatchSize(batch)));
                openMs[b] = (System.nanoTime() - t0) / 1e6;
                if (baseline != null) {
                    baselines.add(Session.open(baseline, SessionArgs.options(chosen.get(b), threadCount, null)
                            .withBatchSize(batch)));
                }
            }
            List<Feeds.Feed> feeds = Feeds.random(sessions.getFirst().inputs(), batch, seed);
            Map<String, Tensor> input = Feeds.asMap(feeds);

            int reference = Math.max(0, chosen.indexOf(Backend.ORT_CPU));
            List<Map<String, Tensor>> outputs = new ArrayList<>();
            for (Session s : sessions) {
                try (Result r = RunCommand.run(s, input)) {
                    outputs.add(r.asMap());
                }
            }
            Agreement[] agreement = new Agreement[chosen.size()];
            for (int b = 0; b < chosen.size(); b++) {
                agreement[b] = b == reference ? null : Agreement.of(outputs.get(reference), outputs.get(b), tolerance);
            }
            double[] sqnr = new double[baselines.size()];
            for (int b = 0; b < baselines.size(); b++) {
                try (Result r = RunCommand.run(baselines.get(b), input)) {
                    sqnr[b] = sqnrDb(r.asMap(), outputs.get(b));
                }
            }
            outputs.clear();

            List<Session> timed = new ArrayList<>(sessions);
            timed.addAll(baselines);
            int[] warmed = new int[timed.size()];
            for (int b = 0; b < timed.size(); b++) {
                Session s = timed.get(b);
                for (int i = 0; i < warmup; i++) {
                    s.run(input).close();
                }
                // --warmup 0 asks for cold runs: no warming at all.
                warmed[b] = warmup + (s.backend() == Backend.VECTOR && warmup > 0 ? untilCompiled(s, input) : 0);
            }
            long[][] nanos = time(timed, input);

            Latency[] latency = new Latency[chosen.size()];
            for (int b = 0; b < chosen.size(); b++) {
                latency[b] = Latency.of(nanos[b]);
            }
            report(chosen, sessions, threadCount, feeds, reference, agreement, latency, openMs, warmed);
            if (!baselines.isEmpty()) {
                reportBaseline(chosen, nanos, latency, sqnr);
            }
            if (profile && !json) {
                for (Session s : sessions) {
                    if (s.backend() == Backend.VECTOR) {
                        printProfile(s, input);
                    }
                }
            }

            List<String> wrong = new ArrayList<>();
            for (int b = 0; b < chosen.size(); b++) {
                if (agreement[b] != null && !agreement[b].agrees()) {
                    wrong.add(chosen.get(b) + " (" + describe(agreement[b]) + ")");
                }
            }
            if (!wrong.isEmpty()) {
                throw new UserException("outputs differ from " + chosen.get(reference) + "'s beyond "
                        + tolerance + " of max |output| + " + ABSOLUTE_TOLERANCE + ": " + String.join(", ", wrong)
                        + "; the timings above measure a wrong result");
            }
        } finally {
            sessions.forEach(Session::close);
            baselines.forEach(Session::close);
        }
        return 0;
    }

    /** 10·log10(Σ a² / Σ (a − b)²) over every output both have, in dB; +∞ when they are equal. */
    static double sqnrDb(Map<String, Tensor> reference, Map<String, Tensor> other) {
        double signal = 0;
        double noise = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor b = other.get(e.getKey());
            if (b == null || b.elementCount() != e.getValue().elementCount()) {
                return Double.NaN;
            }
            for (long i = 0; i < b.elementCount(); i++) {
                double x = e.getValue().getDouble(i);
                double d = x - b.getDouble(i);
                signal += x * x;
                noise += d * d;
            }
        }
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }

    private void reportBaseline(List<Backend> chosen, long[][] nanos, Latency[] latency, double[] sqnr) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int b = 0; b < chosen.size(); b++) {
                Latency base = Latency.of(nanos[chosen.size() + b]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("backend", chosen.get(b).id());
                row.put("baseline", baselineFile.toString());
                row.put("baseline_median_ms", base.median());
                row.put("median_ms", latency[b].median());
                row.put("ratio_to_baseline", latency[b].median() / base.median());
                row.put("sqnr_db", finite(sqnr[b]));
                rows.add(row);
            }
            out.println(RunCommand.toJson(Map.of("baseline", rows)));
            return;
        }
        out.printf("%-9s %14s %14s %12s %10s%n", "backend", "model ms", "baseline ms", "vs baseline", "SQNR dB");
        for (int b = 0; b < chosen.size(); b++) {
            Latency base = Latency.of(nanos[chosen.size() + b]);
            out.printf(Locale.ROOT, "%-9s %14.2f %14.2f %11.2fx %10.1f%n", chosen.get(b), latency[b].median(),
                    base.median(), latency[b].median() / base.median(), sqnr[b]);
        }
        out.printf("baseline %s, same input, same turns; medians%n", baselineFile);
    }

    /**
     * Backends take turns in blocks of a few runs rather than one after another in full. Machine
     * noise drifts over seconds (frequency scaling, other processes, the JIT finishing a method),
     * and turns spread it over every backend alike instead of charging one backend's whole series
     * with it. Blocks of several runs rather than strict ABAB because a switch costs the next run
     * its cache contents (the other engine's weights and buffers) and briefly shares the cores with
     * ONNX Runtime's workers spinning down; a block keeps most timed runs in the steady state one
     * engine serving alone would see, and the median discounts the first run of each block.
     */
    /** Long enough for ONNX Runtime's spin-wait to end (it spins for well under a millisecond by default; 20 ms is ample). */
    static final long SETTLE_MS = 20;

    private long[][] time(List<Session> sessions, Map<String, Tensor> input) throws SessionException {
        int block = Math.max(1, Math.min(MAX_BLOCK, iterations / 4));
        long[][] nanos = new long[sessions.size()][iterations];
        for (int done = 0; done < iterations; done += block) {
            int runs = Math.min(block, iterations - done);
            for (int b = 0; b < sessions.size(); b++) {
                Session s = sessions.get(b);
                settle();
                // One untimed run first: the other engine's turn has just filled the caches with
                // its own weights and activations, and neither engine should be timed on that.
                s.run(input).close();
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    try (Result r = s.run(input)) {
                        nanos[b][done + i] = System.nanoTime() - t0;
                    }
                }
            }
        }
        return nanos;
    }

    /** The longest the vector engine keeps warming after the requested runs. */
    private static final long JIT_WARMUP_LIMIT_NANOS = 20_000_000_000L;

    /**
     * Runs the vector engine on until the JIT compiler has been idle for a whole block of runs (at
     * most {@link #JIT_WARMUP_LIMIT_NANOS}), and returns how many runs that took. Its kernels are
     * compiled by C2 in the background over the first seconds; on a 2-core machine the compiler
     * thread takes a core from the timed runs, and the runs it has not reached yet are slower, so
     * timing earlier measures the compiler rather than the engine.
     */
    static int untilCompiled(Session s, Map<String, Tensor> input) throws SessionException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long start = System.nanoTime();
        int runs = 0;
        while (System.nanoTime() - start < JIT_WARMUP_LIMIT_NANOS) {
            long before = jit.getTotalCompilationTime();
            long blockStart = System.nanoTime();
            // A block of at least 10 runs and a quarter of a second.
            for (int i = 0; i < 10 || System.nanoTime() - blockStart < 250_000_000L; i++) {
                s.run(input).close();
                runs++;
            }
            if (jit.getTotalCompilationTime() == before) {
                break;
            }
        }
        return runs;
    }

    /** Where the vector engine's time goes: milliseconds per op type and the slowest nodes. */
    private void printProfile(Session session, Map<String, Tensor> input) throws SessionException {
        var times = session.profile(input, Math.max(3, Math.min(iterations, 10)));
        Map<String, String> opOf = new java.util.HashMap<>();
        session.model().graph().nodes().forEach(n -> opOf.put(n.name(), n.opType()));
        Map<String, Double> byOp = new java.util.LinkedHashMap<>();
        double total = 0;
        for (var t : times) {
            byOp.merge(opOf.getOrDefault(t.node(), "?"), t.millis(), Double::sum);
            total += t.millis();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%nvector profile: %.2f ms in %d kernels (fused nodes count with the kernel they joined)%n",
                total, times.size());
        double sum = total;
        byOp.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.printf(Locale.ROOT, "  %-22s %8.2f ms  %5.1f %%%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / sum));
        out.println("slowest nodes:");
        times.stream().sorted(java.util.Comparator.comparingDouble(VectorEngine.KernelTime::millis).reversed())
                .limit(10).forEach(t -> out.printf(Locale.ROOT, "  %-40s %-12s %7.2f ms%n", t.node(),
                        opOf.getOrDefault(t.node(), "?"), t.millis()));
    }

    /**
     * A pause before each block: ONNX Runtime's workers spin for a while after a run, and on a
     * machine with as many cores as threads they would take the next block's cores from whichever
     * engine runs next. Both engines start every block on idle cores.
     */
    private static void settle() {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Agreement a) {
        if (a.problem() != null) {
            return a.problem();
        }
        return "max |diff| " + significant(a.maxAbsDiff(), 3) + ", " + significant(a.relative(), 3)
                + " of max |output| " + significant(a.maxAbsReference(), 4);
    }

    /** {@code digits} significant digits, and a plain 0 for zero (which %g would print as 0.00). */
    private static String significant(double v, int digits) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%." + digits + "g", v);
    }

    private void report(List<Backend> chosen, List<Session> sessions, int threadCount, List<Feeds.Feed> feeds,
                        int reference, Agreement[] agreement, Latency[] latency, double[] openMs, int[] warmed) {
        PrintWriter out = spec.commandLine().getOut();
        boolean ortCpuRan = chosen.contains(Backend.ORT_CPU);
        String ratioKey = ortCpuRan ? "ratio_to_ort_cpu" : "ratio_to_first";
        int block = Math.max(1, Math.min(MAX_BLOCK, iterations / 4));
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", modelFile.toString());
            j.put("threads", threadCount);
            j.put("batch", batch);
            j.put("warmup", warmup);
            j.put("iterations", iterations);
            j.put("block", block);
            Map<String, Object> inputs = new LinkedHashMap<>();
            feeds.forEach(f -> inputs.put(f.name(), f.tensor().dims()));
            j.put("inputs", inputs);
            j.put("reference", chosen.get(reference).id());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int b = 0; b < chosen.size(); b++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("backend", chosen.get(b).id());
                row.put("description", sessions.get(b).describe());
                row.put("open_ms", openMs[b]);
                row.put("warmup_runs", warmed[b]);
                row.put("median_ms", latency[b].median());
                row.put("p90_ms", latency[b].p90());
                row.put("mean_ms", latency[b].mean());
                row.put("min_ms", latency[b].min());
                row.put("throughput", batch / (latency[b].mean() / 1e3));
                row.put(ratioKey, latency[b].median() / latency[reference].median());
                if (agreement[b] != null) {
                    row.put("max_abs_diff", finite(agreement[b].maxAbsDiff()));
                    row.put("relative_diff", finite(agreement[b].relative()));
                    row.put("agrees", agreement[b].agrees());
                }
                rows.add(row);
            }
            j.put("backends", rows);
            out.println(RunCommand.toJson(j));
            return;
        }
        out.printf(Locale.ROOT, "model %s, batch %d, %d thread%s; %d warmup + %d timed runs per backend, taking"
                        + " turns in blocks of %d%n", modelFile, batch, threadCount, threadCount == 1 ? "" : "s", warmup,
                iterations, block);
        for (Feeds.Feed f : feeds) {
            out.printf("input %s: %s (%s)%n", f.name(), Feeds.typeOf(f.tensor()), f.source());
        }
        String ratioHeader = "vs " + chosen.get(reference);
        out.printf("%-9s %10s %9s %9s %9s %10s %10s%n", "backend", "median ms", "p90 ms", "mean ms", "min ms",
                "images/s", ratioHeader);
        for (int b = 0; b < chosen.size(); b++) {
            Latency l = latency[b];
            out.printf(Locale.ROOT, "%-9s %10.2f %9.2f %9.2f %9.2f %10.1f %9.2fx%n", chosen.get(b), l.median(), l.p90(),
                    l.mean(), l.min(), batch / (l.mean() / 1e3), l.median() / latency[reference].median());
        }
        for (int b = 0; b < chosen.size(); b++) {
            String extra = warmed[b] > warmup ? "; warmed " + warmed[b] + " runs, until its JIT compiler was idle" : "";
            out.printf("%-9s %s%s%n", chosen.get(b), sessions.get(b).describe(), extra);
        }
        if (chosen.size() == 1) {
            out.println("outputs: one backend, nothing to compare");
        }
        for (int b = 0; b < chosen.size(); b++) {
            if (agreement[b] != null) {
                out.printf("outputs: %s vs %s: %s, %s%n", chosen.get(b), chosen.get(reference), describe(agreement[b]),
                        agreement[b].agrees() ? "agree" : "DISAGREE");
            }
        }
    }

    /** JSON has no infinity or NaN; a missing or non-finite difference is null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
