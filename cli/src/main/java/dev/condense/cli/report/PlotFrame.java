// The drawing area of a chart with a log size axis: margins, value-to-pixel mapping, grid, ticks and axis titles in SVG.
package dev.condense.cli.report;

import java.util.function.DoubleFunction;

import static dev.condense.cli.report.Markup.escape;
import static dev.condense.cli.report.Markup.px;

/** A plot of size (log, bytes) across against a linear quantity up, inside fixed pixel margins. */
record PlotFrame(int width, int height, int left, int right, int top, int bottom, LogAxis x, LinearAxis y,
                 DoubleFunction<String> yLabel, String xTitle, String yTitle) {

    double plotWidth() {
        return width - left - right;
    }

    double plotHeight() {
        return height - top - bottom;
    }

    double xAt(double value) {
        return left + x.fraction(value) * plotWidth();
    }

    double yAt(double value) {
        return top + (1 - y.fraction(value)) * plotHeight();
    }

    /** True when the box lies inside the plot area. */
    boolean inside(double x0, double y0, double w, double h) {
        return x0 >= left && y0 >= top && x0 + w <= width - right && y0 + h <= height - bottom;
    }

    /** Grid lines, tick labels, the axes and their titles. */
    void draw(StringBuilder svg) {
        double right = width - this.right;
        double bottom = height - this.bottom;
        svg.append("<g class=\"grid\">");
        for (LogAxis.Tick t : x.ticks()) {
            double at = xAt(t.value());
            svg.append("<line class=\"").append(t.major() ? "grid-major" : "grid-minor").append("\" x1=\"")
                    .append(px(at)).append("\" x2=\"").append(px(at)).append("\" y1=\"").append(top)
                    .append("\" y2=\"").append(px(bottom)).append("\"/>");
            if (!t.label().isEmpty()) {
                svg.append("<text class=\"tick-label\" x=\"").append(px(at)).append("\" y=\"").append(px(bottom + 18))
                        .append("\" text-anchor=\"middle\">").append(escape(t.label())).append("</text>");
            }
        }
        for (double v : y.ticks()) {
            double at = yAt(v);
            svg.append("<line class=\"grid-major\" x1=\"").append(left).append("\" x2=\"").append(px(right))
                    .append("\" y1=\"").append(px(at)).append("\" y2=\"").append(px(at)).append("\"/>");
            svg.append("<text class=\"tick-label\" x=\"").append(left - 8).append("\" y=\"").append(px(at + 4))
                    .append("\" text-anchor=\"end\">").append(escape(yLabel.apply(v))).append("</text>");
        }
        svg.append("</g>");
        svg.append("<path class=\"axis\" d=\"M").append(left).append(' ').append(top).append(" V").append(px(bottom))
                .append(" H").append(px(right)).append("\"/>");
        svg.append("<text class=\"axis-title\" x=\"").append(px(left + plotWidth() / 2)).append("\" y=\"")
                .append(height - 8).append("\" text-anchor=\"middle\">").append(escape(xTitle)).append("</text>");
        svg.append("<text class=\"axis-title\" transform=\"translate(16 ").append(px(top + plotHeight() / 2))
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(escape(yTitle)).append("</text>");
    }
}
