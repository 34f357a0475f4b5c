// Turns an encoded image into a network's input sample: decode, channels, resize, center crop, scale, normalize.
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
import java.util.Iterator;
import java.util.Objects;

/**
 * The one image path every part of Condense shares (image folders, {@code ImageClassifier}, the
 * samples), so that an image sent to a server is fed exactly as the same file in a dataset.
 * Grayscale images are taken at their stored values (not passed through Java's linear-gray colour
 * conversion); colour images are read as sRGB and alpha is ignored.
 */
public final class ImageSamples {

    /**
     * Largest image decoded, in pixels (width times height; 8192x8192), checked from the header
     * before decoding. Decoding and resampling such an image takes about 16 bytes per pixel.
     */
    public static final long MAX_PIXELS = 8192L * 8192L;

    private ImageSamples() {
    }

    /**
     * Decodes a PNG, JPEG, GIF or BMP image from its bytes, checking the pixel count in its header
     * first. {@code what} names the image in messages (a file name, "request body").
     *
     * @throws DatasetException when no decoder recognizes the bytes, they are corrupt, or the image is too large
     */
    public static BufferedImage decode(byte[] bytes, String what) throws DatasetException {
        Objects.requireNonNull(bytes, "bytes");
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(what + " (" + bytes.length + " bytes) is not a PNG or JPEG image:"
                        + " no javax.imageio decoder recognizes its contents");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = Math.multiplyExact((long) reader.getWidth(0), reader.getHeight(0));
                if (pixels > MAX_PIXELS) {
                    throw new DatasetException(what + " is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, more than the " + MAX_PIXELS + " Condense decodes");
                }
                BufferedImage image = reader.read(0);
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
                    throw new DatasetException(what + " decodes to an empty image");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new DatasetException("cannot decode image " + what + " (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The JDK's decoders signal some corrupt inputs unchecked (e.g. a bad ICC profile or table index).
            throw new DatasetException("cannot decode image " + what + " (" + bytes.length + " bytes): " + e, e);
        }
    }

    /**
     * Writes {@code image} as one sample {@code [C, height, width]} at {@code out[offset]}: its
     * shorter side resized to {@code transform.resizeShorter()} (bilinear, aspect kept), the centre
     * cut out, values scaled to [0, 1] and normalized.
     */
    public static void write(BufferedImage image, ImageTransform transform, Normalization normalization, float[] out,
                             int offset) {
        if (normalization.channels() != transform.channels()) {
            throw new IllegalArgumentException("normalization has " + normalization.channels()
                    + " channels, the transform " + transform.channels());
        }
        int w = image.getWidth();
        int h = image.getHeight();
        // planes: [C][h*w], values 0..255
        float[][] planes = channels(image, transform.channels());
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

    /**
     * The image as {@code channels} planes of 0..255 floats: stored gray levels for grayscale
     * images, sRGB otherwise; luminance (ITU-R BT.601 weights) for one channel from colour, the gray
     * plane repeated for three from gray.
     */
    static float[][] channels(BufferedImage image, int channels) {
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
}
