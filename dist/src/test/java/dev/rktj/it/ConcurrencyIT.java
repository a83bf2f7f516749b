package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Several rkt processes at once: nothing lost, nothing recorded twice. */
class ConcurrencyIT extends PodTest {

    private static final int RUNNERS = 4;
    private static final int RUNS_EACH = 3;

    @Test
    void run_fourAtOnceWithListLoops_everyPodRecordedExactlyOnce() throws Exception {
        List<Path> images = new ArrayList<>();
        for (int code = 0; code < RUNNERS; code++) {
            images.add(TestImages.aci(base, "example.com/exit" + code, List.of("/bin/sh", "-c", "exit " + code)));
            rkt.run("fetch", "--insecure-options=image", images.get(code).toString()).ok();
        }
        ExecutorService pool = Executors.newFixedThreadPool(RUNNERS + 1);
        AtomicBoolean running = new AtomicBoolean(true);
        Future<Integer> lister = pool.submit(() -> {
            int lists = 0;
            while (running.get()) {
                rkt.run("list").ok();
                lists++;
            }
            return lists;
        });
        List<Future<List<Integer>>> runners = new ArrayList<>();
        for (int r = 0; r < RUNNERS; r++) {
            int code = r;
            runners.add(pool.submit(() -> {
                List<Integer> codes = new ArrayList<>();
                for (int i = 0; i < RUNS_EACH; i++) {
                    codes.add(rkt.run("run", "--insecure-options=image", images.get(code).toString()).code());
                }
                return codes;
            }));
        }
        for (int r = 0; r < RUNNERS; r++) {
            assertEquals(List.of(r, r, r), runners.get(r).get(5, TimeUnit.MINUTES), "rkt run's exit codes");
        }
        running.set(false);
        assertTrue(lister.get(1, TimeUnit.MINUTES) > 0);
        pool.shutdown();

        ObjectMapper m = new ObjectMapper();
        JsonNode pods = m.readTree(rkt.run("list", "--format=json").ok().out());
        assertEquals(RUNNERS * RUNS_EACH, pods.size());
        for (JsonNode pod : pods) {
            assertEquals("exited", pod.get("state").asText());
            JsonNode app = pod.get("apps").get(0);
            assertEquals("exit" + app.get("exit_code").asInt(), app.get("name").asText(), pod.toString());
        }
        Map<String, Integer> started = new HashMap<>();
        Map<String, Integer> exited = new HashMap<>();
        for (JsonNode e : m.readTree(rkt.run("history", "--format=json").ok().out())) {
            String type = e.get("type").asText();
            if (type.equals("PodStarted")) {
                started.merge(e.get("data").get("pod").asText(), 1, Integer::sum);
            } else if (type.equals("PodExited")) {
                exited.merge(e.get("data").get("pod").asText(), 1, Integer::sum);
            }
        }
        assertEquals(RUNNERS * RUNS_EACH, started.size());
        assertEquals(started.keySet(), exited.keySet());
        assertTrue(started.values().stream().allMatch(n -> n == 1), started.toString());
        assertTrue(exited.values().stream().allMatch(n -> n == 1), exited.toString());
    }
}
