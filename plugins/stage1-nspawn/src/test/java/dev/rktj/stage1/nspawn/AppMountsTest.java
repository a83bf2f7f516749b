package dev.rktj.stage1.nspawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fstab the supervisor mounts for every app. */
class AppMountsTest {

    @Test
    void fstab_insecurePaths_holdsOnlyTheAppsFileSystems() {
        AppMounts mounts = new AppMounts();
        mounts.add("web", false);

        assertEquals(List.of(
                "/dev /opt/stage2/web/rootfs/dev none rbind 0 0",
                "/proc /opt/stage2/web/rootfs/proc none rbind 0 0",
                "/sys /opt/stage2/web/rootfs/sys none rbind 0 0",
                "tmpfs /opt/stage2/web/rootfs/tmp tmpfs mode=1777,nosuid,nodev 0 0"), mounts.fstab().lines().toList());
    }

    @Test
    void fstab_protectedPaths_comeAfterTheFileSystemsTheyAreIn() {
        AppMounts mounts = new AppMounts();
        mounts.add("web", true);
        List<String> lines = mounts.fstab().lines().toList();

        assertTrue(lines.size() > 4, "this host has some of rkt's kernel paths: " + lines);
        assertTrue(lines.subList(4, lines.size()).stream().allMatch(l -> l.contains(" /opt/stage2/web/rootfs/proc/")
                || l.contains(" /opt/stage2/web/rootfs/sys/")), lines.toString());
        assertTrue(lines.contains("/proc/bus /opt/stage2/web/rootfs/proc/bus none bind,ro 0 0"), lines.toString());
    }
}
