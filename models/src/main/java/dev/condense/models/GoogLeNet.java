// GoogLeNet (Inception v1, Szegedy et al. 2015): the paper's network and the layout torchvision ships.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

import java.util.List;

/**
 * Two layouts. The paper's (Table 1) has LRN, biased convolutions and 5x5 branches. torchvision's,
 * which is what a PyTorch user exports, puts BatchNorm (epsilon 0.001) after every bias-free
 * convolution, drops LRN, and uses a 3x3 convolution in the branch the paper makes 5x5. The
 * auxiliary classifiers are training-time only and left out of both, as an inference export drops
 * them. Small inputs start with a 3x3 stride-1 convolution and skip the two stem pools, so the
 * inception modules see 28, 14 and 7 pixel maps as they do at ImageNet scale.
 */
final class GoogLeNet {

    private static final double SMALL_WIDTH = 0.25;
    private static final double EPS = 1e-3;
    private static final int[][] MODULES = {
        {64, 96, 128, 16, 32, 32}, {128, 128, 192, 32, 96, 64},
        {192, 96, 208, 16, 48, 64}, {160, 112, 224, 24, 64, 64}, {128, 128, 256, 24, 64, 64},
        {112, 144, 288, 32, 64, 64}, {256, 160, 320, 32, 128, 128},
        {256, 160, 320, 32, 128, 128}, {384, 192, 384, 48, 128, 128}};
    private static final String[] MODULE_NAMES = {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"};

    private GoogLeNet() {
    }

    static Value paper(NetBuilder b) {
        return define(b, true);
    }

    static Value torchvision(NetBuilder b) {
        return define(b, false);
    }

    private static Value define(NetBuilder b, boolean paper) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        boolean small = b.spec().smallInput();
        Value x = b.input();
        x = small ? conv(b, paper, "conv1", x, 64, 3, 1) : conv(b, paper, "conv1", x, 64, 7, 2);
        if (!small) {
            x = b.maxPool("maxpool1", x, 3, 2, 0, true);
        }
        if (paper) {
            x = b.lrn("norm1", x, 5, 1e-4, 0.75, 1.0);
        }
        x = conv(b, paper, "conv2", x, 64, 1, 1);
        x = conv(b, paper, "conv3", x, 192, 3, 1);
        if (paper) {
            x = b.lrn("norm2", x, 5, 1e-4, 0.75, 1.0);
        }
        if (!small) {
            x = b.maxPool("maxpool2", x, 3, 2, 0, true);
        }
        for (int i = 0; i < MODULES.length; i++) {
            if (i == 2) {
                x = b.maxPool("maxpool3", x, 3, 2, 0, true);
            } else if (i == 7) {
                x = paper ? b.maxPool("maxpool4", x, 3, 2, 0, true) : b.maxPool("maxpool4", x, 2, 2, 0, true);
            }
            x = inception(b, paper, "inception" + MODULE_NAMES[i], x, MODULES[i]);
        }
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("fc", x, b.spec().classes(), Init.GLOROT);
    }

    /** Four parallel branches: 1x1; 1x1 then 3x3; 1x1 then 5x5 (3x3 in torchvision); 3x3 max pool then 1x1. */
    private static Value inception(NetBuilder b, boolean paper, String n, Value x, int[] c) {
        Value b1 = conv(b, paper, n + ".branch1", x, c[0], 1, 1);
        Value b2 = conv(b, paper, n + ".branch2.0", x, c[1], 1, 1);
        b2 = conv(b, paper, n + ".branch2.1", b2, c[2], 3, 1);
        Value b3 = conv(b, paper, n + ".branch3.0", x, c[3], 1, 1);
        b3 = conv(b, paper, n + ".branch3.1", b3, c[4], paper ? 5 : 3, 1);
        Value b4 = b.maxPool(n + ".branch4.pool", x, 3, 1, 1, !paper);
        b4 = conv(b, paper, n + ".branch4.1", b4, c[5], 1, 1);
        return b.concat(n + ".output", List.of(b1, b2, b3, b4));
    }

    /** Paper: biased conv and ReLU. torchvision: bias-free conv, BatchNorm, ReLU. Padding keeps the size. */
    private static Value conv(NetBuilder b, boolean paper, String n, Value x, int out, int kernel, int stride) {
        Value y = b.conv(n + ".conv", x, b.width(out), kernel, stride, kernel / 2, 1, paper);
        if (!paper) {
            y = b.batchNorm(n + ".bn", y, EPS);
        }
        return b.relu(n + ".relu", y);
    }
}
