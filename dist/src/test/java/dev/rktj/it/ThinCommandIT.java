package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rktj.kernel.testing.AciBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code rkt fetch} and {@code rkt prepare} with the journal agent up: the agent runs them
 * (ThinCommand), the command's JVM only relays; what the user sees and what the store and journal
 * hold are as without it. More refusals run both ways in TrustIT, AciFixturesIT and HttpsIT.
 */
class ThinCommandIT extends PodTest {

    @Test
    void fetch_agentUp_theAgentImportsAndRecordsIt_asTheCommandWouldHave() throws Exception {
        Path img = TestImages.aci(base, "example.com/thin", List.of("/bin/true"));
        long agent = rkt.startAgent();

        RktCli.Result thin = rkt.runThin("fetch", "--insecure-options=image", "--full", img.toString()).ok();

        assertTrue(thin.out().matches("sha512-[0-9a-f]{64}\n"), thin.out());
        assertEquals("", thin.err());
        assertEquals(List.of(agent), fetchWriters(), "the agent imported and recorded it");
        // the same command in its own JVM (the file unchanged: answered from the store) prints the same
        assertEquals(thin, rkt.runInProcess("fetch", "--insecure-options=image", "--full", img.toString()));
        assertEquals(2, fetchWriters().size());
        assertNotEquals(agent, fetchWriters().get(1));
    }

