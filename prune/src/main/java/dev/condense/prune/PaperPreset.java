// The per-layer keep fractions Deep Compression reports for AlexNet and VGG-16, matched to a model's weight layers in order.
package dev.condense.prune;

import dev.condense.layers.WeightLayer;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Keep fractions from Han, Mao and Dally, "Deep Compression" (ICLR 2016), Tables 2 to 5 (the
 * same figures as Han et al. 2015, "Learning both Weights and Connections", Tables 2 to 5).
 * A preset lists the paper's layers in network order; it applies to a model whose weight layers,
 * in graph order, are as many and of the same families.
 */
public enum PaperPreset {

    LENET_300_100("lenet-300-100", "Deep Compression, Table 2 (LeNet-300-100)", List.of("ip1", "ip2", "ip3"),
            List.of(0.08, 0.09, 0.26)),
    LENET_5("lenet-5", "Deep Compression, Table 3 (LeNet-5)", List.of("conv1", "conv2", "ip1", "ip2"),
            List.of(0.66, 0.12, 0.08, 0.19)),
    ALEXNET("alexnet", "Deep Compression, Table 4 (AlexNet)",
            List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"),
            List.of(0.84, 0.38, 0.35, 0.37, 0.37, 0.09, 0.09, 0.25)),
    VGG16("vgg-16", "Deep Compression, Table 5 (VGG-16)",
            List.of("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv4_1",
                    "conv4_2", "conv4_3", "conv5_1", "conv5_2", "conv5_3", "fc6", "fc7", "fc8"),
            List.of(0.58, 0.22, 0.34, 0.36, 0.53, 0.24, 0.42, 0.32, 0.27, 0.34, 0.35, 0.29, 0.36, 0.04, 0.04,
                    0.23));

    private final String label;
    private final String source;
    private final List<String> paperLayers;
    private final List<Double> keepFractions;

    PaperPreset(String label, String source, List<String> paperLayers, List<Double> keepFractions) {
        this.label = label;
        this.source = source;
        this.paperLayers = paperLayers;
        this.keepFractions = keepFractions;
    }

    public String label() {
        return label;
    }

    public String source() {
        return source;
    }

    /** The paper's layer names, in network order. */
    public List<String> paperLayers() {
        return paperLayers;
    }

    /** The fraction of weights each layer keeps, in the order of {@link #paperLayers()}. */
    public List<Double> keepFractions() {
        return keepFractions;
    }

    /** The preset of that label ("alexnet", "vgg-16"; case, '-' and '_' ignored). */
    public static PaperPreset of(String label) {
        String key = normalize(label);
        for (PaperPreset p : values()) {
            if (normalize(p.label).equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no pruning preset '" + label + "'; there are lenet-300-100, lenet-5, alexnet, vgg-16");
    }

    /**
     * The keep fraction of each of {@code layers} (a model's weight layers in graph order). Throws,
     * naming both lists, when their counts differ or a convolution meets a paper's fc layer or the
     * other way round.
     */
    List<Double> match(List<WeightLayer> layers) {
        if (layers.size() != paperLayers.size()) {
            throw new IllegalArgumentException("preset " + label + " has " + paperLayers.size() + " layers ("
                    + String.join(", ", paperLayers) + ") but the model has " + layers.size() + " prunable layers ("
                    + layers.stream().map(WeightLayer::name).collect(Collectors.joining(", ")) + ")");
        }
        for (int i = 0; i < layers.size(); i++) {
            String paperLayer = paperLayers.get(i);
            WeightLayer.Kind expected = paperLayer.startsWith("fc") || paperLayer.startsWith("ip") ? WeightLayer.Kind.FC : WeightLayer.Kind.CONV;
            if (layers.get(i).kind() != expected) {
                throw new IllegalArgumentException("preset " + label + " expects layer " + (i + 1) + " (" + paperLayer
                        + ") to be " + expected.label() + " but the model's layer " + (i + 1) + " is "
                        + layers.get(i).describe());
            }
        }
        return keepFractions;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "");
    }
}
