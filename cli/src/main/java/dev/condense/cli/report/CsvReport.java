// Renders a report as CSV (RFC 4180): one row per configuration with its settings, size, accuracy, latency and frontier flag.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The CSV report, for spreadsheets and plotting scripts: raw numbers (fractions, bytes), no formatting. */
public final class CsvReport {

    /** Columns before the per-backend latencies. */
    static final List<String> LEADING = List.of("model", "label", "key", "reference", "prune", "shareBits", "huffman",
            "int8", "retrainEpochs", "bytes", "ratio", "top1", "top5");
    /** Columns after them. */
    static final List<String> TRAILING = List.of("seconds", "onFrontier");

    private CsvReport() {
    }

    public static String render(Report report) {
        List<String> header = new ArrayList<>(LEADING);
        report.backends().forEach(b -> header.add("latencyMs." + b));
        header.addAll(TRAILING);
        StringBuilder csv = new StringBuilder();
        row(csv, header);
        for (ModelSweep m : report.models()) {
            for (SweepResult l : m.lines()) {
                SweepResult.Settings s = l.settings();
                List<String> cells = new ArrayList<>(List.of(m.model().name(), l.label(), l.key(),
                        Boolean.toString(l.reference()), s.prunePreset() != null ? s.prunePreset() : number(s.prune()),
                        shareBits(s.shareBits()), Boolean.toString(s.huffman()), Boolean.toString(s.int8()),
                        Integer.toString(s.retrainEpochs()), Long.toString(l.bytes()), number(l.ratio()),
                        number(l.top1()), number(l.top5())));
                report.backends().forEach(b -> cells.add(number(l.latency(b).orElse(Double.NaN))));
                cells.add(number(l.seconds()));
                cells.add(Boolean.toString(m.onFrontier(l)));
                row(csv, cells);
            }
        }
        return csv.toString();
    }

    private static String shareBits(Map<String, Integer> bits) {
        List<String> parts = new ArrayList<>();
        bits.forEach((kind, b) -> parts.add(kind + "=" + b));
        return String.join(";", parts);
    }

    /** Shortest round-tripping form; empty when not measured. */
    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static void row(StringBuilder csv, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                csv.append(',');
            }
            csv.append(field(cells.get(i)));
        }
        csv.append("\r\n");
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String field(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
