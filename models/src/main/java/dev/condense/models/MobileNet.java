// MobileNet v1 (depthwise separable convolutions) and v2 (inverted residuals with linear bottlenecks, ReLU6).
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/**
 * Small inputs run the stem and the first strided stage at stride 1 (a total stride of 8 instead
 * of 32), as the CIFAR ports of both do, and default to half the widths.
 */
final class MobileNet {

    private static final double SMALL_WIDTH = 0.5;
    private static final double EPS = 1e-5;

    private MobileNet() {
    }

    /**
     * Howard et al. (2017), Table 1: a 3x3 stride-2 convolution to 32 channels, then thirteen
     * depthwise 3x3 and pointwise 1x1 pairs, each followed by BatchNorm and ReLU; 4.2 M parameters.
     */
    static Value v1(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        boolean small = b.spec().smallInput();
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        Value x = b.relu("conv0.relu", convBn(b, "conv0", b.input(), b.width(32), 3, small ? 1 : 2, 1));
        boolean firstStride = true;
        for (int i = 0; i < blocks.length; i++) {
            int stride = blocks[i][1];
            if (stride == 2 && firstStride) {
                firstStride = false;
                stride = small ? 1 : 2;
            }
            String n = "block" + (i + 1);
            x = b.relu(n + ".dw.relu", convBn(b, n + ".dw", x, x.channels(), 3, stride, x.channels()));
            x = b.relu(n + ".pw.relu", convBn(b, n + ".pw", x, b.width(blocks[i][0]), 1, 1, 1));
        }
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("fc", x, b.spec().classes(), Init.GLOROT);
    }

    /**
     * Sandler et al. (2018), Table 2, in torchvision's layout: 3.5 M parameters. Each block expands
     * by t with a 1x1 convolution, filters with a depthwise 3x3, and projects back linearly; blocks
     * of stride 1 whose widths agree add their input.
     */
    static Value v2(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        boolean small = b.spec().smallInput();
        // expansion t, output channels c, repeats n, first stride s
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
        Value x = b.relu6("features.0.relu", convBn(b, "features.0", b.input(), b.width(32), 3, small ? 1 : 2, 1));
        int block = 1;
        boolean firstStride = true;
        for (int[] s : settings) {
            int out = b.width(s[1]);
            for (int i = 0; i < s[2]; i++) {
                int stride = i == 0 ? s[3] : 1;
                if (stride == 2 && firstStride) {
                    firstStride = false;
                    stride = small ? 1 : 2;
                }
                x = invertedResidual(b, "features." + block, x, out, stride, s[0]);
                block++;
            }
        }
        int last = Math.max(1280, b.width(1280));
        x = b.relu6("features." + block + ".relu", convBn(b, "features." + block, x, last, 1, 1, 1));
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("classifier", x, b.spec().classes(), Init.GLOROT);
    }

    private static Value invertedResidual(NetBuilder b, String n, Value x, int out, int stride, int expansion) {
        int hidden = Math.toIntExact(Math.round(x.channels() * (double) expansion));
        Value y = x;
        if (expansion != 1) {
            y = b.relu6(n + ".expand.relu", convBn(b, n + ".expand", y, hidden, 1, 1, 1));
        }
        y = b.relu6(n + ".dw.relu", convBn(b, n + ".dw", y, hidden, 3, stride, hidden));
        y = convBn(b, n + ".project", y, out, 1, 1, 1);
        return stride == 1 && x.channels() == out ? b.add(n + ".add", x, y) : y;
    }

    /** Convolution without bias (padding {@code kernel / 2}) and BatchNorm. */
    static Value convBn(NetBuilder b, String n, Value x, int out, int kernel, int stride, int group) {
        return b.batchNorm(n + ".bn", b.conv(n + ".conv", x, out, kernel, stride, kernel / 2, group, false), EPS);
    }
}
