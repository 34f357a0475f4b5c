// A chart's legend: swatches and their names in rows above the plot, starting a new row when one is full.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.List;

import static dev.condense.cli.report.Markup.escape;
import static dev.condense.cli.report.Markup.px;

/** Entries laid out left to right between two x positions; the chart reserves {@link #height} above its plot. */
final class Legend {

    /** The mark drawn before an entry's name, matching how the chart draws that kind of thing. */
    enum Swatch { SQUARE, DOT, RING, DIAMOND }

    private record Entry(Swatch swatch, String colour, String text) {
        double width() {
            return SWATCH_WIDTH + text.length() * TEXT_CHAR_WIDTH;
        }
    }

    static final int ROW_HEIGHT = 18;
    static final int FIRST_BASELINE = 20;
    /** Pixels per character of the 12 px legend font (a generous average, so that entries do not collide). */
    private static final double TEXT_CHAR_WIDTH = 6.6;
    private static final double SWATCH_WIDTH = 18;
    private static final double GAP = 22;

    private final List<Entry> entries = new ArrayList<>();

    Legend add(Swatch swatch, String colour, String text) {
        entries.add(new Entry(swatch, colour, text));
        return this;
    }

    /** The row each entry goes in, and its x, when the legend spans {@code left..right}. */
    private List<double[]> layout(double left, double right) {
        List<double[]> at = new ArrayList<>();
        double x = left;
        int row = 0;
        for (Entry e : entries) {
            if (x > left && x + e.width() > right) {
                row++;
                x = left;
            }
            at.add(new double[] {x, row});
            x += e.width() + GAP;
        }
        return at;
    }

    /** Pixels from the top of the chart to just below the last row. */
    int height(double left, double right) {
        List<double[]> at = layout(left, right);
        int rows = at.isEmpty() ? 0 : (int) at.getLast()[1] + 1;
        return FIRST_BASELINE + ROW_HEIGHT * Math.max(0, rows - 1) + 14;
    }

    void draw(StringBuilder svg, double left, double right) {
        List<double[]> at = layout(left, right);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            double x = at.get(i)[0];
            double baseline = FIRST_BASELINE + ROW_HEIGHT * at.get(i)[1];
            double cy = baseline - 4;
            svg.append("<g class=\"legend\">");
            switch (e.swatch()) {
                case SQUARE -> svg.append("<rect x=\"").append(px(x)).append("\" y=\"").append(px(cy - 6))
                        .append("\" width=\"12\" height=\"12\" fill=\"").append(e.colour()).append("\"/>");
                case DOT -> svg.append("<circle cx=\"").append(px(x + 6)).append("\" cy=\"").append(px(cy))
                        .append("\" r=\"6\" fill=\"").append(e.colour()).append("\"/>");
                case RING -> svg.append("<circle cx=\"").append(px(x + 6)).append("\" cy=\"").append(px(cy))
                        .append("\" r=\"5\" fill=\"#ffffff\" stroke-width=\"1.8\" stroke=\"").append(e.colour()).append("\"/>");
                case DIAMOND -> svg.append("<path d=\"M").append(px(x + 6)).append(' ').append(px(cy - 7))
                        .append(" l7 7 l-7 7 l-7 -7 z\" fill=\"").append(e.colour()).append("\"/>");
            }
            svg.append("<text x=\"").append(px(x + SWATCH_WIDTH)).append("\" y=\"").append(px(baseline)).append("\">")
                    .append(escape(e.text())).append("</text></g>");
        }
    }
}
