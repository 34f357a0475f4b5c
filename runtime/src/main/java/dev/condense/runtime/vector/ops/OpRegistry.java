// The one table of the vector engine's kernels: (domain, op, since-version) to factory.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.KernelFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Explicit, no reflection or scanning. A kernel registered since version v serves every opset
 * from v until the next registration of the same op; a lookup miss names what exists.
 */
public final class OpRegistry {

    /** One registration. */
    public record Entry(String domain, String op, int since, KernelFactory factory) {
    }

    private static final List<Entry> ENTRIES = List.of(
            // op, since-version, factory: one line per kernel, grouped as in the ONNX operator list. Where a
            // later version moved attributes to inputs or changed semantics, the factory reads the typed
            // attributes for the model's opset, and that version has its own line.

            // Elementwise unary
            new Entry("", "Abs", 1, Abs::create),
            new Entry("", "Ceil", 1, Ceil::create),
            new Entry("", "Celu", 12, Celu::create),
            new Entry("", "Clip", 1, Clip::create),
            new Entry("", "Clip", 11, Clip::create),
            new Entry("", "Elu", 1, Elu::create),
            new Entry("", "Erf", 9, Erf::create),
            new Entry("", "Exp", 1, Exp::create),
            new Entry("", "Floor", 1, Floor::create),
            new Entry("", "HardSigmoid", 1, HardSigmoid::create),
            new Entry("", "HardSwish", 14, HardSwish::create),
            new Entry("", "LeakyRelu", 1, LeakyRelu::create),
            new Entry("", "Log", 1, Log::create),
            new Entry("", "Neg", 1, Neg::create),
            new Entry("", "Reciprocal", 1, Reciprocal::create),
            new Entry("", "Relu", 1, Relu::create),
            new Entry("", "Selu", 1, Selu::create),
            new Entry("", "Sigmoid", 1, Sigmoid::create),
            new Entry("", "Softplus", 1, Softplus::create),
            new Entry("", "Sqrt", 1, Sqrt::create),
            new Entry("", "Tanh", 1, Tanh::create),

            // Elementwise binary and variadic, NumPy broadcasting (opset 7 on; older files are upgraded on import)
            new Entry("", "Add", 7, Add::create),
            new Entry("", "Div", 7, Div::create),
            new Entry("", "Max", 1, Max::create),
            new Entry("", "Mean", 1, Mean::create),
            new Entry("", "Min", 1, Min::create),
            new Entry("", "Mul", 7, Mul::create),
            new Entry("", "Pow", 7, Pow::create),
            new Entry("", "PRelu", 7, PRelu::create),
            new Entry("", "Sub", 7, Sub::create),
            new Entry("", "Sum", 1, Sum::create),

            // Convolution and matrix products
            // Conv, Gemm, MatMul: the packed-GEMM kernels
            new Entry("", "Conv", 1, Conv::create),
            new Entry("", "Gemm", 1, Gemm::create),
            new Entry("", "MatMul", 1, MatMul::create),

            // Quantization: scales and zero points per tensor (10) or per axis (13); integer products with
            // int32 sums (QuantizedLinear); QDQ convolutions and matrix products fused into QLinearConv/QLinearMatMul
            new Entry("", "ConvInteger", 10, ConvInteger::create),
            new Entry("", "DequantizeLinear", 10, DequantizeLinear::create),
            new Entry("", "DequantizeLinear", 13, DequantizeLinear::create),
            new Entry("", "DynamicQuantizeLinear", 11, DynamicQuantizeLinear::create),
            new Entry("", "MatMulInteger", 10, MatMulInteger::create),
            new Entry("", "QLinearConv", 10, QLinearConv::create),
            new Entry("", "QLinearMatMul", 10, QLinearMatMul::create),
            new Entry("", "QuantizeLinear", 10, QuantizeLinear::create),
            new Entry("", "QuantizeLinear", 13, QuantizeLinear::create),

            // Softmax family: the axis rule changed in opset 13 (SoftmaxAttrs)
            new Entry("", "LogSoftmax", 1, LogSoftmax::create),
            new Entry("", "LogSoftmax", 13, LogSoftmax::create),
            new Entry("", "Softmax", 1, Softmax::create),
            new Entry("", "Softmax", 13, Softmax::create),

            // Pooling
            new Entry("", "AveragePool", 1, AveragePool::create),
            new Entry("", "GlobalAveragePool", 1, GlobalAveragePool::create),
            new Entry("", "GlobalMaxPool", 1, GlobalMaxPool::create),
            new Entry("", "MaxPool", 1, MaxPool::create),

            // Normalization
            new Entry("", "BatchNormalization", 1, BatchNormalization::create),
            new Entry("", "BatchNormalization", 9, BatchNormalization::create),
            new Entry("", "InstanceNormalization", 1, InstanceNormalization::create),
            new Entry("", "LRN", 1, LRN::create),

            // Reductions over constant axes
            new Entry("", "ReduceL1", 1, ReduceL1::create),
            new Entry("", "ReduceL1", 18, ReduceL1::create),
            new Entry("", "ReduceL2", 1, ReduceL2::create),
            new Entry("", "ReduceL2", 18, ReduceL2::create),
            new Entry("", "ReduceLogSum", 1, ReduceLogSum::create),
            new Entry("", "ReduceLogSum", 18, ReduceLogSum::create),
            new Entry("", "ReduceMax", 1, ReduceMax::create),
            new Entry("", "ReduceMax", 18, ReduceMax::create),
            new Entry("", "ReduceMean", 1, ReduceMean::create),
            new Entry("", "ReduceMean", 18, ReduceMean::create),
            new Entry("", "ReduceMin", 1, ReduceMin::create),
            new Entry("", "ReduceMin", 18, ReduceMin::create),
            new Entry("", "ReduceProd", 1, ReduceProd::create),
            new Entry("", "ReduceProd", 18, ReduceProd::create),
            new Entry("", "ReduceSum", 1, ReduceSum::create),
            new Entry("", "ReduceSum", 13, ReduceSum::create),
            new Entry("", "ReduceSumSquare", 1, ReduceSumSquare::create),
            new Entry("", "ReduceSumSquare", 18, ReduceSumSquare::create),

            // Data movement
            new Entry("", "Concat", 1, Concat::create),
            new Entry("", "Gather", 1, Gather::create),
            new Entry("", "Pad", 1, Pad::create),
            new Entry("", "Pad", 11, Pad::create),
            new Entry("", "Pad", 18, Pad::create),
            new Entry("", "Slice", 1, Slice::create),
            new Entry("", "Slice", 10, Slice::create),
            new Entry("", "Split", 1, Split::create),
            new Entry("", "Split", 13, Split::create),
            new Entry("", "Split", 18, Split::create),
            new Entry("", "Transpose", 1, Transpose::create),

            // Resampling: nearest and linear
            new Entry("", "Resize", 10, Resize::create),
            new Entry("", "Resize", 11, Resize::create),
            new Entry("", "Upsample", 7, Upsample::create),
            new Entry("", "Upsample", 9, Upsample::create),

            // Shape only: the output aliases the input
            new Entry("", "Dropout", 1, Dropout::create),
            new Entry("", "Dropout", 12, Dropout::create),
            new Entry("", "Flatten", 1, Reshape::identity),
            new Entry("", "Identity", 1, Reshape::identity),
            new Entry("", "Reshape", 1, Reshape::identity),
            new Entry("", "Squeeze", 1, Reshape::identity),
            new Entry("", "Unsqueeze", 1, Reshape::identity)
    );

