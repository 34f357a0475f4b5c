// Supplies the bytes of initializers a model keeps outside its ModelProto, by the location their external_data names.
package dev.condense.onnx;

import dev.condense.ir.ModelLoadException;

import java.lang.foreign.MemorySegment;

/**
 * Where {@link OnnxReader} finds the data of a tensor marked {@code data_location = EXTERNAL}. A
 * model file resolves locations as files in its folder ({@code ExternalData}); a container that
 * stores the graph and the weights apart (the DCZ format of the compress module) resolves them as
 * its own entries. The reader checks nothing about the result beyond its size: a source must
 * return exactly {@code expectedSize} bytes in ONNX's little-endian raw layout, or throw.
 */
@FunctionalInterface
public interface ExternalTensorSource {

    /**
     * The tensor's bytes.
     *
     * @param tensor       the tensor's name, for messages and lookups
     * @param location     the {@code location} entry ("" when absent)
     * @param offset       the {@code offset} entry, or -1 when absent
     * @param length       the {@code length} entry, or -1 when absent
     * @param expectedSize bytes the tensor's type and dims require
     */
    MemorySegment read(String tensor, String location, long offset, long length, long expectedSize)
            throws ModelLoadException;
}
