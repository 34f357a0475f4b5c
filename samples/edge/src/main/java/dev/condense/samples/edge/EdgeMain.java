// The program inside an edge package: classifies images with the .dcz model embedded in its own jar, on the vector engine.
package dev.condense.samples.edge;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DczReader;
import dev.condense.data.DatasetException;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code java --add-modules jdk.incubator.vector -jar condense-edge.jar [--repeat N] [image ...]}
 * (from the runtime image: {@code bin/condense-edge [--repeat N] [image ...]}). Without images it
 * classifies the sample image packaged with it. For each image it prints the time of the first
 * run (cold: class loading, and the Vector API interpreted until the JIT compiles it) and, with
 * {@code --repeat N}, the median of N more runs; then the top five classes, one per line as
 * {@code rank probability label}. At the end it prints the size on disk of the jar and, when it
 * runs inside the runtime image the packager built, of that image.
 *
 * <p>Nothing here refers to ONNX Runtime: the session runs on {@link Backend#VECTOR}, whose
 * classes need only {@code jdk.incubator.vector}.
 */
public final class EdgeMain {

    /** Where the packager puts the model in the jar. */
    static final String MODEL_RESOURCE = "condense-edge/model.dcz";
    /** The model's original file name, one line of UTF-8. */
    static final String MODEL_NAME_RESOURCE = "condense-edge/model-name.txt";
    /** The image classified when none is given, if the packager was given one. */
    static final String SAMPLE_RESOURCE = "condense-edge/sample.png";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Classes printed per image. */
    static final int TOP = 5;

    private EdgeMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the program; returns the exit status: 0 done, 1 a model or image could not be read, 2 bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            err.println("condense-edge: the vector engine needs the module " + VECTOR_MODULE + "; run"
                    + " java --add-modules " + VECTOR_MODULE + " -jar condense-edge.jar [image ...],"
                    + " or bin/condense-edge from the runtime image");
            return 2;
        }
        int repeat = 0;
        List<String> images = new ArrayList<>(List.of(args));
        if (images.size() >= 2 && images.getFirst().equals("--repeat")) {
            try {
                repeat = Integer.parseInt(images.get(1));
            } catch (NumberFormatException e) {
                repeat = -1;
            }
            if (repeat < 0 || repeat > 1_000_000) {
                err.println("condense-edge: --repeat takes a count from 0 to 1000000, got '" + images.get(1) + "'");
                return 2;
            }
            images = images.subList(2, images.size());
        }
        try {
            long t0 = System.nanoTime();
            byte[] dcz = resource(MODEL_RESOURCE).orElseThrow(() -> new ModelLoadException("this jar holds no "
                    + MODEL_RESOURCE + "; build it with EdgePackager"));
            String name = resource(MODEL_NAME_RESOURCE).map(b -> new String(b, StandardCharsets.UTF_8).strip())
                    .orElse("model.dcz");
            Model model;
            try {
                model = DczModel.toModel(DczReader.read(dcz, name));
            } catch (FormatException e) {
                throw new ModelLoadException(e.getMessage(), e);
            }
            try (ImageClassifier classifier = ImageClassifier.of(model, SessionOptions.of(Backend.VECTOR))) {
                out.printf(Locale.ROOT, "model %s (%d bytes, embedded) opened in %.1f ms on %s%n", name, dcz.length,
                        (System.nanoTime() - t0) / 1e6, classifier.session().describe());
                if (images.isEmpty()) {
                    Optional<byte[]> sample = resource(SAMPLE_RESOURCE);
                    if (sample.isEmpty()) {
                        err.println("condense-edge: no image given and none packaged; usage: condense-edge"
                                + " [--repeat N] image ...");
                        return 2;
                    }
                    classify(out, "sample.png (packaged)", sample.get(), classifier, repeat);
                }
                for (String image : images) {
                    Path file = Path.of(image);
                    if (!Files.isRegularFile(file)) {
                        throw new DatasetException("image file " + image + " does not exist");
                    }
                    if (Files.size(file) > ImageClassifier.MAX_IMAGE_BYTES) {
                        throw new DatasetException(image + " is " + Files.size(file) + " bytes, more than the "
                                + ImageClassifier.MAX_IMAGE_BYTES + " an image file may have");
                    }
                    classify(out, image, Files.readAllBytes(file), classifier, repeat);
                }
            }
            printSizes(out);
            return 0;
        } catch (ModelLoadException | SessionException | DatasetException | IOException e) {
            err.println("condense-edge: " + e.getMessage());
            return 1;
        }
    }

    private static void classify(PrintStream out, String image, byte[] encoded, ImageClassifier classifier, int repeat)
            throws DatasetException, SessionException {
        long t = System.nanoTime();
        Classification c = classifier.classify(encoded);
        out.printf(Locale.ROOT, "%s: classified in %.2f ms", image, (System.nanoTime() - t) / 1e6);
        if (repeat > 0) {
            long[] nanos = new long[repeat];
            for (int i = 0; i < repeat; i++) {
                long r = System.nanoTime();
                classifier.classify(encoded);
                nanos[i] = System.nanoTime() - r;
            }
            Arrays.sort(nanos);
            out.printf(Locale.ROOT, "; %d more runs: median %.3f ms", repeat, nanos[repeat / 2] / 1e6);
        }
        out.println();
        int rank = 1;
        for (Classification.Prediction p : c.top(TOP)) {
            // Float.toString: the shortest text that reads back as exactly this probability.
            out.printf(Locale.ROOT, "  %d  %s  %s%n", rank++, Float.toString(p.probability()), p.label());
        }
    }

    /** The jar's size, and the runtime image's when the jar runs from inside one. */
    private static void printSizes(PrintStream out) throws IOException {
        Optional<Path> jar = ownJar();
        if (jar.isEmpty()) {
            out.println("size: not running from a jar");
            return;
        }
        out.printf(Locale.ROOT, "size: jar %d bytes (%s)%n", Files.size(jar.get()), jar.get().getFileName());
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        if (jar.get().toRealPath().startsWith(javaHome)) {
            out.printf(Locale.ROOT, "size: image %d bytes (%s, the jar included)%n", folderBytes(javaHome),
                    javaHome.getFileName());
        }
    }

    /** The jar this class was loaded from, if it was loaded from a jar. */
    static Optional<Path> ownJar() {
        return codeLocation().filter(Files::isRegularFile);
    }

    /** The jar or class folder this class was loaded from, when the class loader says. */
    static Optional<Path> codeLocation() {
        CodeSource source = EdgeMain.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            // Not a file: URI (e.g. a jar inside another archive).
            return Optional.empty();
        }
    }

    /** The bytes of all regular files under {@code folder}, links not followed: its size on disk as {@code du -b} counts files. */
    static long folderBytes(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Optional<byte[]> resource(String name) throws IOException {
        try (InputStream in = EdgeMain.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }
}
