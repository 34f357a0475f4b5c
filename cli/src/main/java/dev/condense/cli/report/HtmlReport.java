// Renders a report as one self-contained HTML page: inline CSS, inline SVG charts, a tiny self-check script, no network.
package dev.condense.cli.report;

import java.util.Locale;
import java.util.Optional;

import static dev.condense.cli.report.Markup.escape;

/**
 * The HTML report. Everything it needs is inside the file. Its script runs once the page is laid out and writes
 * {@code data-rendered="ok"} on the body, or what went wrong: a chart with an empty bounding box, or fewer drawn
 * marks than the chart's {@code data-points} says. A headless browser's DOM dump therefore shows whether the charts
 * were really drawn.
 */
public final class HtmlReport {

    private static final String STYLE = """
            body{margin:0;background:#fff;color:#1f2328;font-family:system-ui,-apple-system,"Segoe UI",Roboto,\
            "Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",sans-serif;font-size:15px}
            main{max-width:1140px;margin:0 auto;padding:24px 20px 48px}
            h1{font-size:26px;margin:0 0 6px}
            h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid #e5e7eb}
            h3{font-size:16px;margin:22px 0 6px}
            p{line-height:1.5;max-width:92ch}
            .generated,.note{color:#59636e;font-size:13px}
            .notes{background:#fff8e1;border-left:4px solid #e69f00;padding:8px 12px 8px 28px;font-size:14px}
            svg.chart{display:block;width:100%;max-width:1100px;height:auto}
            .bars{display:flex;flex-wrap:wrap;gap:20px}
            .bars svg.chart{width:540px;max-width:100%}
            svg text{font-family:inherit;font-size:11px;fill:#444}
            .grid-major{stroke:#e6e8eb;stroke-width:1}
            .grid-minor{stroke:#f4f5f6;stroke-width:1}
            .axis{stroke:#8c959f;fill:none}
            .axis-title{font-size:12px;fill:#24292f}
            .chart-title{font-size:12px;font-weight:600;fill:#24292f}
            .frontier{fill:none;stroke-width:2}
            .reference-line{stroke-dasharray:6 4;stroke-width:1.2}
            .series{fill:none;stroke-width:1.2;opacity:.45}
            .point{stroke-width:1.8}
            .point-label{fill:#24292f}
            .value-label{fill:#24292f;font-size:10.5px}
            .legend text{font-size:12px;fill:#24292f}
            table{border-collapse:collapse;font-size:13px;margin:6px 0 22px;font-variant-numeric:tabular-nums}
            caption{text-align:left;font-weight:600;padding:4px 0 6px}
            .table-scroll{max-width:100%;overflow-x:auto}
            th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:left;white-space:nowrap}
            th{background:#f6f8fa;font-weight:600;white-space:normal;vertical-align:bottom;max-width:9em}
            .num{text-align:right}
            tr.reference td{color:#59636e;font-style:italic}
            tr.frontier td:first-child{font-weight:600}
            tr.total td{font-weight:600;border-top:2px solid #8c959f}
            @media print{main{max-width:none;padding:0}.table-scroll{overflow:visible}h2{break-after:avoid}svg.chart,table{break-inside:avoid}}
            """;

    /** Runs at the end of the body: getBBox forces layout, so the verdict reflects what was drawn. */
    private static final String SELF_CHECK = """
            (function () {
              var problems = [];
              var charts = document.querySelectorAll('svg.chart');
              if (charts.length !== Number(document.body.getAttribute('data-charts'))) {
                problems.push(charts.length + ' charts, expected ' + document.body.getAttribute('data-charts'));
              }
              charts.forEach(function (svg) {
                var name = svg.getAttribute('data-chart');
                var box = svg.getBBox();
                if (!(box.width > 0 && box.height > 0)) {
                  problems.push(name + ': empty bounding box');
                }
                var drawn = 0;
                svg.querySelectorAll('.point, .bar').forEach(function (mark) {
                  var b = mark.getBBox();
                  if (b.width > 0 || b.height > 0) {
                    drawn++;
                  }
                });
                var expected = Number(svg.getAttribute('data-points'));
                if (drawn !== expected) {
                  problems.push(name + ': ' + drawn + ' marks drawn, expected ' + expected);
                }
              });
              document.body.dataset.rendered = problems.length === 0 ? 'ok' : problems.join('; ');
            })();
            """;

    private HtmlReport() {
    }

