// Seeded data, the edge-case sizes every vector loop is run on, and float comparison with named tolerances.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.KernelFactory;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared by the kernel tests of this package. */
final class Fixtures {

    /**
     * Element counts around the vector width (8 lanes with AVX2, 16 with AVX-512): empty bodies,
     * one vector, one vector plus a tail, several vectors plus a tail.
     */
    static final int[] EDGE_SIZES = {1, 7, 8, 9, 15, 16, 17, 33, 100};

    /** Large enough that a kernel splits it over threads (see each kernel's grain). */
    static final int PARALLEL_SIZE = 300_001;

    private Fixtures() {
    }

    /** The registered kernel factory of {@code op} at {@code opset}. */
    static KernelFactory kernel(String op, int opset) {
        return OpRegistry.find("", op, opset).orElseThrow(() -> new AssertionError("no kernel for " + op)).factory();
    }

    static float[] uniform(Random random, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * random.nextFloat();
        }
        return v;
    }

    static float[] uniform(Random random, long[] shape, float lo, float hi) {
        return uniform(random, Kernels.product(shape, 0, shape.length), lo, hi);
    }

    /**
     * Asserts {@code |actual - expected| <= atol + rtol * |expected|} elementwise; NaN must meet
     * NaN and infinities must be equal.
     */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) ? a == e
                    : Math.abs((double) a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }

    static long[] shape(long... dims) {
        return dims;
    }
}
