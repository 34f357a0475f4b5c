// The pure-Java engine: compiles a plan per input signature and runs it on the session's thread pool.
package dev.condense.runtime.vector;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Engine;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Plans are keyed by the input shapes (and by the values of non-float inputs, which are baked in
 * as constants). Opening compiles the plan for the declared shapes, with a symbolic batch set to
 * the batch-size hint or 1, so a model with an op the engine lacks fails at open, not at the
 * first run. Closing waits for runs in flight.
 */
public final class VectorEngine implements Engine {

    /** The incubator module the kernels are written against; the JVM must be started with it. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    private final Model model;
    private final List<ValueInfo> inputs;
    private final Parallel parallel;
    /** Distinct input signatures kept compiled at once. */
    static final int MAX_PLANS = 16;

    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private VectorEngine(Model model, Parallel parallel) {
        this.model = model;
        this.inputs = model.graph().inputs().stream()
                .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
        this.parallel = parallel;
    }

    public static VectorEngine open(Model model, SessionOptions options) throws ModelLoadException, SessionException {
        // Without the incubator module the first kernel dies with NoClassDefFoundError; say so, and let a fallback run.
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            throw new SessionException("vector: this JVM lacks the Vector API; start java with --add-modules="
                    + VECTOR_MODULE + " (./condense and the Maven build pass it)");
        }
        VectorEngine engine = new VectorEngine(model, new Parallel(options.threads()));
        try {
            Map<String, long[]> declared = engine.declaredShapes(options.batchSize().orElse(1));
            if (declared != null) {
                engine.plan(declared, Map.of());
            }
            return engine;
        } catch (ModelLoadException | SessionException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** The declared input shapes with a symbolic batch set; null when other dimensions are open. */
    private Map<String, long[]> declaredShapes(int batch) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ValueInfo v : inputs) {
            if (v.dtype() != DataType.FLOAT || v.shape().isEmpty()) {
                return null;
            }
            List<Dim> dims = v.shape().get();
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) {
                if (dims.get(i) instanceof Dim.Fixed(long size)) {
                    s[i] = size;
                } else if (i == 0) {
                    s[i] = batch;
                } else {
                    return null;
                }
            }
            shapes.put(v.name(), s);
        }
        return shapes;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds) throws SessionException {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("session is closed");
            }
            Plan plan;
            try {
                plan = planFor(feeds);
            } catch (ModelLoadException e) {
                throw new SessionException("cannot compile the model for inputs " + describe(feeds) + ": "
                        + e.getMessage(), e);
            }
            return plan.run(feeds);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** The input signature of the last plan used, checked before any key is built. */
    private record Recent(String[] names, long[][] dims, Plan plan) {
        boolean matches(Map<String, Tensor> feeds) {
            if (feeds.size() != names.length) {
                return false;
            }
            for (int i = 0; i < names.length; i++) {
                Tensor t = feeds.get(names[i]);
                if (t == null || t.dtype() != DataType.FLOAT || !Arrays.equals(t.dims(), dims[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private volatile Recent recent;

    /**
     * The plan for these inputs. Runs with the shapes of the run before (the usual case) find it
     * without building a cache key.
     */
    private Plan planFor(Map<String, Tensor> feeds) throws ModelLoadException, SessionException {
        Recent last = recent;
        if (last != null && last.matches(feeds)) {
            return last.plan();
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, Tensor> constant = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
            if (e.getValue().dtype() == DataType.FLOAT) {
                shapes.put(e.getKey(), e.getValue().dims());
            } else {
                constant.put(e.getKey(), e.getValue());
            }
        }
        Plan plan = plan(shapes, constant);
        if (constant.isEmpty()) {
            recent = new Recent(shapes.keySet().toArray(String[]::new), shapes.values().toArray(long[][]::new), plan);
        }
        return plan;
    }

    private Plan plan(Map<String, long[]> shapes, Map<String, Tensor> constant)
            throws ModelLoadException, SessionException {
        String key = key(shapes, constant);
        Plan plan = plans.get(key);
        if (plan == null) {
            // Two threads may compile the same plan at once; the first stored wins and both are correct.
            plan = PlanCompiler.compile(model, shapes, constant, parallel);
            if (plans.size() >= MAX_PLANS) {
                // A caller cycling through many input shapes must not grow memory without bound; each
                // plan holds packed weights and pooled arenas. Dropping one costs a recompile.
                plans.keySet().stream().findAny().ifPresent(plans::remove);
            }
            Plan raced = plans.putIfAbsent(key, plan);
            if (raced != null) {
                plan = raced;
            }
        }
        return plan;
    }

    private static String key(Map<String, long[]> shapes, Map<String, Tensor> constant) {
        StringBuilder sb = new StringBuilder();
        shapes.forEach((k, v) -> sb.append(k).append(Arrays.toString(v)).append(';'));
        // Baked values are shape and index tensors, a few numbers each: the key holds them whole, so two
        // different values can never share a plan.
        constant.forEach((k, v) -> sb.append(k).append('=').append(v.dtype()).append(Arrays.toString(v.dims()))
                .append(java.util.HexFormat.of().formatHex(v.toByteArray())).append(';'));
        return sb.toString();
    }

    private static String describe(Map<String, Tensor> feeds) {
        StringBuilder sb = new StringBuilder();
        feeds.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(": ")
                .append(v.dtype().displayName()).append(Arrays.toString(v.dims())));
        return sb.toString();
    }

    /** The ops of the plan's kernels for these inputs, in order (tests check which fusions happened). */
    List<String> kernelOps(Map<String, Tensor> feeds) throws ModelLoadException, SessionException {
        return planFor(feeds).kernelOps();
    }

    /** One kernel's share of a run: its node, op and median milliseconds. */
    public record KernelTime(String node, double millis) {
    }

    /** Times every kernel of the plan for these inputs over {@code runs} runs (after the caller's warm-up). */
    public java.util.List<KernelTime> profile(Map<String, Tensor> feeds, int runs) throws ModelLoadException, SessionException {
        Plan plan = planFor(feeds);
        double[] ms = plan.profile(feeds, runs);
        java.util.List<String> names = plan.kernelNames();
        java.util.List<KernelTime> out = new java.util.ArrayList<>();
        for (int i = 0; i < ms.length; i++) {
            out.add(new KernelTime(names.get(i), ms[i]));
        }
        return out;
    }

    @Override
    public String describe() {
        return "vector (" + parallel.threads() + " thread" + (parallel.threads() == 1 ? "" : "s") + ", "
                + dev.condense.runtime.vector.Lanes.FLOAT.length() + " floats per vector)";
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                plans.clear();
                recent = null;
                parallel.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
