// The declared or inferred type of a named value: element type and, when known, its shape.
package dev.condense.ir;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Type of a graph value. {@code shape} is empty when not even the rank is known; a known rank can
 * still hold symbolic or unknown dimensions.
 */
public record ValueInfo(String name, DataType dtype, Optional<List<Dim>> shape) {

    public ValueInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.map(List::copyOf);
    }

    public static ValueInfo of(String name, DataType dtype, List<Dim> dims) {
        return new ValueInfo(name, dtype, Optional.of(dims));
    }

    public static ValueInfo unknownShape(String name, DataType dtype) {
        return new ValueInfo(name, dtype, Optional.empty());
    }

    public ValueInfo withName(String newName) {
        return new ValueInfo(newName, dtype, shape);
    }

    public ValueInfo withShape(List<Dim> dims) {
        return new ValueInfo(name, dtype, Optional.of(dims));
    }

    /** The rank, or -1 when unknown. */
    public int rank() {
        return shape.map(List::size).orElse(-1);
    }

    /** True when the rank and every dimension are known. */
    public boolean isStatic() {
        return shape.map(Dim::allFixed).orElse(false);
    }

    /** "float32[N, 3, 224, 224]" or "float32[?]" when the rank is unknown. */
    public String typeString() {
        return dtype.displayName() + shape.map(Dim::format).orElse("[?]");
    }

    @Override
    public String toString() {
        return name + ": " + typeString();
    }
}
