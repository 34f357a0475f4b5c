// The header dict of a .npy file ('descr', 'fortran_order', 'shape'): parsed from text and formatted to it.
package dev.condense.io;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a .npy header says. Parsing accepts anything Python would read as the same dict (keys in
 * any order, extra whitespace, trailing commas, {@code 3L} longs) but, like NumPy, exactly the
 * three keys; every complaint quotes the header.
 *
 * @param descr        the dtype descr, such as {@code '<f4'}
 * @param fortranOrder whether the data is stored column-major
 * @param shape        the dimensions, each non-negative (their product is checked by the reader)
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

    /** Longest stretch of a header quoted in a message. */
    private static final int QUOTE_LIMIT = 160;

    NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Parses the header text (the dict and its padding); {@code source} (the file) starts any error.
     *
     * @throws TensorFileException when the text is not a dict literal, lacks or adds keys, or holds
     *                             values of the wrong kind or a negative dimension
     */
    static NpyHeader parse(String text, String source) throws TensorFileException {
        String where = source + ": header " + quote(text);
        Object literal;
        try {
            literal = PythonLiteral.parse(text);
        } catch (PythonLiteral.SyntaxError e) {
            throw new TensorFileException(where + " is not a Python dict literal: " + e.getMessage(), e);
        }
        if (!(literal instanceof Map<?, ?> dict)) {
            throw new TensorFileException(where + " is " + PythonLiteral.kind(literal) + ", not a dict");
        }
        for (Object key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw new TensorFileException(where + " has key " + PythonLiteral.repr(key)
                        + "; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
            }
        }
        List<String> missing = KEYS.stream().filter(k -> !dict.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new TensorFileException(where + " lacks " + missing.stream().map(k -> "'" + k + "'")
                    .collect(Collectors.joining(" and ")) + "; a .npy header has 'descr', 'fortran_order' and 'shape'");
        }
        Object descr = dict.get("descr");
        if (descr instanceof PythonLiteral.PyList) {
            throw new TensorFileException(where + ": descr " + PythonLiteral.repr(descr) + " is a structured dtype"
                    + " (a list of fields); Condense reads plain numeric arrays: " + NpyDtype.SUPPORTED);
        }
        if (!(descr instanceof String descrText)) {
            throw new TensorFileException(where + ": descr is " + PythonLiteral.kind(descr) + " "
                    + PythonLiteral.repr(descr) + ", not a string such as '<f4'");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean fortranOrder)) {
            throw new TensorFileException(where + ": fortran_order is " + PythonLiteral.kind(fortran) + " "
                    + PythonLiteral.repr(fortran) + ", not True or False");
        }
        return new NpyHeader(descrText, fortranOrder, shape(dict.get("shape"), where));
    }

    private static long[] shape(Object value, String where) throws TensorFileException {
        if (!(value instanceof PythonLiteral.Tuple tuple)) {
            String hint = value instanceof BigInteger ? " (a 1-tuple is written with a comma: (" + value + ",))" : "";
            throw new TensorFileException(where + ": shape is " + PythonLiteral.kind(value) + " "
                    + PythonLiteral.repr(value) + ", not a tuple of dimensions" + hint);
        }
        long[] dims = new long[tuple.items().size()];
        for (int i = 0; i < dims.length; i++) {
            Object item = tuple.items().get(i);
            if (!(item instanceof BigInteger d)) {
                throw new TensorFileException(where + ": dimension " + i + " of shape " + PythonLiteral.repr(tuple)
                        + " is " + PythonLiteral.kind(item) + " " + PythonLiteral.repr(item) + ", not an int");
            }
            if (d.signum() < 0) {
                throw new TensorFileException(where + ": dimension " + i + " of shape " + PythonLiteral.repr(tuple)
                        + " is negative (" + d + ")");
            }
            if (d.bitLength() > 63) {
                throw new TensorFileException(where + ": dimension " + i + " of shape " + PythonLiteral.repr(tuple)
                        + " is " + d + ", beyond the largest size a file can hold (" + Long.MAX_VALUE + ")");
            }
            dims[i] = d.longValueExact();
        }
        return dims;
    }

    /** The dict as NumPy writes it, key order and trailing comma included, without padding. */
    String format() {
        return "{'descr': " + PythonLiteral.repr(descr) + ", 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shapeText(shape) + ", }";
    }

    /** A shape as Python writes a tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** The header for messages: padding trimmed, control characters escaped, long ones shortened. */
    static String quote(String text) {
        String trimmed = text.strip();
        boolean cut = trimmed.length() > QUOTE_LIMIT;
        StringBuilder out = new StringBuilder("\"");
        for (char c : (cut ? trimmed.substring(0, QUOTE_LIMIT) : trimmed).toCharArray()) {
            if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        out.append(cut ? "...\" (" + trimmed.length() + " characters)" : "\"");
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && descr.equals(h.descr) && fortranOrder == h.fortranOrder
                && Arrays.equals(shape, h.shape);
    }

    @Override
    public int hashCode() {
        return descr.hashCode() * 31 + Arrays.hashCode(shape) + (fortranOrder ? 1 : 0);
    }

    @Override
    public String toString() {
        return format();
    }
}
