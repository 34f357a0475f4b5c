// The report's charts as inline SVG: accuracy against size with the Pareto frontier, latency against size, per-layer bars.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

import static dev.condense.cli.report.Markup.escape;
import static dev.condense.cli.report.Markup.px;

/**
 * Each chart is an {@code <svg class="chart" data-chart="NAME" data-points="N">} whose N marks (class {@code point}
 * or {@code bar}) the page's self-check counts after layout. Marks carry a {@code <title>} for hover details.
 */
final class Charts {

    /** One colour per model (accuracy chart) or per backend (latency chart); colour-blind-safe, dark enough on white. */
    static final List<String> PALETTE = List.of("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
            "#7f7f7f");

    /** Pixels per character of the 11 px label font, for keeping labels apart (a generous average). */
    private static final double LABEL_CHAR_WIDTH = 6.4;
    private static final double LABEL_HEIGHT = 13;

    /** Width of the full-width charts, and the margins around their plots (tick labels left, tick labels and title below). */
    private static final int WIDE = 1100;
    private static final int PLOT_LEFT = 70;
    private static final int PLOT_RIGHT = 24;
    private static final int PLOT_BOTTOM = 52;

    /** A chart's markup, how many marks it draws, and a sentence to print below it (may be empty). */
    record Chart(String name, String svg, int marks, String note) {
    }

    private Charts() {
    }

    static String colour(int index) {
        return PALETTE.get(index % PALETTE.size());
    }

    /** Top-1 (%) against size (log), the reference apart, each model's frontier as a step line. */
    static Chart accuracySize(Report report) {
        List<SweepResult> all = report.models().stream().flatMap(m -> m.lines().stream()).toList();
        double minBytes = all.stream().mapToLong(SweepResult::bytes).min().orElseThrow();
        double maxBytes = all.stream().mapToLong(SweepResult::bytes).max().orElseThrow();
        double minTop1 = all.stream().mapToDouble(SweepResult::top1).min().orElseThrow() * 100;
        double maxTop1 = all.stream().mapToDouble(SweepResult::top1).max().orElseThrow() * 100;
        LinearAxis top1Axis = LinearAxis.covering(minTop1, maxTop1);
        Legend legend = accuracyLegend(report);
        PlotFrame frame = sizeFrame(500, legend, minBytes, maxBytes, top1Axis,
                v -> Units.decimal(v, decimals(top1Axis)) + "%", "Top-1 accuracy");
        int marks = report.models().stream().mapToInt(m -> m.configurations().size()).sum();
        StringBuilder svg = open("accuracy-size", frame, marks, "Top-1 accuracy against size");
        frame.draw(svg);
        Labels labels = new Labels(frame);
        List<SweepResult> toLabel = new ArrayList<>();
        for (int mi = 0; mi < report.models().size(); mi++) {
            ModelSweep m = report.models().get(mi);
            String colour = colour(mi);
            m.reference().ifPresent(r -> {
                double y = frame.yAt(100 * r.top1());
                svg.append("<line class=\"reference-line\" x1=\"").append(frame.left()).append("\" x2=\"")
                        .append(frame.width() - frame.right()).append("\" y1=\"").append(px(y)).append("\" y2=\"")
                        .append(px(y)).append("\" stroke=\"").append(colour).append("\"/>");
            });
            if (!m.frontier().isEmpty()) {
                StringBuilder d = new StringBuilder();
                for (SweepResult c : m.frontier()) {
                    double x = frame.xAt(c.bytes());
                    double y = frame.yAt(100 * c.top1());
                    d.append(d.isEmpty() ? "M" + px(x) + " " + px(y) : " H" + px(x) + " V" + px(y));
                }
                svg.append("<path class=\"frontier\" data-model=\"").append(escape(m.model().name())).append("\" d=\"")
                        .append(d).append("\" stroke=\"").append(colour).append("\"/>");
            }
        }
        for (int mi = 0; mi < report.models().size(); mi++) {
            ModelSweep m = report.models().get(mi);
            String colour = colour(mi);
            for (SweepResult c : m.configurations()) {
                boolean frontier = m.onFrontier(c);
                double x = frame.xAt(c.bytes());
                double y = frame.yAt(100 * c.top1());
                svg.append("<circle class=\"point").append(frontier ? " frontier-point" : "").append("\" data-config=\"")
                        .append(escape(c.key())).append("\" data-model=\"").append(escape(m.model().name()))
                        .append("\" cx=\"").append(px(x)).append("\" cy=\"").append(px(y)).append("\" r=\"")
                        .append(frontier ? 6 : 5).append("\" fill=\"").append(frontier ? colour : "#ffffff")
                        .append("\" stroke=\"").append(colour).append("\"><title>")
                        .append(escape(tooltip(m, c))).append("</title></circle>");
                labels.obstacle(x - 6, y - 6, 12, 12);
            }
            m.reference().ifPresent(r -> {
                double x = frame.xAt(r.bytes());
                double y = frame.yAt(100 * r.top1());
                svg.append("<path class=\"reference-point\" data-config=\"").append(escape(r.key()))
                        .append("\" d=\"M").append(px(x)).append(' ').append(px(y - 8)).append(" l8 8 l-8 8 l-8 -8 z\" fill=\"")
                        .append(colour).append("\"><title>").append(escape(tooltip(m, r))).append("</title></path>");
                labels.obstacle(x - 8, y - 8, 16, 16);
            });
            m.frontier().forEach(toLabel::add);
            m.reference().ifPresent(toLabel::add);
            m.configurations().stream().filter(c -> !m.onFrontier(c)).forEach(toLabel::add);
        }
        List<String> unlabelled = new ArrayList<>();
        for (SweepResult c : toLabel) {
            String text = c.reference() ? c.label() + " (reference)" : c.label();
            if (!labels.place(svg, text, frame.xAt(c.bytes()), frame.yAt(100 * c.top1()))) {
                unlabelled.add(c.label());
            }
        }
        legend.draw(svg, frame.left(), frame.width() - frame.right());
        svg.append("</svg>");
        String note = unlabelled.isEmpty() ? "" : "Not labelled for lack of room (hover for names): "
                + String.join(", ", unlabelled) + ".";
        if (report.models().stream().anyMatch(m -> m.reference().isEmpty())) {
            note = (note + " No reference line was given, so there is no reference point or line.").strip();
        }
        return new Chart("accuracy-size", svg.toString(), marks, note);
    }

