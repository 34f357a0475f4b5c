// Tests of the results-file reader: the values it reads, and the one-line message of each kind of bad file.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsReaderTest {

    @TempDir
    Path dir;

    private String failure(String text) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, text);
        return assertThrows(ResultsFileException.class, () -> ResultsReader.read(file)).getMessage();
    }

    private String file() {
        return dir.resolve("bad.jsonl").toString();
    }

    @Test
    void readsEveryFieldOfALine() throws Exception {
        ResultsReader.ResultsFile f = ResultsReader.read(SweepFixture.write(dir, "r.jsonl", SweepFixture.lenet()));
        assertEquals(8, f.results().size());
        assertEquals(List.of(), f.warnings());
        SweepResult ref = f.results().getFirst();
        assertTrue(ref.reference());
        assertEquals(SweepFixture.MODEL_BYTES, ref.bytes());
        assertEquals(Double.NaN, ref.settings().prune());
        assertEquals(Map.of(), ref.settings().shareBits());
        SweepResult c = f.results().get(4);
        assertEquals("pruned+shared+huffman", c.label());
        assertEquals("prune=0.08;share=conv8,fc5;huffman=on;int8=off;retrain=0", c.key());
        assertEquals(80_123, c.bytes());
        assertEquals(0.9160, c.top1(), 0);
        assertEquals(0.61, c.latency("vector").orElseThrow(), 0);
        assertEquals(List.of("vector", "ort-cpu").stream().sorted().toList(), c.latencyMs().keySet().stream().sorted().toList());
        assertEquals(Map.of("conv", 8, "fc", 5), c.settings().shareBits());
        assertEquals(new SweepResult.DatasetInfo("fashion-mnist", "test", 10_000), c.dataset());
        LayerResult ip1 = c.layers().get(2);
        assertEquals("ip1", ip1.layer());
        assertEquals(400_000, ip1.weights());
        assertEquals(32_000, ip1.kept());
        assertEquals(8.0, ip1.keptPercent(), 1e-12);
        assertEquals(5, ip1.weightBitsFixed(), 0);
        assertEquals(4.0, ip1.weightBitsStored(), 1e-12);
        assertEquals(5, c.source().line(), "line numbers count from 1");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.jsonl");
        assertEquals("no such results file: " + missing,
                assertThrows(ResultsFileException.class, () -> ResultsReader.read(missing)).getMessage());
    }

    @Test
    void emptyFileOrOnlyBlankLines() throws Exception {
        assertEquals(file() + " is empty: a sweep writes one JSON line per configuration", failure(""));
        assertEquals(file() + " is empty: a sweep writes one JSON line per configuration", failure("\n  \n"));
    }

    @Test
    void aBadLineInTheMiddleIsAnErrorWithItsNumber() throws Exception {
        List<String> lines = SweepFixture.jsonLines(SweepFixture.lenet()).lines().toList();
        String text = lines.get(0) + "\n" + lines.get(1) + "\n{\"schema\": oops}\n" + lines.get(2) + "\n";
        String message = failure(text);
        assertTrue(message.startsWith(file() + " line 3 is not JSON: "), message);
    }

    @Test
    void aTruncatedLastLineIsIgnoredWithAWarning() throws Exception {
        String whole = SweepFixture.jsonLines(SweepFixture.lenet());
        String cut = whole + whole.lines().toList().get(3).substring(0, 80);
        Path file = dir.resolve("cut.jsonl");
        Files.writeString(file, cut);
        ResultsReader.ResultsFile f = ResultsReader.read(file);
        assertEquals(8, f.results().size());
        assertEquals(List.of(file + " line 9 is incomplete (an interrupted sweep?) and was ignored"), f.warnings());
    }

    @Test
    void aFileWithOnlyATruncatedLineHasNoResults() throws Exception {
        assertEquals(file() + " holds no complete results line", failure("{\"schema\": \"condense-sw"));
    }

    @Test
    void notAnObject() throws Exception {
        assertEquals(file() + " line 1 is not a JSON object but array [1,2]", failure("[1,2]\n{}\n"));
    }

    @Test
    void wrongSchema() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.getFirst().put("schema", "condense-sweep/2");
        assertEquals(file() + " line 1 has schema \"condense-sweep/2\"; this version of condense reads \"condense-sweep/1\"",
                failure(SweepFixture.jsonLines(lines)));
    }

    @Test
    void missingRequiredFieldsAreAllListed() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(1).remove("top1");
        lines.get(1).put("model", Map.of("name", SweepFixture.MODEL));
        assertEquals(file() + " line 2 lacks required fields model.bytes, top1", failure(SweepFixture.jsonLines(lines)));
    }

    @Test
    void missingLayerFieldNamesItsIndex() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) lines.get(1).get("layers");
        layers.get(1).remove("bytesAfter");
        assertEquals(file() + " line 2 lacks required field layers[1].bytesAfter", failure(SweepFixture.jsonLines(lines)));
    }

    @Test
    void wrongTypesAndRanges() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(1).put("bytes", "abc");
        assertEquals(file() + " line 2: \"bytes\" must be a whole number >= 0, not string \"abc\"",
                failure(SweepFixture.jsonLines(lines)));
        lines = SweepFixture.lenet();
        lines.get(2).put("top1", 91.6);
        assertEquals(file() + " line 3: \"top1\" must be a fraction in [0, 1], not number 91.6",
                failure(SweepFixture.jsonLines(lines)));
        lines = SweepFixture.lenet();
        lines.get(2).put("latencyMs", Map.of("vector", -1));
        assertEquals(file() + " line 3: \"latencyMs.vector\" must be a positive number, not number -1",
                failure(SweepFixture.jsonLines(lines)));
    }

    @Test
    void duplicateKeysAndLabelsAndReferences() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.get(4).put("key", lines.get(1).get("key"));
        assertEquals(file() + " lines 2 and 5 have the same key \"prune=0.08;share=off;huffman=off;int8=off;retrain=0\""
                + " (keys are unique within a file)", failure(SweepFixture.jsonLines(lines)));
        lines = SweepFixture.lenet();
        lines.get(3).put("label", "pruned");
        assertEquals(file() + " lines 2 and 4 have the same label \"pruned\" (labels are unique within a file)",
                failure(SweepFixture.jsonLines(lines)));
        lines = SweepFixture.lenet();
        lines.get(6).put("reference", true);
        assertEquals(file() + " lines 1 and 7 are both the reference (uncompressed) line of lenet-5-caffe.onnx",
                failure(SweepFixture.jsonLines(lines)));
    }

    @Test
    void withoutAReferenceTheReportSaysSoAndStillDraws() throws Exception {
        List<Map<String, Object>> lines = SweepFixture.lenet();
        lines.removeFirst();
        Report report = Report.of(List.of(ResultsReader.read(SweepFixture.write(dir, "r.jsonl", lines))), null, null);
        assertEquals(List.of("no reference (uncompressed) line for lenet-5-caffe.onnx: accuracy drops and the reference"
                + " line are not shown"), report.notes());
        ModelSweep m = report.models().getFirst();
        assertEquals("pruned-hard+shared+huffman", m.defaultChoice().label(), "without a reference: the smallest");
        String html = HtmlReport.render(report);
        assertEquals(7, ReportMarkup.count(ReportMarkup.chart(html, "accuracy-size"), "<circle class=\"point"));
        assertEquals(0, ReportMarkup.count(html, "class=\"reference-point\""));
        assertTrue(html.contains("No reference line was given, so there is no reference point or line."));
    }

    @Test
    void configNamingNothingListsTheLabels() throws Exception {
        ResultsReader.ResultsFile f = ResultsReader.read(SweepFixture.write(dir, "r.jsonl", SweepFixture.lenet()));
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> Report.of(List.of(f), "nope", null));
        assertEquals("--config \"nope\" names no configuration; the labels are uncompressed, pruned, shared, "
                + "pruned+shared, pruned+shared+huffman, pruned-hard+shared+huffman, int8, "
                + "pruned+shared+huffman+retrain", e.getMessage());
        Report byKey = Report.of(List.of(f), "prune=0.03;share=conv8,fc5;huffman=on;int8=off;retrain=0", null);
        assertEquals("pruned-hard+shared+huffman", byKey.chosen().getFirst().orElseThrow().label());
    }

    @Test
    void theSameConfigurationInTwoFilesIsRefused() throws Exception {
        Path a = SweepFixture.write(dir, "a.jsonl", SweepFixture.lenet());
        Path b = SweepFixture.write(dir, "b.jsonl", SweepFixture.lenet().subList(2, 3));
        ResultsFileException e = assertThrows(ResultsFileException.class,
                () -> Report.of(List.of(ResultsReader.read(a), ResultsReader.read(b)), null, null));
        assertEquals(b + " line 1 repeats the configuration \"prune=off;share=conv8,fc5;huffman=off;int8=off;retrain=0\""
                + " of lenet-5-caffe.onnx already read from " + a + " line 3", e.getMessage());
    }
}
