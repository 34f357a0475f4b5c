// Tests of `condense dataset`: Fashion-MNIST counts, image folders, and one-line errors on bad data.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetCommandTest {

    @Test
    void fashionMnistHasTenBalancedClasses() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "needs the Debian package dataset-fashion-mnist, which .ci/run installs");
        MainTest.Run r = run("dataset", "fashion-mnist", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode parts = new ObjectMapper().readTree(r.out());
        assertEquals(2, parts.size());
        assertEquals(60_000, parts.get(0).get("images").asInt());
        assertEquals(10_000, parts.get(1).get("images").asInt());
        for (int p = 0; p < 2; p++) {
            JsonNode perClass = parts.get(p).get("images_per_class");
            assertEquals(10, perClass.size());
            int expected = p == 0 ? 6_000 : 1_000;
            perClass.forEach(n -> assertEquals(expected, n.asInt()));
        }
    }

    @Test
    void corruptFashionMnistNamesTheFile(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28});
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 3});
        MainTest.Run r = run("dataset", "fashion-mnist", "--data", dir.toString(), "--split", "test");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("condense dataset: ") && r.err().contains("t10k-images-idx3-ubyte"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void imageFolderListsClassesInOrder(@TempDir Path dir) throws Exception {
        for (String cls : new String[] {"cat", "dog"}) {
            Files.createDirectories(dir.resolve(cls));
            for (int i = 0; i < (cls.equals("cat") ? 3 : 2); i++) {
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                ImageIO.write(img, "png", dir.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        MainTest.Run r = run("dataset", dir.toString(), "--size", "16", "--channels", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(": 5 images of 1x16x16, 2 classes"), r.out());
        assertTrue(r.out().matches("(?s).*cat +3\\n +dog +2.*"), r.out());
    }

    @Test
    void badOptionsAreRefused(@TempDir Path dir) {
        assertEquals(1, run("dataset", "fashion-mnist", "--split", "valid").code());
        assertEquals(1, run("dataset", dir.toString(), "--channels", "2").code());
        MainTest.Run r = run("dataset", dir.resolve("missing").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
    }
}
