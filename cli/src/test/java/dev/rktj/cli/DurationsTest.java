package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parse_goDurations_asRktFlagsTakeThem() {
        assertEquals(Duration.ofMinutes(30), Durations.parse("30m0s"));
        assertEquals(Duration.ofHours(24), Durations.parse("24h0m0s"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ofSeconds(-1), Durations.parse("-1s"));
    }

    @Test
    void parse_garbage_refusedWithExamples() {
        Errors.UserException e = assertThrows(Errors.UserException.class, () -> Durations.parse("soon"));
        assertEquals("invalid duration \"soon\" (examples: 30s, 10m, 1h30m)", e.getMessage());
        assertThrows(Errors.UserException.class, () -> Durations.parse("10x"));
    }

    @Test
    void waitLimit_boolOrDuration() {
        assertEquals(0, Durations.waitLimit("false"));
        assertEquals(-1, Durations.waitLimit("true"));
        assertEquals(-1, Durations.waitLimit("-1s"));
        assertEquals(10_000, Durations.waitLimit("10s"));
    }
}
