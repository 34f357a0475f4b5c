// VGG (Simonyan and Zisserman 2015): configurations D (VGG-16) and E (VGG-19), with and without BatchNorm.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/**
 * Stacks of 3x3 convolutions between 2x2 max pools, then fc 4096-4096-classes. A pool that would
 * take a map under 2 pixels is left out, so 28x28 inputs keep four of the five; widths default to
 * a quarter at small inputs.
 *
 * <p>VGG-16-BN keeps each convolution's bias in front of its BatchNormalization, as torchvision does:
 * 138,365,992 parameters, VGG-16's plus 8,448 BatchNorm scales and shifts.
 */
final class Vgg {

    private static final int POOL = -1;
    static final int[] VGG16 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL,
        512, 512, 512, POOL};
    static final int[] VGG19 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, 256, POOL, 512, 512, 512, 512, POOL,
        512, 512, 512, 512, POOL};
    private static final double SMALL_WIDTH = 0.25;

    private Vgg() {
    }

    static Value vgg16(NetBuilder b) {
        return define(b, VGG16, false);
    }

    static Value vgg19(NetBuilder b) {
        return define(b, VGG19, false);
    }

    static Value vgg16bn(NetBuilder b) {
        return define(b, VGG16, true);
    }

    private static Value define(NetBuilder b, int[] config, boolean batchNorm) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        Value x = b.input();
        int conv = 0;
        int pool = 0;
        for (int c : config) {
            if (c == POOL) {
                pool++;
                if (Math.min(x.height(), x.width()) >= 2) {
                    x = b.maxPool("features.pool" + pool, x, 2, 2, 0, false);
                }
                continue;
            }
            conv++;
            String name = "features.conv" + conv;
            x = b.conv(name, x, b.width(c), 3, 1, 1);
            if (batchNorm) {
                x = b.batchNorm("features.bn" + conv, x, 1e-5);
            }
            x = b.relu("features.relu" + conv, x);
        }
        x = b.flatten("flatten", x);
        x = b.relu("classifier.relu1", b.fc("classifier.fc1", x, b.width(4096), Init.HE));
        x = b.relu("classifier.relu2", b.fc("classifier.fc2", x, b.width(4096), Init.HE));
        return b.fc("classifier.fc3", x, b.spec().classes(), Init.GLOROT);
    }
}
