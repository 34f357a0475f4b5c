// Builds an edge package from a .dcz made here, checks it holds no ONNX Runtime, and runs it in other JVMs.
package dev.condense.samples.edge;

import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.IdxDataset;
import dev.condense.data.Split;
import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test image is the first of the Fashion-MNIST test split when the Debian package
 * dataset-fashion-mnist is installed, and a generated 28x28 gray image otherwise; the package's
 * answer is compared with an in-process classifier's on the same file, so either works.
 */
class EdgePackagerTest {

    static final Path LENET5 = Path.of(System.getProperty("condense.models.dir", "../../models/trained"))
            .resolve("lenet-5-caffe.onnx");
    /** A first line of the ranking: "  1  0.97076005  Shirt". */
    static final Pattern TOP1 = Pattern.compile("(?m)^  1  (\\S+)  (.+)$");
    static final long PROCESS_TIMEOUT_SECONDS = 120;

    @TempDir
    static Path dir;
    static Path dcz;
    static Path image;
    static List<Path> classpath;
    static EdgePackager.EdgePackage built;

    @BeforeAll
    static void build() throws Exception {
        dcz = dir.resolve("lenet5.dcz");
        CompressionPipeline.of(CompressionPreset.DEFAULT).compress(LENET5, dcz, false);
        image = dir.resolve("item.png");
        ImageIO.write(testImage(), "png", image.toFile());
        classpath = runtimeClasspath();
        long t0 = System.nanoTime();
        built = EdgePackager.build(new EdgePackager.Request(dcz, dir.resolve("out"), classpath, Optional.of(image),
                true));
        System.out.printf("EdgePackagerTest: built in %.1f s%n%s%n", (System.nanoTime() - t0) / 1e9,
                EdgePackager.describe(built));
    }

