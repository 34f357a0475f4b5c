// Inception v3 (Szegedy et al. 2016) in torchvision's layout, without the training-only auxiliary head.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

import java.util.List;

/**
 * Every convolution is conv, BatchNorm (epsilon 0.001), ReLU. The reference input is 3x299x299.
 * Small inputs keep the stem at full resolution (3x3 stride-1 padded convolutions, no pools), so
 * a 28x28 image reaches the 17x17 and 8x8 stages as 13x13 and 6x6.
 */
final class InceptionV3 {

    private static final double SMALL_WIDTH = 0.25;
    private static final double EPS = 1e-3;

    private InceptionV3() {
    }

    static Value define(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        Value x = b.input();
        if (b.spec().smallInput()) {
            x = conv(b, "Conv2d_1a_3x3", x, 32, 3, 3, 1, 1, 1);
            x = conv(b, "Conv2d_2a_3x3", x, 32, 3, 3, 1, 1, 1);
            x = conv(b, "Conv2d_2b_3x3", x, 64, 3, 3, 1, 1, 1);
            x = conv(b, "Conv2d_3b_1x1", x, 80, 1, 1, 1, 0, 0);
            x = conv(b, "Conv2d_4a_3x3", x, 192, 3, 3, 1, 1, 1);
        } else {
            x = conv(b, "Conv2d_1a_3x3", x, 32, 3, 3, 2, 0, 0);
            x = conv(b, "Conv2d_2a_3x3", x, 32, 3, 3, 1, 0, 0);
            x = conv(b, "Conv2d_2b_3x3", x, 64, 3, 3, 1, 1, 1);
            x = b.maxPool("maxpool1", x, 3, 2, 0, false);
            x = conv(b, "Conv2d_3b_1x1", x, 80, 1, 1, 1, 0, 0);
            x = conv(b, "Conv2d_4a_3x3", x, 192, 3, 3, 1, 0, 0);
            x = b.maxPool("maxpool2", x, 3, 2, 0, false);
        }
        x = inceptionA(b, "Mixed_5b", x, 32);
        x = inceptionA(b, "Mixed_5c", x, 64);
        x = inceptionA(b, "Mixed_5d", x, 64);
        x = inceptionB(b, "Mixed_6a", x);
        x = inceptionC(b, "Mixed_6b", x, 128);
        x = inceptionC(b, "Mixed_6c", x, 160);
        x = inceptionC(b, "Mixed_6d", x, 160);
        x = inceptionC(b, "Mixed_6e", x, 192);
        x = inceptionD(b, "Mixed_7a", x);
        x = inceptionE(b, "Mixed_7b", x);
        x = inceptionE(b, "Mixed_7c", x);
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("fc", x, b.spec().classes(), Init.GLOROT);
    }

    /** 35x35 module: 1x1; 1x1-5x5; 1x1-3x3-3x3; avgpool-1x1. */
    private static Value inceptionA(NetBuilder b, String n, Value x, int poolFeatures) {
        Value b1 = conv(b, n + ".branch1x1", x, 64, 1, 1, 1, 0, 0);
        Value b5 = conv(b, n + ".branch5x5_1", x, 48, 1, 1, 1, 0, 0);
        b5 = conv(b, n + ".branch5x5_2", b5, 64, 5, 5, 1, 2, 2);
        Value b3 = conv(b, n + ".branch3x3dbl_1", x, 64, 1, 1, 1, 0, 0);
        b3 = conv(b, n + ".branch3x3dbl_2", b3, 96, 3, 3, 1, 1, 1);
        b3 = conv(b, n + ".branch3x3dbl_3", b3, 96, 3, 3, 1, 1, 1);
        Value bp = conv(b, n + ".branch_pool", b.avgPool(n + ".avgpool", x, 3, 1, 1, true), poolFeatures, 1, 1, 1, 0, 0);
        return b.concat(n + ".output", List.of(b1, b5, b3, bp));
    }

    /** Grid reduction 35 to 17: strided 3x3; 1x1-3x3-strided 3x3; max pool. */
    private static Value inceptionB(NetBuilder b, String n, Value x) {
        Value b3 = conv(b, n + ".branch3x3", x, 384, 3, 3, 2, 0, 0);
        Value bd = conv(b, n + ".branch3x3dbl_1", x, 64, 1, 1, 1, 0, 0);
        bd = conv(b, n + ".branch3x3dbl_2", bd, 96, 3, 3, 1, 1, 1);
        bd = conv(b, n + ".branch3x3dbl_3", bd, 96, 3, 3, 2, 0, 0);
        Value bp = b.maxPool(n + ".maxpool", x, 3, 2, 0, false);
        return b.concat(n + ".output", List.of(b3, bd, bp));
    }

