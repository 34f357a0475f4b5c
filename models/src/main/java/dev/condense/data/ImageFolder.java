// The user's own images, one folder per class, decoded with javax.imageio one sample at a time.
package dev.condense.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
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
    /**
     * Largest image decoded, in pixels (width times height; 8192x8192), checked from the header
     * before decoding. Decoding and resampling such an image takes about 16 bytes per pixel.
     */
    public static final long MAX_PIXELS = 8192L * 8192L;

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
        Path file = files.get(index);
        BufferedImage image = decode(file);
        int w = image.getWidth();
        int h = image.getHeight();
        // planes: [C][h*w], values 0..255
        float[][] planes = toChannels(image, transform.channels());
        int shorter = Math.min(w, h);
        int s = transform.resizeShorter();
        // Truncating the longer side keeps the aspect ratio within a pixel, as torchvision does.
        int newW = w == shorter ? s : (int) ((long) s * w / shorter);
        int newH = h == shorter ? s : (int) ((long) s * h / shorter);
        planes = BilinearResize.resize(planes, h, w, newH, newW);
        int top = (newH - transform.height()) / 2;
        int left = (newW - transform.width()) / 2;
        int cropW = transform.width();
        int planeLength = transform.height() * cropW;
        // out: [C, height, width]
        for (int c = 0; c < planes.length; c++) {
            float[] plane = planes[c];
            int base = offset + c * planeLength;
            for (int y = 0; y < transform.height(); y++) {
                int src = (top + y) * newW + left;
                int dst = base + y * cropW;
                for (int x = 0; x < cropW; x++) {
                    out[dst + x] = normalization.apply(c, plane[src + x] / 255f);
                }
            }
        }
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
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(file + " (" + bytes.length + " bytes) is not a PNG or JPEG image:"
                        + " no javax.imageio decoder recognizes its contents");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = Math.multiplyExact((long) reader.getWidth(0), reader.getHeight(0));
                if (pixels > MAX_PIXELS) {
                    throw new DatasetException(file + " is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, more than the " + MAX_PIXELS + " Condense decodes");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new DatasetException("cannot decode image " + file + " (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The JDK's decoders signal some corrupt inputs unchecked (e.g. a bad ICC profile or table index).
            throw new DatasetException("cannot decode image " + file + " (" + bytes.length + " bytes): " + e, e);
        }
    }

    /**
     * The image as {@code channels} planes of 0..255 floats: stored gray levels for grayscale
     * files, sRGB otherwise; luminance (ITU-R BT.601 weights) for one channel from colour, the gray
     * plane repeated for three from gray.
     */
    static float[][] toChannels(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        int length = Math.multiplyExact(w, h);
        float[][] planes = new float[channels][];
        if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Java treats gray as linear and getRGB would brighten it; files store display gray levels.
            Raster raster = image.getRaster();
            float max = (float) ((1L << raster.getSampleModel().getSampleSize(0)) - 1);
            float[] gray = raster.getSamples(0, 0, w, h, 0, new float[length]);
            if (max != 255f) {
                for (int i = 0; i < length; i++) {
                    gray[i] = gray[i] * 255f / max;
                }
            }
            for (int c = 0; c < channels; c++) {
                planes[c] = c == 0 ? gray : gray.clone();
            }
            return planes;
        }
        for (int c = 0; c < channels; c++) {
            planes[c] = new float[length];
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                float r = (argb >>> 16) & 0xFF;
                float g = (argb >>> 8) & 0xFF;
                float b = argb & 0xFF;
                int i = y * w + x;
                if (channels == 1) {
                    planes[0][i] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    planes[0][i] = r;
                    planes[1][i] = g;
                    planes[2][i] = b;
                }
            }
        }
        return planes;
    }

    @Override
    public String toString() {
        return "image folder " + root + " (" + files.size() + " images in " + classNames.size() + " classes, "
                + transform.channels() + "x" + transform.height() + "x" + transform.width()
                + (normalization.isNone() ? "" : ", normalized " + normalization) + ")";
    }
}
