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
     * 1,000 images listed, sorted and cut to the asked fields by the journal agent. How long it takes
     * is a benchmark's question, not a test's (`bench/images.sh`, docs/benchmarks.md): on this shared
     * machine a timed assertion measures the other builds' load.
     */
    @Test
    void imageList_thousandImages_answeredThroughTheAgent() throws Exception {
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
        List<String> rows = rkt.run("image", "list", "--sort=name,size", "--fields=name,size", "--full", "--no-legend")
                .ok().out().lines().toList();
        assertEquals(1000, rows.size());
        // by name, then by size within a name: app0 holds images 0, 10, 20, ... of 0, 10 KiB, 20 KiB, ...
        assertEquals(List.of("example.com/app0:0", "0"), List.of(rows.get(0).split("\t+")));
        assertEquals(List.of("example.com/app0:10", Long.toString(10 * 1024L)), List.of(rows.get(1).split("\t+")));
        assertEquals(List.of("example.com/app9:999", Long.toString(999 * 1024L)), List.of(rows.get(999).split("\t+")));
        assertFalse(rkt.agents().isEmpty(), "answered by the journal agent");
    }
}
