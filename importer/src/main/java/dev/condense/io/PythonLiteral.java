// Parses the subset of Python literal syntax that .npy headers are written in, with positions in its errors.
package dev.condense.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parser for the literals NumPy's header dict can hold: dicts, tuples, lists, strings, integers,
 * {@code True}, {@code False} and {@code None}, with Python's spelling rules that matter here
 * (trailing commas, {@code (5,)} as a 1-tuple but {@code (5)} as the number 5, Python 2's {@code 3L}
 * longs, {@code u''} strings). Values come back as {@link Map} (insertion-ordered), {@link Tuple},
 * {@link PyList}, {@link String}, {@link BigInteger}, {@link Boolean} or {@link #NONE}.
 *
 * <p>Nesting is bounded by {@link #MAX_DEPTH}, so a hostile header cannot exhaust the stack.
 */
final class PythonLiteral {

    /** Deepest nesting of brackets accepted; a .npy header needs 3 (a structured dtype's field list). */
    static final int MAX_DEPTH = 16;

    /** Longest integer accepted; 19 digits already exceed any dimension a long can hold. */
    static final int MAX_DIGITS = 64;

    /** Python's {@code None}. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Tuple {
            items = List.copyOf(items);
        }
    }

    /** A Python list, kept apart from tuples because NumPy tells them apart. */
    record PyList(List<Object> items) {
        PyList {
            items = List.copyOf(items);
        }
    }

    /** Why the text is not a literal and where, without the source; the caller adds the file. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** The single literal {@code text} holds, surrounded by nothing but whitespace. */
    static Object parse(String text) throws SyntaxError {
        PythonLiteral parser = new PythonLiteral(text);
        parser.skipWhitespace();
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected " + parser.describeHere() + " after the literal");
        }
        return value;
    }

    /** Python's repr of a parsed value, for messages. */
    static String repr(Object value) {
        return switch (value) {
            case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
            case Boolean b -> b ? "True" : "False";
            case Tuple t when t.items().size() == 1 -> "(" + repr(t.items().getFirst()) + ",)";
            case Tuple t -> t.items().stream().map(PythonLiteral::repr).collect(Collectors.joining(", ", "(", ")"));
            case PyList l -> l.items().stream().map(PythonLiteral::repr).collect(Collectors.joining(", ", "[", "]"));
            case Map<?, ?> m -> m.entrySet().stream().map(e -> repr(e.getKey()) + ": " + repr(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
            default -> String.valueOf(value);
        };
    }

    /** Python's name for the kind of a parsed value, for messages ("a list", "an int"). */
    static String kind(Object value) {
        return switch (value) {
            case String s -> "a string";
            case Boolean b -> "a bool";
            case BigInteger i -> "an int";
            case Tuple t -> "a tuple";
            case PyList l -> "a list";
            case Map<?, ?> m -> "a dict";
            default -> "None";
        };
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("brackets nest deeper than " + MAX_DEPTH + " levels");
        }
        if (pos >= text.length()) {
            throw error("the text ends where a value should be");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict(depth);
            case '(' -> tupleOrParenthesized(depth);
            case '[' -> new PyList(sequence(depth, ']'));
            case '\'', '"' -> string();
            case '-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> integer();
            default -> {
                if ((c == 'u' || c == 'U') && pos + 1 < text.length()
                        && (text.charAt(pos + 1) == '\'' || text.charAt(pos + 1) == '"')) {
                    pos++;
                    yield string();
                }
                if (Character.isLetter(c) || c == '_') {
                    yield name();
                }
                throw error("unexpected " + describeHere() + " where a value should be");
            }
        };
    }

    private Map<Object, Object> dict(int depth) throws SyntaxError {
        pos++;
        Map<Object, Object> entries = new LinkedHashMap<>();
        skipWhitespace();
        while (!take('}')) {
            int keyAt = pos;
            Object key = value(depth + 1);
            if (key instanceof Map<?, ?> || key instanceof PyList) {
                pos = keyAt;
                throw error(kind(key) + " cannot be a dict key");
            }
            skipWhitespace();
            if (!take(':')) {
                throw error("expected ':' after key " + repr(key) + ", found " + describeHere());
            }
            skipWhitespace();
            Object value = value(depth + 1);
            if (entries.putIfAbsent(key, value) != null) {
                pos = keyAt;
                throw error("key " + repr(key) + " appears twice");
            }
            if (!separator('}')) {
                throw error("expected ',' or '}' after the value of " + repr(key) + ", found " + describeHere());
            }
        }
        return entries;
    }

    /** {@code ()} and {@code (x,)} are tuples; {@code (x)} is just x, as in Python. */
    private Object tupleOrParenthesized(int depth) throws SyntaxError {
        pos++;
        skipWhitespace();
        if (take(')')) {
            return new Tuple(List.of());
        }
        Object first = value(depth + 1);
        skipWhitespace();
        if (take(')')) {
            return first;
        }
        if (!separator(')')) {
            throw error("expected ',' or ')', found " + describeHere());
        }
        List<Object> items = new ArrayList<>();
        items.add(first);
        return new Tuple(rest(depth, ')', items));
    }

    /** Comma-separated values up to {@code close}, a trailing comma allowed; starts on the opening bracket. */
    private List<Object> sequence(int depth, char close) throws SyntaxError {
        pos++;
        skipWhitespace();
        return rest(depth, close, new ArrayList<>());
    }

    /** The items after those already in {@code items}, through {@code close}. */
    private List<Object> rest(int depth, char close, List<Object> items) throws SyntaxError {
        while (!take(close)) {
            items.add(value(depth + 1));
            if (!separator(close)) {
                throw error("expected ',' or '" + close + "', found " + describeHere());
            }
        }
        return items;
    }

    /** After an item: consumes a comma (then whitespace) and returns true, or sees {@code close} and leaves it. */
    private boolean separator(char close) {
        skipWhitespace();
        if (take(',')) {
            skipWhitespace();
            return true;
        }
        return pos < text.length() && text.charAt(pos) == close;
    }

    private String string() throws SyntaxError {
        int start = pos;
        char quote = text.charAt(pos++);
        StringBuilder s = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return s.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && pos < text.length()) {
                char escaped = text.charAt(pos++);
                switch (escaped) {
                    case '\\', '\'', '"' -> s.append(escaped);
                    case 'n' -> s.append('\n');
                    case 't' -> s.append('\t');
                    // Python keeps an unknown escape as written.
                    default -> s.append('\\').append(escaped);
                }
            } else {
                s.append(c);
            }
        }
        pos = start;
        throw error("a string starting here is not closed");
    }

    private BigInteger integer() throws SyntaxError {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
            skipWhitespace();
        }
        int digits = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == digits) {
            throw error("expected digits after the sign, found " + describeHere());
        }
        if (pos - digits > MAX_DIGITS) {
            int count = pos - digits;
            pos = start;
            throw error("an integer of " + count + " digits is far too large");
        }
        BigInteger magnitude = new BigInteger(text.substring(digits, pos));
        // Python 2 wrote longs as 3L; NumPy still reads version 1.0 headers written that way.
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++;
        }
        if (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            throw error("only whole numbers are expected here, found " + describeHere());
        }
        return text.charAt(start) == '-' ? magnitude.negate() : magnitude;
    }

    private Object name() throws SyntaxError {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String word = text.substring(start, pos);
        return switch (word) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> NONE;
            default -> {
                pos = start;
                throw error("unknown name '" + word + "' (only True, False and None are literals)");
            }
        };
    }

    private boolean take(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n\f".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "the end of the text";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("character 0x%02X", (int) c);
    }

    private SyntaxError error(String problem) {
        return new SyntaxError(problem + " at column " + pos);
    }
}
