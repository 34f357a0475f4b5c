// Progress of long work: one rewritten line on a terminal, plain periodic lines when output goes to a file or a CI log.
package dev.condense.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a stage's progress: stage, percent, count, rate, detail and time left. On a terminal the
 * line is rewritten in place at most ten times a second; otherwise a line is printed every
 * {@code interval} seconds of a stage, so logs stay readable and a stage shorter than the interval
 * prints nothing. {@link #done} always prints a final line.
 */
final class Progress {

    private final PrintWriter out;
    private final boolean terminal;
    private final double intervalSeconds;
    private long lastPrint;
    private int lastLength;
    private String stage;
    private long stageStart;
    private long stageStartDone;

    Progress(PrintWriter out, boolean terminal, double intervalSeconds) {
        this.out = out;
        this.terminal = terminal;
        this.intervalSeconds = intervalSeconds;
    }

    /** For standard output: a terminal when the JVM has a console whose output is one. */
    static Progress forStdout(PrintWriter out) {
        java.io.Console c = System.console();
        return new Progress(out, c != null && c.isTerminal(), 30);
    }

    /** Reports {@code done} of {@code total} units of {@code stage}, with a detail, the rate and the time left. */
    void update(String stage, long done, long total, String detail, double secondsLeft) {
        long now = System.nanoTime();
        if (!stage.equals(this.stage)) {
            this.stage = stage;
            stageStart = now;
            stageStartDone = done;
        }
        // A terminal shows the line at once and rewrites it ten times a second; a log gets a line
        // only once a stage has run a whole interval, so short stages leave no noise there.
        double since = (now - (lastPrint != 0 ? lastPrint : terminal ? 0 : stageStart)) / 1e9;
        if ((lastPrint != 0 || !terminal) && since < (terminal ? 0.1 : intervalSeconds)) {
            return;
        }
        lastPrint = now;
        String line = String.format(Locale.ROOT, "%s %5.1f%% (%d/%d%s) %s, %s left", stage, 100.0 * done / Math.max(1, total),
                done, total, rate(done - stageStartDone, (now - stageStart) / 1e9), detail, duration(secondsLeft));
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** ", 12.3/s" or ", 1.5/min" for units done in {@code seconds}; nothing before there is a rate to give. */
    static String rate(long units, double seconds) {
        if (units <= 0 || seconds <= 0.05) {
            return "";
        }
        double perSecond = units / seconds;
        return perSecond >= 1 ? String.format(Locale.ROOT, ", %.1f/s", perSecond)
                : String.format(Locale.ROOT, ", %.2g/min", perSecond * 60);
    }

    /** A finished stage's line, replacing the in-place one on a terminal. */
    void done(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    /** Removes the in-place line on a terminal (nothing to do in a log), for output that follows without a done line. */
    void clear() {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
        lastPrint = 0;
        stage = null;
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
