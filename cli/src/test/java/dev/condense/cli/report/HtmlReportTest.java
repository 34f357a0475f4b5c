// Tests of the HTML report's structure: chart marks, frontier points, bars, table rows, escaping, no external resources.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.condense.cli.report.ReportMarkup.chart;
import static dev.condense.cli.report.ReportMarkup.count;
import static dev.condense.cli.report.ReportMarkup.dataPoints;
import static dev.condense.cli.report.ReportMarkup.tableRows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {

    @TempDir
    Path dir;

    @Test
    void accuracyChartHasOnePointPerConfigurationAndTheFrontier() throws Exception {
        String html = HtmlReport.render(SweepFixture.report(dir));
        String svg = chart(html, "accuracy-size");
        assertEquals(SweepFixture.LABELS.size(), count(svg, "<circle class=\"point"));
        assertEquals(SweepFixture.LABELS.size(), dataPoints(svg));
        assertEquals(SweepFixture.FRONTIER.size(), count(svg, "class=\"point frontier-point\""));
        assertEquals(1, count(svg, "<path class=\"frontier\""));
        assertEquals(1, count(svg, "class=\"reference-point\""));
        assertEquals(1, count(svg, "class=\"reference-line\""));
        for (String tick : List.of(">10 kB<", ">100 kB<", ">1 MB<", ">10 MB<")) {
            assertTrue(svg.contains(tick), "decade label " + tick);
        }
        // The step line visits the frontier's points in order: one M, then H and V per further point.
        Matcher d = Pattern.compile("<path class=\"frontier\"[^>]* d=\"([^\"]+)\"").matcher(svg);
        assertTrue(d.find());
        assertEquals(SweepFixture.FRONTIER.size() - 1, count(d.group(1), " H"));
    }

    @Test
    void layerBarsLatencyAndTables() throws Exception {
        String html = HtmlReport.render(SweepFixture.report(dir));
        assertEquals(4, count(chart(html, "layer-kept"), "<rect class=\"bar"));
        assertEquals(8, count(chart(html, "layer-bits"), "<rect class=\"bar"), "weight and index bits per layer");
        assertEquals(8, dataPoints(chart(html, "layer-bits")));
        assertEquals(16, count(chart(html, "latency-size"), "<circle class=\"point"), "8 lines x 2 backends");
        assertTrue(html.contains("data-charts=\"4\""));
        assertEquals(8, tableRows(html, "summary"));
        assertEquals(SweepFixture.LAYERS.length + 1, tableRows(html, "layers"), "layers and the Total row");
        assertEquals(6, tableRows(html, "stages"), "five pruned lines, one also retrained");
        assertTrue(html.contains("<h2>Per-layer compression: " + Markup.escape(SweepFixture.DEFAULT_CHOICE) + "</h2>"));
        assertTrue(html.contains("data-rendered=\"no-script\""), "only the script may claim the charts were drawn");
    }

    @Test
    void noLatencyMeansASentenceInsteadOfTheChart() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.forEach(l -> l.put("latencyMs", Map.of()));
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "r.jsonl", lines))), null, null);
        String html = HtmlReport.render(report);
        assertFalse(html.contains("data-chart=\"latency-size\""));
        assertTrue(html.contains("No results line has a latency, so there is no latency chart."));
        assertTrue(html.contains("data-charts=\"3\""));
    }

    @Test
    void textFromTheFileIsEscapedAndNothingIsFetched() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(1).put("label", "<script>alert('x')</script> & \"q\"");
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "r.jsonl", lines))), null,
                "A <b>title</b>");
        String html = HtmlReport.render(report);
        assertFalse(html.contains("<script>alert"));
        assertFalse(html.contains("<b>title"));
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
        assertEquals(1, count(html, "<script"), "only the self-check");
        for (String fetch : List.of("src=", "href=", "@import", "url(", "<link")) {
            assertFalse(html.contains(fetch), fetch);
        }
        assertEquals(count(html, "xmlns=\"http://www.w3.org/2000/svg\""), count(html, "http"),
                "the only URLs are SVG namespace names");
    }

    @Test
    void twoModelsGetTwoColoursAndALegend(@TempDir Path other) throws Exception {
        List<Map<String, Object>> second = SweepFixture.lenet();
        second.forEach(l -> l.put("model", Map.of("name", "lenet-300-100.onnx", "bytes", 1_066_000)));
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "a.jsonl", SweepFixture.lenet())),
                ResultsReader.read(SweepFixture.write(other, "b.jsonl", second))), null, null);
        String svg = chart(HtmlReport.render(report), "accuracy-size");
        assertEquals(2 * SweepFixture.LABELS.size(), count(svg, "<circle class=\"point"));
        assertEquals(2, count(svg, "<path class=\"frontier\""));
        assertEquals(SweepFixture.LABELS.size(), count(svg, "stroke=\"" + Charts.colour(1) + "\"><title>"));
        assertTrue(svg.contains(">lenet-300-100.onnx</text>"), "the legend names each model");
    }
}
