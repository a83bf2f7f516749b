package dev.rktj.kernel.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod lock seen through /proc/locks: stage0's POSIX lock and a stage1's flock both count. */
class PodLockTest {

    @TempDir
    Path pod;

    @Test
    void isLocked_whileThisProcessHoldsIt_trueThenFalse() throws Exception {
        try (PodLock lock = PodLock.create(pod)) {
            assertTrue(PodLock.isLocked(pod));
            assertNull(PodLock.tryAcquire(pod), "a second holder in the same process is refused");
        }
        assertFalse(PodLock.isLocked(pod));
        try (PodLock again = PodLock.tryAcquire(pod)) {
            assertNotNull(again);
        }
    }

    @Test
    void tryAcquire_whileAnotherProcessHoldsAFlock_refused() throws Exception {
        PodLock.create(pod).close();
        Process holder = new ProcessBuilder("flock", "-x", pod.resolve(PodLock.FILE).toString(), "sleep", "30").start();
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!PodLock.isLocked(pod) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(PodLock.isLocked(pod), "flock(1)'s lock is seen");
            assertNull(PodLock.tryAcquire(pod), "a POSIX lock would not exclude the flock: the kernel must still say no");
        } finally {
            // flock's child inherits the locked descriptor: the lock goes only when both are gone
            java.util.List<ProcessHandle> children = holder.descendants().toList();
            children.forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        assertFalse(PodLock.isLocked(pod));
    }

    @Test
    void watch_handOver_thePodIsNeverFree() throws Exception {
        PodLock stage0 = PodLock.create(pod);
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WatchInAnotherProcess.class.getName(), pod.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            // the client's byte 1 does not wait for stage0's byte 0
            assertEquals("locked", out.readLine());
            stage0.close();
            assertTrue(PodLock.isLocked(pod), "the client's lock is seen");
            assertNull(PodLock.tryAcquire(pod), "handed over, the pod is still held: a reconciler must not take it");
            client.getOutputStream().close();
            assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        } finally {
            client.destroyForcibly();
        }
        try (PodLock free = PodLock.tryAcquire(pod)) {
            assertNotNull(free, "free once the client has let go");
        }
    }

    @Test
    void tryAcquire_noLockFile_null() throws Exception {
        assertNull(PodLock.tryAcquire(pod));
        assertFalse(PodLock.isLocked(pod));
    }
}