    /** Median latency against size, one series per backend; null when no line has a latency. */
    static Chart latencySize(Report report) {
        if (!report.hasLatency()) {
            return null;
        }
        List<SweepResult> all = report.models().stream().flatMap(m -> m.lines().stream())
                .filter(l -> !l.latencyMs().isEmpty()).toList();
        double minBytes = all.stream().mapToLong(SweepResult::bytes).min().orElseThrow();
        double maxBytes = all.stream().mapToLong(SweepResult::bytes).max().orElseThrow();
        double maxMs = all.stream().flatMap(l -> l.latencyMs().values().stream()).mapToDouble(Double::doubleValue)
                .max().orElseThrow();
        LinearAxis y = LinearAxis.covering(0, maxMs);
        Legend legend = new Legend();
        for (int bi = 0; bi < report.backends().size(); bi++) {
            legend.add(Legend.Swatch.DOT, colour(bi), report.backends().get(bi));
        }
        legend.add(Legend.Swatch.RING, "#555555", "hollow: the uncompressed reference");
        PlotFrame frame = sizeFrame(400, legend, minBytes, maxBytes, y, v -> Units.decimal(v, decimals(y)),
                "Median latency, batch 1 (ms)");
        int marks = (int) all.stream().mapToLong(l -> l.latencyMs().size()).sum();
        StringBuilder svg = open("latency-size", frame, marks, "Median latency against size");
        frame.draw(svg);
        for (int bi = 0; bi < report.backends().size(); bi++) {
            String backend = report.backends().get(bi);
            String colour = colour(bi);
            for (ModelSweep m : report.models()) {
                // Joined from smallest to largest so that each backend reads as one series.
                List<SweepResult> series = m.lines().stream().filter(l -> l.latency(backend).isPresent())
                        .sorted(Comparator.comparingLong(SweepResult::bytes)).toList();
                StringBuilder d = new StringBuilder();
                for (SweepResult l : series) {
                    d.append(d.isEmpty() ? "M" : " L").append(px(frame.xAt(l.bytes()))).append(' ')
                            .append(px(frame.yAt(l.latency(backend).getAsDouble())));
                }
                if (series.size() > 1) {
                    svg.append("<path class=\"series\" data-backend=\"").append(escape(backend)).append("\" d=\"")
                            .append(d).append("\" stroke=\"").append(colour).append("\"/>");
                }
                for (SweepResult l : series) {
                    double ms = l.latency(backend).getAsDouble();
                    svg.append("<circle class=\"point\" data-config=\"").append(escape(l.key()))
                            .append("\" data-backend=\"").append(escape(backend)).append("\" cx=\"")
                            .append(px(frame.xAt(l.bytes()))).append("\" cy=\"").append(px(frame.yAt(ms)))
                            .append("\" r=\"5\" fill=\"").append(l.reference() ? "#ffffff" : colour).append("\" stroke=\"")
                            .append(colour).append("\"><title>").append(escape(l.label() + " on " + backend + ": "
                                    + Units.millis(ms) + " ms median, " + Units.bytes(l.bytes()) + " (" + m.model().name() + ")"))
                            .append("</title></circle>");
                }
            }
        }
        legend.draw(svg, frame.left(), frame.width() - frame.right());
        svg.append("</svg>");
        return new Chart("latency-size", svg.toString(), marks, "");
    }

