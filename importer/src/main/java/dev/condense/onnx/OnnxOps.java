// The operators of ONNX's default domain with the opset that introduced each: how the importer tells an unknown op.
package dev.condense.onnx;

import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** Names of the default-domain ONNX operators and the first opset of each (facts of the ONNX operator list). */
public final class OnnxOps {

    private static final Map<String, Integer> SINCE = new TreeMap<>();

    static {
        since(1, "Abs", "Add", "And", "ArgMax", "ArgMin", "AveragePool", "BatchNormalization", "Cast", "Ceil",
                "Clip", "Concat", "Constant", "Conv", "ConvTranspose", "DepthToSpace", "Div", "Dropout", "Elu",
                "Equal", "Exp", "Flatten", "Floor", "GRU", "Gather", "Gemm", "GlobalAveragePool", "GlobalLpPool",
                "GlobalMaxPool", "Greater", "HardSigmoid", "Hardmax", "Identity", "If", "InstanceNormalization",
                "LRN", "LSTM", "LeakyRelu", "Less", "Log", "LogSoftmax", "Loop", "LpNormalization", "LpPool",
                "MatMul", "Max", "MaxPool", "MaxRoiPool", "Mean", "Min", "Mul", "Neg", "Not", "Or", "PRelu", "Pad",
                "Pow", "RNN", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
                "Reciprocal", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
                "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape",
                "Selu", "Shape", "Sigmoid", "Size", "Slice", "Softmax", "Softplus", "Softsign", "SpaceToDepth",
                "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Tile", "TopK", "Transpose", "Unsqueeze", "Xor",
                // Experimental ops of the early opsets that old exporters still wrote.
                "ATen", "Affine", "Crop", "GRUUnit", "GivenTensorFill", "ImageScaler", "ParametricSoftplus",
                "Scale", "ScaledTanh");
        since(7, "Acos", "Asin", "Atan", "Cos", "Multinomial", "Sin", "Tan", "Upsample");
        since(8, "Expand", "Scan");
        since(9, "Acosh", "Asinh", "Atanh", "Compress", "ConstantOfShape", "Cosh", "Erf", "EyeLike", "IsNaN",
                "MaxUnpool", "MeanVarianceNormalization", "NonZero", "OneHot", "Scatter", "Shrink", "Sign", "Sinh",
                "TfIdfVectorizer", "Where");
        since(10, "ConvInteger", "DequantizeLinear", "IsInf", "MatMulInteger", "Mod", "NonMaxSuppression",
                "QLinearConv", "QLinearMatMul", "QuantizeLinear", "Resize", "ReverseSequence", "RoiAlign",
                "StringNormalizer", "ThresholdedRelu");
        since(11, "BitShift", "ConcatFromSequence", "CumSum", "Det", "DynamicQuantizeLinear", "GatherElements",
                "GatherND", "Range", "Round", "ScatterElements", "ScatterND", "SequenceAt", "SequenceConstruct",
                "SequenceEmpty", "SequenceErase", "SequenceInsert", "SequenceLength", "SplitToSequence", "Unique");
        since(12, "Celu", "Einsum", "GreaterOrEqual", "LessOrEqual", "NegativeLogLikelihoodLoss",
                "SoftmaxCrossEntropyLoss");
        since(13, new String[0]);
        since(14, "HardSwish", "Trilu");
        since(15, "Bernoulli", "CastLike", "Optional", "OptionalGetElement", "OptionalHasElement");
        since(16, "GridSample");
        since(17, "BlackmanWindow", "DFT", "HammingWindow", "HannWindow", "LayerNormalization",
                "MelWeightMatrix", "STFT", "SequenceMap");
        since(18, "BitwiseAnd", "BitwiseNot", "BitwiseOr", "BitwiseXor", "CenterCropPad", "Col2Im",
                "GroupNormalization", "Mish");
        since(19, "DeformConv");
        since(20, "AffineGrid", "Gelu", "ImageDecoder", "RegexFullMatch", "StringConcat", "StringSplit");
    }

    private OnnxOps() {
    }

    private static void since(int opset, String... ops) {
        for (String op : ops) {
            SINCE.put(op, opset);
        }
    }

    /** The opset that introduced {@code op} in the default domain, or empty when ONNX has no such op. */
    public static OptionalInt since(String op) {
        Integer v = SINCE.get(op);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }
}
