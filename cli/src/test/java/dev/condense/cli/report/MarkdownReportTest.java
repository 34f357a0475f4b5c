// Tests of the Markdown report: its tables parsed back, the frontier column, the paper's per-layer rates, escaping.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkdownReportTest {

    @TempDir
    Path dir;

    /** The Markdown's tables, each as rows of cells (header first, the alignment row dropped). */
    static List<List<List<String>>> tables(String md) {
        List<List<List<String>>> tables = new ArrayList<>();
        List<List<String>> current = null;
        for (String line : md.split("\n")) {
            if (!line.startsWith("|")) {
                current = null;
                continue;
            }
            if (current == null) {
                current = new ArrayList<>();
                tables.add(current);
            }
            List<String> cells = Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ", -1)).toList();
            if (!cells.getFirst().startsWith("---")) {
                current.add(cells);
            }
        }
        return tables;
    }

    private static Map<String, List<String>> byFirstCell(List<List<String>> table) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        table.subList(1, table.size()).forEach(r -> rows.put(r.getFirst(), r));
        return rows;
    }

    @Test
    void summaryTableFollowsTable1AndMarksTheFrontier() throws Exception {
        String md = MarkdownReport.render(SweepFixture.report(dir));
        List<List<List<String>>> tables = tables(md);
        assertEquals(3, tables.size(), "summary, layers, stages:\n" + md);
        List<List<String>> summary = tables.getFirst();
        assertEquals(List.of("Configuration", "Top-1 error", "Top-5 error", "Size", "Compression rate",
                "Latency vector (ms)", "Latency ort-cpu (ms)", "Pareto"), summary.getFirst());
        assertEquals(9, summary.size(), "header, reference, seven configurations");
        Map<String, List<String>> rows = byFirstCell(summary);
        assertEquals(List.of("uncompressed (reference)", "8.10%", "0.15%", "1.73 MB", "1.0×", "0.80", "0.30", ""),
                rows.get("uncompressed (reference)"));
        assertEquals(List.of("pruned+shared+huffman", "8.40%", "0.20%", "80.1 kB", "21.5×", "0.61", "0.35", "yes"),
                rows.get("pruned+shared+huffman"));
        List<String> onFrontier = rows.values().stream().filter(r -> r.getLast().equals("yes")).map(List::getFirst)
                .sorted().toList();
        assertEquals(SweepFixture.FRONTIER.stream().sorted().toList(), onFrontier);
    }

    @Test
    void layerTableComputesBothRatesLikeThePaper() throws Exception {
        List<List<String>> layers = tables(MarkdownReport.render(SweepFixture.report(dir))).get(1);
        assertEquals(List.of("Layer", "#Weights", "Weights% (P)", "Weight bits (P+Q)", "Weight bits (P+Q+H)",
                "Index bits (P+Q)", "Index bits (P+Q+H)", "Compress rate (P+Q)", "Compress rate (P+Q+H)"), layers.getFirst());
        Map<String, List<String>> rows = byFirstCell(layers);
        // ip1, 8% of 400,000 kept: 32,000 kept, 32,960 entries, 5-bit codes and 5-bit indices, a 128-byte codebook.
        // P+Q: 1,600,000 / (32,960 * 10 / 8 + 128) = 38.71; P+Q+H: 1,600,000 / (32,960 * 7.75 / 8 + 128 + 16) = 49.88.
        assertEquals(List.of("ip1", "400,000", "8.0%", "5", "4", "5", "3.8", "38.7×", "49.9×"), rows.get("ip1"));
        // Total: 330 + 3,000 + 32,000 + 950 = 36,280 of 430,500 weights kept.
        assertEquals(List.of("**Total**", "**430,500**", "**8.4%**"),
                rows.get("**Total**").subList(0, 3));
        assertEquals(6, layers.size(), "header, four layers, total");
    }

    @Test
    void pipesInLabelsDoNotBreakTheTable() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(1).put("label", "a|b *c*");
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "r.jsonl", lines))), null, null);
        String md = MarkdownReport.render(report);
        assertTrue(md.contains("| a\\|b \\*c\\* |"), md);
        tables(md).getFirst().forEach(r -> assertEquals(8, r.size(), r.toString()));
    }
}