    /** 17x17 module with factorized 7x7 convolutions (1x7 and 7x1) of {@code c7} channels. */
    private static Value inceptionC(NetBuilder b, String n, Value x, int c7) {
        Value b1 = conv(b, n + ".branch1x1", x, 192, 1, 1, 1, 0, 0);
        Value b7 = conv(b, n + ".branch7x7_1", x, c7, 1, 1, 1, 0, 0);
        b7 = conv(b, n + ".branch7x7_2", b7, c7, 1, 7, 1, 0, 3);
        b7 = conv(b, n + ".branch7x7_3", b7, 192, 7, 1, 1, 3, 0);
        Value bd = conv(b, n + ".branch7x7dbl_1", x, c7, 1, 1, 1, 0, 0);
        bd = conv(b, n + ".branch7x7dbl_2", bd, c7, 7, 1, 1, 3, 0);
        bd = conv(b, n + ".branch7x7dbl_3", bd, c7, 1, 7, 1, 0, 3);
        bd = conv(b, n + ".branch7x7dbl_4", bd, c7, 7, 1, 1, 3, 0);
        bd = conv(b, n + ".branch7x7dbl_5", bd, 192, 1, 7, 1, 0, 3);
        Value bp = conv(b, n + ".branch_pool", b.avgPool(n + ".avgpool", x, 3, 1, 1, true), 192, 1, 1, 1, 0, 0);
        return b.concat(n + ".output", List.of(b1, b7, bd, bp));
    }

    /** Grid reduction 17 to 8. */
    private static Value inceptionD(NetBuilder b, String n, Value x) {
        Value b3 = conv(b, n + ".branch3x3_1", x, 192, 1, 1, 1, 0, 0);
        b3 = conv(b, n + ".branch3x3_2", b3, 320, 3, 3, 2, 0, 0);
        Value b7 = conv(b, n + ".branch7x7x3_1", x, 192, 1, 1, 1, 0, 0);
        b7 = conv(b, n + ".branch7x7x3_2", b7, 192, 1, 7, 1, 0, 3);
        b7 = conv(b, n + ".branch7x7x3_3", b7, 192, 7, 1, 1, 3, 0);
        b7 = conv(b, n + ".branch7x7x3_4", b7, 192, 3, 3, 2, 0, 0);
        Value bp = b.maxPool(n + ".maxpool", x, 3, 2, 0, false);
        return b.concat(n + ".output", List.of(b3, b7, bp));
    }

    /** 8x8 module whose 3x3 branches split into parallel 1x3 and 3x1 convolutions. */
    private static Value inceptionE(NetBuilder b, String n, Value x) {
        Value b1 = conv(b, n + ".branch1x1", x, 320, 1, 1, 1, 0, 0);
        Value b3 = conv(b, n + ".branch3x3_1", x, 384, 1, 1, 1, 0, 0);
        Value b3a = conv(b, n + ".branch3x3_2a", b3, 384, 1, 3, 1, 0, 1);
        Value b3b = conv(b, n + ".branch3x3_2b", b3, 384, 3, 1, 1, 1, 0);
        Value bd = conv(b, n + ".branch3x3dbl_1", x, 448, 1, 1, 1, 0, 0);
        bd = conv(b, n + ".branch3x3dbl_2", bd, 384, 3, 3, 1, 1, 1);
        Value bda = conv(b, n + ".branch3x3dbl_3a", bd, 384, 1, 3, 1, 0, 1);
        Value bdb = conv(b, n + ".branch3x3dbl_3b", bd, 384, 3, 1, 1, 1, 0);
        Value bp = conv(b, n + ".branch_pool", b.avgPool(n + ".avgpool", x, 3, 1, 1, true), 192, 1, 1, 1, 0, 0);
        return b.concat(n + ".output", List.of(b1, b3a, b3b, bda, bdb, bp));
    }

    /** Conv (no bias), BatchNorm, ReLU. */
    private static Value conv(NetBuilder b, String n, Value x, int out, int kh, int kw, int stride, int ph, int pw) {
        Value y = b.conv(n + ".conv", x, b.width(out), kh, kw, stride, stride, ph, pw, 1, false, Init.HE);
        return b.relu(n + ".relu", b.batchNorm(n + ".bn", y, EPS));
    }
}
