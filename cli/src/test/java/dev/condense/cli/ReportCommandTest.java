// Tests of `condense report`: the format chosen from the output's name, standard output, one-line errors, atomic writing.
package dev.condense.cli;

import dev.condense.cli.report.ReportFormat;
import dev.condense.cli.report.SweepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.condense.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {

    @TempDir
    Path dir;

    private Path results() throws Exception {
        return SweepFixture.write(dir, "results.jsonl", SweepFixture.lenet());
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void htmlFromTheExtensionWrittenWithNoTemporaryLeft() throws Exception {
        Path out = dir.resolve("report.html");
        MainTest.Run r = run("report", results().toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + out + " (html, 8 results of 1 model)\n", r.out());
        assertTrue(Files.readString(out).startsWith("<!DOCTYPE html>"));
        assertEquals(List.of("report.html", "results.jsonl"), files());
    }

    @Test
    void csvFromTheExtensionAndMarkdownOnStandardOutput() throws Exception {
        Path csv = dir.resolve("sweep.csv");
        assertEquals(0, run("report", results().toString(), "-o", csv.toString()).code());
        assertTrue(Files.readString(csv).startsWith("model,label,key,reference,"), Files.readString(csv));
        MainTest.Run md = run("report", results().toString(), "--format", "md", "--title", "LeNet sweep");
        assertEquals(0, md.code(), md.err());
        assertTrue(md.out().startsWith("# LeNet sweep\n"), md.out());
        assertTrue(md.out().contains("| pruned+shared+huffman | 8.40% |"), md.out());
        MainTest.Run dash = run("report", results().toString(), "-o", "-", "--format", "csv");
        assertEquals(9, dash.out().split("\r\n").length, dash.out());
    }

    @Test
    void formatFollowsTheExtension() {
        assertEquals(ReportFormat.MD, ReportFormat.forOutput(Path.of("out", "Report.MD")));
        assertEquals(ReportFormat.MD, ReportFormat.forOutput(Path.of("r.markdown")));
        assertEquals(ReportFormat.CSV, ReportFormat.forOutput(Path.of("r.csv")));
        assertEquals(ReportFormat.HTML, ReportFormat.forOutput(Path.of("r.htm")));
        assertEquals(ReportFormat.HTML, ReportFormat.forOutput(Path.of("report")));
        assertEquals(ReportFormat.HTML, ReportFormat.forOutput(null));
    }

    @Test
    void configChoosesTheLayersShown() throws Exception {
        MainTest.Run md = run("report", results().toString(), "--format", "md", "--config", "shared");
        assertEquals(0, md.code(), md.err());
        assertTrue(md.out().contains("**Per-layer compression of shared (layout of the paper's Tables 2-5)**"), md.out());
    }

    @Test
    void eachErrorIsOneLine() throws Exception {
        Path results = results();
        assertEquals("condense report: an HTML report needs -o FILE; for standard output use --format md or --format csv\n",
                run("report", results.toString()).err());
        assertEquals("condense report: --format must be html, md or csv, not 'pdf'\n",
                run("report", results.toString(), "--format", "pdf", "-o", "-").err());
        Path missing = dir.resolve("missing.jsonl");
        MainTest.Run r = run("report", missing.toString(), "--format", "md");
        assertEquals(1, r.code());
        assertEquals("condense report: no such results file: " + missing + "\n", r.err());
        String noConfig = run("report", results.toString(), "--format", "md", "--config", "nope").err();
        assertTrue(noConfig.startsWith("condense report: --config \"nope\" names no configuration; the labels are uncompressed, pruned,"),
                noConfig);
        assertEquals(1, noConfig.lines().count());
        Path nowhere = dir.resolve("no-such-folder").resolve("r.html");
        assertEquals("condense report: cannot write " + nowhere + ": no such folder " + nowhere.getParent() + "\n",
                run("report", results.toString(), "-o", nowhere.toString()).err());
    }

    @Test
    void anInterruptedLastLineIsAWarningAndAFailureLeavesTheOldReport() throws Exception {
        Path results = results();
        Files.writeString(results, Files.readString(results) + "{\"schema\": \"condense-swe");
        MainTest.Run r = run("report", results.toString(), "--format", "md");
        assertEquals(0, r.code(), r.err());
        assertEquals("condense report: warning: " + results + " line 9 is incomplete (an interrupted sweep?) and was ignored\n",
                r.err());

        Path out = dir.resolve("report.html");
        Files.writeString(out, "the previous report");
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "not json\n{}\n");
        assertEquals(1, run("report", broken.toString(), "-o", out.toString()).code());
        assertEquals("the previous report", Files.readString(out));
    }

    @Test
    void helpHasAnExample() {
        MainTest.Run r = run("report", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Example"), r.out());
        assertTrue(run("--help").out().contains("report"));
    }
}
