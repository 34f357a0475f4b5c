// The innermost GEMM loop: a 6 x (2 vectors) tile of C accumulated in registers over one K-block.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[6][NR] (+)= A_panel[kc][6] x B_panel[kc][NR]} with NR two vectors wide (16 floats on
 * AVX2, 32 on AVX-512). Twelve accumulators, two B vectors and one broadcast A value live in
 * registers; each k costs two vector loads, six broadcasts and twelve FMAs. On the last K-block the
 * bias and the fused activation are applied on the way out, so C is written once in final form.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Columns per B panel. */
    static final int NR = 2 * LANES;
    static final int MR = PackedA.MR;

    private MicroKernel() {
    }

    /**
     * @param accumulate add to C (a K-block after the first) rather than overwrite it
     * @param last       this is the last K-block: add {@code bias[m0 + r]} and apply {@code act}
     */
    static void tile(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                     boolean accumulate, boolean last, float[] bias, int m0, Activation act) {
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
        for (int k = 0; k < kc; k++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        store(c00, c01, c, cOff, accumulate, last, bias, m0, act);
        store(c10, c11, c, cOff + ldc, accumulate, last, bias, m0 + 1, act);
        store(c20, c21, c, cOff + 2 * ldc, accumulate, last, bias, m0 + 2, act);
        store(c30, c31, c, cOff + 3 * ldc, accumulate, last, bias, m0 + 3, act);
        store(c40, c41, c, cOff + 4 * ldc, accumulate, last, bias, m0 + 4, act);
        store(c50, c51, c, cOff + 5 * ldc, accumulate, last, bias, m0 + 5, act);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int off, boolean accumulate, boolean last,
                              float[] bias, int m, Activation act) {
        if (accumulate) {
            v0 = v0.add(FloatVector.fromArray(SPECIES, c, off));
            v1 = v1.add(FloatVector.fromArray(SPECIES, c, off + LANES));
        }
        if (last) {
            if (bias != null) {
                float bm = bias[m];
                v0 = v0.add(bm);
                v1 = v1.add(bm);
            }
            v0 = act.apply(v0);
            v1 = act.apply(v1);
        }
        v0.intoArray(c, off);
        v1.intoArray(c, off + LANES);
    }
}
