package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Isolators and {@code --insecure-options=capabilities,paths,seccomp} end to end: what the app
 * sees of its own process, with {@code rkt run} in its own JVM and through the journal agent.
 */
class IsolatorsIT extends PodTest {

    /** The app's seccomp mode and bounding set, from its /proc/self/status, with shell builtins. */
    private static final String STATUS = "while read k v; do case $k in Seccomp:|CapBnd:) echo $k $v;; esac; done < /proc/self/status";

    @Test
    void run_insecureOptionsInItsOwnJvm_turnTheProtectionsOff() throws Exception {
        Path img = TestImages.aci(base, "example.com/status", List.of("/bin/sh", "-c", STATUS));
        rkt.stopAgents();
        String secure = rkt.run("run", "--insecure-options=image", img.toString()).ok().out();
        rkt.stopAgents();
        String insecure = rkt.run("run", "--insecure-options=image,seccomp,capabilities", img.toString()).ok().out();

        assertProtections(secure, insecure);
        // the runs start an agent on the side: serving, it leaves promptly when the test's directory goes
        rkt.startAgent();
    }

    @Test
    void run_insecureOptionsThroughTheAgent_turnTheProtectionsOff() throws Exception {
        Path img = TestImages.aci(base, "example.com/status", List.of("/bin/sh", "-c", STATUS));
        long agent = rkt.startAgent();
        Path uuid = base.resolve("uuid");
        String secure = rkt.run("run", "--insecure-options=image", img.toString()).ok().out();
        String insecure = rkt.run("run", "--insecure-options=image,all-run", "--uuid-file-save=" + uuid, img.toString())
                .ok().out();

        assertProtections(secure, insecure);
        assertEquals(agent, rkt.preparedBy(Files.readString(uuid).trim()), "the agent prepared the pod");
    }

    @Test
    void run_flyWithIsolators_saysItEnforcesNone() throws Exception {
        Path img = TestImages.aci(base, "example.com/limited", List.of("/bin/true"));
        Path limited = withIsolators(img);
        rkt.startAgent();

        RktCli.Result r = rkt.run("run", "--insecure-options=image", "--stage1-name=fly", limited.toString()).ok();

        assertEquals(List.of("run: stage1 fly enforces no isolators: app \"limited\" runs without resource/memory,"
                + " os/linux/seccomp-remove-set"), r.err().lines().toList());
    }

    private void assertProtections(String secure, String insecure) throws Exception {
        assertTrue(secure.contains("Seccomp: 2\n"), secure);
        assertEquals("CapBnd: 00000000a80425fb", capBnd(secure), "appc's default capabilities");
        assertTrue(insecure.contains("Seccomp: 0\n"), "no system call filter at all: " + insecure);
        assertEquals("CapBnd: " + hostBoundingSet(), capBnd(insecure), "every capability of the host");
    }

    private static String capBnd(String status) {
        return status.lines().filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow();
    }

    private static String hostBoundingSet() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("CapBnd:")).map(l -> l.substring("CapBnd:".length()).strip()).findFirst().orElseThrow();
    }

    /** The image again, named example.com/limited, with a memory limit and a remove set in its manifest. */
    private Path withIsolators(Path img) throws Exception {
        Path work = Files.createTempDirectory(base, "iso");
        run("tar", "-C", work.toString(), "-xzf", img.toString());
        Path manifest = work.resolve("manifest");
        String json = Files.readString(manifest).replace("\"app\":{", "\"app\":{\"isolators\":["
                + "{\"name\":\"resource/memory\",\"value\":{\"limit\":\"64Mi\"}},"
                + "{\"name\":\"os/linux/seccomp-remove-set\",\"value\":{\"set\":[\"umount2\"]}}],");
        assertNotEquals(Files.readString(manifest), json, "the manifest has an app section");
        Files.writeString(manifest, json);
        Path out = base.resolve("limited.aci");
        run("tar", "-C", work.toString(), "-czf", out.toString(), "manifest", "rootfs");
        return out;
    }

    private static void run(String... command) throws Exception {
        RktCli.Result r = RktCli.exec(List.of(command));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("Error"), r.err());
    }
}
