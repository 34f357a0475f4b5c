// The subset of the zip format a DCZ container uses (stored entries, UTF-8 names, no zip64), written and read strictly.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Zip archives of stored entries and raw-deflated ones, as APPNOTE.TXT describes them, limited to what the
 * DCZ writer produces: entries laid out back to back from offset 0 in central-directory order, each
 * local header agreeing field by field with its central record, fixed values for the fields that
 * carry nothing here (versions, flags, times, attributes), no extra fields, no comments, no zip64
 * (so an archive stays below 4 GiB). The reader accepts exactly that layout and checks every size
 * and offset against the file's length, every name (UTF-8, relative, no "." or ".." segment,
 * unique) and every CRC-32, so any changed byte fails with a {@link FormatException} that names the
 * archive and, once known, the entry.
 */
final class StoredZip {
    static final int LOCAL_SIGNATURE = 0x04034b50;
    static final int CENTRAL_SIGNATURE = 0x02014b50;
    static final int END_SIGNATURE = 0x06054b50;
    static final int LOCAL_HEADER_BYTES = 30;
    static final int CENTRAL_HEADER_BYTES = 46;
    static final int END_RECORD_BYTES = 22;
    /** Version 1.0: stored entries need nothing newer. */
    static final int VERSION_NEEDED = 10;
    /** Version 2.0: what a deflated entry needs. */
    static final int VERSION_NEEDED_DEFLATE = 20;
    /** Host 0 (MS-DOS attributes), specification 6.3, which defines the UTF-8 name flag. */
    static final int VERSION_MADE_BY = 63;
    /** Bit 11: names are UTF-8. No encryption, no data descriptor. */
    static final int FLAGS = 0x0800;
    static final int METHOD_STORED = 0;
    static final int METHOD_DEFLATE = 8;
    /** Most bytes a deflated entry may declare: it is metadata (manifest, graph), and this bounds what a forged size can make us allocate. */
    static final long MAX_INFLATED_BYTES = 256L << 20;
    /** 00:00:00 on 1980-01-01, the earliest DOS time: archives do not depend on when they were written. */
    static final int DOS_TIME = 0;
    static final int DOS_DATE = (1 << 5) | 1;
    static final int MAX_NAME_BYTES = 512;
    static final int MAX_ENTRIES = 0xFFFF;
    static final long MAX_ARCHIVE_BYTES = 0xFFFF_FFFFL;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One entry: its name, its bytes (read-only) and whether it is (to be) deflated. The writer
     * stores a deflate entry as is when deflating would not make it smaller.
     */
    record Entry(String name, MemorySegment data, boolean deflate) {
        Entry {
            data = data.asReadOnly();
        }

        Entry(String name, MemorySegment data) {
            this(name, data, false);
        }
    }

    /** An entry as written: its payload (the deflated bytes, or the data itself), method and CRC-32 of the data. */
    private record Prepared(byte[] name, MemorySegment data, MemorySegment payload, int method, long crc) {
        int versionNeeded() {
            return method == METHOD_DEFLATE ? VERSION_NEEDED_DEFLATE : VERSION_NEEDED;
        }
    }

    private static Prepared prepare(Entry e) {
        MemorySegment payload = e.data();
        int method = METHOD_STORED;
        if (e.deflate() && e.data().byteSize() > 0 && e.data().byteSize() < Integer.MAX_VALUE - 8) {
            byte[] compressed = deflate(e.data().toArray(ValueLayout.JAVA_BYTE));
            if (compressed.length < e.data().byteSize()) {
                payload = MemorySegment.ofArray(compressed);
                method = METHOD_DEFLATE;
            }
        }
        return new Prepared(e.name().getBytes(StandardCharsets.UTF_8), e.data(), payload, method, crc32(e.data()));
    }

