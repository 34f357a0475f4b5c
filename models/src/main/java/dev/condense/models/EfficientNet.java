// EfficientNet-B0 (Tan and Le 2019): MBConv blocks with Swish and squeeze-and-excitation, torchvision's layout.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/**
 * Each MBConv expands with a 1x1 convolution, filters depthwise, gates channels with
 * squeeze-and-excitation (squeezed to a quarter of the block's input width) and projects back
 * linearly; Swish is exported as Sigmoid and Mul. Stochastic depth is training-only and absent.
 * Small inputs run the stem and the first strided stage at stride 1 and default to half the widths.
 */
final class EfficientNet {

    private static final double SMALL_WIDTH = 0.5;
    private static final double EPS = 1e-3;

    private EfficientNet() {
    }

    static Value b0(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        boolean small = b.spec().smallInput();
        // expansion, kernel, first stride, output channels, repeats (the B0 baseline, Table 1)
        int[][] stages = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
            {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}};
        Value x = b.swish("features.0.act", convBn(b, "features.0", b.input(), b.width(32), 3, small ? 1 : 2, 1));
        boolean firstStride = true;
        for (int s = 0; s < stages.length; s++) {
            int[] st = stages[s];
            for (int i = 0; i < st[4]; i++) {
                int stride = i == 0 ? st[2] : 1;
                if (stride == 2 && firstStride) {
                    firstStride = false;
                    stride = small ? 1 : 2;
                }
                x = mbConv(b, "features." + (s + 1) + "." + i, x, b.width(st[3]), st[1], stride, st[0]);
            }
        }
        int head = 4 * x.channels();
        x = b.swish("features.8.act", convBn(b, "features.8", x, head, 1, 1, 1));
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("classifier", x, b.spec().classes(), Init.GLOROT);
    }

    private static Value mbConv(NetBuilder b, String n, Value x, int out, int kernel, int stride, int expansion) {
        int hidden = x.channels() * expansion;
        Value y = x;
        if (expansion != 1) {
            y = b.swish(n + ".expand.act", convBn(b, n + ".expand", y, hidden, 1, 1, 1));
        }
        y = b.swish(n + ".dw.act", convBn(b, n + ".dw", y, hidden, kernel, stride, hidden));
        int squeezed = Math.max(1, x.channels() / 4);
        Value s = b.globalAvgPool(n + ".se.pool", y);
        s = b.swish(n + ".se.act", b.conv(n + ".se.fc1", s, squeezed, 1, 1, 0));
        s = b.sigmoid(n + ".se.gate", b.conv(n + ".se.fc2", s, hidden, 1, 1, 0));
        y = b.scale(n + ".se.scale", y, s);
        y = convBn(b, n + ".project", y, out, 1, 1, 1);
        return stride == 1 && x.channels() == out ? b.add(n + ".add", x, y) : y;
    }

    private static Value convBn(NetBuilder b, String n, Value x, int out, int kernel, int stride, int group) {
        return b.batchNorm(n + ".bn", b.conv(n + ".conv", x, out, kernel, stride, kernel / 2, group, false), EPS);
    }
}
