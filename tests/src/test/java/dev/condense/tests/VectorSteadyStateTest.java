// The vector engine's steady state: once the JIT has compiled it, a run allocates little beyond the result it returns.
package dev.condense.tests;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A run borrows its arena and allocates only the tensors it hands back. What breaks that silently
 * is the Vector API: a {@code FloatVector} passed to or returned from a method the JIT declines to
 * inline is boxed on the heap, once per vector, and the run still gives the right answer, only
 * several times slower. This test runs MobileNet v2 (pointwise, depthwise at strides 1 and 2,
 * ReLU6 fused into both, residual additions, the transposed GEMM of small maps, Gemm) until the
 * JIT compiler has been idle for a block of runs, then counts the bytes the calling thread
 * allocates per run on one thread, where every kernel runs on that thread.
 */
class VectorSteadyStateTest {

    /** Result, its tensor and map, the feeds' bookkeeping: a few kilobytes; boxing costs megabytes. */
    static final long BYTES_PER_RUN_BUDGET = 64 * 1024;
    static final long WARM_LIMIT_NANOS = 60_000_000_000L;

    @Test
    @Timeout(120)
    void aCompiledRunAllocatesNoMoreThanItsResult() throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        // Reason: without compile-time monitoring there is no telling a compiled run from an interpreted one.
        assumeTrue(jit != null && jit.isCompilationTimeMonitoringSupported(), "JIT compile time is not monitored");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ZooSpec spec = ZooSpec.imagenet().withInput(3, 64, 64).withClasses(10);
        Model model = Zoo.get("mobilenet-v2").build(spec);
        SplittableRandom rng = new SplittableRandom(7);
        float[] values = new float[3 * 64 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        try (Session s = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(1))) {
            String name = s.inputs().getFirst().name();
            Map<String, Tensor> feeds = Map.of(name, Tensor.ofFloats(name, new long[] {1, 3, 64, 64}, values));
            long start = System.nanoTime();
            boolean idle = false;
            while (!idle && System.nanoTime() - start < WARM_LIMIT_NANOS) {
                long before = jit.getTotalCompilationTime();
                for (int i = 0; i < 200; i++) {
                    s.run(feeds).close();
                }
                idle = jit.getTotalCompilationTime() == before;
            }
            // Reason: a machine too slow to finish compiling in a minute would measure the interpreter.
            assumeTrue(idle, "the JIT compiler was still busy after " + WARM_LIMIT_NANOS / 1_000_000_000 + " s");
            int runs = 50;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs; i++) {
                try (Result r = s.run(feeds)) {
                    assertTrue(r.first().toFloatArray().length == 10, "one row of 10 logits");
                }
            }
            long perRun = (threads.getCurrentThreadAllocatedBytes() - before) / runs;
            assertTrue(perRun <= BYTES_PER_RUN_BUDGET, "a compiled run allocated " + perRun + " bytes (budget "
                    + BYTES_PER_RUN_BUDGET + "): a kernel is boxing vectors; -XX:+PrintInlining names the call"
                    + " the JIT declined");
        }
    }
}
