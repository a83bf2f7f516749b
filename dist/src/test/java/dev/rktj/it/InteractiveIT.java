package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rkt run --interactive} on a real pseudo-terminal (util-linux {@code script}): the app gets
 * a terminal and the keys typed, and ^] pressed three times within a second kills the pod, for
 * both stage1s and both ways {@code rkt run} goes (in its own JVM, and through the journal agent).
 */
class InteractiveIT extends PodTest {

    private static final Path SCRIPT = Path.of("/usr/bin/script");

    private Path image;

    @BeforeEach
    void image() throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "util-linux script is not installed: no pseudo-terminal to test on");
        // cat echoes what is typed and would wait for more forever: only the escape ends the pod
        image = TestImages.aci(base, "example.com/tty", List.of("/bin/sh", "-c",
                "if [ -t 0 ] && [ -t 1 ]; then echo on-a-terminal; fi; echo ready; exec cat"));
    }

    @Test
    void interactive_nspawnInItsOwnJvm_escapeKillsThePod() throws Exception {
        escape("nspawn", false, "terminated by signal KILL");
    }

    @Test
    void interactive_nspawnThroughTheAgent_escapeKillsThePod() throws Exception {
        escape("nspawn", true, "terminated by signal KILL");
    }

    @Test
    void interactive_flyInItsOwnJvm_escapeKillsThePod() throws Exception {
        escape("fly", false, "stage1 fly: ^] pressed three times within 1s: pod killed");
    }

    @Test
    void interactive_flyThroughTheAgent_escapeKillsThePod() throws Exception {
        escape("fly", true, "stage1 fly: ^] pressed three times within 1s: pod killed");
    }

    private void escape(String stage1, boolean throughAgent, String killed) throws Exception {
        List<String> mountsBefore = RktCli.hostMounts();
        long agent = throughAgent ? rkt.startAgent() : -1;
        Path uuidFile = base.resolve("uuid");
        String command = rkt.command("run", "--insecure-options=image", "--stage1-name=" + stage1, "--interactive",
                "--uuid-file-save=" + uuidFile, image.toString()).stream().map(InteractiveIT::quote).collect(Collectors.joining(" "));
        // script runs the command on a new pseudo-terminal and passes our pipe's bytes to it as typed keys
        Process terminal = new ProcessBuilder(SCRIPT.toString(), "-q", "-f", "-e", "-c", command, "/dev/null")
                .redirectErrorStream(true).start();
        Screen screen = new Screen(terminal.getInputStream());
        try (OutputStream keys = terminal.getOutputStream()) {
            screen.await("ready");
            type(keys, "typed\r");
            screen.await("typed\r\ntyped");    // the terminal's echo, then cat's
            long start = System.nanoTime();
            type(keys, "\u001d\u001d\u001d");
            assertTrue(terminal.waitFor(30, TimeUnit.SECONDS), "the pod outlived ^]^]^]: " + screen);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15), "the escape took too long");
        } finally {
            terminal.destroyForcibly();
        }
        screen.join();
        String shown = screen.toString();
        assertTrue(shown.contains("on-a-terminal"), "the app's stdin and stdout are a terminal: " + shown);
        assertTrue(shown.contains(killed), shown);
        assertNotEquals(0, terminal.exitValue(), shown);
        String uuid = Files.readString(uuidFile).trim();
        assertTrue(rkt.run("status", uuid).ok().out().startsWith("state=exited\n"));
        long preparedBy = rkt.preparedBy(uuid);
        if (throughAgent) {
            assertEquals(agent, preparedBy, "the agent prepared the pod");
        } else {
            assertFalse(rkt.agents().contains(preparedBy), "rkt run prepared the pod itself");
            rkt.startAgent(); // the one the commands started on the side: serving, it leaves promptly at the end
        }
        assertEquals(mountsBefore, RktCli.hostMounts(), "the host's mount table changed");
    }

    private static void type(OutputStream keys, String typed) throws IOException {
        keys.write(typed.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** One word for script's {@code sh -c}. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** What the terminal shows, read as it comes. */
    private static final class Screen extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        Screen(InputStream in) {
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (seen) {
                        seen.write(buffer, 0, n);
                        seen.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the terminal went away: what it showed stays
            }
        }

        void await(String text) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            synchronized (seen) {
                while (!toString().contains(text)) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        throw new AssertionError("the terminal never showed \"" + text + "\": " + this);
                    }
                    seen.wait(left);
                }
            }
        }

        @Override
        public String toString() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
