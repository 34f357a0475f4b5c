// `condense report`: turns `condense sweep` results files into an HTML page with charts, Markdown tables or CSV.
package dev.condense.cli;

import dev.condense.cli.report.Report;
import dev.condense.cli.report.ReportFormat;
import dev.condense.cli.report.ResultsReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report",
        description = {"Turn the results files of `condense sweep` (JSON Lines, one configuration a line) into a report:"
                + " accuracy against size with the Pareto frontier, per-layer bars, latency against size, and the"
                + " Deep Compression paper's tables.",
                "HTML is one self-contained file (inline SVG charts, no network); Markdown has the tables; CSV one row"
                        + " per configuration. Several files (models) may be given; see docs/REPORTS.md."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense report sweep/results.jsonl -o report.html",
                "  condense report lenet.jsonl alexnet.jsonl -o report.html --title 'Two models'",
                "  condense report results.jsonl --format md --config pruned+shared+huffman",
                "  condense report results.jsonl -o results.csv"})
final class ReportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RESULTS", description = "results files (.jsonl) written by condense sweep")
    List<Path> results;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "the report to write; '-' or none prints Markdown or CSV to standard output")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "html, md or csv (default: from the output's extension, else html)")
    String format;

    @Option(names = "--config", paramLabel = "LABEL|KEY",
            description = "the configuration whose layers to detail (default: the frontier configuration with the"
                    + " highest ratio within 1 point of the reference's top-1, else the smallest)")
    String config;

    @Option(names = "--title", paramLabel = "TITLE", description = "the report's title (default: names the model)")
    String title;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, IOException {
        boolean toStdout = output == null || output.equals("-");
        Path target = toStdout ? null : Path.of(output);
        ReportFormat chosenFormat = format(target);
        if (toStdout && chosenFormat == ReportFormat.HTML) {
            throw new UserException("an HTML report needs -o FILE; for standard output use --format md or --format csv");
        }
        Report report = read(results, config, title);
        PrintWriter err = spec.commandLine().getErr();
        report.notes().forEach(n -> err.println("condense report: warning: " + n));
        PrintWriter out = spec.commandLine().getOut();
        if (toStdout) {
            out.print(chosenFormat.render(report));
        } else {
            TextFiles.writeAtomically(target, chosenFormat.render(report));
            int lines = report.models().stream().mapToInt(m -> m.lines().size()).sum();
            out.printf("wrote %s (%s, %d result%s of %d model%s)%n", target, chosenFormat.extension(), lines,
                    lines == 1 ? "" : "s", report.models().size(), report.models().size() == 1 ? "" : "s");
        }
        return 0;
    }

    /**
     * Reads results files into a report (for other commands, e.g. the demo: then
     * {@code TextFiles.writeAtomically(target, ReportFormat.HTML.render(report))}).
     *
     * @param config a label or key whose layers to detail, or null for the default choice
     * @param title  the title, or null for one naming the model(s)
     */
    static Report read(List<Path> results, String config, String title) throws UserException, IOException {
        List<ResultsReader.ResultsFile> files = new ArrayList<>();
        for (Path p : results) {
            files.add(ResultsReader.read(p));
        }
        return Report.of(files, config, title);
    }

    private ReportFormat format(Path target) throws UserException {
        if (format == null) {
            return ReportFormat.forOutput(target);
        }
        for (ReportFormat f : ReportFormat.values()) {
            if (f.extension().equalsIgnoreCase(format)) {
                return f;
            }
        }
        throw new UserException("--format must be html, md or csv, not '" + format + "'");
    }
}
