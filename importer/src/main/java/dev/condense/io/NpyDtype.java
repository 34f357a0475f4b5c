// Maps NumPy dtype descr strings ('<f4', '>i8', '|b1') to Condense element types and back.
package dev.condense.io;

import dev.condense.ir.DataType;

import java.util.Map;

/**
 * The element type of a .npy file and the byte order its data is stored in. A descr is a
 * byte-order character ({@code <} little, {@code >} big, {@code |} not applicable, {@code =}
 * native), a kind ({@code f} float, {@code i} signed, {@code u} unsigned, {@code b} bool) and a
 * width in bytes.
 *
 * @param bigEndian whether the stored elements are big-endian and must be swapped on reading;
 *                  always false for one-byte types
 */
record NpyDtype(DataType type, boolean bigEndian) {

    /** The descrs Condense reads, each also in its '>' form where the width exceeds one byte. */
    static final String SUPPORTED = "<f2, <f4, <f8, |i1, <i2, <i4, <i8, |u1, <u2, <u4, <u8, |b1";

    /** Kinds NumPy has that Condense does not hold, by their descr letter. */
    private static final Map<Character, String> UNSUPPORTED_KINDS = Map.of(
            'c', "complex numbers",
            'U', "unicode strings",
            'S', "byte strings",
            'a', "byte strings",
            'O', "Python objects",
            'V', "raw or structured records",
            'M', "datetime64",
            'm', "timedelta64");

    /**
     * The type {@code descr} names; {@code source} (the file) starts any error message.
     *
     * @throws TensorFileException for a kind, width or byte order Condense does not read
     */
    static NpyDtype parse(String descr, String source) throws TensorFileException {
        String quoted = PythonLiteral.repr(descr);
        int at = 0;
        char order = 0;
        if (!descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0) {
            order = descr.charAt(0);
            at = 1;
        }
        if (at >= descr.length()) {
            throw new TensorFileException(source + ": descr " + quoted + " names no type; Condense reads " + SUPPORTED);
        }
        char kind = descr.charAt(at);
        String what = UNSUPPORTED_KINDS.get(kind);
        if (what != null) {
            throw new TensorFileException(source + ": unsupported descr " + quoted + " (" + what
                    + "); Condense reads " + SUPPORTED);
        }
        String widthText = descr.substring(at + 1);
        DataType type = widthText.matches("[0-9]{1,2}") ? type(kind, Integer.parseInt(widthText)) : null;
        if (type == null) {
            throw new TensorFileException(source + ": unsupported descr " + quoted
                    + "; Condense reads " + SUPPORTED + " (and '>' for big-endian)");
        }
        if (type.byteSize() == 1) {
            return new NpyDtype(type, false);
        }
        return switch (order) {
            case '<' -> new NpyDtype(type, false);
            case '>' -> new NpyDtype(type, true);
            case '|' -> throw new TensorFileException(source + ": descr " + quoted + " marks byte order as not"
                    + " applicable, but " + type + " is " + type.byteSize() + " bytes wide; it needs '<' or '>'");
            default -> throw new TensorFileException(source + ": descr " + quoted + " leaves the byte order to the"
                    + " machine that wrote the file, which the file does not record; it needs '<' or '>'"
                    + " (NumPy itself always writes one of them)");
        };
    }

    /**
     * The descr NumPy writes for {@code type} stored little-endian.
     *
     * @throws TensorFileException for bfloat16, which NumPy has no dtype for
     */
    static String descr(DataType type, String tensorName, String target) throws TensorFileException {
        return switch (type) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case FLOAT16 -> "<f2";
            case INT8 -> "|i1";
            case INT16 -> "<i2";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case UINT8 -> "|u1";
            case UINT16 -> "<u2";
            case UINT32 -> "<u4";
            case UINT64 -> "<u8";
            case BOOL -> "|b1";
            case BFLOAT16 -> throw new TensorFileException(target + ": tensor '" + tensorName + "' is bfloat16,"
                    + " which has no NumPy descr; write it as .pb, or convert it to float32 first");
        };
    }

    private static DataType type(char kind, int width) {
        return switch (kind) {
            case 'f' -> switch (width) {
                case 2 -> DataType.FLOAT16;
                case 4 -> DataType.FLOAT;
                case 8 -> DataType.DOUBLE;
                default -> null;
            };
            case 'i' -> switch (width) {
                case 1 -> DataType.INT8;
                case 2 -> DataType.INT16;
                case 4 -> DataType.INT32;
                case 8 -> DataType.INT64;
                default -> null;
            };
            case 'u' -> switch (width) {
                case 1 -> DataType.UINT8;
                case 2 -> DataType.UINT16;
                case 4 -> DataType.UINT32;
                case 8 -> DataType.UINT64;
                default -> null;
            };
            case 'b' -> width == 1 ? DataType.BOOL : null;
            default -> null;
        };
    }
}
