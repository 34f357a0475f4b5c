// Per-channel mean and standard deviation applied to pixel values already scaled to [0, 1].
package dev.condense.data;

import java.util.Arrays;

/**
 * The last step of every sample: a value {@code x} in [0, 1] of channel {@code c} becomes
 * {@code (x - mean[c]) / std[c]}. {@link #none(int)} (mean 0, std 1) leaves the values in [0, 1].
 * A network must be fed the normalization it was trained with, so a dataset carries one and
 * {@link Dataset#withNormalization} swaps it without touching the stored pixels.
 */
public record Normalization(float[] mean, float[] std) {

    /** The ImageNet statistics (RGB) that torchvision's pretrained CNNs expect. */
    public static final Normalization IMAGENET = new Normalization(
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public Normalization {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalization needs one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException("channel " + c + " has mean " + mean[c] + " and std " + std[c]
                        + "; the mean must be finite and the std finite and positive");
            }
        }
    }

    /** Mean 0 and std 1 on every channel: the values stay in [0, 1]. */
    public static Normalization none(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("a normalization needs at least one channel, got " + channels);
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        Arrays.fill(std, 1f);
        return new Normalization(mean, std);
    }

    /** One channel with the given statistics. */
    public static Normalization of(float mean, float std) {
        return new Normalization(new float[] {mean}, new float[] {std});
    }

    public int channels() {
        return mean.length;
    }

    /** The normalized value of {@code unit} (a value in [0, 1]) on {@code channel}. */
    public float apply(int channel, float unit) {
        return (unit - mean[channel]) / std[channel];
    }

    /** Whether this leaves values unchanged (mean 0, std 1 everywhere). */
    public boolean isNone() {
        for (int c = 0; c < mean.length; c++) {
            if (mean[c] != 0f || std[c] != 1f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    // Records compare arrays by identity; normalizations compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return isNone() ? "none (values in [0, 1])" : "mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
    }
}
