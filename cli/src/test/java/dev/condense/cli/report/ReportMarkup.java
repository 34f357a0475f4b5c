// Reading a rendered HTML report (or a browser's dump of it) in tests: counting marks, charts, table rows, the verdict.
package dev.condense.cli.report;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain string searches over the report's stable markup (data-chart, data-points, data-table, data-rendered). */
public final class ReportMarkup {

    private ReportMarkup() {
    }

    public static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }

    /** The markup of the chart named {@code name}, from its opening tag to its end. */
    public static String chart(String html, String name) {
        int start = html.indexOf("data-chart=\"" + name + "\"");
        assertTrue(start >= 0, "no chart " + name);
        return html.substring(start, html.indexOf("</svg>", start));
    }

    /** The number of body rows of the table named {@code name}. */
    public static int tableRows(String html, String name) {
        int start = html.indexOf("<table data-table=\"" + name + "\"");
        assertTrue(start >= 0, "no table " + name);
        String table = html.substring(start, html.indexOf("</table>", start));
        return count(table.substring(table.indexOf("<tbody>")), "<tr");
    }

    /** The marks a chart says it draws. */
    public static int dataPoints(String svg) {
        Matcher m = Pattern.compile("data-points=\"(\\d+)\"").matcher(svg);
        assertTrue(m.find(), svg.substring(0, Math.min(80, svg.length())));
        return Integer.parseInt(m.group(1));
    }

    /** What the page's self-check wrote on the body ("ok" or the problems). */
    public static String verdict(String dom) {
        Matcher m = Pattern.compile("<body[^>]* data-rendered=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), "no verdict on the body:\n" + dom.substring(0, Math.min(dom.length(), 2000)));
        return m.group(1);
    }
}
