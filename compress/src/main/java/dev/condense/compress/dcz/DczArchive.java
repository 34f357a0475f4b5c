// The contents of a DCZ container: settings, the weightless ONNX graph and the encoded tensors.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@link DczWriter} writes and {@link DczReader} returns. {@code settings} are free-form
 * key/value pairs the pipeline records (pruning rates, bits per layer, ...), kept sorted by key;
 * {@code graph} is an ONNX ModelProto whose initializers carry no weight bytes, opaque here;
 * {@code tensors} have unique names and keep their order.
 */
public record DczArchive(SortedMap<String, String> settings, MemorySegment graph, List<DczTensor> tensors) {

    public DczArchive {
        settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
        graph = graph.isReadOnly() ? graph : graph.asReadOnly();
        tensors = List.copyOf(tensors);
        Set<String> names = new HashSet<>();
        for (DczTensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' appears twice");
            }
        }
    }

    public static DczArchive of(Map<String, String> settings, byte[] graph, List<DczTensor> tensors) {
        return new DczArchive(new TreeMap<>(settings), MemorySegment.ofArray(graph.clone()), tensors);
    }

    public byte[] graphBytes() {
        return graph.toArray(ValueLayout.JAVA_BYTE);
    }

    public Optional<DczTensor> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The dense values of tensor {@code name}. */
    public float[] decode(String name) throws FormatException {
        DczTensor t = tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "'; the archive has "
                + tensors.stream().map(DczTensor::name).toList()));
        return t.decode("tensor '" + name + "'");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DczArchive other && settings.equals(other.settings) && tensors.equals(other.tensors)
                && graph.byteSize() == other.graph.byteSize() && graph.mismatch(other.graph) == -1;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * settings.hashCode() + tensors.hashCode()) + Long.hashCode(graph.byteSize());
    }
}