    public static String render(Report report) {
        int charts = 0;
        StringBuilder body = new StringBuilder();
        body.append("<h1>").append(escape(report.title())).append("</h1>\n");
        body.append("<p class=\"generated\">Written by <code>condense report</code> from results in schema ")
                .append(ResultsReader.SCHEMA).append(".</p>\n");
        for (ModelSweep m : report.models()) {
            body.append("<p class=\"summary\">").append(escape(m.summary())).append("</p>\n");
        }
        if (!report.notes().isEmpty()) {
            body.append("<ul class=\"notes\">");
            report.notes().forEach(n -> body.append("<li>").append(escape(n)).append("</li>"));
            body.append("</ul>\n");
        }

        body.append("<h2>Accuracy against size</h2>\n<p class=\"note\">One point per configuration. The Pareto frontier "
                + "(filled points, step line) holds the configurations that no other beats on both size and top-1 "
                + "at once; the step line shows the best top-1 reachable within each size.</p>\n");
        Charts.Chart accuracy = Charts.accuracySize(report);
        charts++;
        chart(body, accuracy);

        for (int i = 0; i < report.models().size(); i++) {
            Optional<SweepResult> chosen = report.chosen().get(i);
            if (chosen.isEmpty()) {
                continue;
            }
            SweepResult c = chosen.get();
            body.append("<h2>Per-layer compression: ").append(escape(c.label())).append("</h2>\n<p class=\"note\">")
                    .append(escape(report.models().get(i).model().name() + ", configuration " + c.key()))
                    .append(". Bits per weight are those stored per kept entry after Huffman coding.</p>\n");
            if (c.layers().isEmpty()) {
                body.append("<p>This configuration lists no weight layers.</p>\n");
                continue;
            }
            body.append("<div class=\"bars\">");
            chart(body, Charts.layerKept(c));
            chart(body, Charts.layerBits(c));
            charts += 2;
            body.append("</div>\n");
        }

        body.append("<h2>Latency against size</h2>\n");
        Charts.Chart latency = Charts.latencySize(report);
        if (latency == null) {
            body.append("<p>No results line has a latency, so there is no latency chart.</p>\n");
        } else {
            body.append("<p class=\"note\">Median latency at batch 1 per backend measured by the sweep.</p>\n");
            chart(body, latency);
            charts++;
        }

        body.append("<h2>Deep Compression tables</h2>\n");
        for (int i = 0; i < report.models().size(); i++) {
            ModelSweep m = report.models().get(i);
            table(body, DeepCompressionTables.summary(m, report.backends()), m);
            Optional<SweepResult> chosen = report.chosen().get(i);
            if (chosen.isPresent() && !chosen.get().layers().isEmpty()) {
                table(body, DeepCompressionTables.layers(chosen.get()), m);
            }
            Table stages = DeepCompressionTables.stages(m);
            if (stages != null) {
                table(body, stages, m);
            }
        }

        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(report.title()) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n"
                + "<body data-rendered=\"no-script\" data-charts=\"" + charts + "\">\n<main>\n"
                + body + "</main>\n<script>\n" + SELF_CHECK + "</script>\n</body>\n</html>\n";
    }

    private static void chart(StringBuilder body, Charts.Chart chart) {
        body.append(chart.svg()).append('\n');
        if (!chart.note().isEmpty()) {
            body.append("<p class=\"note\">").append(escape(chart.note())).append("</p>\n");
        }
    }

    private static void table(StringBuilder body, Table table, ModelSweep m) {
        body.append("<div class=\"table-scroll\"><table data-table=\"").append(table.name()).append("\" data-model=\"").append(escape(m.model().name()))
                .append("\">\n<caption>").append(escape(table.caption())).append("</caption>\n<thead><tr>");
        for (int c = 0; c < table.header().size(); c++) {
            body.append(table.numeric().get(c) ? "<th class=\"num\">" : "<th>").append(escape(table.header().get(c)))
                    .append("</th>");
        }
        body.append("</tr></thead>\n<tbody>\n");
        for (Table.Row row : table.rows()) {
            body.append(row.role() == Table.Role.PLAIN ? "<tr>"
                    : "<tr class=\"" + row.role().name().toLowerCase(Locale.ROOT) + "\">");
            for (int c = 0; c < row.cells().size(); c++) {
                body.append(table.numeric().get(c) ? "<td class=\"num\">" : "<td>").append(escape(row.cells().get(c)))
                        .append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table></div>\n");
    }
}
