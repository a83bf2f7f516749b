package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelConfig;
import dev.rktj.kernel.UserLog;
import dev.rktj.kernel.testing.AciBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rkt's prepare lock between real processes: image gc and image rm wait for prepares, prepares for them. */
class PrepareLockTest {

    @TempDir
    Path base;

    private static final UserLog QUIET = new UserLog() {
        @Override public void out(String line) { }
        @Override public void err(String line) { }
        @Override public void debug(String line) { }
    };

    private Process prepare(Path data, Path pod, ImageId image) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PrepareInAnotherProcess.class.getName(),
                data.toString(), pod.toString(), image.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void imageGc_whileAnotherProcessPrepares_waitsAndKeepsWhatThePodNames() throws Exception {
        Path data = Files.createDirectories(base.resolve("data"));
        try (Kernel kernel = new Kernel(new KernelConfig(data, base.resolve("etc"), base.resolve("lib"), List.of(), Set.of(), false, null), null)) {
            StoredImage used = AciBuilder.image("example.com/used").exec("/bin/app").file("bin/app", "a").importInto(kernel.store());
            StoredImage unused = AciBuilder.image("example.com/unused").exec("/bin/app").file("bin/app", "b").importInto(kernel.store());
            Path pod = data.resolve("pods/prepare/" + java.util.UUID.randomUUID());
            Process p = prepare(data, pod, used.id());
            BufferedReader from = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Writer to = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            try {
                assertEquals("locked", from.readLine());

                CompletableFuture<Boolean> gc = CompletableFuture.supplyAsync(() -> {
                    try {
                        return kernel.localImages().gc(Duration.ZERO, QUIET);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try {
                    gc.get(1500, TimeUnit.MILLISECONDS);
                    throw new AssertionError("image gc ran while a prepare held the prepare lock");
                } catch (TimeoutException expected) {
                    // waiting for the prepare
                }
                assertEquals(2, kernel.store().list().size(), "nothing removed while the prepare runs");

                to.write("go\n");
                to.flush();
                assertEquals("released", from.readLine());
                assertTrue(gc.get(60, TimeUnit.SECONDS));

                assertEquals(List.of(used.id()), kernel.store().list().stream().map(StoredImage::id).toList(),
                        "the image the pod names stays, the other goes");
                assertFalse(Files.exists(data.resolve("cas/db/images").resolve(unused.id() + ".json")));
            } finally {
                to.close();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void prepare_whileImageGcHoldsTheLock_waitsForIt() throws Exception {
        Path data = Files.createDirectories(base.resolve("data"));
        ImageStore store = ImageStore.open(data);
        Process p;
        BufferedReader from;
        try (PrepareLock exclusive = store.exclusivePrepareLock()) {
            p = prepare(data, data.resolve("pods/prepare/x"), ImageId.parse("sha512-" + "0".repeat(64)));
            from = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return from.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                line.get(1500, TimeUnit.MILLISECONDS);
                throw new AssertionError("the prepare got the lock while image gc held it");
            } catch (TimeoutException expected) {
                // waiting for gc
            }
            exclusive.close();
            assertEquals("locked", line.get(30, TimeUnit.SECONDS));
        }
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void sharedInsideExclusive_sameThread_doesNotWaitForItself() throws Exception {
        ImageStore store = ImageStore.open(Files.createDirectories(base.resolve("data")));
        try (PrepareLock exclusive = store.exclusivePrepareLock(); PrepareLock shared = store.sharedPrepareLock()) {
            assertTrue(Files.exists(base.resolve("data/locks/prepare")));
        }
        // and both are released: another exclusive holder gets it at once
        CompletableFuture<Void> again = CompletableFuture.runAsync(() -> {
            try (PrepareLock l = store.exclusivePrepareLock()) {
                // got it
            } catch (ImageException e) {
                throw new IllegalStateException(e);
            }
        });
        again.get(10, TimeUnit.SECONDS);
    }
}
