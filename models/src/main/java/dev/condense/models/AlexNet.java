// AlexNet: the single-tower layout PyTorch ships and the original two-group network with LRN.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/**
 * Small inputs replace the 11x11 stride-4 stem with a 5x5 stride-1 one, so 28x28 images reach the
 * classifier at 2x2 rather than vanishing; widths default to a quarter there.
 */
final class AlexNet {

    private static final double SMALL_WIDTH = 0.25;

    private AlexNet() {
    }

    /** Single tower (Krizhevsky 2014, torchvision): 64-192-384-256-256, fc 4096-4096, 61.1 M parameters. */
    static Value singleTower(NetBuilder b) {
        return define(b, new int[] {64, 192, 384, 256, 256}, new int[] {1, 1, 1, 1, 1}, false);
    }

    /**
     * Krizhevsky, Sutskever and Hinton (2012): 96-256-384-384-256 with LRN after the first two
     * convolutions and conv2, conv4, conv5 split into two groups (the two GPUs), 61.0 M parameters.
     */
    static Value original(NetBuilder b) {
        return define(b, new int[] {96, 256, 384, 384, 256}, new int[] {1, 2, 1, 2, 2}, true);
    }

    private static Value define(NetBuilder b, int[] channels, int[] groups, boolean lrn) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        boolean small = b.spec().smallInput();
        Value x = b.input();
        x = small
                ? b.conv("features.conv1", x, b.width(channels[0]), 5, 1, 2)
                : b.conv("features.conv1", x, b.width(channels[0]), 11, 4, 2);
        x = b.relu("features.relu1", x);
        if (lrn) {
            x = b.lrn("features.norm1", x, 5, 1e-4, 0.75, 2.0);
        }
        x = b.maxPool("features.pool1", x, 3, 2, 0, false);
        x = b.relu("features.relu2", b.conv("features.conv2", x, b.width(channels[1]), 5, 1, 2, groups[1], true));
        if (lrn) {
            x = b.lrn("features.norm2", x, 5, 1e-4, 0.75, 2.0);
        }
        x = b.maxPool("features.pool2", x, 3, 2, 0, false);
        for (int i = 2; i < 5; i++) {
            String layer = "features.conv" + (i + 1);
            x = b.relu("features.relu" + (i + 1), b.conv(layer, x, b.width(channels[i]), 3, 1, 1, groups[i], true));
        }
        x = b.maxPool("features.pool5", x, 3, 2, 0, false);
        x = b.flatten("flatten", x);
        x = b.relu("classifier.relu6", b.fc("classifier.fc6", x, b.width(4096), Init.HE));
        x = b.relu("classifier.relu7", b.fc("classifier.fc7", x, b.width(4096), Init.HE));
        return b.fc("classifier.fc8", x, b.spec().classes(), Init.GLOROT);
    }
}
