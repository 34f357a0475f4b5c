// A dimension size as an integer times a product of named symbols (400*N), the arithmetic symbolic shapes need.
package dev.condense.shape;

import dev.condense.ir.Dim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@code coefficient * s1 * s2 * ...}. Products and exact quotients of monomials are monomials,
 * which covers what Flatten and Reshape do to a symbolic batch: {@code [N, 16, 5, 5]} has 400*N
 * elements and reshaping it to {@code [-1, 400]} leaves N. A symbolic {@link Dim} is read through
 * its name: "N" is the symbol N and "400*N" (how products are written back) is 400 times N.
 */
record Monomial(long coefficient, List<String> symbols) {

    static final Monomial ONE = constant(1);

    Monomial {
        List<String> sorted = new ArrayList<>(symbols);
        Collections.sort(sorted);
        symbols = List.copyOf(sorted);
    }

    static Monomial constant(long value) {
        return new Monomial(value, List.of());
    }

    /** The size a dimension stands for; empty when it is unknown. */
    static Optional<Monomial> of(Dim dim) {
        return switch (dim) {
            case Dim.Fixed(long size) -> Optional.of(constant(size));
            case Dim.Symbolic(String symbol) -> Optional.of(parse(symbol));
            case Dim.Unknown u -> Optional.empty();
        };
    }

    /** Reads "N", "400*N" or "N*C"; a name that is not such a product is one symbol. */
    static Monomial parse(String symbol) {
        if (!symbol.contains("*")) {
            return new Monomial(1, List.of(symbol));
        }
        long coefficient = 1;
        List<String> names = new ArrayList<>();
        for (String factor : symbol.split("\\*", -1)) {
            if (factor.isEmpty()) {
                return new Monomial(1, List.of(symbol));
            }
            if (factor.chars().allMatch(Character::isDigit)) {
                try {
                    coefficient = Math.multiplyExact(coefficient, Long.parseLong(factor));
                } catch (NumberFormatException | ArithmeticException e) {
                    return new Monomial(1, List.of(symbol));
                }
            } else {
                names.add(factor);
            }
        }
        return new Monomial(coefficient, names);
    }

    /** The product of the dimensions' sizes; empty when one is unknown and none is zero. */
    static Optional<Monomial> product(List<Dim> dims) {
        Monomial out = ONE;
        boolean unknown = false;
        for (Dim d : dims) {
            Optional<Monomial> m = of(d);
            if (m.isEmpty()) {
                unknown = true;
            } else {
                out = out.times(m.get());
            }
        }
        if (out.isZero()) {
            return Optional.of(out);
        }
        return unknown ? Optional.empty() : Optional.of(out);
    }

    boolean isConstant() {
        return symbols.isEmpty() || coefficient == 0;
    }

    boolean isZero() {
        return coefficient == 0;
    }

    /** Throws {@link ArithmeticException} when the coefficient overflows. */
    Monomial times(Monomial other) {
        long c = Math.multiplyExact(coefficient, other.coefficient);
        if (c == 0) {
            return constant(0);
        }
        List<String> s = new ArrayList<>(symbols);
        s.addAll(other.symbols);
        return new Monomial(c, s);
    }

    /** The exact quotient, when the divisor's symbols and coefficient divide this one's. */
    Optional<Monomial> dividedBy(Monomial divisor) {
        if (divisor.coefficient == 0 || coefficient % divisor.coefficient != 0) {
            return Optional.empty();
        }
        if (coefficient == 0) {
            return Optional.of(constant(0));
        }
        List<String> rest = new ArrayList<>(symbols);
        for (String s : divisor.symbols) {
            if (!rest.remove(s)) {
                return Optional.empty();
            }
        }
        return Optional.of(new Monomial(coefficient / divisor.coefficient, rest));
    }

    /** The sum, when both are multiples of the same symbols (or one is zero). */
    Optional<Monomial> plus(Monomial other) {
        if (isZero()) {
            return Optional.of(other);
        }
        if (other.isZero()) {
            return Optional.of(this);
        }
        if (!symbols.equals(other.symbols)) {
            return Optional.empty();
        }
        long c = Math.addExact(coefficient, other.coefficient);
        return Optional.of(c == 0 ? constant(0) : new Monomial(c, symbols));
    }

    Monomial negate() {
        return new Monomial(Math.negateExact(coefficient), symbols);
    }

    /** The dimension this size is; a negative size or a negative multiple of symbols is unknown. */
    Dim toDim() {
        if (isConstant()) {
            return coefficient >= 0 ? Dim.of(coefficient) : Dim.UNKNOWN;
        }
        return coefficient > 0 ? Dim.symbol(toString()) : Dim.UNKNOWN;
    }

    @Override
    public String toString() {
        if (isConstant()) {
            return Long.toString(coefficient);
        }
        String product = String.join("*", symbols);
        return coefficient == 1 ? product : coefficient + "*" + product;
    }
}