    /** Raw deflate (no zlib header), as zip stores it, at the best compression: deterministic for equal input. */
    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(data);
            d.finish();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buffer = new byte[1 << 14];
            while (!d.finished()) {
                int n = d.deflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private StoredZip() {
    }

    // ---- writing ----

    /** The bytes an entry's data takes in the archive: deflated when asked and smaller, else as is. */
    static long payloadSize(Entry e) {
        return e.deflate() ? prepare(e).payload().byteSize() : e.data().byteSize();
    }

    /** The size of the archive {@link #write} produces for these entries. */
    static long archiveSize(List<Entry> entries) {
        long size = END_RECORD_BYTES;
        for (Entry e : entries) {
            long name = e.name().getBytes(StandardCharsets.UTF_8).length;
            long payload = payloadSize(e);
            size += LOCAL_HEADER_BYTES + CENTRAL_HEADER_BYTES + 2 * name + payload;
        }
        return size;
    }

    /**
     * Writes the archive. Names must be valid entry names and unique, at most {@value #MAX_ENTRIES}
     * entries and the whole below 4 GiB; breaking that is the caller's error.
     */
    static void write(List<Entry> entries, OutputStream out) throws IOException {
        if (entries.size() > MAX_ENTRIES || archiveSize(entries) > MAX_ARCHIVE_BYTES) {
            throw new IllegalArgumentException(entries.size() + " entries of " + archiveSize(entries)
                    + " bytes in all exceed a zip archive without zip64 (" + MAX_ENTRIES + " entries, "
                    + MAX_ARCHIVE_BYTES + " bytes)");
        }
        List<Prepared> prepared = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Entry e : entries) {
            String problem = nameProblem(e.name());
            if (problem != null || seen.put(e.name(), prepared.size()) != null) {
                throw new IllegalArgumentException("entry name '" + e.name() + "': "
                        + (problem != null ? problem : "appears twice"));
            }
            prepared.add(prepare(e));
        }
        long[] offsets = new long[entries.size()];
        long offset = 0;
        for (int i = 0; i < prepared.size(); i++) {
            Prepared e = prepared.get(i);
            offsets[i] = offset;
            ByteBuffer h = header(LOCAL_HEADER_BYTES + e.name().length);
            h.putInt(LOCAL_SIGNATURE).putShort((short) e.versionNeeded()).putShort((short) FLAGS)
                    .putShort((short) e.method()).putShort((short) DOS_TIME).putShort((short) DOS_DATE)
                    .putInt((int) e.crc()).putInt((int) e.payload().byteSize()).putInt((int) e.data().byteSize())
                    .putShort((short) e.name().length).putShort((short) 0).put(e.name());
            out.write(h.array());
            writeData(e.payload(), out);
            offset += h.capacity() + e.payload().byteSize();
        }
        long centralOffset = offset;
        for (int i = 0; i < prepared.size(); i++) {
            Prepared e = prepared.get(i);
            ByteBuffer h = header(CENTRAL_HEADER_BYTES + e.name().length);
            h.putInt(CENTRAL_SIGNATURE).putShort((short) VERSION_MADE_BY).putShort((short) e.versionNeeded())
                    .putShort((short) FLAGS).putShort((short) e.method()).putShort((short) DOS_TIME)
                    .putShort((short) DOS_DATE).putInt((int) e.crc()).putInt((int) e.payload().byteSize())
                    .putInt((int) e.data().byteSize())
                    .putShort((short) e.name().length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offsets[i]).put(e.name());
            out.write(h.array());
            offset += h.capacity();
        }
        ByteBuffer end = header(END_RECORD_BYTES);
        end.putInt(END_SIGNATURE).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt((int) (offset - centralOffset)).putInt((int) centralOffset)
                .putShort((short) 0);
        out.write(end.array());
    }

