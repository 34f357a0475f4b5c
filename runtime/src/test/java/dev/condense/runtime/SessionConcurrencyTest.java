// One Session shared by many threads gives each run exactly what a run alone gives.
package dev.condense.runtime;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.models.NetBuilder;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bitwise, not within a tolerance: both engines split work by their own thread count, never by
 * which workers happen to be free, so a run's arithmetic is the same however many runs share the
 * session. A difference means runs leak into each other (a shared buffer, a racy plan cache).
 */
class SessionConcurrencyTest {

    static final int CALLERS = 8;
    static final int RUNS_PER_CALLER = 50;
    static final int ENGINE_THREADS = 2;

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void sharedSessionMatchesSequentialRunsBitwise(Backend backend) throws Exception {
        ZooSpec spec = ZooSpec.fashionMnist();
        Model model = Zoo.get("resnet-18").build(spec);
        long[] shape = {1, spec.channels(), spec.height(), spec.width()};
        List<Tensor> images = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            SplittableRandom rng = new SplittableRandom(1000 + c);
            float[] pixels = new float[Math.toIntExact(Tensor.elementCount(shape))];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) rng.nextGaussian();
            }
            images.add(Tensor.ofFloats(NetBuilder.INPUT, shape, pixels));
        }
        try (Session session = Session.open(model, SessionOptions.of(backend).withThreads(ENGINE_THREADS))) {
            List<byte[]> sequential = new ArrayList<>();
            for (Tensor image : images) {
                try (Result r = session.run(Map.of(NetBuilder.INPUT, image))) {
                    sequential.add(r.first().toByteArray());
                }
            }
            for (int c = 1; c < CALLERS; c++) {
                assertTrue(!java.util.Arrays.equals(sequential.get(0), sequential.get(c)),
                        "different images must give different logits, or the comparison below proves nothing");
            }

            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> mismatches = new ArrayList<>();
            try (ExecutorService callers = Executors.newFixedThreadPool(CALLERS)) {
                for (int c = 0; c < CALLERS; c++) {
                    int caller = c;
                    mismatches.add(callers.submit(() -> {
                        start.await();
                        int wrong = 0;
                        for (int i = 0; i < RUNS_PER_CALLER; i++) {
                            try (Result r = session.run(Map.of(NetBuilder.INPUT, images.get(caller)))) {
                                if (!java.util.Arrays.equals(sequential.get(caller), r.first().toByteArray())) {
                                    wrong++;
                                }
                            }
                        }
                        return wrong;
                    }));
                }
                start.countDown();
                callers.shutdown();
                assertTrue(callers.awaitTermination(5, TimeUnit.MINUTES), "callers finished");
            }
            int[] wrong = new int[CALLERS];
            for (int c = 0; c < CALLERS; c++) {
                wrong[c] = mismatches.get(c).get();
            }
            assertArrayEquals(new int[CALLERS], wrong, "runs per caller that differ from the sequential run");
            assertEquals(backend, session.backend());
        }
    }
}
