package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pod's whole life through the real CLI and the fly stage1, and what the journal says of it. */
class LifecycleIT extends PodTest {

    @Test
    void lifecycle_flyPod_everyTransitionListedAndRecorded() throws Exception {
        Path three = TestImages.aci(base, "example.com/three", List.of("/bin/sh", "-c", "echo from-three; exit 3"));
        Path zero = TestImages.aci(base, "example.com/zero", List.of("/bin/echo", "hello"));

        RktCli.Result fetched = rkt.run("fetch", "--insecure-options=image", three.toString()).ok();
        assertTrue(fetched.out().matches("sha512-[0-9a-f]{32}\n"), fetched.out());
        RktCli.Result full = rkt.run("fetch", "--insecure-options=image", "--full", three.toString()).ok();
        assertTrue(full.out().matches("sha512-[0-9a-f]{64}\n"), full.out());
        assertTrue(full.out().startsWith(fetched.out().trim()));

        RktCli.Result prepared = rkt.run("prepare", "--insecure-options=image", three.toString()).ok();
        assertTrue(prepared.out().matches("[0-9a-f-]{36}\n"), "prepare prints only the UUID: " + prepared.out());
        String uuid = prepared.out().trim();

        RktCli.Result list = rkt.run("list").ok();
        assertTrue(list.out().startsWith("UUID\t"), list.out());
        assertTrue(list.out().contains(uuid.substring(0, 8) + "\tthree\texample.com/three:1.0\tprepared\t"), list.out());
        assertEquals("state=prepared\n", firstLine(rkt.run("status", uuid).ok().out()));

        RktCli.Result ran = rkt.run("run-prepared", uuid.substring(0, 10));
        assertEquals(3, ran.code(), ran.err());
        assertEquals("from-three\n", ran.out());

        String status = rkt.run("status", uuid).ok().out();
        assertTrue(status.startsWith("state=exited\ncreated="), status);
        assertTrue(status.contains("\nstarted="), status);
        assertTrue(status.contains("\nexited=true\n"), status);
        assertTrue(status.contains("\napp-three=3\n"), status);

        RktCli.Result run0 = rkt.run("run", "--insecure-options=image", zero.toString());
        assertEquals(0, run0.code(), run0.err());
        assertEquals("hello\n", run0.out());

        RktCli.Result full2 = rkt.run("list", "--full", "--no-legend").ok();
        String[] rows = full2.out().split("\n");
        assertEquals(2, rows.length, full2.out());
        for (String row : rows) {
            String[] cells = row.split("\t+");
            assertTrue(cells[0].matches("[0-9a-f-]{36}"), row);
            assertTrue(cells[3].matches("sha512-[0-9a-f]{12}"), row);
            assertEquals("exited", cells[4], row);
        }

        JsonNode json = new ObjectMapper().readTree(rkt.run("list", "--format=json").ok().out());
        assertEquals(2, json.size());
        for (JsonNode pod : json) {
            assertEquals("exited", pod.get("state").asText());
            assertTrue(pod.get("created_at").asLong() > 1_700_000_000L, "seconds");
        }

        rkt.run("gc", "--grace-period=0").ok();
        assertEquals("", rkt.run("list", "--no-legend").ok().out());
        assertEquals("UUID\tAPP\tIMAGE NAME\tSTATE\tCREATED\tSTARTED\tNETWORKS\n", rkt.run("list").ok().out());

        List<String> types = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(rkt.run("history", "--format=json", uuid).ok().out())) {
            types.add(e.get("type").asText());
            assertEquals(uuid, e.get("data").get("pod").asText());
        }
        assertEquals(List.of("PodPrepared", "PodStarted", "AppExited", "PodExited", "PodGarbageMarked", "PodGarbageCollected"), types);
        String text = rkt.run("history", uuid.substring(0, 8)).ok().out();
        assertTrue(text.startsWith("SEQ\t"), text);
        assertTrue(text.contains("PodGarbageCollected"), text);
    }

    @Test
    void status_unknownUuid_oneLineAndExit254() throws Exception {
        RktCli.Result r = rkt.run("status", "1234567890abcdef");
        assertEquals(254, r.code());
        assertEquals("status: no matches found for \"1234567890abcdef\"\n", r.err());
        RktCli.Result empty = rkt.run("rm", "");
        assertEquals(254, empty.code());
        assertTrue(empty.err().contains("UUID cannot be empty"), empty.err());
    }

    @Test
    void run_unsignedWithoutInsecureImage_refusedAndNothingRecorded() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        RktCli.Result r = rkt.run("run", img.toString());
        assertEquals(254, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("run: error opening signature file: open " + img + ".asc: "), r.err());
        assertTrue(r.err().contains("--insecure-options=image"), r.err());
        assertEquals("", rkt.run("history", "--no-legend").ok().out());
    }

    @Test
    void run_userMistakes_oneLineAndNoTrace() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        List<String[]> mistakes = List.of(
                new String[] {"run", "--insecure-options=image", "--bogus", img.toString()},
                new String[] {"run", "--insecure-options=image", img.toString(), "--working-dir=/nope"},
                new String[] {"run", "--insecure-options=image", img.toString(), "--user=nobody-here"},
                new String[] {"run", "--insecure-options=image", img.toString(), "--exec=/bin/missing"},
                new String[] {"run", "--insecure-options=image", img.toString(), "--name=Bad_Name"},
                new String[] {"run", "--insecure-options=image", "--stage1-name=warp", img.toString()},
                new String[] {"run", "--insecure-options=image", base.resolve("missing.aci").toString()},
                new String[] {"run-prepared", "ffffffff"},
                new String[] {"gc", "--grace-period=soon"});
        rkt.run("fetch", "--insecure-options=image", img.toString()).ok();
        String historyBefore = rkt.run("history", "--format=json").ok().out();
        for (String[] m : mistakes) {
            RktCli.Result r = rkt.run(m);
            assertEquals(254, r.code(), String.join(" ", m) + " -> " + r.err());
            assertEquals(1, r.err().lines().count(), String.join(" ", m) + " -> " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertEquals(historyBefore, rkt.run("history", "--format=json").ok().out());
        rkt.assertNoPodDirectories();
    }

    @Test
    void run_asUnprivilegedUser_refused() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(rkt.command("run", "--insecure-options=image", "/nonexistent.aci"));
        RktCli.Result r = RktCli.exec(cmd);
        assertEquals(254, r.code(), r.err());
        assertEquals("run: cannot run as unprivileged user\n", r.err());
    }

    private static String firstLine(String s) {
        return s.substring(0, s.indexOf('\n') + 1);
    }
}
