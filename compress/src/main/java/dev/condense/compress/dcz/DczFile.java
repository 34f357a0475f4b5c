// A DCZ container as read: its manifest, its contents, and the file name errors quote.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** What {@link DczReader} returns: the verified manifest and the archive's contents. */
public record DczFile(String fileName, Manifest manifest, DczArchive archive) {

    public DczFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(archive, "archive");
    }

    /** The dense values of tensor {@code name}; a malformed payload is reported with the file and entry names. */
    public float[] decode(String name) throws FormatException {
        for (Manifest.TensorRecord t : manifest.tensors()) {
            if (t.name().equals(name)) {
                return archive.tensor(name).orElseThrow().decode(source(t));
            }
        }
        throw new IllegalArgumentException(fileName + " has no tensor '" + name + "'");
    }

    /** The dense values of tensor {@code name} as little-endian fp32 bytes, the layout of an IR tensor's data. */
    public MemorySegment decodeToSegment(String name) throws FormatException {
        for (Manifest.TensorRecord t : manifest.tensors()) {
            if (t.name().equals(name)) {
                return archive.tensor(name).orElseThrow().decodeToSegment(source(t));
            }
        }
        throw new IllegalArgumentException(fileName + " has no tensor '" + name + "'");
    }

    String source(Manifest.TensorRecord t) {
        return fileName + ": entry '" + t.entry() + "' (tensor '" + t.name() + "')";
    }
}
