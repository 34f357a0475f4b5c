// The innermost GEMM loop: a 6 x (2 vectors) tile of C accumulated in registers over one K-block.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Lanes;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[6][NR] (+)= A[kc][6] x B_panel[kc][NR]} with NR two vectors wide (16 floats on AVX2, 32
 * on AVX-512). Twelve accumulators and two B vectors live in registers; each k costs eight vector
 * loads and twelve FMAs.
 *
 * <p>A arrives <em>pre-broadcast</em>: every weight repeated across a vector ({@link #broadcast}
 * fills a per-thread buffer for one panel and K-block, reused by every column panel). Broadcasting
 * a scalar in the loop costs a shuffle on the same execution ports the FMAs need, which held this
 * kernel to 40 GFLOPS per core; a plain vector load goes to the load ports, and the kernel reaches
 * 65-75 on the same AVX2 core.
 *
 * <p>The method is written out flat, with no helper taking a vector argument: C2 keeps vectors in
 * registers only while it can see every use, and a call it declines to inline would box all
 * twelve accumulators. Bias and activation are a separate pass ({@link Sgemm}) for the same reason.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;
    static final int LANES = SPECIES.length();
    /** Columns per B panel. */
    static final int NR = 2 * LANES;
    static final int MR = PackedA.MR;
    /** Floats of pre-broadcast A per k. */
    static final int A_STEP = MR * LANES;

    private MicroKernel() {
    }

    /** Repeats each of the {@code kc * MR} weights of one packed panel K-block across a vector, into {@code dst}. */
    static void broadcast(float[] a, int aOff, int kc, float[] dst) {
        int n = kc * MR;
        for (int i = 0; i < n; i++) {
            FloatVector.broadcast(SPECIES, a[aOff + i]).intoArray(dst, i * LANES);
        }
    }

    /**
     * @param a          pre-broadcast A from {@link #broadcast}
     * @param accumulate add to C (a K-block after the first) rather than overwrite it
     */
    static void tile(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                     boolean accumulate) {
        tileLast(a, aOff, b, bOff, kc, c, cOff, ldc, accumulate, null, 0, null, 0, false, 0f, 0f);
    }

    /**
     * The tile, finishing C in registers on the last K-block: adds each row's bias and the
     * residual (when {@code residual} is not null, laid out like C from {@code rOff}), clamps to
     * {@code [lo, hi]} (ReLU is [0, inf), ReLU6 [0, 6], none (-inf, inf)) and stores once, instead
     * of storing raw sums for a second pass to read back. With no bias, residual or clamp it is
     * {@link #tile}; the tests of those flags sit outside the k loop.
     */
    static void tileLast(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                         boolean accumulate, float[] bias, int biasOff, float[] residual, int rOff,
                         boolean clamp, float lo, float hi) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        int ai = aOff;
        int bi = bOff;
        for (int k = 0; k < kc; k++, ai += A_STEP, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector av;
            av = FloatVector.fromArray(SPECIES, a, ai + 0 * LANES);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.fromArray(SPECIES, a, ai + 1 * LANES);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.fromArray(SPECIES, a, ai + 2 * LANES);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.fromArray(SPECIES, a, ai + 3 * LANES);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.fromArray(SPECIES, a, ai + 4 * LANES);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.fromArray(SPECIES, a, ai + 5 * LANES);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, c, cOff + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(SPECIES, c, cOff + 0 * ldc + LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, c, cOff + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(SPECIES, c, cOff + 1 * ldc + LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc + LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc + LANES));
            c40 = c40.add(FloatVector.fromArray(SPECIES, c, cOff + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(SPECIES, c, cOff + 4 * ldc + LANES));
            c50 = c50.add(FloatVector.fromArray(SPECIES, c, cOff + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(SPECIES, c, cOff + 5 * ldc + LANES));
        }
        if (bias != null) {
            float bias0 = bias[biasOff + 0];
            c00 = c00.add(bias0);
            c01 = c01.add(bias0);
            float bias1 = bias[biasOff + 1];
            c10 = c10.add(bias1);
            c11 = c11.add(bias1);
            float bias2 = bias[biasOff + 2];
            c20 = c20.add(bias2);
            c21 = c21.add(bias2);
            float bias3 = bias[biasOff + 3];
            c30 = c30.add(bias3);
            c31 = c31.add(bias3);
            float bias4 = bias[biasOff + 4];
            c40 = c40.add(bias4);
            c41 = c41.add(bias4);
            float bias5 = bias[biasOff + 5];
            c50 = c50.add(bias5);
            c51 = c51.add(bias5);
        }
        if (residual != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, residual, rOff + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(SPECIES, residual, rOff + 0 * ldc + LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, residual, rOff + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(SPECIES, residual, rOff + 1 * ldc + LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, residual, rOff + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(SPECIES, residual, rOff + 2 * ldc + LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, residual, rOff + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(SPECIES, residual, rOff + 3 * ldc + LANES));
            c40 = c40.add(FloatVector.fromArray(SPECIES, residual, rOff + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(SPECIES, residual, rOff + 4 * ldc + LANES));
            c50 = c50.add(FloatVector.fromArray(SPECIES, residual, rOff + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(SPECIES, residual, rOff + 5 * ldc + LANES));
        }
        if (clamp) {
            // max and min as a compare and a blend each (see Activation.atLeast), written out here
            // because a call from this method would not be inlined and would box every vector.
            FloatVector vlo = FloatVector.broadcast(SPECIES, lo);
            FloatVector vhi = FloatVector.broadcast(SPECIES, hi);
            c00 = c00.blend(vlo, c00.compare(LE, vlo));
            c00 = c00.blend(vhi, c00.compare(GE, vhi));
            c01 = c01.blend(vlo, c01.compare(LE, vlo));
            c01 = c01.blend(vhi, c01.compare(GE, vhi));
            c10 = c10.blend(vlo, c10.compare(LE, vlo));
            c10 = c10.blend(vhi, c10.compare(GE, vhi));
            c11 = c11.blend(vlo, c11.compare(LE, vlo));
            c11 = c11.blend(vhi, c11.compare(GE, vhi));
            c20 = c20.blend(vlo, c20.compare(LE, vlo));
            c20 = c20.blend(vhi, c20.compare(GE, vhi));
            c21 = c21.blend(vlo, c21.compare(LE, vlo));
            c21 = c21.blend(vhi, c21.compare(GE, vhi));
            c30 = c30.blend(vlo, c30.compare(LE, vlo));
            c30 = c30.blend(vhi, c30.compare(GE, vhi));
            c31 = c31.blend(vlo, c31.compare(LE, vlo));
            c31 = c31.blend(vhi, c31.compare(GE, vhi));
            c40 = c40.blend(vlo, c40.compare(LE, vlo));
            c40 = c40.blend(vhi, c40.compare(GE, vhi));
            c41 = c41.blend(vlo, c41.compare(LE, vlo));
            c41 = c41.blend(vhi, c41.compare(GE, vhi));
            c50 = c50.blend(vlo, c50.compare(LE, vlo));
            c50 = c50.blend(vhi, c50.compare(GE, vhi));
            c51 = c51.blend(vlo, c51.compare(LE, vlo));
            c51 = c51.blend(vhi, c51.compare(GE, vhi));
        }
        c00.intoArray(c, cOff + 0 * ldc);
        c01.intoArray(c, cOff + 0 * ldc + LANES);
        c10.intoArray(c, cOff + 1 * ldc);
        c11.intoArray(c, cOff + 1 * ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + LANES);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + LANES);
    }
}
