// Tests of `condense report`: the format chosen from the output's name, standard output, one-line errors, atomic writing.
package dev.condense.cli;

import dev.condense.cli.report.ReportFormat;
import dev.condense.cli.report.ReportMarkup;
import dev.condense.data.FashionMnist;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void readsWhatSweepWrites() throws Exception {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "needs dataset-fashion-mnist, which .ci/run installs");
        Path grid = dir.resolve("grid.json");
        Files.writeString(grid, """
                {"grid": {"prune": [null, 0.2], "shareBits": [null, "conv=8,fc=4"], "huffman": [true]}}
                """);
        Path results = dir.resolve("sweep.jsonl");
        MainTest.Run sweep = run("sweep", SweepCommandTest.MODEL.toString(), "--dataset", "fashion-mnist", "--grid",
                grid.toString(), "-o", results.toString(), "--eval-limit", "200", "--latency", "ort-cpu",
                "--samples", "20");
        assertEquals(0, sweep.code(), sweep.err());
        long lines = Files.readAllLines(results).stream().filter(l -> !l.isBlank()).count();
        Path html = dir.resolve("sweep.html");
        MainTest.Run report = run("report", results.toString(), "-o", html.toString());
        assertEquals(0, report.code(), report.err());
        assertEquals("", report.err(), "a complete sweep has a reference and no interrupted line");
        String page = Files.readString(html);
        assertEquals(lines - 1, ReportMarkup.dataPoints(ReportMarkup.chart(page, "accuracy-size")),
                "every line but the reference is a point");
        assertEquals(lines, ReportMarkup.tableRows(page, "summary"));
        assertEquals(lines, ReportMarkup.dataPoints(ReportMarkup.chart(page, "latency-size")), "one backend timed");
    }

    @Test
    void helpHasAnExample() {
        MainTest.Run r = run("report", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Example"), r.out());
        assertTrue(run("--help").out().contains("report"));
    }
}
