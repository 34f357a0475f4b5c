// Tests of the CSV report: RFC 4180 quoting, parsed back row by row against the fixture's values and frontier.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReportTest {

    @TempDir
    Path dir;

    /** An RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
    static List<List<String>> parse(String csv) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertTrue(record.isEmpty() && field.isEmpty(), "the last record ends with CRLF");
        return records;
    }

    @Test
    void oneRowPerConfigurationWithRawValues() throws Exception {
        List<List<String>> rows = parse(CsvReport.render(SweepFixture.report(dir)));
        assertEquals(List.of("model", "label", "key", "reference", "prune", "shareBits", "huffman", "int8",
                "retrainEpochs", "bytes", "ratio", "top1", "top5", "latencyMs.vector", "latencyMs.ort-cpu", "seconds",
                "onFrontier"), rows.getFirst());
        assertEquals(9, rows.size());
        List<String> header = rows.getFirst();
        List<String> c = rows.get(5);
        assertEquals("pruned+shared+huffman", c.get(header.indexOf("label")));
        assertEquals("prune=0.08;share=conv8,fc5;huffman=on;int8=off;retrain=0", c.get(header.indexOf("key")),
                "a key with a comma survives the quoting");
        assertEquals("0.08", c.get(header.indexOf("prune")));
        assertEquals("conv=8;fc=5", c.get(header.indexOf("shareBits")));
        assertEquals("80123", c.get(header.indexOf("bytes")));
        assertEquals(0.9160, Double.parseDouble(c.get(header.indexOf("top1"))), 0);
        assertEquals(0.35, Double.parseDouble(c.get(header.indexOf("latencyMs.ort-cpu"))), 0);
        assertEquals(SweepFixture.MODEL_BYTES / 80_123.0, Double.parseDouble(c.get(header.indexOf("ratio"))), 0);
        List<String> frontier = rows.subList(1, rows.size()).stream()
                .filter(r -> r.get(header.indexOf("onFrontier")).equals("true")).map(r -> r.get(1)).sorted().toList();
        assertEquals(SweepFixture.FRONTIER.stream().sorted().toList(), frontier);
        List<String> reference = rows.get(1);
        assertEquals("true", reference.get(header.indexOf("reference")));
        assertEquals("", reference.get(header.indexOf("prune")), "not pruned");
        assertEquals("", reference.get(header.indexOf("shareBits")), "not shared");
    }

    @Test
    void quotesAndLineBreaksAreQuoted() throws Exception {
        assertEquals("\"say \"\"hi\"\", then\"", CsvReport.field("say \"hi\", then"));
        assertEquals("plain", CsvReport.field("plain"));
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(2).put("label", "two\nlines, \"quoted\"");
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "r.jsonl", lines))), null, null);
        List<List<String>> rows = parse(CsvReport.render(report));
        assertEquals(9, rows.size());
        assertEquals("two\nlines, \"quoted\"", rows.get(3).get(1));
    }
}
