// Fashion-MNIST: finds its four IDX files in a folder and opens a split as an in-memory dataset.
package dev.condense.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Zalando's Fashion-MNIST: 28x28 grayscale photos of clothing in 10 classes, 60,000 for training
 * and 10,000 for testing. The folder holds {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
 * {@code t10k-labels-idx1-ubyte}, each plain or with {@code .gz}; the Debian package
 * {@code dataset-fashion-mnist} installs the gzip files in {@link #DEFAULT_DIR}.
 *
 * <p>Samples read as pixels/255 by default. Networks trained on standardized inputs want
 * {@code dataset.withNormalization(FashionMnist.NORMALIZATION)}, the training split's pixel mean
 * and standard deviation.
 */
public final class FashionMnist {

    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The classes in label order. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Rows and columns of every image. */
    public static final int IMAGE_SIZE = 28;
    /** Mean 0.2860 and std 0.3530 of the training pixels scaled to [0, 1]: the usual standardization. */
    public static final Normalization NORMALIZATION = Normalization.of(0.2860f, 0.3530f);

    private FashionMnist() {
    }

    /** Opens a split from {@link #DEFAULT_DIR}. */
    public static IdxDataset open(Split split) throws DatasetException {
        return open(DEFAULT_DIR, split);
    }

    /**
     * Opens a split from {@code dir}, reading its images and labels into memory once (as uint8).
     *
     * @throws DatasetException when the folder or a file is missing, a file is malformed, the two
     *                          files disagree, or the images are not 28x28
     */
    public static IdxDataset open(Path dir, Split split) throws DatasetException {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("Fashion-MNIST folder " + dir + (Files.exists(dir) ? " is not a folder" : " does not exist")
                    + "; " + whereToGetIt());
        }
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        String name = "Fashion-MNIST " + split.name().toLowerCase(Locale.ROOT);
        IdxDataset dataset = IdxDataset.open(name, images, labels, CLASS_NAMES);
        int[] shape = dataset.sampleShape();
        if (shape[1] != IMAGE_SIZE || shape[2] != IMAGE_SIZE) {
            throw new DatasetException(images + ": Fashion-MNIST images are " + IMAGE_SIZE + "x" + IMAGE_SIZE
                    + ", this file holds " + shape[1] + "x" + shape[2]);
        }
        return dataset;
    }

    /** {@code dir/base}, or {@code dir/base.gz} when only that exists. */
    private static Path find(Path dir, String base) throws DatasetException {
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new DatasetException("Fashion-MNIST folder " + dir + " has neither " + base + " nor " + base + ".gz; "
                + whereToGetIt());
    }

    private static String whereToGetIt() {
        return "the Debian package dataset-fashion-mnist installs the files in " + DEFAULT_DIR
                + " (apt-get install dataset-fashion-mnist), and --data DIR points Condense at another folder holding them";
    }
}
