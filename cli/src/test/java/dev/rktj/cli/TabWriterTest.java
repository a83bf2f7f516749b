package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TabWriterTest {

    @Test
    void render_rktListLegend_padsLikeGoTabwriter() {
        TabWriter t = new TabWriter();
        t.row("UUID", "APP", "IMAGE NAME", "STATE");
        t.row("d5b71eab", "hello", "example.com/hello:1.0", "exited");
        // Go: Init(w, 0, 8, 1, '\t', 0): width = widest cell + 1, rounded up to 8, filled with tabs
        assertEquals("UUID\t\tAPP\tIMAGE NAME\t\tSTATE\n"
                + "d5b71eab\thello\texample.com/hello:1.0\texited\n", t.render());
    }

    @Test
    void render_cellExactlyTabWidth_getsAWholeTabOfPadding() {
        TabWriter t = new TabWriter();
        t.row("12345678", "x");
        t.row("1", "y");
        assertEquals("12345678\tx\n1\t\ty\n", t.render());
    }

    @Test
    void render_lastColumn_neverPadded() {
        TabWriter t = new TabWriter();
        t.row("a", "");
        assertEquals("a\t\n", t.render());
    }
}
