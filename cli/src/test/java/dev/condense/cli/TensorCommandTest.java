// Tests of `condense tensor`: statistics of a tensor file, .pb to .npy conversion, and refused outputs.
package dev.condense.cli;

import dev.condense.io.TensorFiles;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorCommandTest {

    @Test
    void showsStatisticsAndConvertsPbToNpy(@TempDir Path dir) throws Exception {
        Path pb = dir.resolve("x.pb");
        OnnxWriter.writeTensor(Tensor.ofFloats("x", new long[] {2, 3}, 1, -2, 3, Float.NaN, 5, 6), pb);
        Path npy = dir.resolve("x.npy");
        MainTest.Run r = run("tensor", pb.toString(), "-o", npy.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("x float32[2, 3], 6 elements"), r.out());
        assertTrue(r.out().contains("min -2.00000  max 6.00000  mean 2.60000  (1 NaN or infinite)"), r.out());
        Tensor back = TensorFiles.read(npy);
        assertArrayEquals(new long[] {2, 3}, back.dims());
        assertArrayEquals(new float[] {1, -2, 3, Float.NaN, 5, 6}, back.toFloatArray());
    }

    @Test
    void refusesUnknownOutputFormatsBeforeReading(@TempDir Path dir) throws Exception {
        Path pb = dir.resolve("x.pb");
        OnnxWriter.writeTensor(Tensor.ofFloats("x", new long[] {1}, 1), pb);
        MainTest.Run r = run("tensor", pb.toString(), "-o", dir.resolve("x.txt").toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("write a file ending in .npy or .pb"), r.err());
        assertFalse(Files.exists(dir.resolve("x.txt")));
        MainTest.Run same = run("tensor", pb.toString(), "-o", pb.toString());
        assertEquals(1, same.code());
        assertTrue(same.err().contains("is the input"), same.err());
    }

    @Test
    void corruptFileGivesOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.npy");
        Files.write(bad, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 10, 0, '{', '}'});
        MainTest.Run r = run("tensor", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("condense tensor: ") && r.err().contains("bad.npy"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
