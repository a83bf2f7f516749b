package dev.rktj.stage1.nspawn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.spi.SyscallFilter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filters compiled by the host's libseccomp (a dependency of systemd-nspawn itself). */
class SyscallFiltersTest {

    @Test
    void program_retainAll_isNoFilter() throws Exception {
        assertNull(SyscallFilters.program("a", new SyscallFilter(true, List.of("@appc.io/all", "read"), null)));
    }

    @Test
    void program_noIsolator_isTheDefaultBlacklistWithEperm() throws Exception {
        byte[] program = SyscallFilters.program("a", null);

        assertNotNull(program);
        assertEquals(0, program.length % 8, "whole BPF instructions");
        assertArrayEquals(program, SyscallFilters.program("a", SyscallFilters.DEFAULT));
    }

    @Test
    void program_removeNothing_isTheDefaultListRefusedAsTheSetSays() throws Exception {
        byte[] empty = SyscallFilters.program("a", new SyscallFilter(false, List.of("@appc.io/empty"), null));

        assertArrayEquals(SyscallFilters.program("a", new SyscallFilter(false, List.of("@rkt/default-blacklist"), null)), empty);
        assertFalse(Arrays.equals(SyscallFilters.program("a", null), empty), "SIGSYS, not the default's EPERM");
    }

    @Test
    void program_groupsOfRktAndDocker_areTheSameLists() throws Exception {
        assertArrayEquals(SyscallFilters.program("a", new SyscallFilter(true, List.of("@rkt/default-whitelist"), "EPERM")),
                SyscallFilters.program("a", new SyscallFilter(true, List.of("@docker/default-whitelist"), "EPERM")));
    }

    @Test
    void program_errnoChangesTheProgram() throws Exception {
        byte[] sigsys = SyscallFilters.program("a", new SyscallFilter(false, List.of("umount2"), null));
        byte[] enotsup = SyscallFilters.program("a", new SyscallFilter(false, List.of("umount2"), "ENOTSUP"));

        assertFalse(Arrays.equals(sigsys, enotsup));
        assertTrue(SyscallFilters.DEFAULT_BLACKLIST.contains("umount2") && SyscallFilters.DEFAULT_WHITELIST.contains("rseq"));
    }
}
