// MatMul: numpy-style matrix product with batch broadcasting; a constant 2-D right side runs as a fully connected layer.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * PyTorch exports {@code nn.Linear} on inputs of rank above 2 as MatMul with a constant
 * {@code [K, N]} weight: that case shares {@link Gemm}'s kernel over all leading rows at once.
 * Anything else (both sides computed, batch dims broadcast, 1-D operands) runs the general
 * kernel: per output row, {@code C[i][:] += A[i][p] * B[p][:]} in vectors over N.
 */
final class MatMul {

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;

    private MatMul() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Operand a = ctx.input(0);
        Operand b = ctx.input(1);
        Operand y = ctx.output(0);
        if (a.rank() == 0 || b.rank() == 0) {
            throw ctx.error("MatMul operands must have rank >= 1, got " + a + " and " + b);
        }
        Activation act = ctx.activation();
        if (b.isConstant() && b.rank() == 2 && a.rank() >= 2) {
            int k = Math.toIntExact(b.dim(0));
            int n = Math.toIntExact(b.dim(1));
            int m = Math.toIntExact(a.size() / k);
            return Gemm.create(ctx.parallel(), a, false, null, m, k, Gemm.weightsNK(b.constant(), 0, k, n, false, 1f),
                    n, y, null, act);
        }
        // Promote 1-D operands as numpy does: A [K] -> [1, K], B [K] -> [K, 1].
        long[] as = a.rank() == 1 ? new long[] {1, a.dim(0)} : a.shape();
        long[] bs = b.rank() == 1 ? new long[] {b.dim(0), 1} : b.shape();
        int m = Math.toIntExact(as[as.length - 2]);
        int k = Math.toIntExact(as[as.length - 1]);
        int n = Math.toIntExact(bs[bs.length - 1]);
        if (bs[bs.length - 2] != k) {
            throw ctx.error("inner dimensions differ: " + a + " x " + b);
        }
        int batchRank = Math.max(as.length, bs.length) - 2;
        long[] outBatch = new long[batchRank];
        int batches = 1;
        for (int i = 0; i < batchRank; i++) {
            // batch dim i sits (batchRank - i) places before the two matrix dims
            long da = dimFromEnd(as, batchRank - i + 2);
            long db = dimFromEnd(bs, batchRank - i + 2);
            if (da != db && da != 1 && db != 1) {
                throw ctx.error("batch dimensions do not broadcast: " + a + " x " + b);
            }
            outBatch[i] = Math.max(da, db);
            batches *= (int) outBatch[i];
        }
        int total = batches;
        int[] aIndex = new int[batches];
        int[] bIndex = new int[batches];
        for (int t = 0; t < batches; t++) {
            aIndex[t] = batchOffset(t, outBatch, as) * m * k;
            bIndex[t] = batchOffset(t, outBatch, bs) * k * n;
        }
        return arena -> {
            float[] aa = a.array(arena);
            float[] ba = b.array(arena);
            float[] ya = y.array(arena);
            int ao = a.offset();
            int bo = b.offset();
            int yo = y.offset();
            ctx.parallel().forRange(total * m, Math.max(1, 4096 / Math.max(1, k * n / 64 + 1)), (s, e) -> {
                for (int row = s; row < e; row++) {
                    int t = row / m;
                    int i = row - t * m;
                    rowTimesMatrix(aa, ao + aIndex[t] + i * k, ba, bo + bIndex[t], k, n, ya, yo + row * n, act);
                }
            });
        };
    }

    private static long dimFromEnd(long[] shape, int fromEnd) {
        int i = shape.length - fromEnd;
        return i >= 0 ? shape[i] : 1;
    }

    /** The flat batch index in an operand of shape {@code shape} for output batch {@code t}, broadcasting size-1 dims. */
    private static int batchOffset(int t, long[] outBatch, long[] shape) {
        int offset = 0;
        int stride = 1;
        int rem = t;
        int lead = shape.length - 2;
        for (int i = outBatch.length - 1; i >= 0; i--) {
            int coord = (int) (rem % outBatch[i]);
            rem /= (int) outBatch[i];
            int si = lead - (outBatch.length - i);
            if (si >= 0) {
                long d = shape[si];
                offset += (d == 1 ? 0 : coord) * stride;
                stride *= (int) d;
            }
        }
        return offset;
    }

    // y[0..n) = act(sum_p a[p] * B[p][0..n))
    static void rowTimesMatrix(float[] a, int aOff, float[] b, int bOff, int k, int n, float[] y, int yOff,
                               Activation act) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        for (int p = 0; p < k; p++) {
            float av = a[aOff + p];
            if (av == 0f) {
                continue;
            }
            int br = bOff + p * n;
            FloatVector avv = FloatVector.broadcast(SPECIES, av);
            int j = 0;
            for (; j < bound; j += lanes) {
                FloatVector.fromArray(SPECIES, b, br + j).fma(avv, FloatVector.fromArray(SPECIES, y, yOff + j))
                        .intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                y[yOff + j] += av * b[br + j];
            }
        }
        if (!act.isNone()) {
            for (int j = 0; j < n; j++) {
                y[yOff + j] = act.apply(y[yOff + j]);
            }
        }
    }
}