    /** Percentage of weights kept, one bar per weight layer. */
    static Chart layerKept(SweepResult configuration) {
        List<LayerResult> layers = configuration.layers();
        LinearAxis y = new LinearAxis(0, 100, 25, List.of(0.0, 25.0, 50.0, 75.0, 100.0));
        BarFrame frame = new BarFrame(540, 320, layers.size(), y);
        StringBuilder svg = openBars("layer-kept", frame, layers.size(), "Weights kept per layer (%)");
        frame.draw(svg, v -> Units.decimal(v, 0) + "%", layers.stream().map(LayerResult::layer).toList());
        for (int i = 0; i < layers.size(); i++) {
            LayerResult l = layers.get(i);
            double top = frame.yAt(l.keptPercent());
            svg.append(bar(frame, i, top, frame.yAt(0), "bar kept", colour(0), l.layer() + ": "
                    + Units.decimal(l.keptPercent(), 1) + "% of " + Units.count(l.weights()) + " weights kept"));
            valueLabel(svg, frame, i, top, Units.decimal(l.keptPercent(), 1) + "%");
        }
        svg.append("</svg>");
        return new Chart("layer-kept", svg.toString(), layers.size(), "");
    }

    /** Stored bits per weight, stacked: the weight's code plus its relative index (after Huffman coding). */
    static Chart layerBits(SweepResult configuration) {
        List<LayerResult> layers = configuration.layers();
        double max = layers.stream().mapToDouble(LayerResult::storedBitsPerWeight).max().orElse(1);
        LinearAxis y = LinearAxis.covering(0, Math.max(max, 1));
        BarFrame frame = new BarFrame(540, 320, layers.size(), y);
        StringBuilder svg = openBars("layer-bits", frame, 2 * layers.size(), "Stored bits per weight (weight + index)");
        frame.draw(svg, v -> Units.decimal(v, decimals(y)), layers.stream().map(LayerResult::layer).toList());
        for (int i = 0; i < layers.size(); i++) {
            LayerResult l = layers.get(i);
            double weightTop = frame.yAt(l.weightBitsStored());
            double indexTop = frame.yAt(l.storedBitsPerWeight());
            svg.append(bar(frame, i, weightTop, frame.yAt(0), "bar weight-bits", colour(0),
                    l.layer() + ": " + Units.bits(l.weightBitsStored()) + " weight bits per stored entry"));
            svg.append(bar(frame, i, indexTop, weightTop, "bar index-bits", colour(4),
                    l.layer() + ": " + Units.bits(l.indexBitsStored()) + " index bits per stored entry"));
            valueLabel(svg, frame, i, indexTop, Units.decimal(l.storedBitsPerWeight(), 1));
        }
        new Legend().add(Legend.Swatch.SQUARE, colour(0), "weight bits").add(Legend.Swatch.SQUARE, colour(4), "index bits")
                .draw(svg, frame.left(), frame.width() / 2.0);
        svg.append("</svg>");
        return new Chart("layer-bits", svg.toString(), 2 * layers.size(), "");
    }

    /** A full-width frame with size across on a log axis, leaving room above the plot for {@code legend}. */
    private static PlotFrame sizeFrame(int height, Legend legend, double minBytes, double maxBytes, LinearAxis y,
                                       DoubleFunction<String> yLabel, String yTitle) {
        return new PlotFrame(WIDE, height, PLOT_LEFT, PLOT_RIGHT, legend.height(PLOT_LEFT, WIDE - PLOT_RIGHT) + 10,
                PLOT_BOTTOM, LogAxis.covering(minBytes, maxBytes, Units::bytes), y, yLabel, "Size on disk (log scale)",
                yTitle);
    }

