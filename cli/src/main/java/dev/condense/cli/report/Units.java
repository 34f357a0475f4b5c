// How the report writes sizes, percentages, ratios and bit widths: SI bytes, fixed decimals, always Locale.ROOT.
package dev.condense.cli.report;

import java.util.Locale;

/** Text forms of the report's quantities, the same in HTML, Markdown and chart labels. */
final class Units {

    private static final String[] SI_PREFIXES = {"B", "kB", "MB", "GB", "TB"};

    private Units() {
    }

    /** Bytes in SI units with three significant digits: 80123 is "80.1 kB", 10000 is "10 kB". */
    static String bytes(double bytes) {
        int prefix = 0;
        double value = bytes;
        while (Math.abs(value) >= 999.5 && prefix < SI_PREFIXES.length - 1) {
            value /= 1000;
            prefix++;
        }
        if (prefix == 0) {
            return String.format(Locale.ROOT, "%d B", Math.round(value));
        }
        String digits = value >= 99.95 ? "%.0f" : value >= 9.995 ? "%.1f" : "%.2f";
        String text = String.format(Locale.ROOT, digits, value);
        if (text.contains(".")) {
            text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return text + " " + SI_PREFIXES[prefix];
    }

    /** A fraction as a percentage with two decimals ("91.65%"); a dash when not measured (NaN). */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** A compression rate: "21.5×". */
    static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f×", ratio);
    }

    /** A number with {@code decimals} decimals; a dash for NaN. */
    static String decimal(double value, int decimals) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A bit width: whole widths without decimals ("9"), averages with one ("6.8"). */
    static String bits(double bits) {
        return bits == Math.rint(bits) ? String.format(Locale.ROOT, "%.0f", bits) : decimal(bits, 1);
    }

    /** A count with thousands separators: "430,500". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Milliseconds with three significant digits or at least two decimals: "0.41", "12.4". */
    static String millis(double ms) {
        return Double.isNaN(ms) ? "–" : decimal(ms, ms >= 100 ? 0 : ms >= 10 ? 1 : 2);
    }
}
