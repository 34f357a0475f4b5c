// The model zoo: every documented CNN family, by name, with the published figures each is checked against.
package dev.condense.models;

import dev.condense.ir.Model;
import dev.condense.models.NetBuilder.Value;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Condense cannot download pretrained weights, so it builds the architectures it is about itself.
 * Each entry builds standard ONNX (opset 13) for any {@link ZooSpec} its layout fits, with seeded
 * weights; {@link #cost} counts the same model without allocating its weights.
 */
public final class Zoo {

    /**
     * One architecture.
     *
     * @param publishedParameters the learnable parameter count published for {@code referenceSpec}
     * @param source              where that figure comes from
     * @param tolerance           the relative difference from it that still counts as a match
     */
    public record Entry(String name, String family, String description, long publishedParameters, String source,
                        double tolerance, ZooSpec referenceSpec, Function<NetBuilder, Value> architecture) {

        Entry(String name, String family, String description, long publishedParameters, String source,
              ZooSpec referenceSpec, Function<NetBuilder, Value> architecture) {
            this(name, family, description, publishedParameters, source, MATCH_TOLERANCE, referenceSpec,
                    architecture);
        }

        /** Builds the model with seeded weights. */
        public Model build(ZooSpec spec) {
            NetBuilder b = new NetBuilder(name, spec, true);
            return b.build(architecture.apply(b));
        }

        /** Counts parameters and MACs without allocating weights. */
        public Cost cost(ZooSpec spec) {
            NetBuilder b = new NetBuilder(name, spec, false);
            Value out = architecture.apply(b);
            return new Cost(b.parameters(), b.learnableParameters(), b.macs(), b.widthMultiplier(),
                    Math.toIntExact(out.shape()[0]));
        }
    }

    /**
     * What a model costs for one image.
     *
     * @param parameters          every stored weight, BatchNorm running statistics included
     * @param learnableParameters what papers and PyTorch count: without running statistics
     * @param macs                multiply-accumulates of convolutions and fully connected layers
     * @param widthMultiplier     the multiplier the builder applied
     * @param outputs             the length of the logits vector
     */
    public record Cost(long parameters, long learnableParameters, long macs, double widthMultiplier, int outputs) {
    }

    /** How close a parameter count must come to its published figure. */
    public static final double MATCH_TOLERANCE = 0.005;

    private static final ZooSpec IMAGENET = ZooSpec.imagenet();
    private static final ZooSpec INCEPTION = ZooSpec.imagenet().withInput(3, 299, 299);
    private static final ZooSpec DIGITS = ZooSpec.fashionMnist();
    private static final ZooSpec DIGITS_32 = ZooSpec.fashionMnist().withInput(1, 32, 32);

    private static final List<Entry> ENTRIES = List.of(
            new Entry("lenet-5", "LeNet", "LeNet-5 6-16-120-84, tanh, average pooling", 61_706,
                    "LeCun et al. 1998 with full C3 connectivity and a linear output layer", DIGITS_32, LeNet::classic),
            new Entry("lenet-5-caffe", "LeNet", "LeNet-5 20-50-500 (Caffe), max pooling, ReLU", 431_080,
                    "Han et al. 2016 (Deep Compression), Table 1: 431K", DIGITS, LeNet::caffe),
            new Entry("lenet-300-100", "LeNet", "fully connected 300-100, ReLU", 266_610,
                    "Han et al. 2016 (Deep Compression), Table 1: 267K", DIGITS, LeNet::lenet300100),
            new Entry("alexnet", "AlexNet", "single tower 64-192-384-256-256, fc 4096-4096", 61_100_840,
                    "torchvision alexnet: 61.1M", IMAGENET, AlexNet::singleTower),
            new Entry("alexnet-2012", "AlexNet", "original two-group 96-256-384-384-256 with LRN", 60_965_224,
                    "Krizhevsky et al. 2012: 60M (per-layer sum 60,965,224)", IMAGENET, AlexNet::original),
            new Entry("vgg-16", "VGG", "configuration D, 13 conv + 3 fc", 138_357_544,
                    "Simonyan and Zisserman 2015, Table 2: 138M; torchvision vgg16", IMAGENET, Vgg::vgg16),
            new Entry("vgg-19", "VGG", "configuration E, 16 conv + 3 fc", 143_667_240,
                    "Simonyan and Zisserman 2015, Table 2: 144M; torchvision vgg19", IMAGENET, Vgg::vgg19),
            new Entry("vgg-16-bn", "VGG", "configuration D with BatchNorm", 138_365_992,
                    "torchvision vgg16_bn", IMAGENET, Vgg::vgg16bn),
            new Entry("resnet-18", "ResNet", "basic blocks 2-2-2-2", 11_689_512,
                    "He et al. 2016; torchvision resnet18: 11.7M", IMAGENET, ResNet::resnet18),
            new Entry("resnet-50", "ResNet", "bottleneck blocks 3-4-6-3", 25_557_032,
                    "He et al. 2016; torchvision resnet50: 25.6M", IMAGENET, ResNet::resnet50),
            new Entry("googlenet", "GoogLeNet", "Inception v1 as torchvision ships it: BatchNorm, no LRN",
                    6_624_904, "torchvision googlenet without the auxiliary heads: 6.6M", IMAGENET,
                    GoogLeNet::torchvision),
            new Entry("googlenet-2014", "GoogLeNet", "Inception v1 as the paper gives it: LRN, 5x5 branches",
                    6_800_000, "Szegedy et al. 2015, Table 1: 6.8M. The table rounds each layer down and "
                    + "leaves out biases; the exact count of the layers it lists is 6,998,552, 2.9% more",
                    0.03, IMAGENET, GoogLeNet::paper),
            new Entry("inception-v3", "Inception", "factorized inception modules, 299x299", 23_834_568,
                    "Szegedy et al. 2016; torchvision inception_v3 without the auxiliary head: 23.8M", INCEPTION,
                    InceptionV3::define),
            new Entry("mobilenet-v1", "MobileNet", "13 depthwise separable blocks", 4_231_976,
                    "Howard et al. 2017, Table 2: 4.2M", IMAGENET, MobileNet::v1),
            new Entry("mobilenet-v2", "MobileNet", "inverted residuals, linear bottlenecks, ReLU6", 3_504_872,
                    "Sandler et al. 2018; torchvision mobilenet_v2: 3.5M", IMAGENET, MobileNet::v2),
            new Entry("squeezenet-1.0", "SqueezeNet", "Fire modules, 7x7 stem", 1_248_424,
                    "Iandola et al. 2016: 1.2M; torchvision squeezenet1_0", IMAGENET, SqueezeNet::v10),
            new Entry("squeezenet-1.1", "SqueezeNet", "Fire modules, 3x3 stem, earlier pooling", 1_235_496,
                    "torchvision squeezenet1_1: 1.2M", IMAGENET, SqueezeNet::v11),
            new Entry("densenet-121", "DenseNet", "dense blocks 6-12-24-16, growth 32", 7_978_856,
                    "Huang et al. 2017; torchvision densenet121: 8.0M", IMAGENET, DenseNet::densenet121),
            new Entry("efficientnet-b0", "EfficientNet", "MBConv with Swish and squeeze-and-excitation",
                    5_288_548, "Tan and Le 2019: 5.3M; torchvision efficientnet_b0", IMAGENET, EfficientNet::b0));

    private Zoo() {
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The entry of that name; case, hyphens, underscores and dots are ignored ("ResNet18" finds resnet-18). */
    public static Optional<Entry> find(String name) {
        String key = normalize(name);
        return ENTRIES.stream().filter(e -> normalize(e.name()).equals(key)).findFirst();
    }

    /** The entry of that name, or an error listing the names there are. */
    public static Entry get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no zoo model '" + name + "'; there are "
                + String.join(", ", ENTRIES.stream().map(Entry::name).toList())));
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_. ]", "");
    }
}