    private static ByteBuffer header(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeData(MemorySegment data, OutputStream out) throws IOException {
        byte[] chunk = new byte[(int) Math.min(1 << 16, data.byteSize())];
        for (long at = 0; at < data.byteSize(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    static long crc32(MemorySegment data) {
        CRC32 crc = new CRC32();
        crc.update(data.asByteBuffer());
        return crc.getValue();
    }

    // ---- reading ----

    /**
     * The entries of the archive in {@code file}, each copied to the heap after its CRC-32 is
     * checked. {@code fileName} names the archive in messages.
     */
    static List<Entry> read(MemorySegment file, String fileName) throws FormatException {
        long size = file.byteSize();
        if (size < END_RECORD_BYTES) {
            throw new FormatException(fileName + ": " + size + " bytes is too short for a DCZ archive (its end record alone is "
                    + END_RECORD_BYTES + " bytes)");
        }
        long end = size - END_RECORD_BYTES;
        if (file.get(INT_LE, end) != END_SIGNATURE) {
            throw new FormatException(fileName + ": no end-of-central-directory record in the last " + END_RECORD_BYTES
                    + " bytes (truncated, a zip comment, or not a DCZ archive)");
        }
        int disk = u16(file, end + 4);
        int centralDisk = u16(file, end + 6);
        int entriesOnDisk = u16(file, end + 8);
        int count = u16(file, end + 10);
        long centralSize = u32(file, end + 12);
        long centralOffset = u32(file, end + 16);
        int commentLength = u16(file, end + 20);
        if (disk != 0 || centralDisk != 0 || entriesOnDisk != count || commentLength != 0) {
            throw new FormatException(fileName + ": end record declares disk " + disk + ", central directory disk "
                    + centralDisk + ", " + entriesOnDisk + " of " + count + " entries on this disk, comment of "
                    + commentLength + " bytes; a DCZ archive is one disk without comment");
        }
        if (centralOffset + centralSize != end) {
            throw new FormatException(fileName + ": central directory of " + centralSize + " bytes at offset " + centralOffset
                    + " does not end where the end record starts (offset " + end + " of a " + size + "-byte file)");
        }
        if ((long) count * CENTRAL_HEADER_BYTES > centralSize) {
            throw new FormatException(fileName + ": " + count + " entries cannot fit in a central directory of "
                    + centralSize + " bytes (" + CENTRAL_HEADER_BYTES + " bytes each at least)");
        }

        String[] names = new String[count];
        long[] crcs = new long[count];
        long[] sizes = new long[count];
        long[] compressedSizes = new long[count];
        int[] methods = new int[count];
        long[] localOffsets = new long[count];
        byte[][] nameBytes = new byte[count][];
        Map<String, Integer> seen = new HashMap<>();
        long at = centralOffset;
        for (int i = 0; i < count; i++) {
            String record = fileName + ": central directory record #" + i;
            if (end - at < CENTRAL_HEADER_BYTES) {
                throw new FormatException(record + " at offset " + at + " runs past the central directory's end at " + end);
            }
            if (file.get(INT_LE, at) != CENTRAL_SIGNATURE) {
                throw new FormatException(record + " at offset " + at + " has signature 0x"
                        + Integer.toHexString(file.get(INT_LE, at)) + ", expected 0x" + Integer.toHexString(CENTRAL_SIGNATURE));
            }
            int nameLength = u16(file, at + 28);
            if (nameLength < 1 || nameLength > MAX_NAME_BYTES || end - at - CENTRAL_HEADER_BYTES < nameLength) {
                throw new FormatException(record + " has a name of " + nameLength + " bytes; expected 1.." + MAX_NAME_BYTES
                        + " within the central directory");
            }
            nameBytes[i] = file.asSlice(at + CENTRAL_HEADER_BYTES, nameLength).toArray(ValueLayout.JAVA_BYTE);
            String name = decodeName(nameBytes[i], record);
            String entry = fileName + ": entry '" + name + "'";
            String problem = nameProblem(name);
            if (problem != null) {
                throw new FormatException(entry + ": " + problem);
            }
            Integer previous = seen.put(name, i);
            if (previous != null) {
                throw new FormatException(entry + " appears twice (central directory records #" + previous + " and #" + i + ")");
            }
            expect(file, at + 4, VERSION_MADE_BY, "version made by", entry);
            methods[i] = u16(file, at + 10);
            if (methods[i] != METHOD_STORED && methods[i] != METHOD_DEFLATE) {
                throw new FormatException(entry + ": compression method is " + methods[i] + " at offset " + (at + 10)
                        + ", expected " + METHOD_STORED + " (stored) or " + METHOD_DEFLATE + " (deflate)");
            }
            int versionNeeded = methods[i] == METHOD_DEFLATE ? VERSION_NEEDED_DEFLATE : VERSION_NEEDED;
            expect(file, at + 6, versionNeeded, "version needed", entry);
            expect(file, at + 8, FLAGS, "flags", entry);
            expect(file, at + 12, DOS_TIME, "modification time", entry);
            expect(file, at + 14, DOS_DATE, "modification date", entry);
            expect(file, at + 30, 0, "extra field length", entry);
            expect(file, at + 32, 0, "comment length", entry);
            expect(file, at + 34, 0, "disk number", entry);
            expect(file, at + 36, 0, "internal attributes", entry);
            if (file.get(INT_LE, at + 38) != 0) {
                throw new FormatException(entry + ": external attributes 0x" + Integer.toHexString(file.get(INT_LE, at + 38))
                        + ", expected 0");
            }
            crcs[i] = u32(file, at + 16);
            compressedSizes[i] = u32(file, at + 20);
            sizes[i] = u32(file, at + 24);
            if (methods[i] == METHOD_STORED && compressedSizes[i] != sizes[i]) {
                throw new FormatException(entry + ": stored entry declares " + compressedSizes[i] + " bytes compressed but "
                        + sizes[i] + " uncompressed");
            }
            if (methods[i] == METHOD_DEFLATE && sizes[i] > MAX_INFLATED_BYTES) {
                throw new FormatException(entry + ": deflated entry declares " + sizes[i] + " bytes uncompressed; at most "
                        + MAX_INFLATED_BYTES + " are allowed");
            }
            localOffsets[i] = u32(file, at + 42);
            names[i] = name;
            at += CENTRAL_HEADER_BYTES + nameLength;
        }
        if (at != end) {
            throw new FormatException(fileName + ": central directory holds " + (end - at) + " bytes after its " + count
                    + " records");
        }

        List<Entry> entries = new ArrayList<>(count);
        long expectedOffset = 0;
        for (int i = 0; i < count; i++) {
            String entry = fileName + ": entry '" + names[i] + "'";
            long local = localOffsets[i];
            if (local != expectedOffset) {
                throw new FormatException(entry + ": local header at offset " + local + ", expected " + expectedOffset
                        + " (entries lie back to back in central-directory order)");
            }
            if (centralOffset - local < LOCAL_HEADER_BYTES + nameBytes[i].length) {
                throw new FormatException(entry + ": local header at offset " + local + " runs into the central directory at "
                        + centralOffset);
            }
            if (file.get(INT_LE, local) != LOCAL_SIGNATURE) {
                throw new FormatException(entry + ": local header at offset " + local + " has signature 0x"
                        + Integer.toHexString(file.get(INT_LE, local)) + ", expected 0x" + Integer.toHexString(LOCAL_SIGNATURE));
            }
            expect(file, local + 4, methods[i] == METHOD_DEFLATE ? VERSION_NEEDED_DEFLATE : VERSION_NEEDED,
                    "local version needed", entry);
            expect(file, local + 6, FLAGS, "local flags", entry);
            expect(file, local + 8, methods[i], "local compression method", entry);
            expect(file, local + 10, DOS_TIME, "local modification time", entry);
            expect(file, local + 12, DOS_DATE, "local modification date", entry);
            expectU32(file, local + 14, crcs[i], "local CRC-32", entry);
            expectU32(file, local + 18, compressedSizes[i], "local compressed size", entry);
            expectU32(file, local + 22, sizes[i], "local uncompressed size", entry);
            expect(file, local + 26, nameBytes[i].length, "local name length", entry);
            expect(file, local + 28, 0, "local extra field length", entry);
            MemorySegment localName = file.asSlice(local + LOCAL_HEADER_BYTES, nameBytes[i].length);
            if (localName.mismatch(MemorySegment.ofArray(nameBytes[i])) != -1) {
                throw new FormatException(entry + ": local header names it '"
                        + new String(localName.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8) + "'");
            }
            long dataOffset = local + LOCAL_HEADER_BYTES + nameBytes[i].length;
            long stored = compressedSizes[i];
            if (stored > centralOffset - dataOffset) {
                throw new FormatException(entry + ": declares " + stored + " bytes at offset " + dataOffset + " but only "
                        + (centralOffset - dataOffset) + " bytes lie before the central directory");
            }
            if (sizes[i] > Integer.MAX_VALUE - 8) {
                throw new FormatException(entry + ": " + sizes[i] + " bytes is more than one entry may hold ("
                        + (Integer.MAX_VALUE - 8) + ")");
            }
            byte[] copy = file.asSlice(dataOffset, stored).toArray(ValueLayout.JAVA_BYTE);
            if (methods[i] == METHOD_DEFLATE) {
                copy = inflate(copy, (int) sizes[i], entry);
            }
            MemorySegment data = MemorySegment.ofArray(copy);
            long crc = crc32(data);
            if (crc != crcs[i]) {
                throw new FormatException(entry + ": CRC-32 of its " + sizes[i] + " bytes is 0x" + Long.toHexString(crc)
                        + ", the archive declares 0x" + Long.toHexString(crcs[i]));
            }
            entries.add(new Entry(names[i], data, methods[i] == METHOD_DEFLATE));
            expectedOffset = dataOffset + stored;
        }
        if (expectedOffset != centralOffset) {
            throw new FormatException(fileName + ": " + (centralOffset - expectedOffset)
                    + " bytes between the last entry (ending at " + expectedOffset + ") and the central directory at "
                    + centralOffset);
        }
        return entries;
    }

    /** Inflates a raw deflate stream that must give exactly {@code size} bytes and end where its input ends. */
    private static byte[] inflate(byte[] compressed, int size, String entry) throws FormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[size];
            int n = 0;
            while (n < size) {
                int got = inflater.inflate(out, n, size - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n == size && !inflater.finished() && inflater.inflate(new byte[1]) > 0) {
                throw new FormatException(entry + ": deflated data inflates to more than the declared " + size + " bytes");
            }
            if (n != size) {
                throw new FormatException(entry + ": deflated data ends after " + n + " of the declared " + size + " bytes");
            }
            if (!inflater.finished() || inflater.getRemaining() != 0) {
                throw new FormatException(entry + ": deflated data " + (inflater.finished() ? "has "
                        + inflater.getRemaining() + " bytes after its end" : "does not end after its " + size + " bytes"));
            }
            return out;
        } catch (DataFormatException e) {
            throw new FormatException(entry + ": deflated data is corrupt (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }

    /** Why {@code name} is not a plain relative entry name, or null when it is one. */
    static String nameProblem(String name) {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "a name must have 1.." + MAX_NAME_BYTES + " bytes";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\\' || c == ':') {
                return "not a plain relative path: character 0x" + Integer.toHexString(c) + " at " + i
                        + " (control characters, '\\' and ':' are not allowed)";
            }
        }
        if (name.startsWith("/")) {
            return "not a plain relative path: it is absolute";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "not a plain relative path: segment '" + segment + "' (empty, '.' and '..' are not allowed)";
            }
        }
        return null;
    }

    private static String decodeName(byte[] bytes, String record) throws FormatException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(record + ": name is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
    }

    private static int u16(MemorySegment file, long offset) {
        return file.get(SHORT_LE, offset) & 0xFFFF;
    }

    private static long u32(MemorySegment file, long offset) {
        return file.get(INT_LE, offset) & 0xFFFF_FFFFL;
    }

    private static void expect(MemorySegment file, long offset, int expected, String field, String entry) throws FormatException {
        int value = u16(file, offset);
        if (value != expected) {
            throw new FormatException(entry + ": " + field + " is " + value + " at offset " + offset + ", expected " + expected);
        }
    }

    private static void expectU32(MemorySegment file, long offset, long expected, String field, String entry)
            throws FormatException {
        long value = u32(file, offset);
        if (value != expected) {
            throw new FormatException(entry + ": " + field + " is " + value + " at offset " + offset
                    + ", the central directory says " + expected);
        }
    }
}
