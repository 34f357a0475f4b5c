// The report's output formats and how one is chosen from --format or the output file's extension.
package dev.condense.cli.report;

import java.nio.file.Path;
import java.util.Locale;

/** HTML (charts and tables), Markdown (tables) or CSV (one row per configuration). */
public enum ReportFormat {
    HTML("html"), MD("md"), CSV("csv");

    private final String extension;

    ReportFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** The format an output file's extension implies; HTML for any other name (and for none). */
    public static ReportFormat forOutput(Path output) {
        if (output == null) {
            return HTML;
        }
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".md") || name.endsWith(".markdown")) {
            return MD;
        }
        return name.endsWith(".csv") ? CSV : HTML;
    }

    public String render(Report report) {
        return switch (this) {
            case HTML -> HtmlReport.render(report);
            case MD -> MarkdownReport.render(report);
            case CSV -> CsvReport.render(report);
        };
    }
}
