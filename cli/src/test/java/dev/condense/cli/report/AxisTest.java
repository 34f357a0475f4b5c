// Tests of the chart axes and units: log-axis decades and labels, nice linear steps, SI byte sizes.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AxisTest {

    private static List<String> labels(LogAxis axis) {
        return axis.ticks().stream().map(LogAxis.Tick::label).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void logAxisSpansWholeDecadesAroundTheData() {
        LogAxis axis = LogAxis.covering(42_000, 1_725_771, Units::bytes);
        assertEquals(4, axis.lowDecade());
        assertEquals(7, axis.highDecade());
        assertEquals(List.of("10 kB", "100 kB", "1 MB", "10 MB"), labels(axis));
        assertEquals(4, axis.ticks().stream().filter(LogAxis.Tick::major).count());
        assertEquals(3 * 8, axis.ticks().stream().filter(t -> !t.major()).count(), "2..9 in each of three decades");
        assertEquals(1.0 / 3, axis.fraction(1e5), 1e-12);
        assertEquals(0.0, axis.fraction(1e4), 1e-12);
        assertEquals((Math.log10(5e5) - 4) / 3, axis.fraction(5e5), 1e-12);
    }

    @Test
    void logAxisEndingOnADecadeDoesNotAddOne() {
        LogAxis axis = LogAxis.covering(1_000, 1_000_000, Units::bytes);
        assertEquals(3, axis.lowDecade());
        assertEquals(6, axis.highDecade());
        assertEquals(List.of("1 kB", "10 kB", "100 kB", "1 MB"), labels(axis));
    }

    @Test
    void oneDecadeLabelsTwoAndFiveToo() {
        LogAxis axis = LogAxis.covering(20_000, 90_000, Units::bytes);
        assertEquals(List.of("10 kB", "20 kB", "50 kB", "100 kB"), labels(axis));
        LogAxis single = LogAxis.covering(1_000, 1_000, Units::bytes);
        assertEquals(3, single.lowDecade());
        assertEquals(4, single.highDecade());
    }

    @Test
    void logAxisRefusesNonPositiveValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogAxis.covering(0, 10, Units::bytes));
        assertEquals("a log axis needs 0 < min <= max, got 0.0 and 10.0", e.getMessage());
    }

    @Test
    void linearAxisTakesNiceSteps() {
        LinearAxis top1 = LinearAxis.covering(90.5, 91.9);
        assertEquals(0.5, top1.step(), 1e-12);
        assertEquals(List.of(90.5, 91.0, 91.5, 92.0), top1.ticks());
        LinearAxis ms = LinearAxis.covering(0, 0.8);
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8), ms.ticks());
        assertEquals(1, Charts.decimals(ms));
        LinearAxis wide = LinearAxis.covering(12, 93);
        assertEquals(20, wide.step(), 1e-12);
        assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), wide.ticks());
        assertEquals(0, Charts.decimals(wide));
        LinearAxis flat = LinearAxis.covering(5, 5);
        assertEquals(4.0, flat.min(), 1e-12);
        assertEquals(6.0, flat.max(), 1e-12);
    }

    @Test
    void bytesInSiUnitsWithThreeSignificantDigits() {
        assertEquals("999 B", Units.bytes(999));
        assertEquals("80.1 kB", Units.bytes(80_123));
        assertEquals("10 kB", Units.bytes(10_000));
        assertEquals("1.73 MB", Units.bytes(1_725_771));
        assertEquals("1 MB", Units.bytes(999_999), "rounds up into the next prefix, not 1000 kB");
        assertEquals("240 MB", Units.bytes(240_000_000));
    }
}
