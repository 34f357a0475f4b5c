// Tests of the .npy codec: round trips, hand-built files per the format description, hostile input, safe writes.
package dev.condense.io;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.condense.io.NpyFixtures.doubles;
import static dev.condense.io.NpyFixtures.floats;
import static dev.condense.io.NpyFixtures.ints;
import static dev.condense.io.NpyFixtures.longs;
import static dev.condense.io.NpyFixtures.npy;
import static dev.condense.io.NpyFixtures.npyRaw;
import static dev.condense.io.NpyFixtures.shorts;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NpyTest {

    private static final long SEED = 20250607L;

    /** The descr NumPy's {@code dtype.str} gives for each type Condense writes. */
    private static final Map<DataType, String> NUMPY_DESCR = Map.ofEntries(
            Map.entry(DataType.FLOAT, "<f4"), Map.entry(DataType.DOUBLE, "<f8"), Map.entry(DataType.FLOAT16, "<f2"),
            Map.entry(DataType.INT8, "|i1"), Map.entry(DataType.INT16, "<i2"), Map.entry(DataType.INT32, "<i4"),
            Map.entry(DataType.INT64, "<i8"), Map.entry(DataType.UINT8, "|u1"), Map.entry(DataType.UINT16, "<u2"),
            Map.entry(DataType.UINT32, "<u4"), Map.entry(DataType.UINT64, "<u8"), Map.entry(DataType.BOOL, "|b1"));

    @TempDir
    Path tmp;

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Reads a file expected to be rejected and checks that the message names it and each of {@code parts}. */
    private String rejected(String name, byte[] bytes, String... parts) throws IOException {
        Path file = file(name, bytes);
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(file));
        assertContains(e.getMessage(), file.toString());
        assertContains(e.getMessage(), parts);
        return e.getMessage();
    }

    private List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = "BFLOAT16", mode = EnumSource.Mode.EXCLUDE)
    void everyTypeRoundTripsBitForBitWithNumPysDescr(DataType type) throws Exception {
        Random random = new Random(SEED + type.ordinal());
        long[] dims = {3, 5};
        byte[] raw = new byte[15 * type.byteSize()];
        random.nextBytes(raw);
        if (type == DataType.BOOL) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (raw[i] & 1);
            }
        }
        Tensor tensor = Tensor.ofRaw("weights", type, dims, raw);
        Path file = tmp.resolve("weights.npy");
        Npy.write(file, tensor);

        byte[] written = Files.readAllBytes(file);
        String header = new String(written, 10, (written[8] & 0xFF) | (written[9] & 0xFF) << 8, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '" + NUMPY_DESCR.get(type) + "', 'fortran_order': False, 'shape': (3, 5), }"),
                header);
        assertEquals(128, written.length - raw.length, "data starts on a 64-byte boundary");

        Tensor back = Npy.read(file);
        assertEquals(type, back.dtype());
        assertArrayEquals(dims, back.dims());
        assertArrayEquals(raw, back.toByteArray());
        assertEquals(tensor, back);
    }

    @Test
    void shapesFromScalarToRankFiveRoundTrip() throws Exception {
        List<long[]> shapes = List.of(new long[0], new long[] {0, 3}, new long[] {0}, new long[] {7}, new long[] {2, 3},
                new long[] {2, 1, 3}, new long[] {2, 3, 1, 2}, new long[] {1, 2, 3, 2, 2}, new long[] {4, 0, 2});
        for (long[] dims : shapes) {
            int n = Math.toIntExact(Tensor.elementCount(dims));
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = i * 0.5f - 3;
            }
            Path file = tmp.resolve("t.npy");
            Npy.write(file, Tensor.ofFloats("t", dims, values));
            Tensor back = Npy.read(file);
            assertArrayEquals(dims, back.dims(), Arrays.toString(dims));
            assertArrayEquals(values, back.toFloatArray(), Arrays.toString(dims));
            assertEquals(0, (Files.size(file) - 4L * n) % Npy.ALIGNMENT, Arrays.toString(dims));
        }
    }

    @Test
    void writesTheBytesNumPySaveWrites() throws Exception {
        Path file = tmp.resolve("x.npy");
        Npy.write(file, Tensor.ofFloats("x", new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
        // numpy.save(np.arange(1, 7, dtype='<f4').reshape(2, 3)): a 118-byte header (0x76) ending on byte 128.
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        byte[] expected = npyRaw(1, 0, 118, (dict + " ".repeat(117 - dict.length()) + "\n")
                .getBytes(StandardCharsets.US_ASCII), floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
        assertArrayEquals(expected, Files.readAllBytes(file));
        assertEquals(128 + 24, expected.length);
    }

    @Test
    void aHeaderTooLongForVersion1IsWrittenAsVersion2() throws Exception {
        // 22,000 axes of size 1 make a header near 66 KB, past version 1.0's u16 length.
        long[] dims = new long[22_000];
        Arrays.fill(dims, 1);
        Tensor tensor = Tensor.ofFloats("deep", dims, 42f);
        Path file = tmp.resolve("deep.npy");
        Npy.write(file, tensor);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(2, bytes[6]);
        assertEquals(0, bytes[7]);
        long headerLength = ByteBuffer.wrap(bytes, 8, 4).order(LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        assertTrue(headerLength > 0xFFFF, "header length " + headerLength);
        assertEquals(0, (12 + headerLength) % Npy.ALIGNMENT);
        assertEquals(12 + headerLength + 4, bytes.length);
        Tensor back = Npy.read(file);
        assertEquals(tensor.withName("deep"), back);
        assertEquals(42f, back.getFloat(0));
    }

    @Test
    void aTensorReadIsNamedAfterItsFile() throws Exception {
        Path file = tmp.resolve("layer1.conv.weight.npy");
        Npy.write(file, Tensor.ofLongs("ignored", new long[] {1}, 5));
        assertEquals("layer1.conv.weight", Npy.read(file).name());
        Path bare = tmp.resolve("bare");
        Npy.write(bare, Tensor.ofLongs("ignored", new long[] {1}, 5));
        assertEquals("bare", Npy.read(bare).name());
    }

    // ---- hand-built files ----

    @Test
    void version1LittleEndianFloat() throws Exception {
        byte[] bytes = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 64,
                floats(LITTLE_ENDIAN, 1.5f, -2.25f, 0f, Float.MAX_VALUE, Float.MIN_VALUE, -0f));
        Tensor t = Npy.read(file("a.npy", bytes));
        assertEquals("a", t.name());
        assertEquals(DataType.FLOAT, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.dims());
        assertArrayEquals(new float[] {1.5f, -2.25f, 0f, Float.MAX_VALUE, Float.MIN_VALUE, -0f}, t.toFloatArray());
    }

    @Test
    void oldSixteenByteAlignedHeadersAndPython2Longs() throws Exception {
        // NumPy before 1.14 padded to 16 bytes; under Python 2 it wrote shapes as (3L,).
        byte[] bytes = npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3L,)}", 16,
                ints(LITTLE_ENDIAN, -7, 0, Integer.MAX_VALUE));
        int dataOffset = bytes.length - 12;
        assertTrue(dataOffset % 16 == 0 && dataOffset % 64 != 0, "data at byte " + dataOffset);
        Tensor t = Npy.read(file("old.npy", bytes));
        assertEquals(DataType.INT32, t.dtype());
        assertArrayEquals(new long[] {3}, t.dims());
        assertArrayEquals(new long[] {-7, 0, Integer.MAX_VALUE}, t.toLongArray());
    }

    @Test
    void version2And3HeadersWithKeysInAnyOrderAndLooseSpacing() throws Exception {
        String dict = "{ \"shape\" : ( 2 , 2 , ) ,\n 'fortran_order':False,'descr':u'<f8', }";
        double[] values = {Math.PI, -1e300, Double.MIN_VALUE, 0.1};
        for (int major : new int[] {2, 3}) {
            byte[] bytes = npy(major, dict, 64, doubles(LITTLE_ENDIAN, values));
            assertEquals(major, bytes[6]);
            Tensor t = Npy.read(file("v" + major + ".npy", bytes));
            assertEquals(DataType.DOUBLE, t.dtype());
            assertArrayEquals(new long[] {2, 2}, t.dims());
            assertArrayEquals(values, t.toDoubleArray());
        }
    }

    @Test
    void scalarsAndZeroSizeArrays() throws Exception {
        Tensor scalar = Npy.read(file("s.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': ()}", 64,
                longs(LITTLE_ENDIAN, Long.MIN_VALUE))));
        assertEquals(0, scalar.rank());
        assertEquals(Long.MIN_VALUE, scalar.getLong(0));
        Tensor empty = Npy.read(file("e.npy", npy(1, "{'descr': '>f4', 'fortran_order': True, 'shape': (0, 3)}", 64,
                new byte[0])));
        assertArrayEquals(new long[] {0, 3}, empty.dims());
        assertEquals(0, empty.byteSize());
    }

    @Test
    void bigEndianDataIsSwappedToLittleEndian() throws Exception {
        String header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }";
        Tensor f4 = Npy.read(file("f4.npy", npy(1, header.formatted(">f4", 3), 64,
                floats(BIG_ENDIAN, 1.5f, -2.25f, 3e38f))));
        assertArrayEquals(new float[] {1.5f, -2.25f, 3e38f}, f4.toFloatArray());
        Tensor f8 = Npy.read(file("f8.npy", npy(1, header.formatted(">f8", 2), 64, doubles(BIG_ENDIAN, -0.125, 1e-300))));
        assertArrayEquals(new double[] {-0.125, 1e-300}, f8.toDoubleArray());
        // float16 1.0 is 0x3C00 and 65504 (its largest) is 0x7BFF.
        Tensor f2 = Npy.read(file("f2.npy", npy(1, header.formatted(">f2", 2), 64, shorts(BIG_ENDIAN, 0x3C00, 0x7BFF))));
        assertEquals(DataType.FLOAT16, f2.dtype());
        assertArrayEquals(new double[] {1.0, 65504.0}, f2.toDoubleArray());
        Tensor i2 = Npy.read(file("i2.npy", npy(1, header.formatted(">i2", 2), 64, shorts(BIG_ENDIAN, -2, 300))));
        assertArrayEquals(new long[] {-2, 300}, i2.toLongArray());
        Tensor u2 = Npy.read(file("u2.npy", npy(1, header.formatted(">u2", 1), 64, shorts(BIG_ENDIAN, 0xFFFE))));
        assertArrayEquals(new long[] {65534}, u2.toLongArray());
        Tensor u4 = Npy.read(file("u4.npy", npy(1, header.formatted(">u4", 1), 64, ints(BIG_ENDIAN, (int) 4_000_000_000L))));
        assertEquals(DataType.UINT32, u4.dtype());
        assertArrayEquals(new long[] {4_000_000_000L}, u4.toLongArray());
        Tensor i8 = Npy.read(file("i8.npy", npy(1, header.formatted(">i8", 2), 64,
                longs(BIG_ENDIAN, Long.MIN_VALUE, 0x0102030405060708L))));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0x0102030405060708L}, i8.toLongArray());
        Tensor u8 = Npy.read(file("u8.npy", npy(1, header.formatted(">u8", 1), 64, longs(BIG_ENDIAN, -1L))));
        assertEquals(DataType.UINT64, u8.dtype());
        assertEquals(18446744073709551615.0, u8.getDouble(0));
        Tensor i4 = Npy.read(file("i4.npy", npy(1, header.formatted(">i4", 1), 64, ints(BIG_ENDIAN, 0x01020304))));
        assertArrayEquals(new byte[] {4, 3, 2, 1}, i4.toByteArray(), "stored little-endian after reading");
    }

    @Test
    void oneByteTypesTakeAnyByteOrderMark() throws Exception {
        byte[] data = {(byte) 0xFF, 1, 0};
        for (String order : new String[] {"|", "<", ">", "=", ""}) {
            Tensor u1 = Npy.read(file("u1.npy", npy(1, "{'descr': '" + order + "u1', 'fortran_order': False, 'shape': (3,)}",
                    64, data)));
            assertEquals(DataType.UINT8, u1.dtype(), order);
            assertArrayEquals(new long[] {255, 1, 0}, u1.toLongArray(), order);
        }
        Tensor i1 = Npy.read(file("i1.npy", npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,)}", 64, data)));
        assertArrayEquals(new long[] {-1, 1, 0}, i1.toLongArray());
        Tensor b1 = Npy.read(file("b1.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}", 64,
                new byte[] {1, 0, 1})));
        assertEquals(DataType.BOOL, b1.dtype());
        assertArrayEquals(new long[] {1, 0, 1}, b1.toLongArray());
    }

    @Test
    void fortranOrderIsTransposedIntoRowMajor() throws Exception {
        // A 2x3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column.
        Tensor t = Npy.read(file("f.npy", npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", 64,
                ints(LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6))));
        assertArrayEquals(new long[] {2, 3}, t.dims());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, t.toLongArray());
    }

    @Test
    void fortranOrderBigEndianRankThree() throws Exception {
        // Element (i, j, k) = 100i + 10j + k sits at i + 2j + 6k in column-major order.
        double[] stored = new double[24];
        double[] rowMajor = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    stored[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
                    rowMajor[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        Tensor t = Npy.read(file("f3.npy", npy(1, "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3, 4), }", 64,
                doubles(BIG_ENDIAN, stored))));
        assertArrayEquals(new long[] {2, 3, 4}, t.dims());
        assertArrayEquals(rowMajor, t.toDoubleArray());
    }

    @Test
    void fortranOrderWithOneLongAxisNeedsNoTranspose() throws Exception {
        Tensor t = Npy.read(file("f1.npy", npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 4, 1), }", 64,
                floats(LITTLE_ENDIAN, 1, 2, 3, 4))));
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.toFloatArray());
    }

    @Test
    void aMappedTensorSurvivesItsFileBeingReplaced() throws Exception {
        Path file = tmp.resolve("w.npy");
        Npy.write(file, Tensor.ofFloats("w", new long[] {3}, 1, 2, 3));
        Tensor first = Npy.read(file);
        Npy.write(file, Tensor.ofFloats("w", new long[] {2}, 9, 9));
        assertArrayEquals(new float[] {1, 2, 3}, first.toFloatArray(), "the rename leaves the mapped file intact");
        assertArrayEquals(new float[] {9, 9}, Npy.read(file).toFloatArray());
    }

    // ---- malformed and hostile files ----

    @Test
    void truncatedDataIsRejectedWithTheByteCounts() throws IOException {
        byte[] whole = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 64, new byte[24]);
        rejected("cut.npy", Arrays.copyOf(whole, whole.length - 4), "truncated", "shape (2, 3) of '<f4'",
                "needs 24 bytes", "holds 20 after its 128-byte header");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] bytes = npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", 64, new byte[7]);
        rejected("long.npy", bytes, "needs 4 bytes", "holds 7", "3 extra bytes");
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRejected() throws IOException {
        byte[] header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n".getBytes(StandardCharsets.US_ASCII);
        rejected("v1.npy", npyRaw(1, 0, 0xFFFF, header, new byte[4]), "header length 65535", "beyond the end of the file",
                "at " + (10 + header.length + 4) + " bytes");
        rejected("v2.npy", npyRaw(2, 0, 0xFFFF_FFFFL, header, new byte[4]), "header length 4294967295",
                "beyond the end of the file");
        rejected("cut.npy", Arrays.copyOf(npyRaw(2, 0, 64, header, new byte[0]), 11), "11 bytes",
                "cut off inside the header length");
    }

    @Test
    void badMagicAndVersionsAreRejected() throws IOException {
        rejected("zip.npy", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0}, "not a .npy file",
                "starts with 'PK\\x03\\x04\\x14\\x00'", "\\x93NUMPY");
        byte[] npyz = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", 64, new byte[4]);
        npyz[5] = 'Z';
        rejected("z.npy", npyz, "starts with '\\x93NUMPZ'");
        rejected("short.npy", new byte[] {(byte) 0x93, 'N', 'U'}, "3 bytes, too short");
        byte[] header = "{'descr': '<f4', 'fortran_order': False, 'shape': ()}\n".getBytes(StandardCharsets.US_ASCII);
        rejected("v4.npy", npyRaw(4, 0, header.length, header, new byte[4]), "format version 4.0", "1.0, 2.0 and 3.0");
        rejected("v11.npy", npyRaw(1, 1, header.length, header, new byte[4]), "format version 1.1");
    }

    @Test
    void malformedHeaderDictsAreRejectedWithTheHeaderQuoted() throws IOException {
        Map<String, List<String>> cases = Map.ofEntries(
                Map.entry("{'descr' '<f4', 'fortran_order': False, 'shape': ()}",
                        List.of("not a Python dict literal", "expected ':' after key 'descr'", "column 9")),
                Map.entry("{'descr': '<f4, 'fortran_order': False, 'shape': ()}",
                        List.of("not a Python dict literal", "expected ',' or '}' after the value of 'descr', found 'f'")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': ()",
                        List.of("expected ',' or '}'", "the end of the text")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
                        List.of("unexpected 'x' after the literal")),
                Map.entry("{'descr': '<f4', 'fortran_order': false, 'shape': ()}",
                        List.of("unknown name 'false'")),
                Map.entry("['descr', '<f4']", List.of("is a list, not a dict")),
                Map.entry("{'descr': '<f4', 'fortran_order': False}", List.of("lacks 'shape'")),
                Map.entry("{'descr': '<f4'}", List.of("lacks 'fortran_order' and 'shape'")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}",
                        List.of("has key 'extra'", "exactly 'descr', 'fortran_order' and 'shape'")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'shape': (1,)}",
                        List.of("key 'shape' appears twice")),
                Map.entry("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
                        List.of("fortran_order is an int 0, not True or False")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
                        List.of("shape is a list [2, 3], not a tuple")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': (5)}",
                        List.of("shape is an int 5", "written with a comma: (5,)")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}",
                        List.of("only whole numbers are expected here, found '.'")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',)}",
                        List.of("dimension 0 of shape ('2',) is a string '2', not an int")),
                Map.entry("{'descr': 4, 'fortran_order': False, 'shape': ()}", List.of("descr is an int 4")),
                Map.entry("{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(40) + ")".repeat(40) + "}",
                        List.of("nest deeper than 16")));
        int n = 0;
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            String message = rejected("bad" + n++ + ".npy", npy(1, c.getKey(), 64, new byte[0]),
                    c.getValue().toArray(String[]::new));
            assertContains(message, "header \"" + c.getKey().substring(0, Math.min(40, c.getKey().length())));
        }
    }

    @Test
    void nonAsciiHeaderBytesAreNamedWithTheirOffset() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'caf\u00e9': 1}";
        byte[] bytes = npy(3, dict, 64, new byte[4]);
        rejected("utf.npy", bytes, "non-ASCII byte 0xE9", "at file offset " + (12 + dict.indexOf('\u00e9')));
    }

    @Test
    void negativeAndOverflowingDimensionsAreRejectedBeforeAnythingIsAllocated() throws IOException {
        String header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }";
        rejected("neg.npy", npy(1, header.formatted("<f4", "(-1, 3)"), 64, new byte[0]),
                "dimension 0 of shape (-1, 3) is negative (-1)");
        rejected("count.npy", npy(1, header.formatted("<f4", "(4611686018427387904, 4)"), 64, new byte[16]),
                "shape (4611686018427387904, 4) of '<f4'", "more bytes than a 64-bit size can count");
        rejected("bytes.npy", npy(1, header.formatted("<f8", "(2305843009213693952,)"), 64, new byte[16]),
                "shape (2305843009213693952,) of '<f8'", "more bytes than a 64-bit size can count");
        rejected("huge.npy", npy(1, header.formatted("<f8", "(99999999999999999999,)"), 64, new byte[16]),
                "dimension 0", "is 99999999999999999999, beyond the largest size");
        // 4 TB declared over 16 bytes: with -Xmx6g an allocation would fail with OutOfMemoryError, not this message.
        rejected("big.npy", npy(1, header.formatted("<f4", "(1000000000, 1000)"), 64, new byte[16]),
                "truncated", "needs 4000000000000 bytes", "holds 16");
        rejected("digits.npy", npy(1, header.formatted("<f4", "(" + "9".repeat(5000) + ",)"), 64, new byte[0]),
                "an integer of 5000 digits");
    }

    @Test
    void unsupportedDescrsAreNamed() throws IOException {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("'<c8'", "unsupported descr '<c8' (complex numbers)"),
                Map.entry("'<c16'", "unsupported descr '<c16' (complex numbers)"),
                Map.entry("'<U5'", "unsupported descr '<U5' (unicode strings)"),
                Map.entry("'|S3'", "unsupported descr '|S3' (byte strings)"),
                Map.entry("'|O'", "unsupported descr '|O' (Python objects)"),
                Map.entry("'|V8'", "unsupported descr '|V8' (raw or structured records)"),
                Map.entry("'<M8[ns]'", "unsupported descr '<M8[ns]' (datetime64)"),
                Map.entry("'<f16'", "unsupported descr '<f16'"),
                Map.entry("'<i3'", "unsupported descr '<i3'"),
                Map.entry("'float32'", "unsupported descr 'float32'"),
                Map.entry("'<'", "descr '<' names no type"),
                Map.entry("[('x', '<f4'), ('y', '<i4')]", "structured dtype"),
                Map.entry("'|f4'", "descr '|f4' marks byte order as not applicable"),
                Map.entry("'=i4'", "descr '=i4' leaves the byte order to the machine"),
                Map.entry("'f8'", "descr 'f8' leaves the byte order"));
        int n = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String message = rejected("d" + n++ + ".npy", npy(1, "{'descr': " + c.getKey()
                    + ", 'fortran_order': False, 'shape': (1,), }", 64, new byte[4]), c.getValue());
            if (c.getValue().startsWith("unsupported") || c.getValue().contains("names no type")) {
                assertContains(message, "<f2, <f4, <f8, |i1");
            }
        }
    }

    @Test
    void missingFilesAndFoldersAreNamed() throws IOException {
        Path missing = tmp.resolve("missing.npy");
        assertContains(assertThrows(TensorFileException.class, () -> Npy.read(missing)).getMessage(),
                missing + " does not exist");
        Path folder = Files.createDirectory(tmp.resolve("folder.npy"));
        assertContains(assertThrows(TensorFileException.class, () -> Npy.read(folder)).getMessage(),
                folder + " is a folder");
    }

    // ---- writing safely ----

    @Test
    void bfloat16CannotBeWrittenAndNothingIsLeft() throws IOException {
        Tensor t = Tensor.fromDoubles("b", DataType.BFLOAT16, new long[] {2}, new double[] {1, 2});
        Path file = tmp.resolve("b.npy");
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.write(file, t));
        assertContains(e.getMessage(), file.toString(), "tensor 'b' is bfloat16", "no NumPy descr", ".pb", "float32");
        assertEquals(List.of(), filesIn(tmp));
    }

    @Test
    void writingReplacesAnExistingFileAndCreatesFolders() throws Exception {
        Path file = tmp.resolve("a").resolve("b").resolve("t.npy");
        Npy.write(file, Tensor.ofFloats("t", new long[] {1}, 1));
        Npy.write(file, Tensor.ofInts("t", new long[] {2}, 7, 8));
        assertArrayEquals(new long[] {7, 8}, Npy.read(file).toLongArray());
        assertEquals(List.of(file), filesIn(file.getParent()), "only the tensor file is left in its folder");
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFile() throws IOException {
        // The target is a folder: the temporary file is written in full, then the rename fails.
        Path target = Files.createDirectory(tmp.resolve("taken.npy"));
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> Npy.write(target, Tensor.ofFloats("t", new long[] {2}, 1, 2)));
        assertContains(e.getMessage(), target.toString(), "cannot write it");
        assertEquals(List.of(target), filesIn(tmp));
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void aFailureMidWayKeepsTheOldFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = tmp.resolve("t.npy");
        Npy.write(file, Tensor.ofFloats("t", new long[] {2}, 1, 2));
        Tensor vanishing;
        Arena arena = Arena.ofConfined();
        MemorySegment data = arena.allocate(1 << 20);
        vanishing = new Tensor("v", DataType.FLOAT, new long[] {1 << 18}, data);
        arena.close();
        // The header is written first; reading the freed data then fails part-way through the file.
        assertThrows(IllegalStateException.class, () -> Npy.write(file, vanishing));
        assertEquals(List.of(file), filesIn(tmp));
        assertArrayEquals(new float[] {1, 2}, Npy.read(file).toFloatArray());
    }

    @Test
    void aReadOnlyFolderLeavesNoTemporaryFile() throws IOException {
        Path folder = Files.createDirectory(tmp.resolve("locked"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            boolean enforced;
            try {
                Files.delete(Files.createFile(folder.resolve("probe")));
                enforced = false;
            } catch (IOException e) {
                enforced = true;
            }
            assumeTrue(enforced, "folder permissions are not enforced for this user (root?)");
            Path file = folder.resolve("t.npy");
            TensorFileException e = assertThrows(TensorFileException.class,
                    () -> Npy.write(file, Tensor.ofFloats("t", new long[] {1}, 1)));
            assertContains(e.getMessage(), file.toString(), "cannot write it", "permission denied");
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals(List.of(), filesIn(folder));
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.npy", "x.tar.npy", ".npy", "x"})
    void baseNameDropsTheLastExtension(String name) {
        String expected = switch (name) {
            case "x.npy", "x" -> "x";
            case "x.tar.npy" -> "x.tar";
            default -> ".npy";
        };
        assertEquals(expected, Npy.baseName(Path.of("dir", name)));
    }
}
