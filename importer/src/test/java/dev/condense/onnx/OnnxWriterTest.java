// Tests of the ONNX writer: IR survives a write and read unchanged, inline and with external data, and writes are atomic.
package dev.condense.onnx;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxWriterTest {

    /** Conv + Relu with a 4 KiB weight, a small bias, an int64 shape constant and typed attributes. */
    static Model sample() {
        Random rng = new Random(7);
        float[] w = new float[8 * 4 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w", Tensor.ofFloats("w", new long[] {8, 4, 3, 3}, w));
        init.put("b", Tensor.ofFloats("b", new long[] {8}, 1, 2, 3, 4, 5, 6, 7, 8));
        init.put("shape", Tensor.vector("shape", -1, 8 * 6 * 6));
        init.put("half", Tensor.fromDoubles("half", DataType.FLOAT16, new long[] {2}, new double[] {0.5, -2}));
        List<Node> nodes = List.of(
                Node.of("conv", "Conv", List.of("x", "w", "b"), List.of("c"), Map.of(
                        "kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(0, 0, 0, 0),
                        "auto_pad", Attribute.of("NOTSET"))),
                Node.of("act", "LeakyRelu", List.of("c"), List.of("r"), Map.of("alpha", Attribute.of(0.1f))),
                Node.of("flat", "Reshape", List.of("r", "shape"), List.of("y")));
        Graph g = new Graph("sample", nodes,
                List.of(ValueInfo.of("x", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(4), Dim.of(8), Dim.of(8)))),
                List.of(ValueInfo.of("y", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(288)))),
                init, Map.of("c", ValueInfo.of("c", DataType.FLOAT, List.of(Dim.UNKNOWN, Dim.of(8), Dim.of(6), Dim.of(6)))));
        return Model.of(g, 13);
    }

    @Test
    void inlineRoundTripKeepsEverything() throws Exception {
        Model m = sample();
        Model back = OnnxReader.read(OnnxWriter.toBytes(m), null, "mem");
        assertEquals(m.graph(), back.graph());
        assertEquals(13, back.opset());
        assertEquals(m.graph().parameterCount(), back.graph().parameterCount());
    }

    @Test
    void detachedInitializersCarryNoBytesAndComeBackFromTheSource() throws Exception {
        Model m = sample();
        Tensor w = m.graph().initializers().get("w");
        byte[] full = OnnxWriter.toBytes(m);
        byte[] detached = OnnxWriter.toBytes(m, Map.of("w", "store/w"));
        // The 1152 bytes of w are gone; the reference adds a few dozen.
        assertEquals(full.length - w.byteSize(), detached.length, 64.0);
        assertTrue(detached.length < full.length - 1000, detached.length + " vs " + full.length);

        List<String> asked = new java.util.ArrayList<>();
        Model back = OnnxReader.readWithExternal(detached, (tensor, location, offset, length, expected) -> {
            asked.add(tensor + "@" + location + "+" + offset + ":" + length + "=" + expected);
            return w.data();
        }, "mem");
        assertEquals(List.of("w@store/w+-1:1152=1152"), asked);
        assertEquals(m.graph(), back.graph());
        assertEquals(m.graph().initializers().get("shape"), back.graph().initializers().get("shape"));
    }

    @Test
    void aSourceGivingTheWrongSizeOrFailingIsALoadError() {
        byte[] detached = OnnxWriter.toBytes(sample(), Map.of("b", "elsewhere"));
        ModelLoadException shortData = assertThrows(ModelLoadException.class, () -> OnnxReader.readWithExternal(detached,
                (tensor, location, offset, length, expected) -> java.lang.foreign.MemorySegment.ofArray(new byte[4]),
                "mem"));
        assertEquals("mem: tensor 'b' needs 32 bytes but its external data source gave 4", shortData.getMessage());
        ModelLoadException refused = assertThrows(ModelLoadException.class, () -> OnnxReader.readWithExternal(detached,
                (tensor, location, offset, length, expected) -> {
                    throw new ModelLoadException("no entry '" + location + "'");
                }, "mem"));
        assertEquals("mem: no entry 'elsewhere'", refused.getMessage());
        // Read as a plain file from memory, the reference has no folder to resolve against.
        ModelLoadException plain = assertThrows(ModelLoadException.class,
                () -> OnnxReader.read(detached, null, "mem"));
        assertTrue(plain.getMessage().contains("external file 'elsewhere'"), plain.getMessage());
    }

    @Test
    void detachingAnUnknownInitializerIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.toBytes(sample(), Map.of("nope", "x")));
        assertEquals("cannot detach 'nope': the graph has no such initializer", e.getMessage());
    }

    @Test
    void externalDataRoundTrip(@TempDir Path dir) throws Exception {
        Model m = sample();
        Path file = dir.resolve("model.onnx");
        OnnxWriter.write(m, file, OnnxWriter.Options.external("weights.bin"));
        Path data = dir.resolve("weights.bin");
        assertTrue(Files.size(data) >= 8 * 4 * 3 * 3 * 4, "the 1152-byte weight went to weights.bin");
        assertTrue(Files.size(file) < 1024, "the model file holds no large tensor: " + Files.size(file));

        OnnxReader.Loaded loaded = OnnxReader.load(file);
        assertEquals(m.graph(), loaded.model().graph());
        assertEquals(List.of(data.toRealPath()), loaded.externalFiles());
        assertEquals(Files.size(file) + Files.size(data), loaded.bytesOnDisk());
        assertEquals(List.of("model.onnx", "weights.bin"), names(dir));
    }

    @Test
    void aFailedWriteLeavesNothingBehindAndKeepsTheOldFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        OnnxWriter.write(sample(), file, OnnxWriter.Options.inline());
        byte[] before = Files.readAllBytes(file);

        // The data file's name is taken by a non-empty folder, so moving it into place fails after everything was written.
        Files.createDirectories(dir.resolve("weights.bin").resolve("occupied"));
        assertThrows(IOException.class, () -> OnnxWriter.write(sample(), file, OnnxWriter.Options.external("weights.bin")));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("model.onnx", "weights.bin"), names(dir), "no temporary file is left");
    }

    @Test
    void optionsRejectPathsAsDataFileNames() {
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.Options.external("../x.bin"));
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.Options.external("sub/x.bin"));
        assertThrows(IllegalArgumentException.class, () -> new OnnxWriter.Options(Optional.of("x.bin"), -1));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
