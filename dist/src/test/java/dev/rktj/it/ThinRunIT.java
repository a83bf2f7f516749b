package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code rkt run} with the journal agent up: the agent prepares the pod and the command's JVM
 * starts it (the fast path); what the user sees and what the journal holds are as without it.
 */
class ThinRunIT extends PodTest {

    @Test
    void run_agentUp_appOutputExitCodeAndEachEventOnce() throws Exception {
        Path img = TestImages.aci(base, "example.com/three", List.of("/bin/sh", "-c", "echo from the pod; exit 3"));
        long agent = rkt.startAgent();
        Path uuidFile = base.resolve("uuid");
        RktCli.Result r = rkt.run("run", "--insecure-options=image", "--uuid-file-save=" + uuidFile, img.toString());
        assertEquals(3, r.code(), r.err());
        assertEquals("from the pod\n", r.out());
        String uuid = Files.readString(uuidFile).trim();

        List<String> types = new ArrayList<>();
        long preparedBy = -1;
        for (JsonNode e : new ObjectMapper().readTree(rkt.run("history", "--format=json", uuid).ok().out())) {
            types.add(e.get("type").asText());
            if (e.get("type").asText().equals("PodPrepared")) {
                preparedBy = e.get("writer").get("pid").asLong();
            }
        }
        assertEquals(List.of("PodPrepared", "PodStarted", "AppExited", "PodExited"), types);
        assertEquals(agent, preparedBy, "the agent prepared the pod: the fast path was taken");
        String status = rkt.run("status", uuid).ok().out();
        assertTrue(status.startsWith("state=exited\n") && status.contains("\napp-three=3\n"), status);
    }

    @Test
    void run_otherJvmOptionsThanTheAgents_theCommandRunsItInItsOwnJvm() throws Exception {
        Path img = TestImages.aci(base, "example.com/own", List.of("/bin/sh", "-c", "echo own"));
        long agent = rkt.startAgent();
        rkt.env.put("RKTJ_JAVA_OPTS", "-Drktj.test.other=1"); // a system property the agent was not started with

        RktCli.Result r = rkt.run("run", "--insecure-options=image", img.toString());

        assertEquals(0, r.code(), r.err());
        assertEquals("own\n", r.out());
        for (JsonNode e : new ObjectMapper().readTree(rkt.run("history", "--format=json").ok().out())) {
            if (e.get("type").asText().equals("PodPrepared")) {
                assertTrue(e.get("writer").get("pid").asLong() != agent, "prepared by the command, not the agent");
            }
        }
    }

    @Test
    void run_agentUpInteractive_stdinReachesTheApp() throws Exception {
        Path cat = TestImages.aci(base, "example.com/cat", List.of("/bin/cat"));
        rkt.startAgent();
        Path input = Files.writeString(base.resolve("input"), "through the thin client\n");
        Process p = new ProcessBuilder(rkt.command("run", "--insecure-options=image", "--interactive", cat.toString()))
                .redirectInput(input.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("through the thin client\n", out);
    }

    @Test
    void run_agentUp_userMistake_oneLineAndNoTrace() throws Exception {
        rkt.startAgent();
        RktCli.Result r = rkt.run("run", "--insecure-options=image", base.resolve("missing.aci").toString());
        assertEquals(254, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("run: "), r.err());
        assertEquals("", rkt.run("list", "--no-legend").ok().out());
        assertEquals("", rkt.run("history", "--no-legend").ok().out());
    }
}
