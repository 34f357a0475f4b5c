// The dataset options `train`, `eval`, `compress --retrain` and `sensitivity` share, and how a model's recorded normalization applies.
package dev.condense.cli;

import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.ImageFolder;
import dev.condense.data.ImageTransform;
import dev.condense.data.ModelMetadata;
import dev.condense.data.Normalization;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --dataset fashion-mnist|DIR} and {@code --data DIR}. A model trained by Condense records
 * the normalization it was trained with ({@link #MEAN_KEY}, {@link #STD_KEY} in its metadata);
 * evaluation uses it, so a model is always fed as it was trained.
 */
final class DatasetArgs {

    /** Metadata keys a trained model carries: per-channel mean and std, comma-separated. */
    static final String MEAN_KEY = ModelMetadata.MEAN;
    static final String STD_KEY = ModelMetadata.STD;
    static final String DATASET_KEY = ModelMetadata.DATASET;

    @Option(names = "--dataset", paramLabel = "NAME|DIR",
            description = "'fashion-mnist' (the Debian package dataset-fashion-mnist, or the IDX files in --data) or a"
                    + " folder of images with train/ and test/ subfolders, one folder per class in each")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR",
            description = "folder holding the Fashion-MNIST IDX files (default: where the Debian package installs them)")
    Path data;

    boolean given() {
        return dataset != null;
    }

    boolean isFashionMnist() {
        String key = dataset.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return key.equals("fashionmnist");
    }

    /** The name the model's metadata records. */
    String label() {
        return isFashionMnist() ? "fashion-mnist" : Path.of(dataset).getFileName().toString();
    }

    /**
     * One split, for a model that takes {@code [C, H, W]} images ({@code shape}, null when the
     * model does not fix it). Image folders are resized to it.
     */
    Dataset open(Split split, int[] shape) throws DatasetException, UserException {
        if (dataset == null) {
            throw new UserException("--dataset is required: 'fashion-mnist' or a folder of images");
        }
        if (isFashionMnist()) {
            Dataset d = FashionMnist.open(data != null ? data : FashionMnist.DEFAULT_DIR, split);
            if (shape != null && !java.util.Arrays.equals(shape, d.sampleShape())) {
                throw new UserException("the model takes " + text(shape) + " images; Fashion-MNIST's are "
                        + text(d.sampleShape()));
            }
            return d;
        }
        if (data != null) {
            throw new UserException("--data is for fashion-mnist; give an image folder as --dataset itself");
        }
        if (shape == null) {
            throw new UserException("the model's input size is not fixed; image folders need one to resize to");
        }
        Path dir = Path.of(dataset).resolve(split == Split.TRAIN ? "train" : "test");
        ImageTransform transform = new ImageTransform(Math.max(shape[1], Math.round(shape[1] * 8 / 7f)), shape[1],
                shape[2], shape[0]);
        return ImageFolder.open(dir, transform);
    }

    /** {@code data} under the normalization {@code model} records, or as it is when the model records none. */
    static Dataset normalizedFor(Dataset data, Model model) throws UserException {
        try {
            Optional<Normalization> recorded = ModelMetadata.normalization(model);
            if (recorded.isEmpty() || recorded.get().equals(data.normalization())) {
                return data;
            }
            return data.withNormalization(recorded.get());
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage() + " (for " + data + ")");
        }
    }

    static String format(float[] values) {
        return ModelMetadata.format(values);
    }

    static String text(int[] shape) {
        return shape[0] + "x" + shape[1] + "x" + shape[2];
    }
}
