// A plain, slow evaluator of the few ops the filter-pruning tests use, to compare a pruned model's outputs with the original's.
package dev.condense.prune;

import dev.condense.ir.Attribute;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * Evaluates Conv (group 1, pads, stride 1), BatchNormalization (inference), Relu, MaxPool (no
 * padding), Flatten (axis 1), Gemm (alpha = beta = 1, optional transB) and 2-D MatMul in double.
 */
final class TinyEvaluator {

    /** A value: dims and row-major elements. */
    record Value(long[] dims, double[] data) {
        int dim(int i) {
            return (int) dims[i];
        }
    }

    private TinyEvaluator() {
    }

    static Value of(Tensor t) {
        return new Value(t.dims(), t.toDoubleArray());
    }

    /** The value named {@code output} after feeding {@code inputs}. */
    static Value run(Model model, Map<String, Value> inputs, String output) {
        Map<String, Value> env = new HashMap<>(inputs);
        model.graph().initializers().forEach((name, t) -> env.put(name, of(t)));
        for (Node n : model.graph().nodes()) {
            Value x = env.get(n.inputs().getFirst());
            Value y = switch (n.opType()) {
                case "Conv" -> conv(x, env.get(n.inputs().get(1)), n.input(2).map(env::get).orElse(null), pad(n));
                case "BatchNormalization" -> batchNorm(x, env.get(n.inputs().get(1)), env.get(n.inputs().get(2)),
                        env.get(n.inputs().get(3)), env.get(n.inputs().get(4)));
                case "Relu" -> relu(x);
                case "MaxPool" -> maxPool(x);
                case "Flatten" -> new Value(new long[] {x.dims()[0], x.data().length / x.dims()[0]}, x.data());
                case "Gemm" -> matMul(x, env.get(n.inputs().get(1)), n.attribute("transB").isPresent(),
                        n.input(2).map(env::get).orElse(null));
                case "MatMul" -> matMul(x, env.get(n.inputs().get(1)), false, null);
                default -> throw new IllegalArgumentException("TinyEvaluator has no " + n.opType());
            };
            env.put(n.output(), y);
        }
        return env.get(output);
    }

    private static int pad(Node n) {
        return n.attribute("pads").map(a -> (int) ((Attribute.Ints) a).values()[0]).orElse(0);
    }

    // x [N, C, H, W], w [M, C, K, K], b [M] -> [N, M, H + 2p - K + 1, W + 2p - K + 1]
    private static Value conv(Value x, Value w, Value b, int pad) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        int m = w.dim(0);
        int k = w.dim(2);
        int oh = h + 2 * pad - k + 1;
        int ow = wd + 2 * pad - k + 1;
        double[] y = new double[n * m * oh * ow];
        for (int in = 0; in < n; in++) {
            for (int om = 0; om < m; om++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = b == null ? 0 : b.data()[om];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int si = i + ki - pad;
                                    int sj = j + kj - pad;
                                    if (si >= 0 && sj >= 0 && si < h && sj < wd) {
                                        sum += x.data()[((in * c + ic) * h + si) * wd + sj]
                                                * w.data()[((om * c + ic) * k + ki) * k + kj];
                                    }
                                }
                            }
                        }
                        y[((in * m + om) * oh + i) * ow + j] = sum;
                    }
                }
            }
        }
        return new Value(new long[] {n, m, oh, ow}, y);
    }

    private static Value batchNorm(Value x, Value scale, Value bias, Value mean, Value var) {
        int c = x.dim(1);
        int plane = x.data().length / (x.dim(0) * c);
        double[] y = new double[x.data().length];
        for (int i = 0; i < y.length; i++) {
            int ch = (i / plane) % c;
            y[i] = scale.data()[ch] * (x.data()[i] - mean.data()[ch]) / Math.sqrt(var.data()[ch] + 1e-5)
                    + bias.data()[ch];
        }
        return new Value(x.dims(), y);
    }

    private static Value relu(Value x) {
        double[] y = new double[x.data().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(0, x.data()[i]);
        }
        return new Value(x.dims(), y);
    }

    // 2x2 windows, stride 2.
    private static Value maxPool(Value x) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oh = h / 2;
        int ow = w / 2;
        double[] y = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int di = 0; di < 2; di++) {
                        for (int dj = 0; dj < 2; dj++) {
                            best = Math.max(best, x.data()[(p * h + 2 * i + di) * w + 2 * j + dj]);
                        }
                    }
                    y[(p * oh + i) * ow + j] = best;
                }
            }
        }
        return new Value(new long[] {n, c, oh, ow}, y);
    }

    // a [R, K], w [K, N] or [N, K] when transposed, bias [N].
    private static Value matMul(Value a, Value w, boolean transB, Value bias) {
        int rows = a.dim(0);
        int inner = a.dim(1);
        int cols = transB ? w.dim(0) : w.dim(1);
        double[] y = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                double sum = bias == null ? 0 : bias.data()[col];
                for (int k = 0; k < inner; k++) {
                    double wk = transB ? w.data()[col * inner + k] : w.data()[k * cols + col];
                    sum += a.data()[r * inner + k] * wk;
                }
                y[r * cols + col] = sum;
            }
        }
        return new Value(new long[] {rows, cols}, y);
    }
}
