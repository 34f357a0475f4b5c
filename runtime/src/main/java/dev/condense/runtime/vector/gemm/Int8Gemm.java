// Integer matrix products of 8-bit weights and activations with exact int32/int64 sums, for the quantized kernels.
package dev.condense.runtime.vector.gemm;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code S[n][p] = sum_k w[n][k] * x[k][p]} over stored 8-bit values; the caller turns S into the
 * zero-point-corrected accumulator. The Vector API has no 8-bit dot product (no vpdpbusd, no
 * vpmaddwd), so the widening is the design. Two layouts, chosen per layer when it is built:
 * <ul>
 *   <li><b>Pairs</b> (convolutions, matrix products with several rows): weights and activations
 *   are stored as unsigned bytes {@code u = v + offset} in [0, 255], so a product is at most
 *   65025 and fits an unsigned 16-bit lane exactly. Activations are packed as 16-bit pairs
 *   {@code (x[2j][p], x[2j+1][p])}, one pair per 32-bit lane; a weight pair broadcast as one int
 *   and multiplied as shorts gives both products in one lane, {@code hi * 65536 + lo}. Adding the
 *   raw lanes and, separately, the lanes shifted right by 16 keeps both sums exact: four
 *   instructions (multiply, add, shift, add) per 2 x lanes products, with no sign extension and
 *   no lane shuffles. Measured against the alternatives in docs/RUNTIME.md.</li>
 *   <li><b>Rows</b> (a fully connected layer at batch 1, bound by reading the weights): weights
 *   stay signed bytes {@code [N][K]}, read 16 at a time, sign-extended to shorts, multiplied by
 *   the unsigned activations (|product| &lt;= 32640 fits a short) and widened once to ints: a
 *   quarter of the float path's memory traffic.</li>
 * </ul>
 */
public final class Int8Gemm {

    private static final boolean WIDE = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

    /** Int lanes: 512 bits where the platform has them (measured faster here, unlike float lanes: docs/RUNTIME.md). */
    public static final VectorSpecies<Integer> INT = WIDE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    private static final VectorSpecies<Short> PAIRS = WIDE ? ShortVector.SPECIES_512 : ShortVector.SPECIES_256;
    /** Float lanes as many as {@link #INT}'s, for the epilogue's int-to-float conversion. */
    public static final VectorSpecies<Float> FLOATS = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> ROW_BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> ROW_SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> ROW_INTS = INT.vectorBitSize() >= 512 ? IntVector.SPECIES_512
            : IntVector.SPECIES_256;

    /** Weight rows per micro-kernel call. */
    public static final int MR = 4;
    public static final int LANES = INT.length();
    /** Activation columns (pixels) per packed block: two int vectors. */
    public static final int NP = 2 * LANES;

    private Int8Gemm() {
    }

    /** Pairs layout of weights {@code [N, K]}: {@code pairs[((nb * kPairs) + j) * MR + r]} = u[2j] | u[2j+1] << 16. */
    public static int[] packPairs(int[] u, int n, int k) {
        int kPairs = (k + 1) / 2;
        int blocks = Math.ceilDiv(n, MR);
        int[] pairs = new int[Math.multiplyExact(Math.multiplyExact(blocks, kPairs), MR)];
        for (int row = 0; row < n; row++) {
            int nb = row / MR;
            int r = row % MR;
            for (int j = 0; j < kPairs; j++) {
                int lo = u[row * k + 2 * j];
                int hi = 2 * j + 1 < k ? u[row * k + 2 * j + 1] : 0;
                pairs[(nb * kPairs + j) * MR + r] = lo | hi << 16;
            }
        }
        return pairs;
    }

    /** Size of one packed activation block of {@code k} rows: {@code [kPairs][NP]} ints, x[2j][q] | x[2j+1][q] << 16. */
    public static int blockSize(int k) {
        return Math.multiplyExact((k + 1) / 2, NP);
    }

