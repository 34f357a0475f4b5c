// Named settings of the compression pipeline: the paper's LeNet, AlexNet and VGG-16 recipes, and a default for other models.
package dev.condense.compress.pipeline;

import dev.condense.layers.LayerRules;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.PaperPreset;
import dev.condense.prune.PruneCriterion;
import dev.condense.quantize.sharing.WeightSharer;

import java.util.Locale;

/**
 * What a preset sets: the keep fraction of each weight layer (pruning), the bits of its codebook
 * (weight sharing, k-means with linear init) and the width of its relative index. Huffman coding
 * is on in all of them. The paper presets take Deep Compression's per-layer keep fractions
 * (Tables 2 to 5, matched to the model's weight layers by position) and its 8 bits for conv and 5
 * for fc layers. {@link #DEFAULT} fits any model: it keeps {@value #DEFAULT_CONV_KEEP} of each
 * convolution's weights and {@value #DEFAULT_FC_KEEP} of each fully connected layer's, far gentler
 * than the paper's fractions (reached with retraining), as a starting point for a model that will
 * not be retrained. Every preset lets each layer take the relative-index width that gives it the
 * smallest payload (docs/PIPELINE.md has the measurements).
 */
public enum CompressionPreset {

    DEFAULT("default", "keep " + CompressionPreset.DEFAULT_CONV_KEEP + " (conv), " + CompressionPreset.DEFAULT_FC_KEEP
            + " (fc); conv 8 bits, fc 5 bits"),
    PAPER_LENET300("paper-lenet300", PaperPreset.LENET_300_100.source() + ": keep 8/9/26% (ip1-3); 6 bits"),
    PAPER_LENET5("paper-lenet5", PaperPreset.LENET_5.source() + ": keep 66/12% (conv1-2), 8/19% (ip1-2);"
            + " conv 8 bits, fc 5 bits"),
    PAPER_ALEXNET("paper-alexnet", PaperPreset.ALEXNET.source() + ": keep 84/38/35/37/37% (conv1-5), 9/9/25% (fc6-8);"
            + " conv 8 bits, fc 5 bits"),
    PAPER_VGG16("paper-vgg16", PaperPreset.VGG16.source() + ": keep 22-58% (conv), 4/4/23% (fc6-8);"
            + " conv 8 bits, fc 5 bits");

    /** Share of each convolution's weights the default preset keeps. */
    public static final double DEFAULT_CONV_KEEP = 0.6;
    /** Share of each fully connected layer's weights the default preset keeps. */
    public static final double DEFAULT_FC_KEEP = 0.3;

    private final String label;
    private final String description;

    CompressionPreset(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The name on the command line: "default", "paper-lenet300", "paper-lenet5", "paper-alexnet", "paper-vgg16". */
    public String label() {
        return label;
    }

    /** One line: where the settings come from and what they are. */
    public String description() {
        return description;
    }

    /** The preset of that label, ignoring case. */
    public static CompressionPreset of(String label) {
        String key = label.strip().toLowerCase(Locale.ROOT);
        for (CompressionPreset p : values()) {
            if (p.label.equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no preset '" + label + "'; the presets are default, paper-lenet300, paper-lenet5,"
                + " paper-alexnet, paper-vgg16");
    }

    /** The pruning of this preset. A paper preset refuses a model whose weight layers differ from the paper's. */
    public MagnitudePruner pruner() {
        return switch (this) {
            case DEFAULT -> MagnitudePruner.of(LayerRules.<PruneCriterion>none()
                    .with("conv", new PruneCriterion.KeepFraction(DEFAULT_CONV_KEEP))
                    .with("fc", new PruneCriterion.KeepFraction(DEFAULT_FC_KEEP)));
            case PAPER_LENET300 -> MagnitudePruner.preset(PaperPreset.LENET_300_100);
            case PAPER_LENET5 -> MagnitudePruner.preset(PaperPreset.LENET_5);
            case PAPER_ALEXNET -> MagnitudePruner.preset(PaperPreset.ALEXNET);
            case PAPER_VGG16 -> MagnitudePruner.preset(PaperPreset.VGG16);
        };
    }

    /** Weight sharing: conv 8 bits, fc 5 bits (LeNet-300-100: 6, as Table 2 has it), linear init (the paper's best). */
    public WeightSharer sharer() {
        return this == PAPER_LENET300 ? WeightSharer.defaults().withBits("fc", 6) : WeightSharer.defaults();
    }

    /**
     * Relative-index bits: every layer takes the width that gives it the smallest payload
     * ({@link CompressionPipeline#AUTO_INDEX_BITS}). On the zoo's AlexNet and VGG-16 with Huffman
     * coding that is 8 or 9 bits for the fc layers and 5 or 6 for convolutions at 22-42% density
     * (the paper's conv 8 / fc 5 make AlexNet's file 2.5% larger, its tables' 4 bits 7.3%); without
     * Huffman coding, 3 to 5 bits.
     */
    public LayerRules<Integer> indexBits() {
        return LayerRules.<Integer>none().with("conv", CompressionPipeline.AUTO_INDEX_BITS)
                .with("fc", CompressionPipeline.AUTO_INDEX_BITS);
    }
}
