// Renders a report in headless Chromium: the page's own check must say every chart was laid out, and the screenshot is not blank.
package dev.condense.cli;

import dev.condense.cli.report.ModelSweep;
import dev.condense.cli.report.Report;
import dev.condense.cli.report.ResultsReader;
import dev.condense.cli.report.SweepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.condense.cli.report.ReportMarkup.chart;
import static dev.condense.cli.report.ReportMarkup.count;
import static dev.condense.cli.report.ReportMarkup.tableRows;
import static dev.condense.cli.report.ReportMarkup.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Needs the {@code chromium} command (Debian's package; .ci/run installs it). The screenshot is kept as
 * {@code cli/target/report-screenshot.png}: docs/REPORTS.md says how docs/report.png is made from it.
 */
class ReportChromiumTest {

    /** Longest a browser run may take before its whole process tree is killed. */
    static final long BROWSER_TIMEOUT_SECONDS = 60;
    static final int WINDOW_WIDTH = 1280;
    static final int WINDOW_HEIGHT = 2400;
    /** A laid-out report shows text, grid, points in several colours and antialiasing: far more colours than this. */
    static final int MIN_DISTINCT_COLOURS = 50;

    static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Runs headless Chromium with a fresh profile; returns its standard output. */
    static String browse(Path chromium, Path work, List<String> args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        Path stdout = work.resolve("chromium.out");
        Path stderr = work.resolve("chromium.err");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(BROWSER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("chromium did not finish in " + BROWSER_TIMEOUT_SECONDS + " s: " + String.join(" ", command));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + tail(stderr));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file);
            return s.substring(Math.max(0, s.length() - 2000));
        } catch (java.io.IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    /** The fixture's report, written by the command into {@code dir}. */
    static Path writeReport(Path dir) throws Exception {
        Path results = SweepFixture.write(dir, "results.jsonl", SweepFixture.lenet());
        Path html = dir.resolve("report.html");
        MainTest.Run r = MainTest.run("report", results.toString(), "-o", html.toString(), "--title",
                "LeNet-5 on Fashion-MNIST: compression sweep");
        assertEquals(0, r.code(), r.err());
        return html;
    }

    @Test
    void chromiumLaysOutEveryChartAndTheScreenshotIsNotBlank(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium; .ci/run installs it)");
        Path html = writeReport(dir);
        Report report = Report.of(List.of(ResultsReader.read(dir.resolve("results.jsonl"))), null, null);
        ModelSweep sweep = report.models().getFirst();

        String dom = browse(chromium, dir, List.of("--dump-dom", html.toUri().toString()));
        assertEquals("ok", verdict(dom), "the page's self-check");
        String accuracy = chart(dom, "accuracy-size");
        assertEquals(sweep.configurations().size(), count(accuracy, "<circle class=\"point"));
        assertEquals(sweep.frontier().size(), count(accuracy, "class=\"point frontier-point\""),
                "frontier points drawn = frontier the Java code computes");
        assertEquals(SweepFixture.FRONTIER.size(), sweep.frontier().size());
        int layers = sweep.defaultChoice().layers().size();
        assertEquals(layers, count(chart(dom, "layer-kept"), "<rect class=\"bar"));
        assertEquals(2 * layers, count(chart(dom, "layer-bits"), "<rect class=\"bar"));
        assertEquals(sweep.lines().size() * report.backends().size(), count(chart(dom, "latency-size"), "<circle class=\"point"));
        assertEquals(sweep.lines().size(), tableRows(dom, "summary"));
        assertEquals(layers + 1, tableRows(dom, "layers"));

        Path png = dir.resolve("report.png");
        browse(chromium, dir, List.of("--screenshot=" + png, "--window-size=" + WINDOW_WIDTH + "," + WINDOW_HEIGHT,
                html.toUri().toString()));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(WINDOW_WIDTH, image.getWidth());
        assertEquals(WINDOW_HEIGHT, image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() >= MIN_DISTINCT_COLOURS, colours.size() + " distinct colours: blank or unstyled?");
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.copy(png, target.resolve("report-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(html, target.resolve("report-screenshot.html"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void theSelfCheckReportsAChartThatDrewFewerMarksThanPromised(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium; .ci/run installs it)");
        Path html = writeReport(dir);
        int configurations = SweepFixture.LABELS.size();
        String page = Files.readString(html);
        String promised = "data-chart=\"accuracy-size\" data-points=\"" + configurations + "\"";
        assertEquals(1, count(page, promised));
        Files.writeString(html, page.replace(promised, "data-chart=\"accuracy-size\" data-points=\"" + (configurations + 1) + "\""));
        String dom = browse(chromium, dir, List.of("--dump-dom", html.toUri().toString()));
        assertEquals("accuracy-size: " + configurations + " marks drawn, expected " + (configurations + 1), verdict(dom));
    }
}
