package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainHeadTest {

    @Test
    void of_globalFlagsAroundTheCommand_findsCommandAndDir() {
        Main.Head h = Main.Head.of(new String[] {"--insecure-options", "image", "--dir", "/d", "image", "list", "--full"});
        assertEquals("image list", h.command);
        assertEquals("/d", h.dataDir);
        Main.Head s = Main.Head.of(new String[] {"status", "--dir=/x", "abc"});
        assertEquals("status", s.command);
        assertEquals("/x", s.dataDir);
    }

    @Test
    void of_help_isNotAnsweredByTheAgent() {
        assertTrue(Main.Head.of(new String[] {"list", "--help"}).help);
    }

    @Test
    void of_doubleDash_stopsLooking() {
        Main.Head h = Main.Head.of(new String[] {"run", "x.aci", "--", "--dir=/elsewhere"});
        assertEquals("run", h.command);
        assertEquals(DataDirs.DEFAULT, h.dataDir);
    }
}
