// Reads and verifies a DCZ container, trusting nothing in it before checking it against the bytes present.
package dev.condense.compress.dcz;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.condense.compress.FormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads DCZ containers (docs/FORMAT.md, "What a reader verifies"). The zip structure, every CRC-32,
 * the manifest, every entry's size and SHA-256, the tensor headers against the manifest, and each
 * layer's section sizes against its accounting are checked by {@link #read}; {@link #verify} also
 * decodes every tensor. Any failure is a {@link FormatException} naming the file and the entry.
 */
public final class DczReader {

    private DczReader() {
    }

    /** Reads and checks {@code file}; tensor payloads are checked structurally, not decoded. */
    public static DczFile read(Path file) throws IOException, FormatException {
        String fileName = file.toString();
        try (Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > StoredZip.MAX_ARCHIVE_BYTES) {
                throw new FormatException(fileName + ": " + size + " bytes is more than a DCZ archive may have ("
                        + StoredZip.MAX_ARCHIVE_BYTES + ")");
            }
            // Entries are copied out of the mapping before it is closed.
            MemorySegment bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return read(bytes, fileName);
        }
    }

    /** Reads and checks an archive held in memory; {@code fileName} names it in messages. */
    public static DczFile read(byte[] file, String fileName) throws FormatException {
        return read(MemorySegment.ofArray(file), fileName);
    }

    /** Reads {@code file} and decodes every tensor. */
    public static DczFile verify(Path file) throws IOException, FormatException {
        return decodeAll(read(file));
    }

    /** Reads an archive held in memory and decodes every tensor. */
    public static DczFile verify(byte[] file, String fileName) throws FormatException {
        return decodeAll(read(file, fileName));
    }

    private static DczFile decodeAll(DczFile dcz) throws FormatException {
        for (Manifest.TensorRecord t : dcz.manifest().tensors()) {
            dcz.archive().tensor(t.name()).orElseThrow().decode(dcz.source(t));
        }
        return dcz;
    }

    static DczFile read(MemorySegment file, String fileName) throws FormatException {
        Map<String, StoredZip.Entry> entries = new LinkedHashMap<>();
        for (StoredZip.Entry e : StoredZip.read(file, fileName)) {
            entries.put(e.name(), e);
        }
        String manifestSource = entryName(fileName, DczFormat.MANIFEST);
        StoredZip.Entry manifestEntry = entries.get(DczFormat.MANIFEST);
        if (manifestEntry == null) {
            throw new FormatException(fileName + ": no entry '" + DczFormat.MANIFEST + "' (the archive holds "
                    + entries.size() + " entries" + (entries.isEmpty() ? "" : ", first '" + entries.keySet().iterator().next() + "'")
                    + ")");
        }
        Manifest manifest = parseManifest(manifestEntry.data(), manifestSource);
        for (StoredZip.Entry e : entries.values()) {
            // Version 2 deflates the manifest and the graph; tensor entries are stored in every version.
            boolean mayDeflate = manifest.formatVersion() >= 2
                    && (e.name().equals(DczFormat.MANIFEST) || e.name().equals(DczFormat.GRAPH));
            if (e.deflate() && !mayDeflate) {
                throw new FormatException(entryName(fileName, e.name()) + ": is deflated; a version "
                        + manifest.formatVersion() + " archive deflates " + (manifest.formatVersion() >= 2
                        ? "only " + DczFormat.MANIFEST + " and " + DczFormat.GRAPH : "no entry"));
            }
        }

        Set<String> listed = new HashSet<>();
        for (Manifest.EntryRecord r : manifest.entries()) {
            String source = entryName(fileName, r.name());
            if (r.name().equals(DczFormat.MANIFEST) || !listed.add(r.name())) {
                throw new FormatException(source + ": listed " + (r.name().equals(DczFormat.MANIFEST) ? "as its own entry"
                        : "twice") + " in " + DczFormat.MANIFEST);
            }
            StoredZip.Entry e = entries.get(r.name());
            if (e == null) {
                throw new FormatException(source + ": listed in " + DczFormat.MANIFEST + " but missing from the archive");
            }
            if (e.data().byteSize() != r.size()) {
                throw new FormatException(source + ": holds " + e.data().byteSize() + " bytes, " + DczFormat.MANIFEST
                        + " says " + r.size());
            }
            String sha = DczFormat.sha256(e.data());
            if (!sha.equals(r.sha256())) {
                throw new FormatException(source + ": SHA-256 is " + sha + ", " + DczFormat.MANIFEST + " says " + r.sha256());
            }
        }
        for (String name : entries.keySet()) {
            if (!name.equals(DczFormat.MANIFEST) && !listed.contains(name)) {
                throw new FormatException(entryName(fileName, name) + ": not listed in " + DczFormat.MANIFEST);
            }
        }
        if (!listed.contains(DczFormat.GRAPH)) {
            throw new FormatException(entryName(fileName, DczFormat.GRAPH) + ": missing (every DCZ archive holds the graph)");
        }

        List<DczTensor> tensors = new ArrayList<>();
        Set<String> tensorNames = new HashSet<>();
        Set<String> tensorEntries = new HashSet<>();
        for (Manifest.TensorRecord t : manifest.tensors()) {
            String source = fileName + ": entry '" + t.entry() + "' (tensor '" + t.name() + "')";
            if (t.name().isEmpty() || !tensorNames.add(t.name())) {
                throw new FormatException(source + ": tensor name is " + (t.name().isEmpty() ? "empty" : "used twice"));
            }
            if (t.entry().equals(DczFormat.GRAPH) || !listed.contains(t.entry()) || !tensorEntries.add(t.entry())) {
                throw new FormatException(source + ": not a tensor entry of its own (it is the graph, unlisted, or shared)");
            }
            DczTensor tensor = DczFormat.parseTensorEntry(t.name(), entries.get(t.entry()).data(), source);
            List<Long> dims = new ArrayList<>();
            for (long d : tensor.dims()) {
                dims.add(d);
            }
            if (!dims.equals(t.dims()) || !tensor.encoding().label().equals(t.encoding())) {
                throw new FormatException(source + ": header says " + tensor.encoding().label() + " " + dims + ", "
                        + DczFormat.MANIFEST + " says " + t.encoding() + " " + t.dims());
            }
            tensors.add(tensor);
        }
        for (String name : listed) {
            if (!name.equals(DczFormat.GRAPH) && !tensorEntries.contains(name)) {
                throw new FormatException(entryName(fileName, name) + ": belongs to no tensor in " + DczFormat.MANIFEST);
            }
        }

        if (manifest.layers().size() != tensors.size()) {
            throw new FormatException(manifestSource + ": " + manifest.layers().size() + " layer records for "
                    + tensors.size() + " tensors");
        }
        for (int i = 0; i < tensors.size(); i++) {
            Manifest.TensorRecord t = manifest.tensors().get(i);
            String source = fileName + ": entry '" + t.entry() + "' (tensor '" + t.name() + "')";
            Manifest.LayerRecord actual = Manifest.LayerRecord.of(t.name(), DczFormat.layerSizes(tensors.get(i), source));
            if (!actual.equals(manifest.layers().get(i))) {
                throw new FormatException(source + ": " + DczFormat.MANIFEST + " accounts " + manifest.layers().get(i)
                        + " but the payload is " + actual);
            }
        }
        DczArchive archive = new DczArchive(manifest.settings(), entries.get(DczFormat.GRAPH).data(), tensors);
        return new DczFile(fileName, manifest, archive);
    }

    private static Manifest parseManifest(MemorySegment json, String source) throws FormatException {
        if (json.byteSize() > DczFormat.MAX_MANIFEST_BYTES) {
            throw new FormatException(source + ": " + json.byteSize() + " bytes, more than a manifest may have ("
                    + DczFormat.MAX_MANIFEST_BYTES + ")");
        }
        Manifest manifest;
        try {
            manifest = DczFormat.JSON.readValue(json.toArray(ValueLayout.JAVA_BYTE), Manifest.class);
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new FormatException(source + ": not a valid manifest: " + message, e);
        }
        if (manifest == null) {
            throw new FormatException(source + ": holds JSON null instead of a manifest object");
        }
        if (!manifest.format().equals(DczFormat.FORMAT_NAME) || manifest.formatVersion() < DczFormat.OLDEST_FORMAT_VERSION
                || manifest.formatVersion() > DczFormat.FORMAT_VERSION) {
            throw new FormatException(source + ": format '" + manifest.format() + "' version " + manifest.formatVersion()
                    + "; this reader reads '" + DczFormat.FORMAT_NAME + "' versions " + DczFormat.OLDEST_FORMAT_VERSION
                    + " to " + DczFormat.FORMAT_VERSION);
        }
        return manifest;
    }

    private static String entryName(String fileName, String entry) {
        return fileName + ": entry '" + entry + "'";
    }
}
