// A rendered-agnostic table (header, right-aligned number columns, rows with a role) that HTML and Markdown both print.
package dev.condense.cli.report;

import java.util.List;

/**
 * A table of text cells.
 *
 * @param name    a stable identifier ({@code summary}, {@code layers}, {@code stages}) the HTML carries as
 *                {@code data-table}
 * @param numeric per column, true when its cells are numbers (right-aligned)
 */
record Table(String name, String caption, List<String> header, List<Boolean> numeric, List<Row> rows) {

    /** One row; {@code role} marks rows the renderers show differently: reference, frontier, total, or plain. */
    record Row(List<String> cells, Role role) {
        Row {
            cells = List.copyOf(cells);
        }
    }

    enum Role { PLAIN, REFERENCE, FRONTIER, TOTAL }

    Table {
        header = List.copyOf(header);
        numeric = List.copyOf(numeric);
        rows = List.copyOf(rows);
        if (numeric.size() != header.size()) {
            throw new IllegalArgumentException(name + ": " + header.size() + " columns but " + numeric.size()
                    + " alignments");
        }
        for (Row r : rows) {
            if (r.cells().size() != header.size()) {
                throw new IllegalArgumentException(name + ": a row of " + r.cells().size() + " cells under "
                        + header.size() + " columns");
            }
        }
    }
}
