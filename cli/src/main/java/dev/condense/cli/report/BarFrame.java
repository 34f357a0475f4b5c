// The drawing area of a bar chart with one bar per weight layer: slots, the value axis and the layer names in SVG.
package dev.condense.cli.report;

import java.util.List;
import java.util.function.DoubleFunction;

import static dev.condense.cli.report.Markup.escape;
import static dev.condense.cli.report.Markup.px;

/** Categories across (weight layers, in graph order), a linear value up. */
record BarFrame(int width, int height, int categories, LinearAxis y) {

    static final int LEFT = 52;
    static final int RIGHT = 12;
    /** Room above the bars for the title row and the value labels over a full bar. */
    static final int TOP = 46;
    /** Layer names run at an angle below the bars when there are more than this many. */
    static final int UPRIGHT_NAMES = 6;

    int left() {
        return LEFT;
    }

    int bottom() {
        return categories > UPRIGHT_NAMES ? 70 : 40;
    }

    double slot() {
        return (double) (width - LEFT - RIGHT) / Math.max(1, categories);
    }

    double barWidth() {
        return Math.min(48, slot() * 0.64);
    }

    double barLeft(int index) {
        return LEFT + slot() * index + (slot() - barWidth()) / 2;
    }

    double yAt(double value) {
        double plotHeight = height - TOP - bottom();
        return TOP + (1 - y.fraction(value)) * plotHeight;
    }

    void draw(StringBuilder svg, DoubleFunction<String> label, List<String> names) {
        double base = height - bottom();
        svg.append("<g class=\"grid\">");
        for (double v : y.ticks()) {
            double at = yAt(v);
            svg.append("<line class=\"grid-major\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT)
                    .append("\" y1=\"").append(px(at)).append("\" y2=\"").append(px(at)).append("\"/>")
                    .append("<text class=\"tick-label\" x=\"").append(LEFT - 6).append("\" y=\"").append(px(at + 4))
                    .append("\" text-anchor=\"end\">").append(escape(label.apply(v))).append("</text>");
        }
        svg.append("</g><path class=\"axis\" d=\"M").append(LEFT).append(' ').append(px(base)).append(" H")
                .append(width - RIGHT).append("\"/>");
        boolean slanted = categories > UPRIGHT_NAMES;
        for (int i = 0; i < names.size(); i++) {
            double x = barLeft(i) + barWidth() / 2;
            svg.append("<text class=\"tick-label\" ");
            if (slanted) {
                svg.append("transform=\"translate(").append(px(x)).append(' ').append(px(base + 14))
                        .append(") rotate(-35)\" text-anchor=\"end\">");
            } else {
                svg.append("x=\"").append(px(x)).append("\" y=\"").append(px(base + 18)).append("\" text-anchor=\"middle\">");
            }
            svg.append(escape(names.get(i))).append("</text>");
        }
    }
}
