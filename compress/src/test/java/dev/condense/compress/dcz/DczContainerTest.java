// Tests of the DCZ container: round trips, atomic writing, and rejection of corrupted, truncated and inconsistent files.
package dev.condense.compress.dcz;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.condense.compress.FormatException;
import dev.condense.compress.layer.EncodedLayer;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.compress.layer.SharedWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DczContainerTest {

    private static final String FILE = "model.dcz";

    private record Layer(float[] weights, SharedWeights sharing) {
    }

    private static Layer layer(Random random, int n, double density, int k) {
        float[] w = new float[n];
        int[] indices = new int[n];
        float[] codebook = new float[k];
        for (int c = 0; c < k; c++) {
            codebook[c] = (float) random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < density) {
                w[i] = 1f + random.nextFloat();
            }
            indices[i] = random.nextInt(k);
        }
        return new Layer(w, new SharedWeights(codebook, indices));
    }

    /** An archive with a graph, a raw bias, a sparse shared Huffman layer and a dense shared layer. */
    private static DczArchive sample(Random random, Layer conv, Layer fc) {
        EncodedLayer convEncoded = LayerCodec.encode(conv.weights(), conv.sharing(), LayerOptions.deepCompression(8));
        EncodedLayer fcEncoded = LayerCodec.encode(fc.weights(), fc.sharing(), LayerOptions.dense());
        byte[] graph = new byte[300];
        random.nextBytes(graph);
        return DczArchive.of(Map.of("pruning.conv1", "0.66", "bits.conv1", "8", "bits.fc1", "5"), graph, List.of(
                DczTensor.encoded("conv1.weight", new long[] {8, 3, 5, 5}, convEncoded),
                DczTensor.raw("conv1.bias", new long[] {8}, 0.5f, -1f, 0f, 2f, 3f, 4f, 5f, 6f),
                DczTensor.encoded("fc1/weight:0", new long[] {10, 60}, fcEncoded)));
    }

    private static DczArchive sample() {
        Random random = new Random(123);
        return sample(random, layer(random, 600, 0.3, 16), layer(random, 600, 1.1, 32));
    }

    private static byte[] bytes(DczArchive archive) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoredZip.write(DczWriter.layout(archive).entries(), out);
        return out.toByteArray();
    }

    private static String error(byte[] file) {
        return assertThrows(FormatException.class, () -> DczReader.verify(file, FILE)).getMessage();
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws Exception {
        Random random = new Random(1);
        Layer conv = layer(random, 600, 0.3, 16);
        Layer fc = layer(random, 600, 1.1, 32);
        DczArchive archive = sample(random, conv, fc);
        Path file = dir.resolve(FILE);
        Manifest written = DczWriter.write(file, archive);
        assertEquals(List.of(file), Files.list(dir).toList(), "no temporary file left behind");

        DczFile read = DczReader.verify(file);
        assertEquals(archive, read.archive());
        assertEquals(written, read.manifest());
        assertArrayEquals(LayerCodec.reconstruct(conv.weights(), conv.sharing()), read.decode("conv1.weight"));
        assertArrayEquals(LayerCodec.reconstruct(fc.weights(), fc.sharing()), read.decode("fc1/weight:0"));
        assertArrayEquals(new float[] {0.5f, -1f, 0f, 2f, 3f, 4f, 5f, 6f}, read.decode("conv1.bias"));
        assertEquals(List.of("bits.conv1", "bits.fc1", "pruning.conv1"), List.copyOf(read.archive().settings().keySet()));
    }

    @Test
    void manifestListsEntriesChecksumsAndLayerAccounting() throws Exception {
        DczArchive archive = sample();
        Manifest m = DczReader.read(bytes(archive), FILE).manifest();
        assertEquals("dcz", m.format());
        assertEquals(2, m.formatVersion());
        assertEquals(List.of("graph.onnx", "tensors/0-conv1.weight", "tensors/1-conv1.bias", "tensors/2-fc1_weight_0"),
                m.entries().stream().map(Manifest.EntryRecord::name).toList());
        assertEquals(300, m.entries().get(0).size());
        assertEquals(DczFormat.sha256(archive.graph()), m.entries().get(0).sha256());
        // Raw bias: header 8 + 8 per dimension, then 32 bytes of fp32.
        assertEquals(8 + 8 + 32, m.entries().get(2).size());
        Manifest.LayerRecord bias = m.layers().get(1);
        assertEquals(new Manifest.LayerRecord("conv1.bias", 8, 8, 7, 0, 0, 0, 0, 256, 32), bias);
        Manifest.LayerRecord conv = m.layers().get(0);
        assertEquals(600, conv.elements());
        assertEquals(16 * 4, conv.codebookBytes());
        assertEquals(archive.tensors().get(0).payload().byteSize(), conv.totalBytes());
        assertEquals(m.entries().get(1).size(), conv.totalBytes() + 8 + 8 * 4);
        Manifest.LayerRecord fc = m.layers().get(2);
        assertEquals(600 * 5, fc.weightBits(), "32 centroids, dense: 5 bits per weight");
        assertEquals(LayerCodec.HEADER_BYTES + 8 + 32 * 4 + 600 * 5 / 8, fc.totalBytes());
    }

    @Test
    void aFailedWriteLeavesNoFileAndKeepsTheExistingTarget(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(FILE);
        DczArchive archive = sample();
        UnaryOperator<OutputStream> failAfter1000Bytes = out -> new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 1000) {
                    throw new IOException("disk full (simulated)");
                }
                out.write(b, off, len);
            }
        };
        IOException e = assertThrows(IOException.class, () -> DczWriter.write(file, archive, failAfter1000Bytes));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals(List.of(), Files.list(dir).toList());

        byte[] original = "an existing file".getBytes(StandardCharsets.UTF_8);
        Files.write(file, original);
        assertThrows(IOException.class, () -> DczWriter.write(file, archive, failAfter1000Bytes));
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(List.of(file), Files.list(dir).toList());

        assertThrows(IOException.class, () -> DczWriter.write(dir.resolve("missing/model.dcz"), archive));
        assertEquals(List.of(file), Files.list(dir).toList());

        DczWriter.write(file, archive);
        assertEquals(archive, DczReader.read(file).archive());
    }

    @Test
    void everyFlippedByteFailsWithAFormatExceptionNamingTheFile() throws IOException {
        byte[] valid = bytes(sample());
        int namingAnEntry = 0;
        for (int at = 0; at < valid.length; at++) {
            byte[] bad = valid.clone();
            bad[at] ^= (byte) (1 << (at % 8));
            String message = error(bad);
            assertTrue(message.startsWith(FILE + ": "), "flip at " + at + ": " + message);
            namingAnEntry += message.contains(": entry '") ? 1 : 0;
        }
        assertTrue(namingAnEntry > valid.length * 9 / 10, namingAnEntry + " of " + valid.length + " messages name an entry");
    }

    @Test
    void everyTruncationFailsWithAFormatException() throws IOException {
        byte[] valid = bytes(sample());
        for (int length = 0; length < valid.length; length++) {
            String message = error(Arrays.copyOf(valid, length));
            assertTrue(message.startsWith(FILE + ": "), "length " + length + ": " + message);
        }
        byte[] longer = Arrays.copyOf(valid, valid.length + 1);
        assertTrue(error(longer).startsWith(FILE + ": no end-of-central-directory record"));
    }

    // ---- archives whose zip is valid but whose DCZ content is not ----

    /** The sample's entries with {@code edit} applied, zipped. */
    private static byte[] edited(java.util.function.Consumer<List<StoredZip.Entry>> edit) throws IOException {
        List<StoredZip.Entry> entries = new ArrayList<>(DczWriter.layout(sample()).entries());
        edit.accept(entries);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoredZip.write(entries, out);
        return out.toByteArray();
    }

    /** The sample with its manifest JSON changed by {@code edit}. */
    private static byte[] withManifest(java.util.function.Consumer<ObjectNode> edit) throws IOException {
        return edited(entries -> {
            try {
                ObjectNode json = (ObjectNode) DczFormat.JSON.readTree(entries.get(0).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                edit.accept(json);
                entries.set(0, new StoredZip.Entry(DczFormat.MANIFEST, MemorySegment.ofArray(DczFormat.JSON.writeValueAsBytes(json))));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static StoredZip.Entry replaced(StoredZip.Entry e, byte[] data) {
        return new StoredZip.Entry(e.name(), MemorySegment.ofArray(data));
    }

    @Test
    void missingManifestOrGraph() throws IOException {
        assertEquals(FILE + ": no entry 'manifest.json' (the archive holds 4 entries, first 'graph.onnx')",
                error(edited(entries -> entries.removeFirst())));
        assertEquals(FILE + ": entry 'graph.onnx': listed in manifest.json but missing from the archive",
                error(edited(entries -> entries.remove(1))));
    }

    @Test
    void manifestThatIsNotValid() throws IOException {
        assertTrue(error(edited(entries -> entries.set(0, replaced(entries.get(0), "{\"format\": ".getBytes(StandardCharsets.UTF_8)))))
                .startsWith(FILE + ": entry 'manifest.json': not a valid manifest: "));
        assertEquals(FILE + ": entry 'manifest.json': format 'dcz' version 3; this reader reads 'dcz' versions 1 to 2",
                error(withManifest(json -> json.put("formatVersion", 3))));
        // Version 1 stored every entry: a deflated manifest in a version 1 archive is refused.
        assertEquals(FILE + ": entry 'manifest.json': is deflated; a version 1 archive deflates no entry",
                error(edited(entries -> {
                    try {
                        ObjectNode json = (ObjectNode) DczFormat.JSON.readTree(entries.get(0).data()
                                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                        json.put("formatVersion", 1);
                        entries.set(0, new StoredZip.Entry(DczFormat.MANIFEST,
                                MemorySegment.ofArray(DczFormat.JSON.writeValueAsBytes(json)), true));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })));
        assertTrue(error(withManifest(json -> json.put("unexpected", true))).contains("unexpected"));
        assertTrue(error(withManifest(json -> json.remove("layers"))).startsWith(FILE + ": entry 'manifest.json': not a valid manifest"));
        assertTrue(error(withManifest(json -> ((ObjectNode) json.get("settings")).putNull("bits.conv1")))
                .startsWith(FILE + ": entry 'manifest.json': not a valid manifest"));
    }

    @Test
    void entriesThatDisagreeWithTheManifest() throws IOException {
        String sizeError = error(withManifest(json -> ((ObjectNode) json.get("entries").get(0)).put("size", 301)));
        assertEquals(FILE + ": entry 'graph.onnx': holds 300 bytes, manifest.json says 301", sizeError);
        String shaError = error(withManifest(json -> ((ObjectNode) json.get("entries").get(0)).put("sha256", "0".repeat(64))));
        assertTrue(shaError.startsWith(FILE + ": entry 'graph.onnx': SHA-256 is "), shaError);
        assertEquals(FILE + ": entry 'extra': not listed in manifest.json",
                error(edited(entries -> entries.add(new StoredZip.Entry("extra", MemorySegment.ofArray(new byte[1]))))));
        String dims = error(withManifest(json -> ((ArrayNode) json.get("tensors").get(1).get("dims")).set(0, 9)));
        assertEquals(FILE + ": entry 'tensors/1-conv1.bias' (tensor 'conv1.bias'): header says raw-fp32 [8], manifest.json says raw-fp32 [9]",
                dims);
        String accounting = error(withManifest(json -> ((ObjectNode) json.get("layers").get(0)).put("indexBits", 1)));
        assertTrue(accounting.startsWith(FILE + ": entry 'tensors/0-conv1.weight' (tensor 'conv1.weight'): manifest.json accounts"),
                accounting);
    }

    @Test
    void mutatedManifestsFailWithFormatExceptionOrReadConsistently() throws IOException {
        byte[] json = DczWriter.layout(sample()).entries().getFirst().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        String alphabet = "{}[]\":,0123456789-eE.nultrfasxz \n";
        Random random = new Random(77);
        int rejected = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] mutated = json.clone();
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                mutated[random.nextInt(mutated.length)] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            byte[] file = edited(entries -> entries.set(0, replaced(entries.getFirst(), mutated)));
            try {
                // A mutation that keeps the manifest valid (say, inside a setting's value) must still read the same tensors.
                DczFile read = DczReader.verify(file, FILE);
                assertEquals(sample().tensors(), read.archive().tensors(), "trial " + trial);
            } catch (FormatException e) {
                rejected++;
                assertTrue(e.getMessage().startsWith(FILE + ": entry '"), e.getMessage());
            }
        }
        assertTrue(rejected > 300, rejected + " of 400 mutated manifests rejected");
    }

    /** The sample with tensor entry {@code index} replaced by {@code entry} and the manifest's checksum updated to match. */
    private static byte[] withTensorEntry(int index, byte[] entry) throws IOException {
        byte[] zipped = edited(entries -> entries.set(2 + index, replaced(entries.get(2 + index), entry)));
        return withManifestOf(zipped, index, entry);
    }

    private static byte[] withManifestOf(byte[] zipped, int index, byte[] entry) throws IOException {
        List<StoredZip.Entry> entries;
        try {
            entries = new ArrayList<>(StoredZip.read(MemorySegment.ofArray(zipped), "x"));
        } catch (FormatException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode json = (ObjectNode) DczFormat.JSON.readTree(entries.get(0).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        ObjectNode record = (ObjectNode) json.get("entries").get(1 + index);
        record.put("size", entry.length);
        record.put("sha256", DczFormat.sha256(MemorySegment.ofArray(entry)));
        entries.set(0, new StoredZip.Entry(DczFormat.MANIFEST, MemorySegment.ofArray(DczFormat.JSON.writeValueAsBytes(json))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoredZip.write(entries, out);
        return out.toByteArray();
    }

    @Test
    void tensorEntryDeclaringTwoToTheThirtyOneElementsInAHundredBytesFailsFast() throws IOException {
        // Tensor header: rank 1, dims [2^31]; payload: a 100-byte layer encoding declaring 2^31 raw elements.
        ByteBuffer entry = ByteBuffer.allocate(16 + 100).order(ByteOrder.LITTLE_ENDIAN);
        entry.putInt(DczFormat.TENSOR_MAGIC).put((byte) 1).put((byte) TensorEncoding.DEEP_COMPRESSION.id()).put((byte) 1).put((byte) 0)
                .putLong(1L << 31);
        entry.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).putLong(1L << 31).putLong(1L << 31);
        long start = System.nanoTime();
        String message = error(withTensorEntry(0, entry.array()));
        assertEquals(FILE + ": entry 'tensors/0-conv1.weight' (tensor 'conv1.weight'): declares 2147483648 elements; at most "
                + LayerCodec.MAX_ELEMENTS + " are supported", message);
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "rejected before allocating");

        ByteBuffer raw = ByteBuffer.allocate(8 + 8 + 40).order(ByteOrder.LITTLE_ENDIAN);
        raw.putInt(DczFormat.TENSOR_MAGIC).put((byte) 1).put((byte) 0).put((byte) 1).put((byte) 0).putLong(1L << 40);
        assertEquals(FILE + ": entry 'tensors/1-conv1.bias' (tensor 'conv1.bias'): raw fp32 tensor of 1099511627776 elements needs "
                + "4398046511104 bytes, the payload has 40", error(withTensorEntry(1, raw.array())));
    }

    @Test
    void malformedTensorHeaders() throws IOException {
        byte[] valid = DczFormat.tensorEntry(sample().tensors().get(1)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] magic = valid.clone();
        magic[0] = 'X';
        assertTrue(error(withTensorEntry(1, magic)).contains("tensor header starts with 0x545a4358"));
        byte[] encoding = valid.clone();
        encoding[5] = 9;
        assertTrue(error(withTensorEntry(1, encoding)).endsWith("tensor encoding id 9 is unknown; known: 0 'raw-fp32', 1 'deep-compression',"
                + " 2 'int8', 3 'sparse-int8'"));
        byte[] rank = valid.clone();
        rank[6] = 40;
        assertTrue(error(withTensorEntry(1, rank)).contains("declares rank 40 (at most 32)"));
        assertTrue(error(withTensorEntry(1, Arrays.copyOf(valid, 5))).contains("5 bytes, shorter than the 8-byte tensor header"));
    }

    @Test
    void emptyAndMissingFiles(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.dcz"));
        FormatException e = assertThrows(FormatException.class, () -> DczReader.read(empty));
        assertEquals(empty + ": 0 bytes is too short for a DCZ archive (its end record alone is 22 bytes)", e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> DczReader.read(dir.resolve("missing.dcz")));
    }

    @Test
    void writerRejectsInvalidContents() {
        assertThrows(IllegalArgumentException.class, () -> DczArchive.of(Map.of(), new byte[0],
                List.of(DczTensor.raw("w", new long[] {1}, 1f), DczTensor.raw("w", new long[] {1}, 2f))));
        DczTensor garbage = new DczTensor("w", new long[] {4}, TensorEncoding.DEEP_COMPRESSION, MemorySegment.ofArray(new byte[40]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DczWriter.layout(DczArchive.of(Map.of(), new byte[0], List.of(garbage))));
        assertTrue(e.getMessage().startsWith("tensor 'w' does not hold a valid deep-compression payload: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DczTensor.raw("b", new long[] {3}, 1f, 2f));
    }
}
