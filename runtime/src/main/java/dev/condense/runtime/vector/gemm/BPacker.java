// A source of the right-hand GEMM matrix that packs one K-block of a column range into NR-wide panels.
package dev.condense.runtime.vector.gemm;

/**
 * The right-hand matrix {@code B: [K, N]} is never materialized when it is an im2col view of an
 * image: packers read it straight from the activation into the panel layout the micro-kernel
 * wants, {@code dst[dstOff + j*kc*NR + k*NR + lane]} for column {@code n0 + j*NR + lane}, columns past the
 * range zero.
 */
public interface BPacker {

    /** Rows of B (the reduction length). */
    int k();

    /** Columns of B. */
    int n();

    /** Packs rows {@code [k0, k0+kc)} of columns {@code [n0, n0+cols)} into {@code dst} from {@code dstOff}. */
    void pack(int k0, int kc, int n0, int cols, float[] dst, int dstOff);
}
