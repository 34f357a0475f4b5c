package dev.condense.quantize.int8;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantParamsTest {

    @Test
    void asymmetricRangeMapsEndsToTheTypeLimitsAndZeroExactly() throws QuantizationException {
        QuantParams p = QuantParams.asymmetric(-1.0, 3.0, QuantType.UINT8);
        assertEquals(4.0f / 255, p.scale(), 1e-9);
        assertEquals(64, p.zeroPoint()); // round(0 - (-1) / (4/255)) = round(63.75)
        assertEquals(0f, p.dequantize(p.quantize(0f, 0), 0));
        assertEquals(0, p.quantize(-1f, 0));
        assertEquals(255, p.quantize(3f, 0));
        assertEquals(255, p.quantize(100f, 0), "saturates");
    }

    @Test
    void nonNegativeRangePutsTheZeroPointAtTheTypeMinimum() throws QuantizationException {
        assertEquals(0, QuantParams.asymmetric(0.5, 6.0, QuantType.UINT8).zeroPoint());
        assertEquals(-128, QuantParams.asymmetric(0.0, 6.0, QuantType.INT8).zeroPoint());
    }

    @Test
    void roundsHalfToEven() {
        QuantParams p = new QuantParams(new float[] {1f}, new int[] {0}, QuantType.INT8, -1);
        assertEquals(2, p.quantize(2.5f, 0));
        assertEquals(-2, p.quantize(-2.5f, 0));
        assertEquals(4, p.quantize(3.5f, 0));
    }

    @Test
    void symmetricWeightsUseMinus127To127() {
        QuantParams p = QuantParams.symmetric(new float[] {1.27f, 0f}, 0);
        assertEquals(0.01f, p.scales()[0], 1e-9);
        assertEquals(1f, p.scales()[1], "an all-zero channel still gets a valid scale");
        assertEquals(0, p.zeroPoints()[0]);
    }

    @Test
    void refusesMalformedScalesAndZeroPoints() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new QuantParams(new float[] {0f}, new int[] {0}, QuantType.UINT8, -1));
        assertTrue(zero.getMessage().contains("scale 0.0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new QuantParams(new float[] {-1f}, new int[] {0}, QuantType.UINT8, -1));
        assertThrows(IllegalArgumentException.class, () -> new QuantParams(new float[] {Float.NaN}, new int[] {0}, QuantType.UINT8, -1));
        IllegalArgumentException zp = assertThrows(IllegalArgumentException.class,
                () -> new QuantParams(new float[] {1f}, new int[] {200}, QuantType.INT8, -1));
        assertTrue(zp.getMessage().contains("zero point 200") && zp.getMessage().contains("-128..127"), zp.getMessage());
        assertThrows(QuantizationException.class, () -> QuantParams.asymmetric(Double.NaN, 1, QuantType.UINT8));
        assertThrows(QuantizationException.class, () -> QuantParams.asymmetric(2, 1, QuantType.UINT8));
    }
}
