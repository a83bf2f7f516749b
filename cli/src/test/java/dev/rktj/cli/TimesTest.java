package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimesTest {

    @Test
    void full_millisecondsWithTrailingZeros_droppedAsGoLayout999() {
        String t = Times.full(1_795_437_040_500L);
        assertTrue(t.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.5 [+-]\\d{4} \\S+"), t);
    }

    @Test
    void full_wholeSecond_hasNoFraction() {
        assertTrue(Times.full(1_795_437_040_000L).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4} \\S+"));
    }

    @Test
    void relative_goHumanizeWords() {
        long now = 10_000_000_000L;
        assertEquals("now", Times.relative(now, now));
        assertEquals("1 second ago", Times.relative(now - 1_000, now));
        assertEquals("2 minutes ago", Times.relative(now - 125_000, now));
        assertEquals("1 hour ago", Times.relative(now - 3_600_000, now));
        assertEquals("3 days ago", Times.relative(now - 3 * 86_400_000L, now));
    }
}
