package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the end-to-end tests: a fresh data directory per test, torn down with gc, a mount check
 * and the agent's exit; and the host's mount table identical before and after each class.
 */
abstract class PodTest {

    private static List<String> mountsBefore;
    RktCli rkt;
    Path base;

    @BeforeAll
    static void recordMounts() throws Exception {
        mountsBefore = RktCli.hostMounts();
    }

    @AfterAll
    static void mountsUnchanged() throws Exception {
        assertEquals(mountsBefore, RktCli.hostMounts(), "the host's mount table changed");
    }

    @BeforeEach
    void createDataDir() throws Exception {
        base = Files.createTempDirectory("rktj-it");
        rkt = new RktCli(base);
    }

    @AfterEach
    void destroyDataDir() throws Exception {
        rkt.destroy();
    }
}