    /** The opening tag every chart shares: its name and mark count for the self-check, its size, its title. */
    private static StringBuilder open(String name, int width, int height, int marks, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" data-chart=\"").append(name).append("\" data-points=\"").append(marks)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\"><title>")
                .append(escape(title)).append("</title>");
        return svg;
    }

    private static StringBuilder open(String name, PlotFrame frame, int marks, String title) {
        return open(name, frame.width(), frame.height(), marks, title);
    }

    /** A bar chart's opening, with its title written in the top right corner. */
    private static StringBuilder openBars(String name, BarFrame frame, int marks, String title) {
        return open(name, frame.width(), frame.height(), marks, title).append("<text class=\"chart-title\" x=\"")
                .append(frame.width() - 10).append("\" y=\"20\" text-anchor=\"end\">").append(escape(title))
                .append("</text>");
    }

    private static String bar(BarFrame frame, int index, double top, double bottom, String cssClass, String colour,
                              String title) {
        return "<rect class=\"" + cssClass + "\" x=\"" + px(frame.barLeft(index)) + "\" y=\"" + px(top) + "\" width=\""
                + px(frame.barWidth()) + "\" height=\"" + px(Math.max(0, bottom - top)) + "\" fill=\"" + colour
                + "\"><title>" + escape(title) + "</title></rect>";
    }

    private static void valueLabel(StringBuilder svg, BarFrame frame, int index, double top, String text) {
        svg.append("<text class=\"value-label\" x=\"").append(px(frame.barLeft(index) + frame.barWidth() / 2))
                .append("\" y=\"").append(px(top - 4)).append("\" text-anchor=\"middle\">").append(escape(text))
                .append("</text>");
    }

    private static Legend accuracyLegend(Report report) {
        Legend legend = new Legend();
        if (report.models().size() > 1) {
            for (int mi = 0; mi < report.models().size(); mi++) {
                legend.add(Legend.Swatch.SQUARE, colour(mi), report.models().get(mi).model().name());
            }
        }
        return legend.add(Legend.Swatch.DIAMOND, "#333333", "uncompressed reference (dashed: its top-1)")
                .add(Legend.Swatch.DOT, "#333333", "on the Pareto frontier (step line)")
                .add(Legend.Swatch.RING, "#333333", "dominated");
    }

    private static String tooltip(ModelSweep m, SweepResult c) {
        StringBuilder b = new StringBuilder(c.label()).append(": ").append(Units.bytes(c.bytes())).append(", ")
                .append(Units.ratio(c.ratio())).append(", top-1 ").append(Units.percent(c.top1()));
        m.reference().filter(r -> r != c).ifPresent(r ->
                b.append(String.format(Locale.ROOT, " (%+.2f points)", -c.top1DropPoints(r))));
        return b.append('\n').append(c.key()).toString();
    }

    /** Decimals the tick labels of an axis need to tell its ticks apart. */
    static int decimals(LinearAxis axis) {
        return axis.step() >= 1 ? 0 : (int) Math.ceil(-Math.log10(axis.step()) - 1e-9);
    }

    /** Greedy placement of point labels: each tries a few spots next to its point and takes the first free one. */
    private static final class Labels {
        private final PlotFrame frame;
        private final List<double[]> taken = new ArrayList<>();

        Labels(PlotFrame frame) {
            this.frame = frame;
        }

        void obstacle(double x, double y, double w, double h) {
            taken.add(new double[] {x, y, w, h});
        }

        boolean place(StringBuilder svg, String text, double x, double y) {
            double w = text.length() * LABEL_CHAR_WIDTH;
            double h = LABEL_HEIGHT;
            double[][] spots = {{x + 9, y - h / 2}, {x - 9 - w, y - h / 2}, {x - w / 2, y - 10 - h}, {x - w / 2, y + 10},
                    {x + 7, y - 6 - h}, {x + 7, y + 6}, {x - 7 - w, y - 6 - h}, {x - 7 - w, y + 6}};
            for (double[] s : spots) {
                if (frame.inside(s[0], s[1], w, h) && taken.stream().noneMatch(t -> overlaps(t, s[0], s[1], w, h))) {
                    taken.add(new double[] {s[0], s[1], w, h});
                    svg.append("<text class=\"point-label\" x=\"").append(px(s[0])).append("\" y=\"")
                            .append(px(s[1] + h - 3)).append("\">").append(escape(text)).append("</text>");
                    return true;
                }
            }
            return false;
        }

        private static boolean overlaps(double[] t, double x, double y, double w, double h) {
            return x < t[0] + t[2] && t[0] < x + w && y < t[1] + t[3] && t[1] < y + h;
        }
    }
}
