// Writes a DCZ container to a temporary file beside the target and renames it into place only when complete.
package dev.condense.compress.dcz;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.condense.compress.FormatException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import dev.condense.io.TemporaryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Writes {@link DczArchive}s. The archive goes to a new hidden file in the target's directory,
 * is forced to disk, and is then atomically renamed onto the target; when anything fails the
 * temporary file is deleted and an existing target is left as it was.
 */
public final class DczWriter {
    private static final System.Logger LOG = System.getLogger(DczWriter.class.getName());

    private DczWriter() {
    }

    /** Writes {@code archive} to {@code target} and returns the manifest written. */
    public static Manifest write(Path target, DczArchive archive) throws IOException {
        return write(target, archive, UnaryOperator.identity());
    }

    /** As {@link #write(Path, DczArchive)}, the file's stream passed through {@code wrap} (tests inject failures there). */
    static Manifest write(Path target, DczArchive archive, UnaryOperator<OutputStream> wrap) throws IOException {
        Layout layout = layout(archive);
        Path absolute = target.toAbsolutePath();
        Path temp = createTempFor(absolute);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = wrap.apply(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16))) {
                StoredZip.write(layout.entries(), out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                deleteTemp(temp);
            }
        }
        return layout.manifest();
    }

    /** The size in bytes of the file {@link #write} writes for {@code archive}. */
    public static long size(DczArchive archive) {
        return StoredZip.archiveSize(layout(archive).entries());
    }

    /** The bytes the graph entry takes in the archive (deflated when that is smaller). */
    public static long storedGraphSize(DczArchive archive) {
        return StoredZip.payloadSize(new StoredZip.Entry(DczFormat.GRAPH, archive.graph(), true));
    }

    /** The archive's bytes in memory, as {@link #write} would write them (for small archives and tests). */
    public static byte[] toBytes(DczArchive archive) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            StoredZip.write(layout(archive).entries(), out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** The zip entries of an archive, manifest.json first, and the manifest they carry. */
    record Layout(Manifest manifest, List<StoredZip.Entry> entries) {
    }

    static Layout layout(DczArchive archive) {
        List<StoredZip.Entry> content = new ArrayList<>();
        List<Manifest.TensorRecord> tensors = new ArrayList<>();
        List<Manifest.LayerRecord> layers = new ArrayList<>();
        content.add(new StoredZip.Entry(DczFormat.GRAPH, archive.graph(), true));
        for (int i = 0; i < archive.tensors().size(); i++) {
            DczTensor t = archive.tensors().get(i);
            String entry = DczFormat.tensorEntryName(i, t.name());
            content.add(new StoredZip.Entry(entry, DczFormat.tensorEntry(t)));
            List<Long> dims = new ArrayList<>();
            for (long d : t.dims()) {
                dims.add(d);
            }
            tensors.add(new Manifest.TensorRecord(t.name(), entry, dims, t.encoding().label()));
            try {
                layers.add(Manifest.LayerRecord.of(t.name(), DczFormat.layerSizes(t, "tensor '" + t.name() + "'")));
            } catch (FormatException e) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' does not hold a valid "
                        + t.encoding().label() + " payload: " + e.getMessage(), e);
            }
        }
        List<Manifest.EntryRecord> records = new ArrayList<>();
        for (StoredZip.Entry e : content) {
            records.add(new Manifest.EntryRecord(e.name(), e.data().byteSize(), DczFormat.sha256(e.data())));
        }
        Manifest manifest = new Manifest(DczFormat.FORMAT_NAME, DczFormat.FORMAT_VERSION, archive.settings(), records,
                tensors, layers);
        byte[] json;
        try {
            json = DczFormat.JSON.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the manifest cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        List<StoredZip.Entry> entries = new ArrayList<>();
        entries.add(new StoredZip.Entry(DczFormat.MANIFEST, MemorySegment.ofArray(json), true));
        entries.addAll(content);
        if (entries.size() > StoredZip.MAX_ENTRIES || StoredZip.archiveSize(entries) > StoredZip.MAX_ARCHIVE_BYTES) {
            throw new IllegalArgumentException(archive.tensors().size() + " tensors make " + entries.size() + " entries of "
                    + StoredZip.archiveSize(entries) + " bytes; a DCZ archive holds at most " + StoredZip.MAX_ENTRIES
                    + " entries and " + StoredZip.MAX_ARCHIVE_BYTES + " bytes");
        }
        return new Layout(manifest, entries);
    }

    private static Path createTempFor(Path target) throws IOException {
        return TemporaryFiles.beside(target.getParent(), target.getFileName().toString());
    }

    private static void deleteTemp(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the unfinished file " + temp + ": " + e.getMessage());
        }
    }
}