    private static final Map<String, List<Entry>> BY_OP = index();

    private OpRegistry() {
    }

    private static Map<String, List<Entry>> index() {
        Map<String, List<Entry>> m = new TreeMap<>();
        for (Entry e : ENTRIES) {
            m.computeIfAbsent(key(e.domain(), e.op()), k -> new ArrayList<>()).add(e);
        }
        m.values().forEach(l -> l.sort(Comparator.comparingInt(Entry::since)));
        return Collections.unmodifiableMap(m);
    }

    private static String key(String domain, String op) {
        return (domain.equals("ai.onnx") ? "" : domain) + "::" + op;
    }

    /** The kernel serving {@code op} at {@code opset}: the latest registration not newer than it. */
    public static Optional<Entry> find(String domain, String op, int opset) {
        List<Entry> versions = BY_OP.get(key(domain, op));
        if (versions == null) {
            return Optional.empty();
        }
        Entry best = null;
        for (Entry e : versions) {
            if (e.since() <= opset) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The versions registered for {@code op}, e.g. "1, 6, 13"; empty when none. */
    public static String versions(String domain, String op) {
        List<Entry> versions = BY_OP.getOrDefault(key(domain, op), List.of());
        return versions.stream().map(e -> Integer.toString(e.since())).collect(Collectors.joining(", "));
    }

    /** Every registration, in table order. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The default-domain ops with a kernel, sorted. */
    public static List<String> ops() {
        return ENTRIES.stream().map(Entry::op).distinct().sorted().toList();
    }
}
