package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.event.KernelEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every {@code rkt image} command and {@code rkt cat-manifest} through bin/rkt, as rkt's own tests use them. */
class ImageCommandsIT extends PodTest {

    private String fetch(Path aci) {
        return rkt.run("fetch", "--insecure-options=image", "--full", aci.toString()).ok().out().trim();
    }

    private void refused(String expectedErr, String... args) {
        RktCli.Result r = rkt.run(args);
        assertEquals(254, r.code(), String.join(" ", args) + ": " + r.out());
        assertEquals(expectedErr + "\n", r.err(), String.join(" ", args));
    }

    @Test
    void imageCommands_idPrefixesAndNames_asRkt() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        String id = fetch(img);
        String shortId = id.substring(0, 19);

        // TestShortHash: a 12-hex prefix works everywhere; rkt's messages otherwise
        assertTrue(rkt.run("image", "cat-manifest", shortId).ok().out().contains("\t\"name\": \"example.com/zero\""));
        assertEquals(rkt.run("image", "cat-manifest", "--pretty-print=false", "example.com/zero:1.0").ok().out(),
                rkt.run("image", "cat-manifest", "--pretty-print=false", id).ok().out());
        refused("cat-manifest: image ID too short", "image", "cat-manifest", "sha512-X");
        refused("cat-manifest: no image IDs found", "image", "cat-manifest", id.startsWith("sha512-1234") ? "sha512-4321" : "sha512-12341234");
        refused("cat-manifest: cannot find aci satisfying name: \"example.com/zero\" and labels: [\"version\":\"2.0\", \"os\":\"" + Appc.HOST_OS + "\", \"arch\":\"" + Appc.HOST_ARCH + "\"] in the local store",
                "image", "cat-manifest", "example.com/zero:2.0");

        Path aci = base.resolve("out.aci");
        rkt.run("image", "export", shortId, aci.toString()).ok();
        byte[] sha = MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(aci));
        assertEquals(id, "sha512-" + HexFormat.of().formatHex(sha).substring(0, 64), "the export is the uncompressed archive");
        refused("export: output ACI file exists (try --overwrite)", "image", "export", shortId, aci.toString());
        rkt.run("image", "export", "--overwrite", "example.com/zero", aci.toString()).ok();

        Path extracted = base.resolve("extracted");
        rkt.run("image", "extract", shortId, extracted.toString()).ok();
        assertTrue(Files.isRegularFile(extracted.resolve("manifest")));
        assertTrue(Files.isExecutable(extracted.resolve("rootfs/bin/true")));
        refused("extract: output directory exists (try --overwrite)", "image", "extract", shortId, extracted.toString());
        Path rendered = base.resolve("rendered");
        rkt.run("image", "render", "--rootfs-only", "example.com/zero", rendered.toString()).ok();
        assertTrue(Files.isExecutable(rendered.resolve("bin/true")));
        assertFalse(Files.exists(rendered.resolve("manifest")));

        String table = rkt.run("image", "list", "--full", "--no-legend", "--fields=id,name,size,latest").ok().out();
        String[] row = table.trim().split("\t+");
        assertEquals(List.of(id, "example.com/zero:1.0"), List.of(row[0], row[1]));
        assertTrue(Long.parseLong(row[2]) > Files.size(aci), "SIZE counts the rendered tree too: " + table);
        assertEquals("true", row[3]);

        // TestImagePrepareRmNameRun, the rktj way: the image of a prepared pod stays until the pod goes
        String uuid = rkt.run("prepare", "--insecure-options=image", img.toString()).ok().out().trim();
        assertTrue(rkt.run("cat-manifest", uuid.substring(0, 8)).ok().out().contains("\"id\": \"" + id + "\""));
        refused("rm: error removing aci for image \"" + id + "\" (\"example.com/zero\"): it is needed by prepared pod \"" + uuid
                + "\"; remove the pod first", "image", "rm", "example.com/zero");
        assertEquals(0, rkt.run("run-prepared", uuid).code());
        rkt.run("rm", uuid).ok();

        RktCli.Result rm = rkt.run("image", "rm", shortId, "example.com/zero", "sha512-X");
        assertEquals(254, rm.code(), rm.err());
        assertEquals("successfully removed aci for image: \"" + id + "\"\n", rm.out());
        assertEquals("rm: image ID too short\nrm: 1 image(s) successfully removed\nrm: 1 image(s) cannot be removed\n", rm.err());
        assertEquals("", rkt.run("image", "list", "--no-legend").ok().out());
        try (var trees = Files.list(rkt.dataDir.resolve("cas/tree"))) {
            assertEquals(0, trees.count());
        }
        String history = rkt.run("history").ok().out();
        assertTrue(history.contains("\tImageRendered\t" + id) && history.contains("\tImageRemoved\t" + id), history);
        refused("rm: no image IDs found", "image", "rm", shortId);
    }

    /**
     * 1,000 images cost the agent a few milliseconds (docs/benchmarks.md); what a command takes end to
     * end is mostly the command JVM's start-up, which on this shared machine varies with the load of
     * other builds. So the measure is against {@code rkt list} through the same agent, runs interleaved,
     * best of 20:
     * the 1,000 rows may add at most 25 ms (on a quiet machine list takes ~140 ms, image list stays
     * under 150 ms then, and the absolute numbers are printed).
     */
    @Test
    void imageList_thousandImages_answeredThroughTheAgentAtTheCostOfList() throws Exception {
        List<KernelEvent> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String hex = String.format("%064x", i + 1);
            events.add(new ImageFetched("sha512-" + hex, "example.com/app" + (i % 10), Map.of("version", Integer.toString(i)),
                    "/images/" + i + ".aci", 1024L * i, null));
        }
        try (JournalSession journal = JournalSession.open(rkt.dataDir, null)) {
            journal.append(events.toArray(KernelEvent[]::new));
        }
        // the first command starts the agent and folds the view
        assertEquals(1001, rkt.run("image", "list").ok().out().lines().count());
        long best = Long.MAX_VALUE;
        long baseline = Long.MAX_VALUE;
        // 20 rounds: an agent serves many commands in its life, and its JIT needs a few to warm up
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            rkt.run("list").ok();
            baseline = Math.min(baseline, (System.nanoTime() - start) / 1_000_000);
            start = System.nanoTime();
            RktCli.Result r = rkt.run("image", "list", "--sort=name,size", "--fields=id,name,size,latest");
            best = Math.min(best, (System.nanoTime() - start) / 1_000_000);
            assertEquals(1001, r.ok().out().lines().count());
        }
        assertFalse(rkt.agents().isEmpty(), "answered by the journal agent");
        System.out.println("image list, 1,000 images: " + best + " ms at best; list (no pods): " + baseline + " ms");
        assertTrue(best <= baseline + 25, "image list of 1,000 images took " + best + " ms at best, list " + baseline + " ms");
    }
}
