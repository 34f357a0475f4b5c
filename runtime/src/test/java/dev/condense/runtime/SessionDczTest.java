// Tests of opening DCZ containers: every backend runs the decoded model, and a damaged container is one clear error.
package dev.condense.runtime;

import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.compress.pipeline.CompressionResult;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionDczTest {

    /** The container decodes to exactly the pipeline's weights, so one backend computes the same floats from both. */
    private static final float SAME_BACKEND_TOLERANCE = 0f;

    private static Tensor input() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[2 * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats("input", new long[] {2, 1, 28, 28}, x);
    }

    private static float[] logits(Session s) throws Exception {
        try (Result r = s.run(Map.of("input", input()))) {
            return r.first().toFloatArray();
        }
    }

    private static CompressionResult compress(Path dcz) throws Exception {
        Model lenet = Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
        CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).compress(lenet);
        DczWriter.write(dcz, r.archive());
        return r;
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void aContainerRunsAsThePipelinesModelDoes(Backend backend, @TempDir Path dir) throws Exception {
        Path dcz = dir.resolve("lenet.dcz");
        CompressionResult r = compress(dcz);
        SessionOptions options = SessionOptions.of(backend).withThreads(1);
        float[] fromFile;
        try (Session s = Session.open(dcz, options)) {
            assertEquals(backend, s.backend());
            fromFile = logits(s);
        }
        float[] inMemory;
        try (Session s = Session.open(r.model(), options)) {
            inMemory = logits(s);
        }
        assertEquals(20, fromFile.length);
        assertArrayEquals(inMemory, fromFile, SAME_BACKEND_TOLERANCE);
        // Opening decoded in memory: the folder holds the container and nothing else.
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aContainerIsRecognisedByItsSignatureWhateverItsName(@TempDir Path dir) throws Exception {
        Path dcz = dir.resolve("lenet.model");
        CompressionResult r = compress(dcz);
        Model read = Session.readModel(dcz);
        assertEquals(r.model().graph().nodes(), read.graph().nodes());
    }

    @Test
    void aDamagedContainerIsOneErrorNamingTheEntry(@TempDir Path dir) throws Exception {
        Path dcz = dir.resolve("lenet.dcz");
        compress(dcz);
        byte[] bytes = Files.readAllBytes(dcz);
        // The last entry's data ends where the central directory starts; damage the byte before it (fc3.bias).
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int centralDirectory = b.getInt(bytes.length - 6);
        bytes[centralDirectory - 1] ^= 0x40;
        Path damaged = dir.resolve("damaged.dcz");
        Files.write(damaged, bytes);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Session.open(damaged, SessionOptions.of(Backend.ORT_CPU)));
        assertTrue(e.getMessage().startsWith(damaged + ": entry 'tensors/9-fc3.bias': CRC-32 of its 56 bytes is 0x"),
                e.getMessage());

        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> Session.open(dir.resolve("missing.dcz"), SessionOptions.of(Backend.VECTOR)));
        assertEquals("DCZ file " + dir.resolve("missing.dcz") + " does not exist", missing.getMessage());
    }
}
