// One dimension of a value's shape: a known size, a named symbol such as the batch, or unknown.
package dev.condense.ir;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** A dimension of a tensor type as shape inference sees it. */
public sealed interface Dim {

    /** A dimension whose size is known. */
    record Fixed(long size) implements Dim {
        public Fixed {
            if (size < 0) {
                throw new IllegalArgumentException("dimension size must be >= 0, got " + size);
            }
        }

        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    /** A dimension named by a symbol ({@code dim_param}), e.g. the batch size {@code N}. */
    record Symbolic(String symbol) implements Dim {
        public Symbolic {
            Objects.requireNonNull(symbol, "symbol");
        }

        @Override
        public String toString() {
            return symbol;
        }
    }

    /** A dimension nothing is known about. */
    record Unknown() implements Dim {
        @Override
        public String toString() {
            return "?";
        }
    }

    Unknown UNKNOWN = new Unknown();

    static Dim of(long size) {
        return new Fixed(size);
    }

    static Dim symbol(String name) {
        return new Symbolic(name);
    }

    default boolean isFixed() {
        return this instanceof Fixed;
    }

    /** The size of a fixed dimension; throws for symbolic or unknown ones. */
    default long size() {
        if (this instanceof Fixed(long s)) {
            return s;
        }
        throw new IllegalStateException("dimension " + this + " is not fixed");
    }

    /** Dimensions from known sizes. */
    static List<Dim> fixed(long... sizes) {
        Dim[] dims = new Dim[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            dims[i] = of(sizes[i]);
        }
        return List.of(dims);
    }

    /** "[N, 3, 224, 224]". */
    static String format(List<Dim> dims) {
        return dims.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** True when every dimension is fixed. */
    static boolean allFixed(List<Dim> dims) {
        return dims.stream().allMatch(Dim::isFixed);
    }

    /** The sizes of dimensions that are all fixed. */
    static long[] sizes(List<Dim> dims) {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i).size();
        }
        return out;
    }
}
