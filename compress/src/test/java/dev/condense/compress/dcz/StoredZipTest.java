// Tests of the stored-zip layer: interoperability with java.util.zip, and strict rejection of names and layouts.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredZipTest {

    private static StoredZip.Entry entry(String name, String content) {
        return new StoredZip.Entry(name, MemorySegment.ofArray(content.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] zip(List<StoredZip.Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoredZip.write(entries, out);
        return out.toByteArray();
    }

    private static String error(byte[] file) {
        return assertThrows(FormatException.class, () -> StoredZip.read(MemorySegment.ofArray(file), "t.zip")).getMessage();
    }

    /** Replaces every occurrence of {@code from} (same length as {@code to}) in the archive's bytes: local and central names. */
    private static byte[] renamed(byte[] file, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.UTF_8);
        byte[] b = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(a.length, b.length);
        byte[] out = file.clone();
        int replaced = 0;
        for (int i = 0; i + a.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + a.length, a, 0, a.length)) {
                System.arraycopy(b, 0, out, i, b.length);
                replaced++;
            }
        }
        assertEquals(2, replaced, "name appears in the local header and the central directory");
        return out;
    }

    @Test
    void javaUtilZipReadsWhatWeWrite() throws IOException {
        byte[] file = zip(List.of(entry("manifest.json", "{}"), entry("tensors/0-w", "x".repeat(1000)), entry("empty", "")));
        assertEquals(StoredZip.archiveSize(List.of(entry("manifest.json", "{}"), entry("tensors/0-w", "x".repeat(1000)),
                entry("empty", ""))), file.length);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(file))) {
            ZipEntry e = in.getNextEntry();
            assertEquals("manifest.json", e.getName());
            assertEquals(ZipEntry.STORED, e.getMethod());
            assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
            e = in.getNextEntry();
            assertEquals("tensors/0-w", e.getName());
            assertEquals(1000, in.readAllBytes().length);
            e = in.getNextEntry();
            assertEquals("empty", e.getName());
            assertEquals(0, in.readAllBytes().length);
            assertNull(in.getNextEntry());
        }
    }

    @Test
    void readsBackEntriesInOrder() throws Exception {
        byte[] file = zip(List.of(entry("a", "alpha"), entry("dir/b", "beta"), entry("é", "unicode name")));
        List<StoredZip.Entry> entries = StoredZip.read(MemorySegment.ofArray(file), "t.zip");
        assertEquals(List.of("a", "dir/b", "é"), entries.stream().map(StoredZip.Entry::name).toList());
        assertEquals("beta", new String(entries.get(1).data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        assertEquals(0, StoredZip.read(MemorySegment.ofArray(zip(List.of())), "t.zip").size());
    }

    @Test
    void rejectsPathLikeNames() throws IOException {
        byte[] file = zip(List.of(entry("ok", "1"), entry("aa/x", "2")));
        for (String bad : new String[] {"../x", "/abc", "a//b", "./ab", "C:xy", "a\\bc", "abc/"}) {
            byte[] padded = zip(List.of(entry("ok", "1"), entry("q".repeat(bad.length()), "2")));
            String message = error(renamed(padded, "q".repeat(bad.length()), bad));
            assertTrue(message.startsWith("t.zip: entry '" + bad + "': not a plain relative path"), message);
            assertThrows(IllegalArgumentException.class, () -> zip(List.of(entry(bad, "x"))), bad);
        }
        assertTrue(error(renamed(file, "aa/x", "a\u0001/x")).contains("character 0x1"));
    }

    @Test
    void rejectsDuplicateNames() throws IOException {
        byte[] file = zip(List.of(entry("one", "1"), entry("two", "2")));
        assertEquals("t.zip: entry 'one' appears twice (central directory records #0 and #1)", error(renamed(file, "two", "one")));
        assertThrows(IllegalArgumentException.class, () -> zip(List.of(entry("one", "1"), entry("one", "2"))));
    }

    @Test
    void rejectsInvalidUtf8Names() throws IOException {
        byte[] file = zip(List.of(entry("ab", "1")));
        byte[] bad = file.clone();
        // Central name at offset: local header 30 + name 2 + data 1, then the central header's 46 bytes.
        bad[30 + 2 + 1 + 46] = (byte) 0xC3;
        assertTrue(error(bad).startsWith("t.zip: central directory record #0: name is not valid UTF-8"), error(bad));
    }

    @Test
    void rejectsAbsurdAndInconsistentSizes() throws IOException {
        byte[] file = zip(List.of(entry("a", "hello"), entry("b", "world")));
        // Entry b: local header at 36, central record at 72 + 47 = 119. Sizes at local +18/+22, central +20/+24.
        byte[] absurd = file.clone();
        for (int at : new int[] {36 + 18, 36 + 22, 72 + 47 + 20, 72 + 47 + 24}) {
            absurd[at] = (byte) 0xF0;
            absurd[at + 1] = (byte) 0xFF;
            absurd[at + 2] = (byte) 0xFF;
            absurd[at + 3] = (byte) 0x7F;
        }
        assertEquals("t.zip: entry 'b': declares 2147483632 bytes at offset 67 but only 5 bytes lie before the central directory",
                error(absurd));
        byte[] mismatch = file.clone();
        mismatch[36 + 22] = 4;
        assertEquals("t.zip: entry 'b': local uncompressed size is 4 at offset 58, the central directory says 5", error(mismatch));
        byte[] compressed = file.clone();
        compressed[72 + 47 + 20] = 6;
        assertEquals("t.zip: entry 'b': stored entry declares 6 bytes compressed but 5 uncompressed", error(compressed));
    }

    @Test
    void rejectsCrcMismatchAndForeignLayouts() throws IOException {
        byte[] file = zip(List.of(entry("a", "hello")));
        byte[] data = file.clone();
        data[31 + 1] ^= 1;
        assertTrue(error(data).startsWith("t.zip: entry 'a': CRC-32 of its 5 bytes is 0x"), error(data));
        byte[] comment = java.util.Arrays.copyOf(file, file.length + 3);
        comment[file.length - 2] = 3;
        assertEquals("t.zip: no end-of-central-directory record in the last 22 bytes (truncated, a zip comment, or not a DCZ archive)",
                error(comment));
        byte[] method = file.clone();
        method[8] = 9;
        method[36 + 10] = 9;
        assertEquals("t.zip: entry 'a': compression method is 9 at offset 46, expected 0 (stored) or 8 (deflate)",
                error(method));
        byte[] deflated = file.clone();
        deflated[8] = 8;
        deflated[36 + 10] = 8;
        assertEquals("t.zip: entry 'a': version needed is 10 at offset 42, expected 20", error(deflated));
        assertEquals("t.zip: 3 bytes is too short for a DCZ archive (its end record alone is 22 bytes)", error(new byte[3]));
    }

    @Test
    void deflatedEntriesRoundTripAndCorruptStreamsAreRefused() throws Exception {
        byte[] text = "{\"a\": [1, 2, 3], \"b\": \"repeated repeated repeated repeated\"}".repeat(20)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<StoredZip.Entry> entries = List.of(new StoredZip.Entry("m.json", MemorySegment.ofArray(text), true),
                new StoredZip.Entry("raw", MemorySegment.ofArray(new byte[] {1, 2, 3}), true));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StoredZip.write(entries, out);
        byte[] file = out.toByteArray();
        assertEquals(StoredZip.archiveSize(entries), file.length);
        assertTrue(file.length < text.length / 4, "deflate did not shrink the text: " + file.length);
        List<StoredZip.Entry> back = StoredZip.read(MemorySegment.ofArray(file), "d.zip");
        assertTrue(back.get(0).deflate(), "the text entry is deflated");
        assertFalse(back.get(1).deflate(), "three bytes do not shrink: stored");
        assertArrayEquals(text, back.get(0).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        // java.util.zip reads it as any zip.
        try (java.util.zip.ZipInputStream zin = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(file))) {
            assertEquals("m.json", zin.getNextEntry().getName());
            assertArrayEquals(text, zin.readAllBytes());
        }
        byte[] flipped = file.clone();
        flipped[30 + 6 + 3] ^= (byte) 0xFF;
        String e = assertThrows(FormatException.class, () -> StoredZip.read(MemorySegment.ofArray(flipped), "d.zip"))
                .getMessage();
        assertTrue(e.startsWith("d.zip: entry 'm.json': "), e);
        // A declared size that disagrees with the stream (central and local records both changed).
        byte[] sized = file.clone();
        int central = file.length - 22 - (46 + 6) - (46 + 3);
        java.nio.ByteBuffer.wrap(sized).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(22, text.length + 5)
                .putInt(central + 24, text.length + 5);
        assertEquals("d.zip: entry 'm.json': deflated data ends after " + text.length + " of the declared "
                + (text.length + 5) + " bytes", assertThrows(FormatException.class,
                () -> StoredZip.read(MemorySegment.ofArray(sized), "d.zip")).getMessage());
    }
}
