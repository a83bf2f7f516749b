package dev.rktj.stage1.fly;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static final List<String> MOUNTINFO = List.of(
            "22 27 0:21 / /proc rw,relatime - proc proc rw",
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "90 27 0:50 / /var/lib/rkt/pods/run/a\\040b/rootfs rw - overlay overlay rw",
            "91 27 0:51 / /var/lib/rkt/pods/run/ab rw - tmpfs tmpfs rw");

    @Test
    void mountPointsUnder_escapedSpace_isFoundUnescaped() {
        assertEquals(List.of("/var/lib/rkt/pods/run/a b/rootfs"),
                MountTable.mountPointsUnder(Path.of("/var/lib/rkt/pods/run/a b"), MOUNTINFO));
    }

    @Test
    void mountPointsUnder_siblingWithTheSamePrefix_isNotUnder() {
        assertEquals(List.of(), MountTable.mountPointsUnder(Path.of("/var/lib/rkt/pods/run/a"), MOUNTINFO));
    }

    @Test
    void mountPointsUnder_theDirectoryItself_counts() {
        assertEquals(List.of("/var/lib/rkt/pods/run/ab"),
                MountTable.mountPointsUnder(Path.of("/var/lib/rkt/pods/run/ab"), MOUNTINFO));
    }
}
