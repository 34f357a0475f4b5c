// A grayscale image dataset held once in memory as uint8 pixels, as an IDX images/labels pair stores it.
package dev.condense.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Grayscale images of one size with their labels, the pixels kept as the bytes the IDX file held
 * ({@code count*rows*cols}: 47 MB for Fashion-MNIST's training split) and converted to floats
 * only when a sample is read, through a 256-entry table per normalization so that a pixel
 * {@code p} reads as exactly {@code normalization.apply(0, p / 255f)}. Views
 * ({@link #withNormalization}, {@link #subset}) share the arrays.
 */
public final class IdxDataset implements Dataset {

    private final String name;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;
    private final List<String> classNames;
    private final Normalization normalization;
    /** {@code table[p]}: the normalized value of pixel value {@code p}. */
    private final float[] table;

    private IdxDataset(String name, int rows, int cols, byte[] pixels, byte[] labels, List<String> classNames,
                       Normalization normalization) {
        if (normalization.channels() != 1) {
            throw new IllegalArgumentException(name + " has 1 channel; the normalization " + normalization + " has "
                    + normalization.channels());
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = classNames;
        this.normalization = normalization;
        this.table = new float[256];
        for (int p = 0; p < 256; p++) {
            table[p] = normalization.apply(0, p / 255f);
        }
    }

    /**
     * Reads an images file and its labels file, checking that they describe the same number of
     * samples and that every label names one of {@code classNames}. Values read unnormalized, in [0, 1].
     *
     * @param name how messages and {@link #toString()} call the dataset ("Fashion-MNIST train")
     */
    public static IdxDataset open(String name, Path images, Path labels, List<String> classNames)
            throws DatasetException {
        IdxReader.Images im = IdxReader.readImages(images);
        IdxReader.Labels lb = IdxReader.readLabels(labels);
        if (im.count() != lb.count()) {
            throw new DatasetException(name + ": images file " + images + " holds " + im.count()
                    + " images but labels file " + labels + " holds " + lb.count() + " labels");
        }
        checkLabels(labels.toString(), lb.values(), classNames);
        return new IdxDataset(name, im.rows(), im.cols(), im.pixels(), lb.values(), List.copyOf(classNames),
                Normalization.none(1));
    }

    /**
     * A dataset over pixel and label arrays already in the IDX layout (image after image, row-major,
     * one byte per pixel and per label), such as synthetic data for tests. The arrays are used as
     * they are, not copied; do not change them afterwards.
     */
    public static IdxDataset of(String name, int rows, int cols, byte[] pixels, byte[] labels,
                                List<String> classNames) throws DatasetException {
        if (rows < 1 || cols < 1) {
            throw new DatasetException(name + ": images of " + rows + "x" + cols + " pixels; rows and columns must be positive");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Math.multiplyExact((long) labels.length, rows), cols);
        } catch (ArithmeticException e) {
            throw new DatasetException(name + ": " + labels.length + " images of " + rows + "x" + cols
                    + " overflow a 64-bit byte count", e);
        }
        if (pixels.length != expected) {
            throw new DatasetException(name + ": " + labels.length + " labels of " + rows + "x" + cols
                    + " images need " + expected + " pixel bytes, got " + pixels.length);
        }
        checkLabels(name, labels, classNames);
        return new IdxDataset(name, rows, cols, pixels, labels, List.copyOf(classNames), Normalization.none(1));
    }

    private static void checkLabels(String source, byte[] labels, List<String> classNames) throws DatasetException {
        if (classNames.isEmpty()) {
            throw new DatasetException(source + ": a dataset needs at least one class name");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= classNames.size()) {
                throw new DatasetException(source + ": label " + label + " of sample " + i
                        + " is not below the class count " + classNames.size() + " (classes " + classNames + ")");
            }
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, rows, cols};
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int index) {
        return labels[index] & 0xFF;
    }

    @Override
    public Normalization normalization() {
        return normalization;
    }

    @Override
    public IdxDataset withNormalization(Normalization normalization) {
        return new IdxDataset(name, rows, cols, pixels, labels, classNames, normalization);
    }

    /** The stored pixel value (0 to 255) at row {@code y}, column {@code x} of sample {@code index}. */
    public int pixel(int index, int y, int x) {
        Objects.checkIndex(index, labels.length);
        if (y < 0 || y >= rows || x < 0 || x >= cols) {
            throw new IndexOutOfBoundsException("pixel (" + y + ", " + x + ") is outside " + rows + "x" + cols);
        }
        return pixels[(index * rows + y) * cols + x] & 0xFF;
    }

    @Override
    public void read(int index, float[] out, int offset) {
        Objects.checkIndex(index, labels.length);
        int length = rows * cols;
        // pixels: [N, H, W] uint8 -> out: [1, H, W] float
        int base = index * length;
        for (int i = 0; i < length; i++) {
            out[offset + i] = table[pixels[base + i] & 0xFF];
        }
    }

    @Override
    public String toString() {
        return name + " (" + labels.length + " images of 1x" + rows + "x" + cols
                + (normalization.isNone() ? "" : ", normalized " + normalization) + ")";
    }
}
