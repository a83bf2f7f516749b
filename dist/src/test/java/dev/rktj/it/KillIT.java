package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A stage0 killed with SIGKILL: the pod lives on, and the journal is reconciled when it ends. */
class KillIT extends PodTest {

    /** With the agent up, {@code rkt run} is the thin client (ThinRun); without, the whole stage0. */
    @ParameterizedTest(name = "agent up: {0}")
    @ValueSource(booleans = {false, true})
    void run_stage0KilledWhileAppSleeps_runningThenExitedWithRealCode(boolean agentUp) throws Exception {
        if (agentUp) {
            rkt.startAgent();
        }
        Path img = TestImages.aci(base, "example.com/sleeper", List.of("/bin/sh", "-c", "sleep 4; exit 7"));
        Path uuidFile = base.resolve("uuid");
        Process run = rkt.start(base.resolve("run.log"), "run", "--insecure-options=image", "--uuid-file-save=" + uuidFile, img.toString());
        String uuid = null;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(uuidFile) && !Files.readString(uuidFile).isBlank()) {
                uuid = Files.readString(uuidFile).trim();
                if (rkt.run("status", uuid).out().startsWith("state=running")) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        assertTrue(uuid != null, "rkt run never saved a UUID");
        run.destroyForcibly().waitFor();

        String whileAlive = rkt.run("status", uuid).ok().out();
        assertTrue(whileAlive.startsWith("state=running\n"), "app still sleeping, so still running: " + whileAlive);

        String after = "";
        deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            after = rkt.run("status", uuid).ok().out();
            if (after.startsWith("state=exited")) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(after.startsWith("state=exited\n"), after);
        assertTrue(after.contains("\napp-sleeper=7\n"), "the app's real exit code: " + after);

        List<String> types = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(rkt.run("history", "--format=json", uuid).ok().out())) {
            types.add(e.get("type").asText());
        }
        assertEquals(List.of("PodPrepared", "PodStarted", "StateReconciled", "AppExited", "PodExited"), types);
        assertTrue(rkt.run("history", uuid).ok().out().contains("stage0 lost"));
    }
}
