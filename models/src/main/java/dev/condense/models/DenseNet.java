// DenseNet-121 (Huang et al. 2017): dense blocks of 6, 12, 24 and 16 layers with growth rate 32.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * Each layer is BN-ReLU-conv1x1 (4 x growth) then BN-ReLU-conv3x3 (growth) over the concatenation
 * of every earlier feature map in its block, as the PyTorch export writes it: one Concat per layer.
 * Transitions halve the channels and the resolution. Small inputs use a 3x3 stride-1 stem without
 * the max pool and default to half the growth rate.
 */
final class DenseNet {

    private static final double SMALL_WIDTH = 0.5;
    private static final double EPS = 1e-5;

    private DenseNet() {
    }

    static Value densenet121(NetBuilder b) {
        return define(b, new int[] {6, 12, 24, 16}, 32, 64);
    }

    private static Value define(NetBuilder b, int[] layers, int growthRate, int initFeatures) {
        b.widthMultiplier(b.spec().multiplier(SMALL_WIDTH));
        int growth = b.width(growthRate);
        Value x;
        if (b.spec().smallInput()) {
            x = b.conv("features.conv0", b.input(), b.width(initFeatures), 3, 1, 1, 1, false);
            x = b.relu("features.relu0", b.batchNorm("features.norm0", x, EPS));
        } else {
            x = b.conv("features.conv0", b.input(), b.width(initFeatures), 7, 2, 3, 1, false);
            x = b.relu("features.relu0", b.batchNorm("features.norm0", x, EPS));
            x = b.maxPool("features.pool0", x, 3, 2, 1, false);
        }
        for (int block = 0; block < layers.length; block++) {
            String bn = "features.denseblock" + (block + 1);
            List<Value> features = new ArrayList<>(List.of(x));
            for (int i = 0; i < layers[block]; i++) {
                String n = bn + ".denselayer" + (i + 1);
                Value in = features.size() == 1 ? features.getFirst() : b.concat(n + ".concat", features);
                Value y = b.relu(n + ".relu1", b.batchNorm(n + ".norm1", in, EPS));
                y = b.conv(n + ".conv1", y, 4 * growth, 1, 1, 0, 1, false);
                y = b.relu(n + ".relu2", b.batchNorm(n + ".norm2", y, EPS));
                features.add(b.conv(n + ".conv2", y, growth, 3, 1, 1, 1, false));
            }
            x = b.concat(bn + ".output", features);
            if (block < layers.length - 1) {
                String t = "features.transition" + (block + 1);
                x = b.relu(t + ".relu", b.batchNorm(t + ".norm", x, EPS));
                x = b.conv(t + ".conv", x, x.channels() / 2, 1, 1, 0, 1, false);
                x = b.avgPool(t + ".pool", x, 2, 2, 0, true);
            }
        }
        x = b.relu("features.relu5", b.batchNorm("features.norm5", x, EPS));
        x = b.flatten("flatten", b.globalAvgPool("avgpool", x));
        return b.fc("classifier", x, b.spec().classes(), Init.GLOROT);
    }
}
