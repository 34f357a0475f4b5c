// The LeNet family: LeNet-5 (classic and the Caffe variant Deep Compression used) and LeNet-300-100.
package dev.condense.models;

import dev.condense.models.NetBuilder.Init;
import dev.condense.models.NetBuilder.Value;

/** Widths are fixed by the papers; a width multiplier other than 1 scales them too. */
final class LeNet {

    private LeNet() {
    }

    /**
     * LeNet-5 as LeCun et al. (1998) drew it, with full C3 connectivity and a linear output layer:
     * conv 6@5x5, tanh, avgpool 2, conv 16@5x5, tanh, avgpool 2, fc 120, 84, classes. Inputs under
     * 32 pixels are padded to 32 by the first convolution, as PyTorch ports do for 28x28 digits.
     */
    static Value classic(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(1.0));
        Value x = b.input();
        int pad = (int) Math.max(0, (32 - Math.min(x.height(), x.width()) + 1) / 2);
        x = b.conv("conv1", x, b.width(6), 5, 5, 1, 1, pad, pad, 1, true, Init.GLOROT);
        x = b.avgPool("pool1", b.tanh("tanh1", x), 2, 2, 0, false);
        x = b.conv("conv2", x, b.width(16), 5, 5, 1, 1, 0, 0, 1, true, Init.GLOROT);
        x = b.avgPool("pool2", b.tanh("tanh2", x), 2, 2, 0, false);
        x = b.flatten("flatten", x);
        x = b.tanh("tanh3", b.fc("fc1", x, b.width(120), Init.GLOROT));
        x = b.tanh("tanh4", b.fc("fc2", x, b.width(84), Init.GLOROT));
        return b.fc("fc3", x, b.spec().classes(), Init.GLOROT);
    }

    /**
     * The Caffe LeNet-5 of Deep Compression's Table 1 (431 K parameters): conv 20@5x5, maxpool 2,
     * conv 50@5x5, maxpool 2, fc 500, ReLU, fc classes.
     */
    static Value caffe(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(1.0));
        Value x = b.input();
        x = b.maxPool("pool1", b.conv("conv1", x, b.width(20), 5, 1, 0), 2, 2, 0, false);
        x = b.maxPool("pool2", b.conv("conv2", x, b.width(50), 5, 1, 0), 2, 2, 0, false);
        x = b.relu("relu3", b.fc("ip1", b.flatten("flatten", x), b.width(500), Init.HE));
        return b.fc("ip2", x, b.spec().classes(), Init.GLOROT);
    }

    /** LeNet-300-100: two hidden fully connected layers of 300 and 100 ReLU units (267 K parameters). */
    static Value lenet300100(NetBuilder b) {
        b.widthMultiplier(b.spec().multiplier(1.0));
        Value x = b.flatten("flatten", b.input());
        x = b.relu("relu1", b.fc("ip1", x, b.width(300), Init.HE));
        x = b.relu("relu2", b.fc("ip2", x, b.width(100), Init.HE));
        return b.fc("ip3", x, b.spec().classes(), Init.GLOROT);
    }
}
