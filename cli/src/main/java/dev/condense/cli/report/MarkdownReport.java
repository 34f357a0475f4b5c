// Renders a report's tables as GitHub-flavoured Markdown: Table 1 layout with the frontier marked, per-layer, stages.
package dev.condense.cli.report;

import java.util.Optional;

/** The Markdown report: the HTML report's summaries and tables, without the charts. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(Report report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(inline(report.title())).append("\n\n");
        for (String note : report.notes()) {
            md.append("> ").append(inline(note)).append("\n");
        }
        if (!report.notes().isEmpty()) {
            md.append('\n');
        }
        for (int i = 0; i < report.models().size(); i++) {
            ModelSweep m = report.models().get(i);
            if (report.models().size() > 1) {
                md.append("## ").append(inline(m.model().name())).append("\n\n");
            }
            md.append(inline(m.summary())).append("\n\n");
            table(md, DeepCompressionTables.summary(m, report.backends()));
            md.append("Pareto: \"").append(DeepCompressionTables.PARETO_MARK).append("\" marks the configurations no other "
                    + "one beats on both size and top-1.\n\n");
            Optional<SweepResult> chosen = report.chosen().get(i);
            if (chosen.isPresent() && !chosen.get().layers().isEmpty()) {
                table(md, DeepCompressionTables.layers(chosen.get()));
            }
            Table stages = DeepCompressionTables.stages(m);
            if (stages != null) {
                table(md, stages);
            }
        }
        return md.toString();
    }

    private static void table(StringBuilder md, Table table) {
        md.append("**").append(inline(table.caption())).append("**\n\n|");
        table.header().forEach(h -> md.append(' ').append(cell(h)).append(" |"));
        md.append("\n|");
        table.numeric().forEach(n -> md.append(n ? " ---: |" : " --- |"));
        md.append('\n');
        for (Table.Row row : table.rows()) {
            md.append('|');
            for (String c : row.cells()) {
                String text = cell(c);
                md.append(' ').append(row.role() == Table.Role.TOTAL && !text.isEmpty() ? "**" + text + "**" : text)
                        .append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    /** A table cell: a pipe would end the cell, and a line break the row. */
    static String cell(String text) {
        return escape(text, false).replace("|", "\\|");
    }

    /** Text on one line, with the characters that would turn into markup escaped. */
    static String inline(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean startsLine) {
        StringBuilder b = new StringBuilder(text.length());
        String line = text.replace('\n', ' ').replace('\r', ' ');
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            // '#' makes a heading only where a line starts.
            if ("\\`*_[]<>".indexOf(c) >= 0 || (c == '#' && i == 0 && startsLine)) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