    @Test
    void packageHoldsNoOnnxRuntime() throws Exception {
        assertTrue(classpath.stream().noneMatch(p -> p.toString().contains("onnxruntime")),
                "the pom excludes ONNX Runtime: " + classpath);
        List<String> names;
        try (JarFile jar = new JarFile(built.jar().toFile())) {
            names = jar.stream().map(JarEntry::getName).toList();
            assertEquals(EdgeMain.class.getName(), jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertArrayEquals(Files.readAllBytes(dcz),
                    jar.getInputStream(jar.getEntry(EdgeMain.MODEL_RESOURCE)).readAllBytes());
            assertArrayEquals(Files.readAllBytes(image),
                    jar.getInputStream(jar.getEntry(EdgeMain.SAMPLE_RESOURCE)).readAllBytes());
        }
        assertEquals(List.of(), names.stream().filter(n -> n.startsWith("ai/onnxruntime/")).toList());
        assertEquals(List.of(), names.stream().filter(n -> EdgePackager.isNativeLibrary(n.toLowerCase())).toList());
        assertTrue(names.contains("dev/condense/runtime/vector/VectorEngine.class"));
        assertTrue(names.contains("com/google/protobuf/CodedInputStream.class"));
        assertFalse(names.contains("dev/condense/samples/edge/EdgePackager.class"), "the packager stays out");
        assertEquals(names.size(), names.stream().distinct().count(), "no entry twice");
        try (Stream<Path> files = Files.walk(built.image().orElseThrow())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains("onnxruntime")).toList());
        }
        assertTrue(built.modules().containsAll(List.of("java.base", "java.desktop", EdgeMain.VECTOR_MODULE)),
                "modules " + built.modules());
    }

    @Test
    void jarAnswersAsTheInProcessClassifier() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run run = run(List.of(java.toString(), "--add-modules", EdgeMain.VECTOR_MODULE, "-jar",
                built.jar().toString(), image.toString()));
        assertEquals(0, run.status(), run.toString());
        assertSameTop1(run.out());
        assertTrue(run.out().contains("size: jar " + Files.size(built.jar()) + " bytes"), run.out());
        assertEquals(Files.size(built.jar()), built.jarBytes());
    }

    @Test
    void imageRunsWithoutFlagsAndPrintsItsSize() throws Exception {
        Path imageDir = built.image().orElseThrow();
        Run run = run(List.of(imageDir.resolve(EdgePackager.LAUNCHER).toString(), "--repeat", "50"));
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("sample.png (packaged): classified in "), run.out());
        assertTrue(run.out().contains("; 50 more runs: median "), run.out());
        assertSameTop1(run.out());
        long imageBytes = EdgeMain.folderBytes(imageDir);
        assertEquals(imageBytes, built.imageBytes());
        assertTrue(run.out().contains("size: image " + imageBytes + " bytes"), run.out());
        assertTrue(run.out().contains("size: jar " + Files.size(built.jar()) + " bytes"), run.out());
    }

    @Test
    void withoutTheVectorModuleTheJarSaysWhatToAdd() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run run = run(List.of(java.toString(), "-jar", built.jar().toString(), image.toString()));
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("java --add-modules jdk.incubator.vector -jar condense-edge.jar"), run.err());
    }

    @Test
    void aMissingImageIsReportedByName() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path missing = dir.resolve("missing.png");
        Run run = run(List.of(java.toString(), "--add-modules", EdgeMain.VECTOR_MODULE, "-jar",
                built.jar().toString(), missing.toString()));
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("image file " + missing + " does not exist"), run.err());
    }

    @Test
    void theSameInputsGiveTheSameJar() throws Exception {
        EdgePackager.EdgePackage again = EdgePackager.build(new EdgePackager.Request(dcz, dir.resolve("again"),
                classpath, Optional.of(image), false));
        assertArrayEquals(Files.readAllBytes(built.jar()), Files.readAllBytes(again.jar()));
        assertTrue(again.image().isEmpty());
        assertEquals(0, again.imageBytes());
    }

    @Test
    void onnxRuntimeAndNativeLibrariesAreRefused() throws Exception {
        for (String entry : List.of("ai/onnxruntime/OrtSession.class", "lib/linux-x64/libonnxruntime.so",
                "native/libfoo.so.1")) {
            Path bad = dir.resolve("bad-" + entry.hashCode() + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(bad))) {
                out.putNextEntry(new JarEntry(entry));
                out.write(new byte[] {1, 2, 3});
                out.closeEntry();
            }
            List<Path> withBad = new ArrayList<>(classpath);
            withBad.add(bad);
            PackagingException e = assertThrows(PackagingException.class, () -> EdgePackager.build(
                    new EdgePackager.Request(dcz, dir.resolve("refused"), withBad, Optional.empty(), false)));
            assertTrue(e.getMessage().contains(bad + " holds " + entry), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNoDczIsRefused() throws Exception {
        Path notDcz = dir.resolve("model.dcz");
        Files.writeString(notDcz, "not a container");
        PackagingException e = assertThrows(PackagingException.class, () -> EdgePackager.build(
                new EdgePackager.Request(notDcz, dir.resolve("refused"), classpath, Optional.empty(), false)));
        assertTrue(e.getMessage().startsWith("model " + notDcz + " is no valid .dcz container"), e.getMessage());
    }

    /** The printed best class must be the in-process answer: same label, same float. */
    private static void assertSameTop1(String out) throws Exception {
        Matcher m = TOP1.matcher(out);
        assertTrue(m.find(), "no ranking in: " + out);
        Classification.Prediction expected;
        try (ImageClassifier classifier = ImageClassifier.open(dcz)) {
            expected = classifier.classify(image).best();
        }
        assertEquals(expected.label(), m.group(2));
        assertEquals(Float.floatToRawIntBits(expected.probability()), Float.floatToRawIntBits(Float.parseFloat(m.group(1))),
                "probability: expected " + expected.probability() + ", printed " + m.group(1));
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + PROCESS_TIMEOUT_SECONDS + " s");
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println("$ " + String.join(" ", command) + "\n" + run.out() + run.err());
        return run;
    }

    private static List<Path> runtimeClasspath() throws IOException {
        String file = System.getProperty("condense.edge.classpath");
        if (file == null) {
            throw new IllegalStateException("system property condense.edge.classpath is not set; run the test"
                    + " through Maven, whose dependency plugin writes the runtime classpath");
        }
        return Arrays.stream(Files.readString(Path.of(file)).strip().split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    private static BufferedImage testImage() {
        int size = FashionMnist.IMAGE_SIZE;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        IdxDataset test = null;
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            try {
                test = FashionMnist.open(Split.TEST);
            } catch (DatasetException e) {
                throw new IllegalStateException("the Fashion-MNIST folder exists but cannot be read: "
                        + e.getMessage(), e);
            }
        }
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // Without the dataset: a bright diagonal band on black, something with an edge to answer to.
                int value = test != null ? test.pixel(0, y, x) : Math.abs(x - y) < 5 ? 220 : 0;
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        System.out.println("EdgePackagerTest: " + (test != null ? "Fashion-MNIST test image 0"
                : "a synthetic image (dataset-fashion-mnist is not installed)"));
        return img;
    }
}