    @Test
    void fetch_relativeImageAndDataDir_resolvedInTheClientsDirectory() throws Exception {
        TestImages.aci(base, "example.com/rel", List.of("/bin/true"));
        long agent = rkt.startAgent();
        List<String> cmd = List.of(RktCli.BIN.toString(), "--dir=data", "--insecure-options=image", "fetch", "./example.com_rel.aci");

        RktCli.Result r = RktCli.exec(cmd, null, java.util.Map.of("RKTJ_THIN", "required"), base);

        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(agent), fetchWriters(), "served by the agent");
    }

    @Test
    void fetch_clientKilledMidImport_agentAbandonsItAndStoresNothing() throws Exception {
        byte[] blob = new byte[8 << 20];
        new Random(7).nextBytes(blob);
        byte[] aci = Files.readAllBytes(AciBuilder.image("example.com/big").file("/blob", blob, 0644)
                .writeTo(base.resolve("big.aci")));
        Path fifo = base.resolve("pipe.aci");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        long agent = rkt.startAgent();
        ProcessBuilder thin = new ProcessBuilder(rkt.command("--insecure-options=image", "fetch", fifo.toString()))
                .redirectErrorStream(true).redirectOutput(base.resolve("client.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        thin.environment().put("RKTJ_THIN", "required");
        Process client = thin.start();
        // the agent opens the pipe: the write blocks until then
        CompletableFuture<OutputStream> opened = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream pipe = opened.get(60, TimeUnit.SECONDS)) {
            int half = aci.length / 2;
            pipe.write(aci, 0, half); // returns once the agent has read nearly all of it
            pipe.flush();

            client.destroyForcibly().waitFor();

            // the rest would complete a valid image; the agent has stopped reading and closed the pipe
            IOException broken = assertThrows(IOException.class, () -> {
                for (int at = half; at < aci.length; at += 1 << 16) {
                    pipe.write(aci, at, Math.min(1 << 16, aci.length - at));
                    pipe.flush();
                }
            });
            assertTrue(String.valueOf(broken.getMessage()).contains("Broken pipe"), String.valueOf(broken));
        } catch (IOException e) {
            // closing a pipe nobody reads
        }
        assertEquals(List.of(0L, 0L), List.of(files("cas/blob"), files("cas/tmp")), "nothing stored, nothing left staged");
        assertEquals(List.of(), fetchWriters());
        assertEquals(List.of(agent), rkt.agents(), "the agent lives on");
        assertTrue(rkt.runThin("--insecure-options=image", "fetch", base.resolve("big.aci").toString()).ok().out().startsWith("sha512-"));
    }

    @Test
    void fetch_fileOnlyInTheClientsMountNamespace_theAgentDeclinesAndTheCommandFetchesItself() throws Exception {
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        Assumptions.assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/unshare")),
                "needs root and util-linux unshare to mount in a private mount namespace");
        Path img = TestImages.aci(base, "example.com/hidden", List.of("/bin/true"));
        Path hidden = Files.createDirectory(base.resolve("hidden"));
        long agent = rkt.startAgent();
        String inNamespace = "mount -t tmpfs tmpfs '" + hidden + "' && cp '" + img + "' '" + hidden + "/x.aci' && exec \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", inNamespace, "sh"));
        cmd.addAll(rkt.command("--insecure-options=image", "fetch", hidden + "/x.aci"));

        RktCli.Result required = RktCli.exec(cmd, null, java.util.Map.of("RKTJ_THIN", "required"));
        assertEquals(254, required.code(), required.err());
        assertTrue(required.err().contains("the journal agent did not run this command"), required.err());

        RktCli.Result r = RktCli.exec(cmd).ok();
        assertTrue(r.out().startsWith("sha512-"), r.out());
        assertEquals(1, fetchWriters().size());
        assertNotEquals(agent, fetchWriters().get(0), "fetched by the command itself");
        try (Stream<Path> s = Files.list(hidden)) {
            assertEquals(0, s.count(), "the mount was private to the command");
        }
    }

    @Test
    void prepare_agentUp_theAgentPreparesThePodAndTheCommandPrintsItsUuid() throws Exception {
        Path img = TestImages.aci(base, "example.com/prep", List.of("/bin/true"));
        long agent = rkt.startAgent();
        Path uuidFile = base.resolve("uuid");

        RktCli.Result r = rkt.runThin("prepare", "--insecure-options=image", "--uuid-file-save=" + uuidFile, img.toString()).ok();

        assertTrue(r.out().matches("[0-9a-f-]{36}\n"), r.out());
        assertEquals("", r.err());
        assertEquals(r.out().trim(), Files.readString(uuidFile).trim());
        assertEquals(List.of(agent), writers("PodPrepared"));
        assertEquals("state=prepared\n", rkt.run("status", r.out().trim()).ok().out().lines().findFirst().orElse("") + "\n");
    }

    @Test
    void prepare_userMistakes_sameWordsInTheCommandAndThroughTheAgent_noTrace() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        rkt.runThin("fetch", "--insecure-options=image", img.toString()).ok();
        String history = rkt.run("history", "--format=json").ok().out();
        List<String[]> mistakes = List.of(
                new String[] {"prepare", "--insecure-options=image", "--bogus", img.toString()},
                new String[] {"prepare", "--insecure-options=image", img.toString(), "--working-dir=/nope"},
                new String[] {"prepare", "--insecure-options=image", img.toString(), "--user=nobody-here"},
                new String[] {"prepare", "--insecure-options=image", img.toString(), "--exec=/bin/missing"},
                new String[] {"prepare", "--insecure-options=image", img.toString(), "--name=Bad_Name"},
                new String[] {"prepare", "--insecure-options=image", img.toString(), img.toString()},
                new String[] {"prepare", "--insecure-options=image", "--stage1-name=warp", img.toString()},
                new String[] {"prepare", "--insecure-options=image", base.resolve("missing.aci").toString()},
                new String[] {"prepare", img.toString()});
        for (String[] m : mistakes) {
            RktCli.Result r = rkt.runBothWays(m);
            assertEquals(254, r.code(), String.join(" ", m) + " -> " + r.err());
            assertEquals(1, r.err().lines().count(), String.join(" ", m) + " -> " + r.err());
            assertTrue(r.err().startsWith("prepare: "), r.err());
        }
        assertEquals(history, rkt.run("history", "--format=json").ok().out());
        rkt.assertNoPodDirectories();
    }

    /** The writer pid of each ImageFetched event, in order. */
    private List<Long> fetchWriters() throws IOException {
        return writers("ImageFetched");
    }

    /** The writer pid of each event of {@code type}, in order. */
    private List<Long> writers(String type) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(rkt.run("history", "--format=json").ok().out())) {
            if (e.get("type").asText().equals(type)) {
                pids.add(e.get("writer").get("pid").asLong());
            }
        }
        return pids;
    }

    private long files(String dir) throws IOException {
        try (Stream<Path> s = Files.walk(rkt.dataDir.resolve(dir))) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
