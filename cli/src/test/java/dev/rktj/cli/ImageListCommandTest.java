package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.event.PodPrepared;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkt image list} in-process against a real journal: fields, sorting, sizes, JSON. */
class ImageListCommandTest {

    private static final String A = "sha512-" + "a".repeat(64);
    private static final String B = "sha512-" + "b".repeat(64);
    private static final String C = "sha512-" + "c".repeat(64);
    private static final String FPR = "0123456789ABCDEF0123456789ABCDEF01234567";

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private Result rkt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "--dir=" + dir;
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Rkt.execute(all, dir, null, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void threeImages() throws Exception {
        Map<String, String> host = Map.of("version", "1", "os", Appc.HOST_OS, "arch", Appc.HOST_ARCH);
        try (JournalSession journal = JournalSession.open(dir, null)) {
            journal.append(new ImageFetched(B, "example.com/b", host, "/b.aci", 3000, "key " + FPR + " <ops@example.com>"));
            Thread.sleep(5);
            journal.append(new ImageFetched(A, "example.com/a", Map.of(), "/a.aci", 2048, null));
            Thread.sleep(5);
            journal.append(new ImageFetched(C, "example.com/b", Map.of("version", "2", "os", Appc.HOST_OS), "/c.aci", 1000, null),
                    new PodPrepared("pod", List.of(new PodPrepared.App("a", A, "example.com/a", 5000)), "fly"),
                    new ImageRendered(C, "deps-x", 4000));
        }
    }

    @Test
    void default_rktColumnsOldestImportFirst() {
        Result r = rkt("image", "list");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("ID", "NAME", "SIZE", "IMPORT TIME", "LAST USED"), List.of(lines.get(0).split("\t+")));
        assertEquals(List.of("sha512-bbbbbbbbbbbb", "example.com/b:1", "2.9 KiB"), List.of(lines.get(1).split("\t+")).subList(0, 3));
        assertEquals(List.of("sha512-aaaaaaaaaaaa", "example.com/a", "6.9 KiB"), List.of(lines.get(2).split("\t+")).subList(0, 3));
        assertEquals(List.of("sha512-cccccccccccc", "example.com/b:2", "4.9 KiB"), List.of(lines.get(3).split("\t+")).subList(0, 3));
    }

    @Test
    void fieldsSortOrder_fullSizesInBytes() {
        Result r = rkt("image", "list", "--fields=name,size,latest,signer", "--sort=size", "--order=desc", "--full", "--no-legend");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
                List.of("example.com/a", "7048", "true", ""),
                List.of("example.com/b:2", "5000", "true", ""),
                List.of("example.com/b:1", "3000", "false", FPR.toLowerCase())),
                r.out().lines().map(l -> List.of(l.split("\t+", -1))).toList());
    }

    @Test
    void sortByNameThenImportTime() {
        Result r = rkt("image", "list", "--fields=id", "--sort=name,importtime", "--no-legend", "--full");
        assertEquals(List.of(A, B, C), r.out().lines().toList());
    }

    @Test
    void json_onlyTheAskedFields() {
        Result r = rkt("image", "list", "--format=json", "--fields=id,size,latest", "--sort=id");
        assertEquals(0, r.code(), r.err());
        assertEquals("[{\"id\":\"" + A + "\",\"size\":7048,\"latest\":true},{\"id\":\"" + B + "\",\"size\":3000,\"latest\":false},"
                + "{\"id\":\"" + C + "\",\"size\":5000,\"latest\":true}]\n", r.out());
        Result pretty = rkt("image", "list", "--format=json-pretty", "--fields=importtime", "--sort=id");
        assertTrue(pretty.out().startsWith("[\n\t{\n\t\t\"import_time\": "), pretty.out());
    }

    @Test
    void userMistakes_oneLineExit254() {
        Result bad = rkt("image", "list", "--fields=id,bogus");
        assertEquals(254, bad.code());
        assertEquals("list: invalid --fields field \"bogus\": valid fields are id, name, size, importtime, lastused, latest, signer\n", bad.err());
        assertEquals("", bad.out());
        Result sort = rkt("image", "list", "--sort=");
        assertEquals(254, sort.code());
        assertEquals(1, sort.err().lines().count(), sort.err());
        Result order = rkt("image", "list", "--order=sideways");
        assertEquals("list: invalid --order \"sideways\": must be asc or desc\n", order.err());
    }

    @Test
    void bytes_goHumanizeIBytes() {
        assertEquals("1023 B", ImageListCommand.bytes(1023));
        assertEquals("1.0 KiB", ImageListCommand.bytes(1024));
        assertEquals("1.5 KiB", ImageListCommand.bytes(1536));
        assertEquals("10 KiB", ImageListCommand.bytes(10239));
        assertEquals("12 MiB", ImageListCommand.bytes(12L * 1024 * 1024 + 300_000));
        assertEquals("10 KiB", ImageListCommand.bytes(10752), "10.5 rounds half to even, as Go's %.0f");
    }

    @Test
    void fingerprint_fortyHexOnly() {
        assertEquals(FPR.toLowerCase(), ImageListCommand.fingerprint(FPR));
        assertEquals("", ImageListCommand.fingerprint("ABCD1234 <ops@example.com>"));
        assertEquals("", ImageListCommand.fingerprint(FPR + "0"));
        assertEquals("", ImageListCommand.fingerprint(null));
    }
}
