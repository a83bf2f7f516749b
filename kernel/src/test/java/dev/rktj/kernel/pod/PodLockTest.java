package dev.rktj.kernel.pod;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            holder.descendants().forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(PodLock.isLocked(pod));
    }

    @Test
    void tryAcquire_noLockFile_null() throws Exception {
        assertNull(PodLock.tryAcquire(pod));
        assertFalse(PodLock.isLocked(pod));
    }
}
