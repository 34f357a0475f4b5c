// What to build a zoo model for: input channels and size, class count, width multiplier and weight seed.
package dev.condense.models;

/**
 * The same family exists at several scales: ImageNet ({@code 3x224x224}, 1000 classes) and
 * Fashion-MNIST ({@code 1x28x28}, 10 classes) are the two the zoo names, but any size the family's
 * layout fits works. Inputs under {@link #SMALL_INPUT} pixels on their shorter side get each
 * family's small-input stem (less early downsampling) and, unless a multiplier is given, the
 * family's reduced widths.
 *
 * @param widthMultiplier scales every channel count and hidden width; {@code 0} means the family's
 *                        default for this input size (1 at ImageNet scale)
 * @param seed            seeds every weight, so the same spec always gives the same bytes
 */
public record ZooSpec(int channels, int height, int width, int classes, double widthMultiplier, long seed) {

    /** Shorter input sides below this use the small-input stems. */
    public static final int SMALL_INPUT = 112;
    public static final long DEFAULT_SEED = 20261123L;

    public ZooSpec {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("class count must be at least 1, got " + classes);
        }
        if (!(widthMultiplier >= 0) || widthMultiplier > 16 || Double.isInfinite(widthMultiplier)) {
            throw new IllegalArgumentException("width multiplier must be in (0, 16], got " + widthMultiplier);
        }
    }

    public static ZooSpec imagenet() {
        return new ZooSpec(3, 224, 224, 1000, 0, DEFAULT_SEED);
    }

    public static ZooSpec fashionMnist() {
        return new ZooSpec(1, 28, 28, 10, 0, DEFAULT_SEED);
    }

    public ZooSpec withInput(int c, int h, int w) {
        return new ZooSpec(c, h, w, classes, widthMultiplier, seed);
    }

    public ZooSpec withClasses(int n) {
        return new ZooSpec(channels, height, width, n, widthMultiplier, seed);
    }

    public ZooSpec withWidthMultiplier(double m) {
        return new ZooSpec(channels, height, width, classes, m, seed);
    }

    public ZooSpec withSeed(long s) {
        return new ZooSpec(channels, height, width, classes, widthMultiplier, s);
    }

    /** True when the input is too small for the ImageNet stems. */
    public boolean smallInput() {
        return Math.min(height, width) < SMALL_INPUT;
    }

    /** The multiplier to use: the given one, else {@code smallDefault} for small inputs and 1 otherwise. */
    public double multiplier(double smallDefault) {
        if (widthMultiplier > 0) {
            return widthMultiplier;
        }
        return smallInput() ? smallDefault : 1.0;
    }

    /** {@code CxHxW}, as the command line writes it. */
    public String inputText() {
        return channels + "x" + height + "x" + width;
    }
}
