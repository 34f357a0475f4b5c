// Tests of `condense zoo list` and `condense zoo export`: the table, the JSON, the written file, the errors.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.condense.ir.Model;
import dev.condense.models.Zoo;
import dev.condense.onnx.OnnxReader;
import dev.condense.shape.ModelCost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooCommandTest {

    @Test
    void listShowsEveryModelAtBothScales() {
        MainTest.Run r = run("zoo", "list");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(Zoo.entries().size() + 1, lines.length, r.out());
        assertTrue(lines[0].contains("reference input") && lines[0].contains("fashion-mnist input"), lines[0]);
        String vgg = Stream.of(lines).filter(l -> l.startsWith("vgg-16 ")).findFirst().orElseThrow();
        assertTrue(vgg.contains("3x224x224, 1000") && vgg.contains("138.4 M") && vgg.contains("15.47 G")
                && vgg.contains("1x28x28, 10") && vgg.contains("0.25"), vgg);
    }

    @Test
    void listJsonCarriesExactCountsAndFlops() throws Exception {
        MainTest.Run r = run("zoo", "list", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(Zoo.entries().size(), rows.size());
        for (JsonNode row : rows) {
            JsonNode ref = row.get("reference");
            long published = row.get("published_parameters").asLong();
            assertEquals(published, ref.get("parameters").asLong(), published * 0.03, row.get("name").asText());
            assertEquals(2 * ref.get("macs").asLong(), ref.get("flops").asLong());
            assertTrue(row.get("fashion_mnist").get("parameters").asLong() < ref.get("parameters").asLong()
                    || row.get("family").asText().equals("LeNet"), row.get("name").asText());
        }
    }

    @Test
    void listAtACustomInputReportsModelsThatDoNotFit() {
        MainTest.Run r = run("zoo", "list", "--input", "1x8x8");
        assertEquals(0, r.code(), r.err());
        String caffe = r.out().lines().filter(l -> l.startsWith("lenet-5-caffe")).findFirst().orElseThrow();
        assertTrue(caffe.contains("does not fit input 1x8x8"), caffe);
        String mlp = r.out().lines().filter(l -> l.startsWith("lenet-300-100")).findFirst().orElseThrow();
        // 64 inputs: 64*300+300 + 300*100+100 + 100*10+10 = 50,610 parameters.
        assertTrue(mlp.contains("50.6 K"), mlp);
    }

    @Test
    void exportWritesAModelThatImportsWithTheListedCounts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet.onnx");
        MainTest.Run r = run("zoo", "export", "lenet-5-caffe", "-o", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("431,080 parameters"), r.out());
        Model m = OnnxReader.read(file);
        assertEquals(431_080, ModelCost.of(m).learnableParameters());
        assertEquals(2_293_000, ModelCost.of(m).macs());
    }

    @Test
    void exportHonoursInputClassesWidthAndSeed(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        assertEquals(0, run("zoo", "export", "MobileNetV2", "--input", "3x64x64", "--classes", "7",
                "--width-multiplier", "0.75", "-o", a.toString()).code());
        assertEquals(0, run("zoo", "export", "mobilenet-v2", "--input", "3x64x64", "--classes", "7",
                "--width-multiplier", "0.75", "--seed", "1", "-o", b.toString()).code());
        Model m = OnnxReader.read(a);
        assertEquals("float32[N, 3, 64, 64]", m.graph().inputs().getFirst().typeString());
        assertEquals("float32[N, 7]", m.graph().outputs().getFirst().typeString());
        assertEquals(Files.size(a), Files.size(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "seeds differ");
    }

    @Test
    void exportWithExternalData(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("squeeze.onnx");
        MainTest.Run r = run("zoo", "export", "squeezenet-1.1", "--input", "fashion-mnist", "--external-data",
                "squeeze.data", "-o", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(dir.resolve("squeeze.data")) > Files.size(file));
        assertEquals(Zoo.get("squeezenet-1.1").cost(dev.condense.models.ZooSpec.fashionMnist()).parameters(),
                OnnxReader.read(file).graph().parameterCount());
    }

    @Test
    void errorsNameTheProblemAndLeaveNoFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.onnx");
        assertError(run("zoo", "export", "resnet-34", "-o", file.toString()),
                "condense zoo export: no zoo model 'resnet-34'; there are lenet-5,");
        assertError(run("zoo", "export", "lenet-5-caffe", "--input", "1x4x4", "-o", file.toString()),
                "lenet-5-caffe does not fit input 1x4x4: layer conv1 gets 4 pixels");
        assertError(run("zoo", "export", "alexnet", "--input", "3x224", "-o", file.toString()),
                "--input '3x224' is not CxHxW");
        assertError(run("zoo", "export", "alexnet", "--input", "3x0x224", "-o", file.toString()),
                "sizes must be between 1 and 16384, got 0");
        assertError(run("zoo", "export", "alexnet", "--classes", "0", "-o", file.toString()),
                "class count must be at least 1, got 0");
        assertError(run("zoo", "export", "alexnet", "--width-multiplier", "-2", "-o", file.toString()),
                "width multiplier must be in (0, 16], got -2.0");
        assertError(run("zoo", "export", "lenet-5", "-o", dir.toString()), "is a folder; name a file");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "nothing written");
        }
        assertEquals(2, run("zoo", "export", "lenet-5").code(), "-o is required");
    }

    private static void assertError(MainTest.Run r, String expected) {
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
