// The known elements of a small integer tensor (a shape, axes, indices), each a number or a symbolic size.
package dev.condense.shape;

import dev.condense.ir.Dim;
import dev.condense.ir.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Values shape inference tracks through the small int64 computations PyTorch exports around
 * Reshape ({@code Shape -> Gather -> Unsqueeze -> Concat}): each element is a {@link Monomial}
 * (possibly negative, such as Reshape's -1) or unknown. Flat, row-major; rank at most 1.
 */
record SymbolicValues(List<Optional<Monomial>> elements) {

    /** Larger integer tensors are data, not shapes; they are not tracked. */
    static final int MAX_ELEMENTS = 64;

    SymbolicValues {
        elements = List.copyOf(elements);
    }

    /** The elements of an integer constant of rank 0 or 1 with at most {@link #MAX_ELEMENTS} elements. */
    static Optional<SymbolicValues> of(Tensor t) {
        if (!t.dtype().isInteger() || t.rank() > 1 || t.elementCount() > MAX_ELEMENTS) {
            return Optional.empty();
        }
        return Optional.of(ofLongs(t.toLongArray()));
    }

    static SymbolicValues ofLongs(long... values) {
        List<Optional<Monomial>> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(Optional.of(Monomial.constant(v)));
        }
        return new SymbolicValues(out);
    }

    /** The sizes of dimensions, as Shape produces them. */
    static SymbolicValues ofDims(List<Dim> dims) {
        List<Optional<Monomial>> out = new ArrayList<>(dims.size());
        for (Dim d : dims) {
            out.add(Monomial.of(d));
        }
        return new SymbolicValues(out);
    }

    int size() {
        return elements.size();
    }

    Optional<Monomial> get(int i) {
        return elements.get(i);
    }

    /** The values when every one is a known number. */
    Optional<long[]> constants() {
        long[] out = new long[elements.size()];
        for (int i = 0; i < out.length; i++) {
            Optional<Monomial> m = elements.get(i);
            if (m.isEmpty() || !m.get().isConstant()) {
                return Optional.empty();
            }
            out[i] = m.get().coefficient();
        }
        return Optional.of(out);
    }

    /** Each value as a dimension; unknown or negative ones are unknown. */
    List<Dim> toDims() {
        List<Dim> out = new ArrayList<>(elements.size());
        for (Optional<Monomial> m : elements) {
            out.add(m.map(Monomial::toDim).orElse(Dim.UNKNOWN));
        }
        return out;
    }
}
