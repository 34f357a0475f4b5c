// The manifest.json of a DCZ container: format version, settings, a checksum per entry, tensors and per-layer sizes.
package dev.condense.compress.dcz;

import dev.condense.compress.layer.LayerSizes;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The manifest as JSON maps it (docs/FORMAT.md, "manifest.json"). {@code entries} lists every zip
 * entry but the manifest itself, in archive order, with its size and SHA-256; {@code tensors} maps
 * each tensor to its entry, shape and encoding; {@code layers} accounts each tensor's encoded bytes
 * part by part, in tensor order.
 */
public record Manifest(String format, int formatVersion, SortedMap<String, String> settings, List<EntryRecord> entries,
                       List<TensorRecord> tensors, List<LayerRecord> layers) {

    public Manifest {
        Objects.requireNonNull(format, "format");
        settings.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("setting '" + key + "' has value " + value + "; keys and values are strings");
            }
        });
        settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
        entries = List.copyOf(entries);
        tensors = List.copyOf(tensors);
        layers = List.copyOf(layers);
    }

    /** One zip entry: its name, size in bytes and SHA-256 (64 lowercase hex digits). */
    public record EntryRecord(String name, long size, String sha256) {
        public EntryRecord {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
            if (size < 0) {
                throw new IllegalArgumentException("entry '" + name + "' has negative size " + size);
            }
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("entry '" + name + "' has sha256 '" + sha256
                        + "', expected 64 lowercase hex digits");
            }
        }
    }

    /** One tensor: its ONNX name, the entry holding it, its dimensions and encoding label. */
    public record TensorRecord(String name, String entry, List<Long> dims, String encoding) {
        public TensorRecord {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(encoding, "encoding");
            dims = List.copyOf(dims);
        }
    }

    /**
     * The size accounting of one tensor's payload, the fields of {@link LayerSizes}: elements,
     * stored entries, kept (non-zero) weights, and bytes or bits per part; {@code totalBytes} is the
     * payload's length.
     */
    public record LayerRecord(String tensor, long elements, long entries, long kept, long headerBytes, long codebookBytes,
                              long huffmanTableBytes, long indexBits, long weightBits, long totalBytes) {
        public LayerRecord {
            Objects.requireNonNull(tensor, "tensor");
        }

        static LayerRecord of(String tensor, LayerSizes s) {
            return new LayerRecord(tensor, s.elementCount(), s.entryCount(), s.keptCount(), s.headerBytes(),
                    s.codebookBytes(), s.huffmanTableBytes(), s.indexBits(), s.weightBits(), s.totalBytes());
        }

        /** The accounting as {@link LayerSizes}, for ratios and per-part figures. */
        public LayerSizes sizes() {
            return new LayerSizes(elements, entries, kept, headerBytes, codebookBytes, huffmanTableBytes, indexBits, weightBits);
        }
    }
}
