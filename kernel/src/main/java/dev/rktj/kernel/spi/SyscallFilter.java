package dev.rktj.kernel.spi;

import java.util.List;

/**
 * An app's seccomp isolator ({@code os/linux/seccomp-retain-set} or {@code -remove-set}) as the
 * manifest states it: the stage1 expands the groups ({@code @appc.io/all}, {@code @rkt/default-whitelist},
 * {@code @docker/default-blacklist}, ...) and knows the system calls of its host.
 *
 * @param retain true for a retain set (only these calls are allowed), false for a remove set
 * @param set system call names and {@code @scope/name} groups, as written; never empty
 * @param errno the errno name a refused call returns ({@code EPERM}), or null: the app is killed with SIGSYS
 */
public record SyscallFilter(boolean retain, List<String> set, String errno) {
    public SyscallFilter {
        set = List.copyOf(set);
        if (set.isEmpty()) {
            throw new IllegalArgumentException("a system call set needs at least one entry");
        }
        errno = errno == null || errno.isEmpty() ? null : errno;
    }
}
