// Every unary kernel against its scalar definition on edge-case sizes, special values and a parallel size.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Attribute;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelHarness;
import dev.condense.runtime.vector.KernelHarness.In;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import static dev.condense.runtime.vector.ops.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector body and the scalar tail of each op must agree with the op's scalar reference to
 * within what the JDK's vector math library may differ from java.lang.Math (a few ulps): that is
 * {@link #RTOL}. Where the op has no transcendental function the results must be identical.
 */
class ElementwiseUnaryTest {

    /** Vector exp/log/tanh may differ from Math's by a few ulps; chains (sigmoid, softplus) by a few more. */
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-7;

    /** Inputs every op sees besides random ones: zeros, infinities, NaN, huge and tiny magnitudes. */
    static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            100f, -100f, 1e-30f, -1e-30f, 88.5f, -88.5f, 3f, -3f, 6f, -6f};

    /** One op under test: its node attributes and its scalar definition. */
    record Case(String op, int opset, Map<String, Attribute> attrs, ScalarFn reference, boolean exact) {
        @Override
        public String toString() {
            return op + attrs.keySet();
        }
    }

    @FunctionalInterface
    interface ScalarFn {
        float apply(float x);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Relu", 14, Map.of(), Relu::reference, true),
                new Case("Sigmoid", 13, Map.of(), Sigmoid::reference, false),
                new Case("Tanh", 13, Map.of(), Tanh::reference, false),
                new Case("Exp", 13, Map.of(), Exp::reference, false),
                new Case("Log", 13, Map.of(), Log::reference, false),
                new Case("Sqrt", 13, Map.of(), Sqrt::reference, true),
                new Case("Neg", 13, Map.of(), Neg::reference, true),
                new Case("Abs", 13, Map.of(), Abs::reference, true),
                new Case("Reciprocal", 13, Map.of(), Reciprocal::reference, true),
                new Case("Softplus", 13, Map.of(), Softplus::reference, false),
                new Case("Erf", 13, Map.of(), Erf::reference, false),
                new Case("Floor", 13, Map.of(), x -> (float) Math.floor(x), true),
                new Case("Ceil", 13, Map.of(), x -> (float) Math.ceil(x), true),
                new Case("HardSwish", 14, Map.of(), HardSwish::reference, true),
                new Case("HardSigmoid", 13, KernelHarness.attrs("alpha", 0.3f, "beta", 0.4f),
                        x -> HardSigmoid.reference(x, 0.3f, 0.4f), true),
                new Case("HardSigmoid", 13, Map.of(), x -> HardSigmoid.reference(x, 0.2f, 0.5f), true),
                new Case("LeakyRelu", 16, KernelHarness.attrs("alpha", 0.1f), x -> LeakyRelu.reference(x, 0.1f), true),
                new Case("LeakyRelu", 16, Map.of(), x -> LeakyRelu.reference(x, 0.01f), true),
                new Case("Elu", 6, KernelHarness.attrs("alpha", 2f), x -> Elu.reference(x, 2f), false),
                new Case("Celu", 12, KernelHarness.attrs("alpha", 2f), x -> Celu.reference(x, 2f), false),
                new Case("Selu", 6, Map.of(), x -> Selu.reference(x, 1.05070102214813232421875f,
                        1.05070102214813232421875f * 1.67326319217681884765625f), false),
                new Case("Clip", 6, KernelHarness.attrs("min", -1f, "max", 6f), x -> Clip.reference(x, -1f, 6f), true),
                new Case("Clip", 6, Map.of(), x -> x, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vectorBodyAndTailMatchTheScalarDefinition(Case c) throws SessionException {
        Random random = new Random(c.op().hashCode());
        List<float[]> inputs = new ArrayList<>();
        for (int n : Fixtures.EDGE_SIZES) {
            inputs.add(Fixtures.uniform(random, n, -10, 10));
        }
        inputs.add(SPECIAL);
        inputs.add(Fixtures.uniform(random, Fixtures.PARALLEL_SIZE, -20, 20));
        for (float[] x : inputs) {
            float[] expected = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = c.reference().apply(x[i]);
            }
            int threads = x.length == Fixtures.PARALLEL_SIZE ? 3 : 1;
            float[] actual = KernelHarness.run(Fixtures.kernel(c.op(), c.opset()),
                    KernelHarness.node(c.op(), 1, 1, c.attrs()), c.opset(),
                    List.of(In.activation(new long[] {x.length}, x)), List.of(new long[] {x.length}), threads)[0];
            assertClose(expected, actual, c.exact() ? 0 : RTOL, c.exact() ? 0 : ATOL, c + " on " + x.length);
        }
    }

    /** The references themselves, against java.lang.Math's definitions in double. */
    @Test
    void scalarDefinitionsMatchTheirMathematicalForms() {
        check(Sigmoid::reference, x -> 1 / (1 + Math.exp(-x)));
        check(Softplus::reference, x -> Math.log1p(Math.exp(x)));
        check(HardSwish::reference, x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)));
        check(x -> Celu.reference(x, 2f), x -> Math.max(0, x) + Math.min(0, 2 * (Math.exp(x / 2) - 1)));
        check(x -> Selu.reference(x, 1.0507f, 1.0507f * 1.6733f), x -> x > 0 ? 1.0507 * x
                : 1.0507 * 1.6733 * (Math.exp(x) - 1));
    }

    private static void check(ScalarFn fn, DoubleUnaryOperator exact) {
        for (float x = -30; x <= 30; x += 0.0625f) {
            double e = exact.applyAsDouble(x);
            assertTrue(Math.abs(fn.apply(x) - e) <= 1e-6 + 1e-5 * Math.abs(e), "at " + x + ": " + fn.apply(x) + " vs " + e);
        }
    }

    /** Erf's approximation stays within Erf.MAX_ABS_ERROR of a double-precision erf on a fine grid. */
    @Test
    void erfIsWithinItsErrorBound() throws SessionException {
        int n = 24001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -6f + 12f * i / (n - 1);
        }
        float[] y = KernelHarness.run1(Fixtures.kernel("Erf", 13), KernelHarness.node("Erf", 1, 1, Map.of()), 13,
                List.of(In.activation(new long[] {n}, x)), new long[] {n});
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(y[i] - erf(x[i])));
        }
        assertTrue(worst <= Erf.MAX_ABS_ERROR, "worst erf error " + worst);
        assertEquals(1f, Erf.reference(10f));
        assertEquals(-1f, Erf.reference(-10f));
    }

    /** erf in double: its Taylor series for |x| < 3, the asymptotic expansion of erfc beyond. */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double sum = a;
            for (int k = 1; k < 200 && Math.abs(term) > 1e-17; k++) {
                term *= -a * a / k;
                sum += term / (2 * k + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double s = 1;
            double t = 1;
            for (int k = 1; k < 8; k++) {
                t *= -(2 * k - 1) / (2 * a * a);
                s += t;
            }
            r = 1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * s;
        }
        return x < 0 ? -r : r;
    }

    @Test
    void clipReadsBoundsFromConstantAndRuntimeInputs() throws SessionException {
        float[] x = {-3, -1, 0, 0.5f, 2, 7, 9, Float.NaN, -20};
        long[] s = {x.length};
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = Clip.reference(x[i], -1f, 6f);
        }
        for (boolean runtime : new boolean[] {false, true}) {
            In lo = runtime ? In.activation(new long[0], new float[] {-1f}) : In.constant(new long[0], new float[] {-1f});
            In hi = runtime ? In.activation(new long[0], new float[] {6f}) : In.constant(new long[0], new float[] {6f});
            float[] y = KernelHarness.run1(Fixtures.kernel("Clip", 13), KernelHarness.node("Clip", 3, 1, Map.of()), 13,
                    List.of(In.activation(s, x), lo, hi), s);
            assertClose(expected, y, 0, 0, "Clip with " + (runtime ? "runtime" : "constant") + " bounds");
        }
        // Only an upper bound; and lo > hi gives hi everywhere, as ONNX specifies.
        float[] y = KernelHarness.run1(Fixtures.kernel("Clip", 13), KernelHarness.node("Clip", 3, 1, Map.of()), 13,
                List.of(In.activation(s, x), In.none(), In.constant(new long[0], new float[] {0.5f})), s);
        assertEquals(-20f, y[8]);
        assertEquals(0.5f, y[6]);
        y = KernelHarness.run1(Fixtures.kernel("Clip", 13), KernelHarness.node("Clip", 3, 1, Map.of()), 13,
                List.of(In.activation(s, x), In.constant(new long[0], new float[] {3f}),
                        In.constant(new long[0], new float[] {1f})), s);
        assertEquals(1f, y[0]);
        assertEquals(1f, y[6]);
    }

    @Test
    void clipRejectsABoundThatIsNotAScalar() {
        long[] s = {4};
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("Clip", 13),
                KernelHarness.node("Clip", 2, 1, Map.of()), 13,
                List.of(In.activation(s, new float[4]), In.constant(new long[] {2}, new float[2])), s));
        assertTrue(e.getMessage().contains("lower bound") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void dropoutAliasesItsInputAndRefusesRandomTraining() throws SessionException {
        long[] s = {5};
        float[] x = {1, 2, 3, 4, 5};
        float[] y = KernelHarness.run1(Fixtures.kernel("Dropout", 13), KernelHarness.node("Dropout", 1, 1, Map.of()), 13,
                List.of(In.activation(s, x)), s);
        assertClose(x, y, 0, 0, "Dropout");
        // Training mode with ratio 0 is still the identity.
        y = KernelHarness.run1(Fixtures.kernel("Dropout", 13), KernelHarness.node("Dropout", 3, 1, Map.of()), 13,
                List.of(In.activation(s, x), In.constant(new long[0], new float[] {0f}), In.bool(true)), s);
        assertClose(x, y, 0, 0, "Dropout in training mode with ratio 0");
        SessionException e = assertThrows(SessionException.class, () -> KernelHarness.run1(Fixtures.kernel("Dropout", 13),
                KernelHarness.node("Dropout", 3, 1, Map.of()), 13,
                List.of(In.activation(s, x), In.constant(new long[0], new float[] {0.5f}), In.bool(true)), s));
        assertTrue(e.getMessage().contains("training_mode") && e.getMessage().contains("0.5"), e.getMessage());
    }
}
