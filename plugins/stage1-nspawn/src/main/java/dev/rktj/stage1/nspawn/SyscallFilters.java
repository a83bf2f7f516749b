package dev.rktj.stage1.nspawn;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.rktj.kernel.spi.SyscallFilter;
import dev.rktj.kernel.spi.Stage1Exception;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Owns the apps' system call filters: appc's seccomp sets with rkt's groups, expanded here and
 * compiled by the host's libseccomp (which systemd-nspawn itself links) into the classic BPF
 * program the kernel runs. {@code exec.pl} installs it as the last step before the app, so it
 * restricts the app and its handlers, never the supervisor or the chain that starts them.
 *
 * <p>Semantics (appc and rkt): a retain set allows only its calls, a remove set allows all but its
 * calls; a refused call kills the process with SIGSYS, or returns the set's {@code errno}. A retain
 * set with {@code @appc.io/all} is no filter; a remove set of {@code @appc.io/empty} alone is the
 * default filter. A retain set always allows what systemd allowed implicitly, so rkt's images keep
 * working: execve, exit, exit_group, getrlimit, rt_sigreturn, sigreturn and the calls that read
 * clocks or sleep.
 *
 * <p>An app without a seccomp isolator gets {@link #DEFAULT}: rkt's default blacklist, refused
 * calls failing with EPERM. rkt documented its default whitelist instead; that 2016 list lacks
 * calls every process of today's C library makes at start (rseq, clone3), which would kill it.
 */
final class SyscallFilters {

    /** Docker's default blacklist, which rkt named {@code @rkt/default-blacklist} too. */
    static final List<String> DEFAULT_BLACKLIST = List.of("acct", "add_key", "adjtimex", "bpf", "clock_adjtime",
            "clock_settime", "create_module", "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy",
            "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
            "mbind", "mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "perf_event_open",
            "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl", "reboot",
            "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapoff", "swapon", "sysfs", "_sysctl",
            "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old");

    /**
     * Docker's default whitelist of 2016, which rkt named {@code @rkt/default-whitelist} too, plus
     * the calls Linux added since that C libraries and runtimes make in ordinary work.
     */
    static final List<String> DEFAULT_WHITELIST = List.of("_llseek", "_newselect", "accept", "accept4", "access",
            "alarm", "arch_prctl", "bind", "brk", "capget", "capset", "chdir", "chmod", "chown", "chown32", "chroot",
            "clock_getres", "clock_gettime", "clock_nanosleep", "clone", "close", "connect", "copy_file_range", "creat",
            "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
            "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
            "faccessat", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
            "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
            "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
            "ftruncate", "ftruncate64", "futex", "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd",
            "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
            "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
            "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
            "getrusage", "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32",
            "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
            "io_destroy", "io_getevents", "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill",
            "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr",
            "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "memfd_create", "mincore", "mkdir", "mkdirat",
            "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
            "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap",
            "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep",
            "newfstatat", "open", "openat", "pause", "personality", "pipe", "pipe2", "poll", "ppoll", "prctl",
            "pread64", "preadv", "prlimit64", "pselect6", "pwrite64", "pwritev", "read", "readahead", "readlink",
            "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmsg", "remap_file_pages", "removexattr",
            "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rt_sigaction", "rt_sigpending",
            "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
            "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
            "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity",
            "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
            "semget", "semop", "semtimedop", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
            "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
            "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
            "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
            "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl",
            "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigreturn", "socket",
            "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "symlink", "symlinkat",
            "sync", "sync_file_range", "syncfs", "sysinfo", "syslog", "tee", "tgkill", "time", "timer_create",
            "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime",
            "timerfd_settime", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
            "unlinkat", "utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
            "writev",
            // added to Linux after the list was made; glibc 2.35 and later call rseq and clone3 in every process
            "clone3", "close_range", "epoll_pwait2", "faccessat2", "io_pgetevents", "membarrier", "openat2",
            "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pkey_alloc", "pkey_free", "pkey_mprotect", "preadv2",
            "pwritev2", "rseq", "statx");

    /** What systemd's SystemCallFilter= allowed in every retain set, so rkt's images relied on it. */
    private static final List<String> ALWAYS_RETAINED = List.of("execve", "exit", "exit_group", "getrlimit",
            "rt_sigreturn", "sigreturn", "clock_getres", "clock_gettime", "gettimeofday", "time", "nanosleep",
            "clock_nanosleep");

    /** An app without a seccomp isolator. */
    static final SyscallFilter DEFAULT = new SyscallFilter(false, List.of("@rkt/default-blacklist"), "EPERM");

    private static final Map<String, List<String>> GROUPS = Map.of(
            "@rkt/default-blacklist", DEFAULT_BLACKLIST,
            "@docker/default-blacklist", DEFAULT_BLACKLIST,
            "@rkt/default-whitelist", DEFAULT_WHITELIST,
            "@docker/default-whitelist", DEFAULT_WHITELIST);

    /** Linux's errno names (asm-generic, the same on x86_64 and aarch64), with glibc's aliases. */
    private static final Map<String, Integer> ERRNO = errnoNames();

    // libseccomp's actions (seccomp.h)
    private static final int ACT_KILL_PROCESS = 0x80000000;
    private static final int ACT_ALLOW = 0x7fff0000;
    private static final int ACT_ERRNO = 0x00050000;
    private static final int NR_SCMP_ERROR = -1;
    private static final int EEXIST = 17;

    /** Compiled programs by filter: the same set is compiled once per process (the agent's, for every pod). */
    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();

    private SyscallFilters() {}

    /**
     * The BPF program for the app's filter ({@code null}: the default), or null when the app is to
     * run without one (a retain set with {@code @appc.io/all}).
     */
    static byte[] program(String app, SyscallFilter filter) throws Stage1Exception {
        SyscallFilter f = filter == null ? DEFAULT : filter;
        if (f.retain() && f.set().contains("@appc.io/all")) {
            return null;
        }
        if (!f.retain() && f.set().stream().allMatch("@appc.io/empty"::equals)) {
            // rkt: removing nothing opts in to the default filter, refusing as the set says (SIGSYS without errno)
            f = new SyscallFilter(false, DEFAULT.set(), f.errno());
        }
        Integer errno = null;
        if (f.errno() != null) {
            errno = ERRNO.get(f.errno());
            if (errno == null) {
                throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": unknown errno " + f.errno()
                        + " in its seccomp isolator (as in errno(3): EPERM, ENOSYS, ...)");
            }
        }
        // which calls the user named, which came from groups: an unknown name of the user's is an error
        Set<String> named = new TreeSet<>();
        Set<String> grouped = new TreeSet<>();
        for (String entry : f.set()) {
            if (entry.equals("@appc.io/empty")) {
                continue;
            }
            if (entry.startsWith("@")) {
                List<String> group = GROUPS.get(entry);
                if (group == null) {
                    throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": unknown system call group " + entry
                            + " (stage1 nspawn knows " + String.join(", ", new TreeSet<>(GROUPS.keySet()))
                            + ", @appc.io/all and @appc.io/empty)");
                }
                grouped.addAll(group);
            } else {
                named.add(entry);
            }
        }
        if (f.retain()) {
            grouped.addAll(ALWAYS_RETAINED);
        }
        grouped.removeAll(named);
        String key = f.retain() + " " + errno + " " + named + " " + grouped;
        byte[] cached = COMPILED.get(key);
        if (cached == null) {
            cached = compile(app, f.retain(), errno, named, grouped);
            COMPILED.put(key, cached);
        }
        return cached.clone();
    }

    /** The number of prctl(2), which exec.pl calls to install the program; refuses an architecture it does not know. */
    static int prctl() throws Stage1Exception {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 157;
            case "aarch64" -> 167;
            default -> throw new Stage1Exception("stage1 nspawn: system call filters are only built for x86_64 and aarch64, not "
                    + System.getProperty("os.arch") + " (--insecure-options=seccomp runs pods without them)");
        };
    }

    private static byte[] compile(String app, boolean retain, Integer errno, Set<String> named, Set<String> grouped)
            throws Stage1Exception {
        LibSeccomp lib = Lib.load();
        int refused = errno == null ? ACT_KILL_PROCESS : ACT_ERRNO | (errno & 0xffff);
        Pointer ctx = lib.seccomp_init(retain ? refused : ACT_ALLOW);
        if (ctx == null) {
            throw new Stage1Exception("stage1 nspawn: libseccomp cannot make a system call filter");
        }
        try {
            // a 64-bit x86 process can make 32-bit (int 0x80) and x32 calls too: filter those as well
            if (lib.seccomp_arch_resolve_name("x86_64") == lib.seccomp_arch_native()) {
                for (String arch : List.of("x86", "x32")) {
                    int rc = lib.seccomp_arch_add(ctx, lib.seccomp_arch_resolve_name(arch));
                    if (rc < 0 && rc != -EEXIST) {
                        throw new Stage1Exception("stage1 nspawn: libseccomp cannot add the " + arch + " architecture (" + rc + ")");
                    }
                }
            }
            int action = retain ? ACT_ALLOW : refused;
            for (String name : named) {
                int nr = lib.seccomp_syscall_resolve_name(name);
                if (nr == NR_SCMP_ERROR) {
                    throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": unknown system call \"" + name
                            + "\" in its seccomp isolator");
                }
                int rc = lib.seccomp_rule_add_array(ctx, action, nr, 0, null);
                if (rc < 0 && rc != -EEXIST) {
                    throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": libseccomp cannot filter system call \""
                            + name + "\" (" + rc + ")");
                }
            }
            for (String name : grouped) {
                // a group names calls of every architecture and era; those this libseccomp lacks are no calls here
                int nr = lib.seccomp_syscall_resolve_name(name);
                if (nr != NR_SCMP_ERROR) {
                    lib.seccomp_rule_add_array(ctx, action, nr, 0, null);
                }
            }
            return export(lib, ctx);
        } finally {
            lib.seccomp_release(ctx);
        }
    }

    /** libseccomp writes the program to a file descriptor: a memfd's, read back. */
    private static byte[] export(LibSeccomp lib, Pointer ctx) throws Stage1Exception {
        LibC c = Lib.libc();
        int fd = c.memfd_create("rktj-seccomp", 1 /* MFD_CLOEXEC */);
        if (fd < 0) {
            throw new Stage1Exception("stage1 nspawn: cannot make a memory file for the system call filter");
        }
        try {
            int rc = lib.seccomp_export_bpf(ctx, fd);
            if (rc < 0) {
                throw new Stage1Exception("stage1 nspawn: libseccomp cannot export the system call filter (" + rc + ")");
            }
            c.lseek(fd, 0, 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long n;
            while ((n = c.read(fd, buffer, buffer.length)) > 0) {
                out.write(buffer, 0, (int) n);
            }
            if (n < 0 || out.size() == 0 || out.size() % 8 != 0) {
                throw new Stage1Exception("stage1 nspawn: the exported system call filter is unreadable");
            }
            return out.toByteArray();
        } finally {
            c.close(fd);
        }
    }

    private interface LibSeccomp extends Library {
        Pointer seccomp_init(int defaultAction);

        void seccomp_release(Pointer ctx);

        int seccomp_arch_native();

        int seccomp_arch_resolve_name(String name);

        int seccomp_arch_add(Pointer ctx, int arch);

        int seccomp_syscall_resolve_name(String name);

        /** The non-variadic twin of seccomp_rule_add, which JNA calls safely. */
        int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int argCount, Pointer args);

        int seccomp_export_bpf(Pointer ctx, int fd);
    }

    private interface LibC extends Library {
        int memfd_create(String name, int flags);

        long lseek(int fd, long offset, int whence);

        long read(int fd, byte[] buffer, long count);

        int close(int fd);
    }

    /** Loaded on first use: a pod without a filter (--insecure-options=seccomp) never loads a native library. */
    private static final class Lib {
        private static volatile LibSeccomp seccomp;
        private static volatile LibC libc;

        static LibSeccomp load() throws Stage1Exception {
            if (seccomp == null) {
                for (String name : new String[] {"libseccomp.so.2", "seccomp"}) {
                    try {
                        seccomp = Native.load(name, LibSeccomp.class);
                        break;
                    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                        // try the next name
                    }
                }
                if (seccomp == null) {
                    throw new Stage1Exception("stage1 nspawn: libseccomp cannot be loaded (install libseccomp2): system call"
                            + " filters cannot be enforced (--insecure-options=seccomp runs pods without them)");
                }
            }
            return seccomp;
        }

        static LibC libc() throws Stage1Exception {
            if (libc == null) {
                try {
                    libc = Native.load("c", LibC.class);
                } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                    throw new Stage1Exception("stage1 nspawn: the C library cannot be called: " + e.getMessage(), e);
                }
            }
            return libc;
        }
    }

    private static Map<String, Integer> errnoNames() {
        String[] names = {"EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
            "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR",
            "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE",
            "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP", null, "ENOMSG",
            "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE", "EBADR",
            "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET",
            "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG",
            "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC",
            "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE",
            "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT",
            "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET",
            "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN",
            "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO",
            "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED",
            "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"};
        Map<String, Integer> map = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                map.put(names[i], i + 1);
            }
        }
        map.put("EWOULDBLOCK", map.get("EAGAIN"));
        map.put("EDEADLOCK", map.get("EDEADLK"));
        map.put("ENOTSUP", map.get("EOPNOTSUPP"));
        return Map.copyOf(map);
    }
}