    /**
     * {@code s[r * NP + q] = sum_k u[nb * MR + r][k] * xb[k][q]} for the MR rows of weight block
     * {@code nb} and the NP columns of the packed block {@code xb} (unsigned values in [0, 255]).
     * modulo 2^32.
     */
    public static void pairsBlock(int[] pairs, int nb, int kPairs, int[] xb, int[] s) {
        IntVector z = IntVector.zero(INT);
        IntVector r00 = z, h00 = z, r01 = z, h01 = z;
        IntVector r10 = z, h10 = z, r11 = z, h11 = z;
        IntVector r20 = z, h20 = z, r21 = z, h21 = z;
        IntVector r30 = z, h30 = z, r31 = z, h31 = z;
        int wi = nb * kPairs * MR;
        int xi = 0;
        for (int j = 0; j < kPairs; j++, wi += MR, xi += NP) {
            ShortVector x0 = IntVector.fromArray(INT, xb, xi).reinterpretAsShorts();
            ShortVector x1 = IntVector.fromArray(INT, xb, xi + LANES).reinterpretAsShorts();
            ShortVector w = IntVector.broadcast(INT, pairs[wi]).reinterpretAsShorts();
            IntVector p = w.mul(x0).reinterpretAsInts();
            r00 = r00.add(p);
            h00 = h00.add(p.lanewise(VectorOperators.LSHR, 16));
            p = w.mul(x1).reinterpretAsInts();
            r01 = r01.add(p);
            h01 = h01.add(p.lanewise(VectorOperators.LSHR, 16));
            w = IntVector.broadcast(INT, pairs[wi + 1]).reinterpretAsShorts();
            p = w.mul(x0).reinterpretAsInts();
            r10 = r10.add(p);
            h10 = h10.add(p.lanewise(VectorOperators.LSHR, 16));
            p = w.mul(x1).reinterpretAsInts();
            r11 = r11.add(p);
            h11 = h11.add(p.lanewise(VectorOperators.LSHR, 16));
            w = IntVector.broadcast(INT, pairs[wi + 2]).reinterpretAsShorts();
            p = w.mul(x0).reinterpretAsInts();
            r20 = r20.add(p);
            h20 = h20.add(p.lanewise(VectorOperators.LSHR, 16));
            p = w.mul(x1).reinterpretAsInts();
            r21 = r21.add(p);
            h21 = h21.add(p.lanewise(VectorOperators.LSHR, 16));
            w = IntVector.broadcast(INT, pairs[wi + 3]).reinterpretAsShorts();
            p = w.mul(x0).reinterpretAsInts();
            r30 = r30.add(p);
            h30 = h30.add(p.lanewise(VectorOperators.LSHR, 16));
            p = w.mul(x1).reinterpretAsInts();
            r31 = r31.add(p);
            h31 = h31.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        // Each lane's sum of high products is h; its raw sum is 65536 h + (sum of low products) modulo 2^32,
        // so the lane's full sum is h + raw - (h << 16), kept modulo 2^32: callers subtract the zero-point
        // terms in the same arithmetic, and the corrected sum fits an int (K <= MAX_K). Stored here rather
        // than passed to a helper: a vector handed to a call the JIT does not inline is boxed.
        int l = LANES;
        h00.add(r00).sub(h00.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 0);
        h01.add(r01).sub(h01.lanewise(VectorOperators.LSHL, 16)).intoArray(s, l);
        h10.add(r10).sub(h10.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 2 * l);
        h11.add(r11).sub(h11.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 3 * l);
        h20.add(r20).sub(h20.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 4 * l);
        h21.add(r21).sub(h21.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 5 * l);
        h30.add(r30).sub(h30.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 6 * l);
        h31.add(r31).sub(h31.lanewise(VectorOperators.LSHL, 16)).intoArray(s, 7 * l);
    }

    /**
     * The longest reduction whose zero-point-corrected sum {@code sum (w - zw)(x - zx)} fits an int
     * whatever the values: K * 255 * 255 below 2^31.
     */
    public static final int MAX_K = 33025;

    /**
     * Rows layout: {@code sum_k w[row][k] * x[k]} for signed weight bytes and unsigned activations
     * (shorts in [0, 255]), for rows {@code [n0, n1)}; writes {@code s[row]}.
     */
    public static void rows(byte[] w, int k, int n0, int n1, short[] x, long[] s) {
        int lanes = ROW_SHORTS.length();
        int bound = ROW_SHORTS.loopBound(k);
        for (int row = n0; row < n1; row++) {
            int wo = row * k;
            IntVector acc0 = IntVector.zero(ROW_INTS);
            IntVector acc1 = IntVector.zero(ROW_INTS);
            int p = 0;
            for (; p < bound; p += lanes) {
                ShortVector wv = (ShortVector) ByteVector.fromArray(ROW_BYTES, w, wo + p)
                        .convertShape(VectorOperators.B2S, ROW_SHORTS, 0);
                ShortVector prod = wv.mul(ShortVector.fromArray(ROW_SHORTS, x, p));
                acc0 = acc0.add(prod.convertShape(VectorOperators.S2I, ROW_INTS, 0));
                if (ROW_INTS.length() < lanes) {
                    acc1 = acc1.add(prod.convertShape(VectorOperators.S2I, ROW_INTS, 1));
                }
            }
            long sum = 0;
            for (int i = 0; i < ROW_INTS.length(); i++) {
                sum += acc0.lane(i) + acc1.lane(i);
            }
            for (; p < k; p++) {
                sum += w[wo + p] * x[p];
            }
            s[row] = sum;
        }
    }

    /** The plain twin of both layouts: {@code sum_k w[row][k] * x[k][q]} in long. */
    public static long reference(int[] w, int k, int row, int[] x, int q, int columns) {
        long sum = 0;
        for (int p = 0; p < k; p++) {
            sum += (long) w[row * k + p] * x[p * columns + q];
        }
        return sum;
    }
}
