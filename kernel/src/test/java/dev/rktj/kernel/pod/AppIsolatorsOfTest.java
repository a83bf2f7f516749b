package dev.rktj.kernel.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rktj.kernel.appc.Isolator;
import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.SyscallFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's translation of an app's appc isolators into what a stage1 enforces. */
class AppIsolatorsOfTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void translate_cpuLimits_becomeThousandthsOfACpu() throws Exception {
        assertEquals(500L, of("resource/cpu", "{\"limit\":\"500m\"}").cpuMillis());
        assertEquals(2000L, of("resource/cpu", "{\"limit\":2}").cpuMillis());
        assertEquals(300L, of("resource/cpu", "{\"limit\":\"0.3\"}").cpuMillis());
        assertEquals(1L, of("resource/cpu", "{\"limit\":\"0.0001\"}").cpuMillis(), "rounded up, never to no limit");
        assertEquals(250L, of("resource/cpu", "{\"request\":\"250m\"}").cpuMillis(), "the request stands for the limit");
        assertNull(of("resource/cpu", "{}").cpuMillis());
    }

    @Test
    void translate_cpuSharesAndMemory() throws Exception {
        assertEquals(512L, of("os/linux/cpu-shares", "512").cpuShares());
        assertEquals(128L << 20, of("resource/memory", "{\"limit\":\"128Mi\"}").memoryLimit());
    }

    @Test
    void translate_seccompSets_keepTheirNamesGroupsAndErrno() throws Exception {
        assertEquals(new SyscallFilter(false, List.of("@docker/default-blacklist", "umount2"), "ENOTSUP"),
                of("os/linux/seccomp-remove-set", "{\"set\":[\"@docker/default-blacklist\",\"umount2\"],\"errno\":\"ENOTSUP\"}").syscalls());
        assertEquals(new SyscallFilter(true, List.of("@appc.io/all"), null),
                of("os/linux/seccomp-retain-set", "{\"set\":[\"@appc.io/all\"],\"errno\":\"\"}").syscalls());
        assertNull(of("os/linux/no-new-privileges", "true").syscalls());
    }

    @Test
    void translate_isolatorsItDoesNotKnow_arePassedOnByName() throws Exception {
        assertEquals(List.of("os/linux/oom-score-adj"), of("os/linux/oom-score-adj", "-100").others());
    }

    @Test
    void translate_cpuLimitOutOfRange_isOneLine() {
        PodException e = assertThrows(PodException.class, () -> of("resource/cpu", "{\"limit\":\"1E\"}"));
        assertEquals("app \"a\": resource/cpu limit \"1E\" is not a number of thousandths of a CPU rktj can use", e.getMessage());
    }

    private static AppIsolators of(String name, String value) throws Exception {
        return AppIsolatorsOf.translate("a", List.of(new Isolator(name, JSON.readTree(value))));
    }
}
