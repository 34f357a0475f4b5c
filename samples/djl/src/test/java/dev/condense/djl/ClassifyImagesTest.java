// The sample program prints, for each image file, the classes ImageClassifier finds, best first.
package dev.condense.djl;

import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassifyImagesTest {

    @Test
    void printsTheTopClassesOfEachImage(@TempDir Path dir) throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path file = dir.resolve("image-" + i + ".png");
            Files.write(file, TestModels.testImages().get(i).png());
            files.add(file);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ClassifyImages.classify(TestModels.lenet5Dcz(), files, 2, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(files.size(), lines.length);
        try (ImageClassifier reference = ImageClassifier.open(TestModels.lenet5Dcz())) {
            for (int i = 0; i < files.size(); i++) {
                List<Classification.Prediction> top = reference.classify(files.get(i)).top(2);
                String expected = String.format(Locale.ROOT, "%s  %s %.4f  %s %.4f", files.get(i),
                        top.get(0).label(), top.get(0).probability(), top.get(1).label(), top.get(1).probability());
                assertEquals(expected, lines[i]);
            }
        }
    }
}
