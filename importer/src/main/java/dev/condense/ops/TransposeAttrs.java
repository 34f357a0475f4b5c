// Typed attributes of Transpose.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/** Transpose's {@code perm}; empty when absent, which means reversing the dimensions. */
public record TransposeAttrs(int[] perm) {

    public TransposeAttrs {
        perm = perm.clone();
    }

    public static TransposeAttrs of(Node node, int opset) throws ModelLoadException {
        long[] perm = Attrs.ints(node, "perm").orElse(new long[0]);
        boolean[] seen = new boolean[perm.length];
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            long p = perm[i];
            if (p < 0 || p >= perm.length || seen[(int) p]) {
                throw new ModelLoadException(node.describe() + ": attribute 'perm' " + Arrays.toString(perm)
                        + " is not a permutation of 0.." + (perm.length - 1));
            }
            seen[(int) p] = true;
            out[i] = (int) p;
        }
        return new TransposeAttrs(out);
    }

    /** The permutation for an input of {@code rank}: the given one, which must have that length, or the reversal. */
    public int[] permutation(Node node, int rank) throws ModelLoadException {
        if (perm.length == 0) {
            int[] reversed = new int[rank];
            for (int i = 0; i < rank; i++) {
                reversed[i] = rank - 1 - i;
            }
            return reversed;
        }
        if (perm.length != rank) {
            throw new ModelLoadException(node.describe() + ": attribute 'perm' " + Arrays.toString(perm) + " has "
                    + perm.length + " entries but the input has rank " + rank);
        }
        return perm.clone();
    }

    @Override
    public int[] perm() {
        return perm.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransposeAttrs t && Arrays.equals(perm, t.perm);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perm);
    }

    @Override
    public String toString() {
        return "TransposeAttrs[perm=" + Arrays.toString(perm) + "]";
    }
}
