// Builds an edge package: one runnable jar with a .dcz model and the vector engine, no ONNX Runtime, optionally a jlink'ed runtime.
package dev.condense.samples.edge;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * The jar holds {@link EdgeMain}, the classes and resources of every classpath entry given (the
 * runtime's dependencies, ONNX Runtime excluded), the model as a resource and optionally a sample
 * image. Entries are merged as a fat jar needs: service files concatenated, licence and notice
 * files kept apart per source under {@code META-INF/licenses/}, signatures, module descriptors and
 * Maven metadata dropped; the same class from two sources must be byte-identical. Any
 * {@code ai/onnxruntime/} class or native library ({@code .so}, {@code .dll}, {@code .dylib},
 * {@code .jnilib}) in the input is refused, so the package cannot carry ONNX Runtime by accident.
 *
 * <p>A jar cannot ask for {@code --add-modules} in its manifest, so the jar needs
 * {@code java --add-modules jdk.incubator.vector -jar condense-edge.jar}. The runtime image removes
 * that: jlink links the modules {@code jdeps} finds in the jar (java.base, java.desktop for
 * ImageIO, jdk.incubator.vector, ...) and bakes the flag into the image with
 * {@code --add-options}, and {@code bin/condense-edge} runs the jar copied into {@code app/}.
 *
 * <p>Entries carry a fixed timestamp, so the same inputs give the same jar, byte for byte.
 */
public final class EdgePackager {

    /** The jar's file name in the output folder. */
    public static final String JAR_NAME = "condense-edge.jar";
    /** The runtime image's folder name in the output folder. */
    public static final String IMAGE_NAME = "condense-edge-image";
    /** The launcher script inside the image. */
    public static final String LAUNCHER = "bin/condense-edge";
    /** JVM options the image applies to every start: the Vector API, and no warning about protobuf's use of Unsafe. */
    static final String IMAGE_JVM_OPTIONS = "--add-modules=" + EdgeMain.VECTOR_MODULE
            + " --sun-misc-unsafe-memory-access=allow";
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2025, 1, 1, 0, 0);
    private static final String OWN_PACKAGE = EdgeMain.class.getPackageName().replace('.', '/') + "/";

    private EdgePackager() {
    }

    /**
     * What to build.
     *
     * @param model        the .dcz container to embed
     * @param outputDir    where the jar (and the image) go; created when missing
     * @param classpath    the runtime classpath to package: jars or class folders
     * @param sampleImage  an image the program classifies when run without arguments
     * @param runtimeImage whether to jlink a runtime image too
     */
    public record Request(Path model, Path outputDir, List<Path> classpath, Optional<Path> sampleImage,
                          boolean runtimeImage) {
        public Request {
            classpath = List.copyOf(classpath);
        }
    }

    /**
     * What was built.
     *
     * @param jar        the runnable jar
     * @param jarBytes   its size
     * @param image      the runtime image's folder, when one was built
     * @param imageBytes the size of all files in the image (the copy of the jar included); 0 without one
     * @param modules    the modules linked into the image; empty without one
     */
    public record EdgePackage(Path jar, long jarBytes, Optional<Path> image, long imageBytes, List<String> modules) {
        public EdgePackage {
            modules = List.copyOf(modules);
        }
    }

    /** Builds the package {@code request} describes. */
    public static EdgePackage build(Request request) throws IOException, PackagingException {
        if (!Files.isRegularFile(request.model())) {
            throw new PackagingException("model " + request.model() + " does not exist or is not a file");
        }
        try {
            DczReader.verify(request.model());
        } catch (FormatException e) {
            throw new PackagingException("model " + request.model() + " is no valid .dcz container: "
                    + e.getMessage(), e);
        }
        if (request.sampleImage().isPresent() && !Files.isRegularFile(request.sampleImage().get())) {
            throw new PackagingException("sample image " + request.sampleImage().get() + " does not exist");
        }
        Files.createDirectories(request.outputDir());
        Path jar = request.outputDir().resolve(JAR_NAME);
        writeJar(request, jar);
        if (!request.runtimeImage()) {
            return new EdgePackage(jar, Files.size(jar), Optional.empty(), 0, List.of());
        }
        Path image = request.outputDir().resolve(IMAGE_NAME);
        List<String> modules = modules(jar);
        link(image, modules);
        Path app = Files.createDirectories(image.resolve("app"));
        Files.copy(jar, app.resolve(JAR_NAME), StandardCopyOption.REPLACE_EXISTING);
        Path launcher = image.resolve(LAUNCHER);
        Files.writeString(launcher, """
                #!/bin/sh
                # Runs the Condense edge package on the Java runtime linked beside it.
                home=$(cd "$(dirname "$0")/.." && pwd)
                exec "$home/bin/java" -jar "$home/app/%s" "$@"
                """.formatted(JAR_NAME));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new EdgePackage(jar, Files.size(jar), Optional.of(image), EdgeMain.folderBytes(image), modules);
    }

    // ---- the jar

    /** Entries collected before writing: contents by name, in the order first seen. */
    private static final class Contents {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        final Map<String, String> sourceOf = new LinkedHashMap<>();
        final Map<String, Set<String>> services = new LinkedHashMap<>();
        boolean multiRelease;

        void add(String name, byte[] bytes, String source) throws PackagingException {
            byte[] seen = entries.putIfAbsent(name, bytes);
            if (seen == null) {
                sourceOf.put(name, source);
            } else if (!Arrays.equals(seen, bytes)) {
                throw new PackagingException(name + " is in both " + sourceOf.get(name) + " and " + source
                        + " with different contents; a fat jar can hold only one");
            }
        }
    }

    private static void writeJar(Request request, Path jar) throws IOException, PackagingException {
        Contents contents = new Contents();
        Path own = ownLocation();
        collect(own, contents, true);
        for (Path entry : request.classpath()) {
            if (!Files.exists(entry)) {
                throw new PackagingException("classpath entry " + entry + " does not exist");
            }
            if (!Files.isSameFile(entry, own)) {
                collect(entry, contents, false);
            }
        }
        contents.add(EdgeMain.MODEL_RESOURCE, Files.readAllBytes(request.model()), request.model().toString());
        String modelName = String.valueOf(request.model().getFileName());
        contents.add(EdgeMain.MODEL_NAME_RESOURCE, (modelName + "\n").getBytes(StandardCharsets.UTF_8), "the request");
        if (request.sampleImage().isPresent()) {
            contents.add(EdgeMain.SAMPLE_RESOURCE, Files.readAllBytes(request.sampleImage().get()),
                    request.sampleImage().get().toString());
        }
        for (Map.Entry<String, Set<String>> service : contents.services.entrySet()) {
            String lines = String.join("\n", service.getValue()) + "\n";
            contents.add(service.getKey(), lines.getBytes(StandardCharsets.UTF_8), "merged services");
        }

        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, EdgeMain.class.getName());
        main.put(new Attributes.Name("Created-By"), "Condense EdgePackager");
        if (contents.multiRelease) {
            main.put(Attributes.Name.MULTI_RELEASE, "true");
        }
        Path partial = jar.resolveSibling(jar.getFileName() + ".partial");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial))) {
            ZipEntry m = new ZipEntry(JarFile.MANIFEST_NAME);
            m.setTimeLocal(ENTRY_TIME);
            out.putNextEntry(m);
            manifest.write(out);
            out.closeEntry();
            for (Map.Entry<String, byte[]> e : contents.entries.entrySet()) {
                JarEntry entry = new JarEntry(e.getKey());
                entry.setTimeLocal(ENTRY_TIME);
                out.putNextEntry(entry);
                out.write(e.getValue());
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Adds the entries of a jar or class folder; of the sample's own classes only those of {@link EdgeMain}. */
    private static void collect(Path source, Contents contents, boolean own) throws IOException, PackagingException {
        String sourceName = String.valueOf(source.getFileName());
        if (Files.isDirectory(source)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(source)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = source.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                if (!own || isOwnProgramClass(name)) {
                    addEntry(name, Files.readAllBytes(file), source.toString(), sourceName, contents);
                }
            }
            return;
        }
        try (JarFile jar = new JarFile(source.toFile(), false, java.util.zip.ZipFile.OPEN_READ, Runtime.version())) {
            if (jar.isMultiRelease()) {
                contents.multiRelease = true;
            }
            for (JarEntry entry : jar.stream().toList()) {
                if (entry.isDirectory() || (own && !isOwnProgramClass(entry.getName()))) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    addEntry(entry.getName(), in.readAllBytes(), source.toString(), sourceName, contents);
                }
            }
        }
    }

    /** The classes the packaged program runs: EdgeMain and its nested classes, not the packager. */
    private static boolean isOwnProgramClass(String name) {
        return name.startsWith(OWN_PACKAGE + EdgeMain.class.getSimpleName()) && name.endsWith(".class");
    }

    private static void addEntry(String name, byte[] bytes, String source, String sourceName, Contents contents)
            throws PackagingException {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("ai/onnxruntime/") || isNativeLibrary(lower)) {
            throw new PackagingException(source + " holds " + name + ": the edge package carries no ONNX Runtime"
                    + " and no native library; leave com.microsoft.onnxruntime off the classpath given");
        }
        String file = lower.substring(lower.lastIndexOf('/') + 1);
        if (file.equals("module-info.class") || lower.equals("meta-inf/manifest.mf")
                || lower.equals("meta-inf/index.list") || lower.startsWith("meta-inf/maven/")
                || (lower.startsWith("meta-inf/") && lower.indexOf('/', 9) < 0
                && (file.endsWith(".sf") || file.endsWith(".rsa") || file.endsWith(".dsa") || file.endsWith(".ec")))) {
            return;
        }
        if (lower.startsWith("meta-inf/services/") && lower.indexOf('/', 18) < 0) {
            Set<String> providers = contents.services.computeIfAbsent(name, k -> new LinkedHashSet<>());
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                String provider = line.replaceAll("#.*", "").strip();
                if (!provider.isEmpty()) {
                    providers.add(provider);
                }
            }
            return;
        }
        if (lower.startsWith("meta-inf/") && lower.indexOf('/', 9) < 0) {
            // LICENSE, NOTICE and the like: every source keeps its own.
            contents.add("META-INF/licenses/" + sourceName + "/" + name.substring(9), bytes, source);
            return;
        }
        contents.add(name, bytes, source);
    }

    static boolean isNativeLibrary(String lowerName) {
        return lowerName.endsWith(".so") || lowerName.matches(".*\\.so(\\.\\d+)+") || lowerName.endsWith(".dll")
                || lowerName.endsWith(".dylib") || lowerName.endsWith(".jnilib");
    }

    /** The jar or class folder this sample's classes come from. */
    private static Path ownLocation() throws PackagingException {
        return EdgeMain.codeLocation().orElseThrow(() -> new PackagingException(
                "cannot tell where the edge sample's classes were loaded from"));
    }

    // ---- the runtime image

    /** The modules the jar needs, as jdeps finds them; java.base and the vector module whatever it reports. */
    static List<String> modules(Path jar) throws PackagingException {
        String found = runTool("jdeps", "--print-module-deps", "--ignore-missing-deps", "--multi-release",
                String.valueOf(Runtime.version().feature()), jar.toString()).strip();
        Set<String> modules = new TreeSet<>();
        for (String m : found.split(",")) {
            if (!m.isBlank()) {
                modules.add(m.strip());
            }
        }
        modules.add("java.base");
        modules.add(EdgeMain.VECTOR_MODULE);
        return List.copyOf(modules);
    }

    private static void link(Path image, List<String> modules) throws IOException, PackagingException {
        if (Files.exists(image)) {
            // Only a previous image is replaced, never a folder that happens to have the name.
            if (!Files.isRegularFile(image.resolve("release")) || !Files.isRegularFile(image.resolve(LAUNCHER))) {
                throw new PackagingException(image + " exists and is no edge runtime image; remove it or choose"
                        + " another output folder");
            }
            deleteTree(image);
        }
        runTool("jlink", "--add-modules", String.join(",", modules), "--add-options=" + IMAGE_JVM_OPTIONS,
                "--strip-debug", "--no-header-files", "--no-man-pages", "--compress=zip-6",
                "--output", image.toString());
    }

    private static void deleteTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.delete(p);
        }
    }

    /** Runs a JDK tool in this JVM; its standard output, or an error with everything it printed. */
    private static String runTool(String name, String... args) throws PackagingException {
        ToolProvider tool = ToolProvider.findFirst(name).orElseThrow(() -> new PackagingException(
                name + " is not in this Java runtime (" + System.getProperty("java.home") + "); run the packager"
                        + " on a JDK to build the runtime image"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = tool.run(new PrintWriter(out), new PrintWriter(err), args);
        if (status != 0) {
            throw new PackagingException(name + " " + String.join(" ", args) + " failed (exit " + status + "): "
                    + (out + "\n" + err).strip());
        }
        return out.toString();
    }

    // ---- command line

    static final String USAGE = """
            usage: EdgePackager --model FILE.dcz [--output DIR] [--sample IMAGE] [--no-image] [--classpath PATHS]
              --model FILE.dcz   the compressed model to embed (required)
              --output DIR       where condense-edge.jar and condense-edge-image/ go (default: edge-package)
              --sample IMAGE     an image the program classifies when run without arguments
              --no-image         build the jar only, no jlink'ed runtime image
              --classpath PATHS  the runtime classpath to package (default: this JVM's class path)""";

    public static void main(String[] args) {
        Path model = null;
        Path output = Path.of("edge-package");
        Path sample = null;
        boolean image = true;
        String classpath = System.getProperty("java.class.path");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-image")) {
                image = false;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(USAGE);
                return;
            }
            if (i + 1 >= args.length) {
                usage(a.startsWith("--") ? "option " + a + " needs a value" : "unexpected argument '" + a + "'");
            }
            String value = args[++i];
            switch (a) {
                case "--model" -> model = Path.of(value);
                case "--output" -> output = Path.of(value);
                case "--sample" -> sample = Path.of(value);
                case "--classpath" -> classpath = value;
                default -> usage("unknown option '" + a + "'");
            }
        }
        if (model == null) {
            usage("--model FILE.dcz is required");
        }
        List<Path> entries = new ArrayList<>();
        for (String p : classpath.split(java.io.File.pathSeparator)) {
            if (!p.isBlank()) {
                entries.add(Path.of(p));
            }
        }
        try {
            EdgePackage built = build(new Request(model, output, entries, Optional.ofNullable(sample), image));
            System.out.println(describe(built));
        } catch (IOException | PackagingException e) {
            System.err.println("EdgePackager: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The lines the command line prints: each part and its size on disk. */
    static String describe(EdgePackage p) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintWriter out = new PrintWriter(text, true, StandardCharsets.UTF_8);
        out.printf(Locale.ROOT, "jar: %s, %d bytes; run: java %s -jar %s [image ...]%n", p.jar(), p.jarBytes(),
                IMAGE_JVM_OPTIONS, p.jar());
        p.image().ifPresent(image -> out.printf(Locale.ROOT, "image: %s, %d bytes (modules %s); run: %s [image ...]%n",
                image, p.imageBytes(), String.join(",", p.modules()), image.resolve(LAUNCHER)));
        out.printf(Locale.ROOT, "total: %d bytes%n", p.jarBytes() + p.imageBytes());
        return text.toString(StandardCharsets.UTF_8).strip();
    }

    private static void usage(String problem) {
        System.err.println("EdgePackager: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }
}
