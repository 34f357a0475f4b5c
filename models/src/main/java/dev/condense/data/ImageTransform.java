// How ImageFolder turns an image of any size into a sample: resize, center crop, channel count.
package dev.condense.data;

/**
 * The geometry and colour of the samples an {@link ImageFolder} reads: the image is resized so its
 * shorter side is {@code resizeShorter} pixels (bilinear, keeping the aspect ratio), the central
 * {@code height x width} region is cut out, and its colours become {@code channels} channels
 * (1: luminance, 3: RGB). Scaling to [0, 1] and the {@link Normalization} follow.
 *
 * @param resizeShorter length of the shorter side after resizing; at least {@code height} and
 *                      {@code width}, so that every image can be cropped
 */
public record ImageTransform(int resizeShorter, int height, int width, int channels) {

    /** The ImageNet evaluation transform of torchvision's classifiers: shorter side 256, center 224x224, RGB. */
    public static final ImageTransform IMAGENET = new ImageTransform(256, 224, 224, 3);

    public ImageTransform {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (luminance) or 3 (RGB), got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("crop must be at least 1x1, got " + height + "x" + width);
        }
        if (resizeShorter < Math.max(height, width)) {
            throw new IllegalArgumentException("shorter side " + resizeShorter + " is smaller than the " + height + "x"
                    + width + " crop; it must be at least " + Math.max(height, width));
        }
    }

    /** Resize the shorter side to {@code size} and keep the central {@code size x size} square. */
    public static ImageTransform square(int size, int channels) {
        return new ImageTransform(size, size, size, channels);
    }

    /** {@code [channels, height, width]}. */
    public int[] sampleShape() {
        return new int[] {channels, height, width};
    }
}
