package dev.condense.quantize.int8;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationStatsTest {

    /** 100,000 values from an exponential distribution of mean 1 plus ten outliers at 50. */
    private static float[] exponentialWithOutliers() {
        Random r = new Random(7);
        float[] v = new float[100_010];
        for (int i = 0; i < 100_000; i++) {
            v[i] = (float) -Math.log(1 - r.nextDouble());
        }
        for (int i = 100_000; i < v.length; i++) {
            v[i] = 50f;
        }
        return v;
    }

    private static ActivationStats withOutliers(CalibrationMethod m) throws QuantizationException {
        float[] v = exponentialWithOutliers();
        ActivationStats s = new ActivationStats("t");
        s.observeRange(v);
        if (m.needsHistogram()) {
            s.observeHistogram(v);
        }
        return s;
    }

    @Test
    void minMaxKeepsTheOutliers() throws QuantizationException {
        double[] r = withOutliers(new CalibrationMethod.MinMax()).range(new CalibrationMethod.MinMax());
        assertEquals(50.0, r[1], 0);
        assertTrue(r[0] >= 0 && r[0] < 1e-3);
    }

    @Test
    void percentileClipsTheOutliers() throws QuantizationException {
        CalibrationMethod m = new CalibrationMethod.Percentile(99.9);
        double[] r = withOutliers(m).range(m);
        float[] v = exponentialWithOutliers();
        java.util.Arrays.sort(v);
        double exact = v[(int) Math.ceil(0.999 * v.length) - 1];
        // The histogram's bins are 50/2048 wide; the threshold is the upper edge of the bin holding the percentile.
        assertEquals(exact, r[1], 50.0 / 2048 + 1e-6);
        assertTrue(r[1] < 10, "the outliers at 50 are clipped");
    }

    @Test
    void entropyClipsTheOutliersButKeepsTheBulk() throws QuantizationException {
        CalibrationMethod m = new CalibrationMethod.Entropy();
        double[] r = withOutliers(m).range(m);
        assertTrue(r[1] > 3 && r[1] < 25, "threshold " + r[1]);
    }

    @Test
    void signedTensorsAreClippedOnBothSides() throws QuantizationException {
        Random rnd = new Random(3);
        float[] v = new float[50_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        v[0] = -40f;
        v[1] = 40f;
        ActivationStats s = new ActivationStats("g");
        s.observeRange(v);
        s.observeHistogram(v);
        double[] r = s.range(new CalibrationMethod.Percentile(99.99));
        assertTrue(r[0] > -6 && r[0] < -3 && r[1] > 3 && r[1] < 6, r[0] + ", " + r[1]);
    }

    @Test
    void nonFiniteActivationsAndUnobservedTensorsAreErrors() {
        ActivationStats s = new ActivationStats("bad");
        QuantizationException e = assertThrows(QuantizationException.class, () -> s.observeRange(new float[] {1f, Float.NaN}));
        assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("NaN"), e.getMessage());
        QuantizationException none = assertThrows(QuantizationException.class,
                () -> new ActivationStats("idle").range(new CalibrationMethod.MinMax()));
        assertTrue(none.getMessage().contains("not observed"), none.getMessage());
    }

    @Test
    void methodNamesParseAndBadOnesAreRefused() throws QuantizationException {
        assertEquals("entropy", CalibrationMethod.parse("entropy", 99.99).label());
        assertThrows(QuantizationException.class, () -> CalibrationMethod.parse("mse", 99.99));
        assertThrows(QuantizationException.class, () -> CalibrationMethod.parse("percentile", 120));
    }
}
