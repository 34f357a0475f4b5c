// ResNet (He et al. 2016): ResNet-18 with basic blocks and ResNet-50 with bottlenecks, as torchvision lays them out.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/**
 * Bottlenecks stride in their 3x3 convolution (torchvision's "v1.5"). Small inputs use a 3x3
 * stride-1 stem without the max pool, as CIFAR ResNets do, and a quarter of the widths.
 */
final class ResNet {

    private static final double SMALL_WIDTH = 0.25;
    private static final double EPS = 1e-5;

    private ResNet() {
    }

    static Value resnet18(NetBuilder b) {
        return define(b, new int[] {2, 2, 2, 2}, false);
    }

    static Value resnet50(NetBuilder b) {
        return define(b, new int[] {3, 4, 6, 3}, true);
    }

    private static Value define(NetBuilder b, int[] blocks, boolean bottleneck) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        Value x = b.input();
        int stem = b.width(64);
        if (b.spec().smallInput()) {
            x = convBn(b, "conv1", "bn1", x, stem, 3, 1, 1);
            x = b.relu("relu", x);
        } else {
            x = b.relu("relu", convBn(b, "conv1", "bn1", x, stem, 7, 2, 3));
            x = b.maxPool("maxpool", x, 3, 2, 1, false);
        }
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                String name = "layer" + (stage + 1) + "." + i;
                int w = b.width(widths[stage]);
                x = bottleneck ? bottleneck(b, name, x, w, stride) : basic(b, name, x, w, stride);
            }
        }
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("fc", x, b.spec().classes(), Init.GLOROT);
    }

    private static Value basic(NetBuilder b, String name, Value x, int width, int stride) {
        Value y = b.relu(name + ".relu1", convBn(b, name + ".conv1", name + ".bn1", x, width, 3, stride, 1));
        y = convBn(b, name + ".conv2", name + ".bn2", y, width, 3, 1, 1);
        return b.relu(name + ".relu2", b.add(name + ".add", y, shortcut(b, name, x, width, stride)));
    }

    private static Value bottleneck(NetBuilder b, String name, Value x, int width, int stride) {
        int out = width * 4;
        Value y = b.relu(name + ".relu1", convBn(b, name + ".conv1", name + ".bn1", x, width, 1, 1, 0));
        y = b.relu(name + ".relu2", convBn(b, name + ".conv2", name + ".bn2", y, width, 3, stride, 1));
        y = convBn(b, name + ".conv3", name + ".bn3", y, out, 1, 1, 0);
        return b.relu(name + ".relu3", b.add(name + ".add", y, shortcut(b, name, x, out, stride)));
    }

    /** Identity when shapes agree, else a strided 1x1 projection with BatchNorm. */
    private static Value shortcut(NetBuilder b, String name, Value x, int out, int stride) {
        if (stride == 1 && x.channels() == out) {
            return x;
        }
        return convBn(b, name + ".downsample.conv", name + ".downsample.bn", x, out, 1, stride, 0);
    }

    static Value convBn(NetBuilder b, String conv, String bn, Value x, int out, int kernel, int stride, int pad) {
        return b.batchNorm(bn, b.conv(conv, x, out, kernel, stride, pad, 1, false), EPS);
    }
}
