package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.AciBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image store through {@code bin/rkt}: images that depend on others, and fetches racing each other. */
class ImageStoreIT extends PodTest {

    /** An app with only its own files, running a shell its dependency brings. */
    private Path appOnBase() {
        return AciBuilder.image("example.com/app").dependency("example.com/base", "version=1.0")
                .exec("/bin/sh", "-c", "cat /etc/greeting; echo shell from base")
                .file("etc/greeting", "hello from app\n")
                .writeTo(base.resolve("app.aci"));
    }

    @Test
    void run_imageWithADependency_runsOnTheDependencysFiles() throws Exception {
        Path baseImage = TestImages.aci(base, "example.com/base", List.of("/bin/true"));
        rkt.run("fetch", "--insecure-options=image", baseImage.toString()).ok();

        RktCli.Result r = rkt.run("run", "--insecure-options=image", appOnBase().toString());

        assertEquals(0, r.code(), r.err());
        assertEquals("hello from app\nshell from base\n", r.out());
    }

    @Test
    void run_dependencyNotFetched_oneLineNamingItAndNoPod() throws Exception {
        RktCli.Result r = rkt.run("run", "--insecure-options=image", appOnBase().toString());

        assertEquals(254, r.code(), r.out());
        assertEquals("run: dependency \"example.com/base,version=1.0\" of image \"example.com/app\" is not in the store (fetch it first)\n",
                r.err());
        assertEquals("", rkt.run("list", "--no-legend").ok().out());
    }

    /** Through the agent, the four fetches are four threads of one process; otherwise four processes. */
    @ParameterizedTest(name = "through the agent: {0}")
    @ValueSource(booleans = {false, true})
    void fetch_sameImageFromFourProcessesAtOnce_storedOnce(boolean thin) throws Exception {
        Path aci = TestImages.aci(base, "example.com/shared", List.of("/bin/true"));
        if (thin) {
            rkt.startAgent();
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<RktCli.Result>> fetches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fetches.add(pool.submit(() -> thin ? rkt.runThin("fetch", "--insecure-options=image", aci.toString())
                    : rkt.runInProcess("fetch", "--insecure-options=image", aci.toString())));
        }
        List<String> ids = new ArrayList<>();
        for (Future<RktCli.Result> f : fetches) {
            ids.add(f.get(5, TimeUnit.MINUTES).ok().out());
        }
        pool.shutdown();

        assertEquals(1, ids.stream().distinct().count(), ids.toString());
        assertTrue(ids.get(0).matches("sha512-[0-9a-f]{32}\n"), ids.get(0));
        // one blob, one image record, one record of the file it came from, nothing left staged
        assertEquals(List.of(1L, 1L, 1L, 0L), List.of(files("cas/blob"), files("cas/db/images"), files("cas/db/files"), files("cas/tmp")));
        assertEquals(2, rkt.run("image", "list").ok().out().lines().count());
    }

    private long files(String dir) throws Exception {
        try (Stream<Path> s = Files.walk(rkt.dataDir.resolve(dir))) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
