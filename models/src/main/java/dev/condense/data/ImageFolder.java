// The user's own images, one folder per class, decoded with javax.imageio one sample at a time.
package dev.condense.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A folder {@code root/<class>/<image>} of PNG and JPEG files (extensions {@code .png},
 * {@code .jpg}, {@code .jpeg} in any case). Classes are the subfolder names in sorted order and a
 * label is a class's position; samples run class by class, files sorted by name. Names starting
 * with a dot ({@code .DS_Store}) are ignored; anything else that is not a class folder of images
 * is an error, so a stray file never silently drops out of an evaluation.
 *
 * <p>Only the file list is kept in memory. Each read decodes one file with javax.imageio, converts
 * it to the {@link ImageTransform}'s channels, resizes, crops, scales to [0, 1] and normalizes.
 * The file is read whole and closed before decoding, so a failing decoder cannot leak a handle.
 * Grayscale files are taken at their stored values (not passed through Java's linear-gray colour
 * conversion); colour files are read as sRGB and alpha is ignored.
 */
public final class ImageFolder implements Dataset {

    /** Largest file read: far above any photo, small enough to hold in memory for decoding. */
    public static final long MAX_FILE_BYTES = 256L << 20;
    /** Largest image decoded, in pixels: {@link ImageSamples#MAX_PIXELS}. */
    public static final long MAX_PIXELS = ImageSamples.MAX_PIXELS;

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private final Path root;
    private final List<String> classNames;
    private final List<Path> files;
    private final int[] labels;
    private final ImageTransform transform;
    private final Normalization normalization;

    private ImageFolder(Path root, List<String> classNames, List<Path> files, int[] labels, ImageTransform transform,
                        Normalization normalization) {
        if (normalization.channels() != transform.channels()) {
            throw new IllegalArgumentException("the normalization " + normalization + " has " + normalization.channels()
                    + " channels; the transform makes " + transform.channels());
        }
        this.root = root;
        this.classNames = classNames;
        this.files = files;
        this.labels = labels;
        this.transform = transform;
        this.normalization = normalization;
    }

    /** Lists {@code root}'s classes and images; values read in [0, 1], unnormalized. */
    public static ImageFolder open(Path root, ImageTransform transform) throws DatasetException {
        return open(root, transform, Normalization.none(transform.channels()));
    }

    /**
     * Lists {@code root}'s classes and images; nothing is decoded yet.
     *
     * @throws DatasetException when {@code root} is not a folder, holds no class folders, holds a
     *                          file, or a class folder is empty or holds something other than images
     */
    public static ImageFolder open(Path root, ImageTransform transform, Normalization normalization)
            throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root + (Files.exists(root) ? " is a file, not a folder"
                    : " does not exist"));
        }
        List<String> classNames = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path classDir : list(root)) {
            if (!Files.isDirectory(classDir)) {
                throw new DatasetException(classDir + " is a file in the image folder's root; the root must hold"
                        + " only class folders (root/<class>/<image>)");
            }
            int label = classNames.size();
            int before = files.size();
            for (Path file : list(classDir)) {
                if (Files.isDirectory(file)) {
                    throw new DatasetException(file + " is a folder inside class folder " + classDir
                            + "; images must sit directly in their class folder");
                }
                if (!hasImageExtension(file)) {
                    throw new DatasetException(file + " is not an image: class folders may hold only "
                            + String.join(", ", EXTENSIONS) + " files");
                }
                files.add(file);
                labels.add(label);
            }
            if (files.size() == before) {
                throw new DatasetException("class folder " + classDir + " holds no images");
            }
            classNames.add(classDir.getFileName().toString());
        }
        if (classNames.isEmpty()) {
            throw new DatasetException("image folder " + root + " holds no class folders; expected root/<class>/<image>"
                    + " with " + String.join(", ", EXTENSIONS) + " files");
        }
        int[] labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolder(root, List.copyOf(classNames), List.copyOf(files), labelArray, transform, normalization);
    }

    /** The entries of {@code dir} not starting with a dot, sorted by name. */
    private static List<Path> list(Path dir) throws DatasetException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (!p.getFileName().toString().startsWith(".")) {
                    entries.add(p);
                }
            }
        } catch (IOException e) {
            throw new DatasetException("cannot list folder " + dir + ": " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return entries;
    }

    private static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String extension : EXTENSIONS) {
            if (name.endsWith(extension) && name.length() > extension.length()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int[] sampleShape() {
        return transform.sampleShape();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Normalization normalization() {
        return normalization;
    }

    @Override
    public ImageFolder withNormalization(Normalization normalization) {
        return new ImageFolder(root, classNames, files, labels, transform, normalization);
    }

    public ImageTransform transform() {
        return transform;
    }

    /** The image file of sample {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public void read(int index, float[] out, int offset) throws DatasetException {
        Objects.checkIndex(index, files.size());
        ImageSamples.write(decode(files.get(index)), transform, normalization, out, offset);
    }

    /** Decodes {@code file} from its bytes, checking its size and pixel count before decoding. */
    static BufferedImage decode(Path file) throws DatasetException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new DatasetException(file + " is " + size + " bytes, more than the " + MAX_FILE_BYTES
                        + " an image file may have");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException("image file " + file + " no longer exists", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
        return ImageSamples.decode(bytes, file.toString());
    }

    @Override
    public String toString() {
        return "image folder " + root + " (" + files.size() + " images in " + classNames.size() + " classes, "
                + transform.channels() + "x" + transform.height() + "x" + transform.width()
                + (normalization.isNone() ? "" : ", normalized " + normalization) + ")";
    }
}
