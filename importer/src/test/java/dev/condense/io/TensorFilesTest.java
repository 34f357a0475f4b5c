// Tests of the tensor file facade: format by content or extension, delegation to .pb, and .pb/.npy interop.
package dev.condense.io;

import dev.condense.ir.DataType;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.condense.io.NpyTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TensorFilesTest {

    @TempDir
    Path tmp;

    private static Path nodeTests() {
        Path root = Path.of(System.getProperty("onnx.testdata", "/usr/share/libonnx-testdata/data"), "node");
        assumeTrue(Files.isDirectory(root), "ONNX test data not installed at " + root + " (Debian package libonnx-testdata)");
        return root;
    }

    private List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    @Test
    void npyContentIsRecognisedWhateverTheName() throws Exception {
        Tensor t = Tensor.ofInts("t", new long[] {2}, 3, -4);
        Path npy = tmp.resolve("input.npy");
        TensorFiles.write(npy, t);
        for (String name : new String[] {"input.bin", "input.pb", "input"}) {
            Path renamed = Files.copy(npy, tmp.resolve(name));
            Tensor back = TensorFiles.read(renamed);
            assertEquals(t.withName("input"), back, name);
        }
    }

    @Test
    void pbFilesGoThroughTheOnnxReaderAndKeepTheirName() throws Exception {
        Tensor t = Tensor.ofDoubles("logits", new long[] {1, 3}, 0.25, -8, 1e10);
        Path pb = tmp.resolve("output_0.PB");
        TensorFiles.write(pb, t);
        assertEquals(t, OnnxReader.readTensor(pb), "written as a TensorProto");
        assertEquals(t, TensorFiles.read(pb));
    }

    @Test
    void extensionsAreMatchedWithoutRegardToCase() throws Exception {
        Path upper = tmp.resolve("X.NPY");
        TensorFiles.write(upper, Tensor.ofFloats("x", new long[] {1}, 2));
        byte[] bytes = Files.readAllBytes(upper);
        assertTrue(Npy.hasMagic(bytes), "an .NPY name gets .npy content");
        assertEquals(Tensor.ofFloats("X", new long[] {1}, 2), TensorFiles.read(upper));
    }

    @Test
    void unknownExtensionsAreRejectedNamingTheKnownOnes() throws IOException {
        Tensor t = Tensor.ofFloats("x", new long[] {1}, 2);
        for (String name : new String[] {"x.txt", "x", "x.npz"}) {
            Path file = tmp.resolve(name);
            TensorFileException e = assertThrows(TensorFileException.class, () -> TensorFiles.write(file, t));
            assertContains(e.getMessage(), file.toString(), "cannot tell the format", ".npy or .pb");
        }
        assertEquals(List.of(), filesIn(tmp), "nothing is written for an unknown extension");
        Path text = Files.writeString(tmp.resolve("values.txt"), "1 2 3");
        TensorFileException e = assertThrows(TensorFileException.class, () -> TensorFiles.read(text));
        assertContains(e.getMessage(), text.toString(), "does not start with the .npy magic", ".npy or .pb");
    }

    @Test
    void readErrorsNameTheFileAndKeepTheCause() throws IOException {
        Path notNpy = Files.writeString(tmp.resolve("x.npy"), "not numpy");
        assertContains(assertThrows(TensorFileException.class, () -> TensorFiles.read(notNpy)).getMessage(),
                notNpy.toString(), "is not a .npy file", "starts with 'not nu'");
        Path badPb = Files.write(tmp.resolve("x.pb"), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        TensorFileException e = assertThrows(TensorFileException.class, () -> TensorFiles.read(badPb));
        assertContains(e.getMessage(), badPb.toString(), "not a valid ONNX TensorProto file");
        assertInstanceOf(ModelLoadException.class, e.getCause());
        Path missing = tmp.resolve("missing.pb");
        assertContains(assertThrows(TensorFileException.class, () -> TensorFiles.read(missing)).getMessage(),
                missing + " does not exist");
        assertContains(assertThrows(TensorFileException.class, () -> TensorFiles.read(tmp)).getMessage(),
                tmp + " is a folder");
    }

    @Test
    void writeErrorsOfThePbFormatNameTheFile() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("blocker"), "a file where a folder should be");
        Path file = blocker.resolve("t.pb");
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> TensorFiles.write(file, Tensor.ofFloats("t", new long[] {1}, 1)));
        assertContains(e.getMessage(), file.toString(), "cannot write it");
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void conformanceReluInputRoundTripsThroughNpy() throws Exception {
        Path pb = nodeTests().resolve("test_relu/test_data_set_0/input_0.pb");
        Tensor original = TensorFiles.read(pb);
        assertEquals(OnnxReader.readTensor(pb), original);
        assertEquals(DataType.FLOAT, original.dtype());
        assertArrayEquals(new long[] {3, 4, 5}, original.dims());
        Path npy = tmp.resolve("x.npy");
        TensorFiles.write(npy, original);
        Tensor back = TensorFiles.read(npy);
        assertEquals(original.withName("x"), back);
        assertArrayEquals(original.toFloatArray(), back.toFloatArray());
        Path pbAgain = tmp.resolve("again.pb");
        TensorFiles.write(pbAgain, back);
        assertEquals(back, TensorFiles.read(pbAgain));
    }

    /**
     * Every tensor file of the ONNX node tests that Condense holds survives .pb to .npy and back;
     * bfloat16, should the data hold some, cannot be written and says so.
     */
    @Test
    void everyConformanceTensorRoundTripsThroughNpy() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(nodeTests(), 3)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".pb")).sorted().toList();
        }
        assertTrue(files.size() > 1000, "expected the node tests' tensor files, found " + files.size());
        Set<DataType> seen = EnumSet.noneOf(DataType.class);
        int unreadable = 0;
        Path npy = tmp.resolve("t.npy");
        for (Path pb : files) {
            Tensor original;
            try {
                original = OnnxReader.readTensor(pb);
            } catch (ModelLoadException e) {
                unreadable++; // strings, sequences, optionals and types Condense does not hold
                continue;
            }
            seen.add(original.dtype());
            if (original.dtype() == DataType.BFLOAT16) {
                Tensor bf16 = original;
                assertContains(assertThrows(TensorFileException.class, () -> TensorFiles.write(npy, bf16)).getMessage(),
                        "bfloat16", "no NumPy descr");
                continue;
            }
            TensorFiles.write(npy, original);
            Tensor back = TensorFiles.read(npy);
            assertEquals(original.withName("t"), back, pb.toString());
        }
        assertTrue(unreadable < files.size() / 10, unreadable + " of " + files.size() + " files unreadable");
        assertTrue(seen.containsAll(EnumSet.complementOf(EnumSet.of(DataType.BFLOAT16))),
                "the node tests cover every type .npy can hold, but only " + seen);
        assertEquals(List.of(npy), filesIn(tmp));
    }

    @Test
    void theFacadeWritesWhatTheCodecsRead() throws Exception {
        Tensor t = Tensor.fromLongs("ids", DataType.UINT16, new long[] {2, 2}, new long[] {0, 1, 65535, 300});
        Path npy = tmp.resolve("ids.npy");
        Path pb = tmp.resolve("ids.pb");
        TensorFiles.write(npy, t);
        TensorFiles.write(pb, t);
        assertEquals(t, Npy.read(npy));
        assertEquals(t, OnnxReader.readTensor(pb));
        OnnxWriter.writeTensor(t.withName("other"), pb);
        assertEquals("other", TensorFiles.read(pb).name());
    }
}
