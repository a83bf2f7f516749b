package dev.rktj.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/tabwriter} as rkt calls it ({@code Init(w, 0, 8, 1, '\t', 0)}): each column is
 * padded with TABs to the widest cell plus one, rounded up to a multiple of 8. Users' scripts split
 * rkt's tables on TAB, so the bytes matter.
 */
final class TabWriter {

    private static final int TAB_WIDTH = 8;
    private static final int PADDING = 1;

    private final List<String[]> rows = new ArrayList<>();

    void row(String... cells) {
        rows.add(cells);
    }

    /** The table; the last cell of a row is never padded. */
    String render() {
        int columns = 0;
        for (String[] r : rows) {
            columns = Math.max(columns, r.length - 1);
        }
        int[] width = new int[Math.max(columns, 0)];
        for (String[] r : rows) {
            for (int c = 0; c < r.length - 1; c++) {
                width[c] = Math.max(width[c], r[c].length() + PADDING);
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                b.append(r[c]);
                if (c < r.length - 1) {
                    int cellWidth = (width[c] + TAB_WIDTH - 1) / TAB_WIDTH * TAB_WIDTH;
                    int tabs = (cellWidth - r[c].length() + TAB_WIDTH - 1) / TAB_WIDTH;
                    b.append("\t".repeat(Math.max(tabs, 1)));
                }
            }
            b.append('\n');
        }
        return b.toString();
    }
}
