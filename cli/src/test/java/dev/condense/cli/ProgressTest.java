// Tests of Progress: a rewritten line on a terminal, throttled plain lines in a log, the rate and time-left texts.
package dev.condense.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    @Test
    void aLogGetsPlainLinesOncePerIntervalAndNothingForAShortStage() throws Exception {
        StringWriter text = new StringWriter();
        Progress p = new Progress(new PrintWriter(text), false, 0.2);
        for (int i = 1; i <= 100; i++) {
            p.update("epoch 1", i, 100, "loss 0.5", 100 - i);
        }
        p.done("short: done");
        assertEquals("short: done\n", text.toString(), "a stage shorter than the interval prints only its done line");

        text.getBuffer().setLength(0);
        p.update("epoch 2", 1, 100, "loss 0.4", 99);
        Thread.sleep(250);
        p.update("epoch 2", 50, 100, "loss 0.3", 5);
        p.update("epoch 2", 51, 100, "loss 0.3", 4);
        p.done("epoch 2/2: done");
        String[] lines = text.toString().split("\n");
        assertEquals(2, lines.length, text.toString());
        assertTrue(lines[0].startsWith("epoch 2  50.0% (50/100, ") && lines[0].endsWith("/s) loss 0.3, 5s left"), lines[0]);
        assertEquals("epoch 2/2: done", lines[1]);
        assertFalse(text.toString().contains("\r"), "no carriage returns in a log");
    }

    @Test
    void aTerminalLineIsRewrittenInPlaceAndClearedByDone() throws Exception {
        StringWriter text = new StringWriter();
        Progress p = new Progress(new PrintWriter(text), true, 30);
        p.update("sweep", 0, 4, "next: dense", Double.NaN);
        Thread.sleep(120);
        p.update("sweep", 2, 4, "next: int8", 30);
        p.done("[3/4] int8");
        String s = text.toString();
        assertTrue(s.startsWith("\rsweep   0.0% (0/4) next: dense, ? left"), s);
        assertTrue(s.contains("\rsweep  50.0% (2/4, ") && s.contains("/s) next: int8, 30s left"), s);
        assertTrue(s.endsWith("\r[3/4] int8\n") || s.contains("\r[3/4] int8"), s);
        assertEquals(1, s.split("\n").length, "one line on the terminal, rewritten: " + s);
    }

    @Test
    void ratesAndDurationsReadNaturally() {
        assertEquals("", Progress.rate(0, 10));
        assertEquals(", 12.5/s", Progress.rate(25, 2));
        assertEquals(", 6.0/min", Progress.rate(1, 10));
        assertEquals("45s", Progress.duration(45));
        assertEquals("2m05s", Progress.duration(125));
        assertEquals("1h01m", Progress.duration(3661));
        assertEquals("?", Progress.duration(Double.NaN));
    }
}
