package dev.rktj.kernel.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two calls extraction needs that the JDK cannot make as needed: lsetxattr(2) (the JDK
 * reaches only the {@code user.} namespace, and opens the file to do it) and utimensat(2) on the
 * path itself (the JDK sets a symlink's time with lutimes, to the microsecond, and opens a file,
 * which would block on a fifo). Neither follows a symlink nor opens what it changes.
 */
final class LinuxFiles {

    /** The namespaces Linux knows; an image's xattr outside them could never be restored. */
    static final List<String> NAMESPACES = List.of("user.", "trusted.", "security.", "system.");

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private static final int EPERM = 1;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int ENOTSUP = 95;
    private static final int EDQUOT = 122;

    private interface LibC extends Library {
        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;

        /** {@code times} is two struct timespec of 64-bit fields (atime, mtime), as on every 64-bit Linux. */
        int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;
    }

    /** Loaded on first use: loading costs start-up time, and a command that extracts nothing never pays it. */
    private static final class C {
        static final LibC LIB = Native.load("c", LibC.class);
    }

    private LinuxFiles() {}

    static void setXattr(Path path, String name, byte[] value) throws IOException {
        try {
            C.LIB.lsetxattr(cPath(path), cString(name.getBytes(StandardCharsets.UTF_8)), value, value.length, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot set xattr " + name + ": " + reason(e.getErrorCode()), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("cannot set xattr " + name + ": the C library cannot be called (" + e.getMessage() + ")", e);
        }
    }

    /** Sets the modification time to the nanosecond, leaving the access time alone. */
    static void setModifiedTime(Path path, FileTime mtime) throws IOException {
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        long[] times = {0, UTIME_OMIT, Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)};
        try {
            C.LIB.utimensat(AT_FDCWD, cPath(path), times, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw new IOException("cannot set the time of " + path + ": " + reason(e.getErrorCode()), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("cannot set the time of " + path + ": the C library cannot be called (" + e.getMessage() + ")", e);
        }
    }

    /** The bytes the JDK itself uses for this path's name. */
    private static byte[] cPath(Path path) {
        Charset charset = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        return cString(path.toString().getBytes(charset));
    }

    private static byte[] cString(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static String reason(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case E2BIG -> "value too large";
            case EINVAL -> "invalid argument";
            case ENOSPC, EDQUOT -> "no space left on device";
            case ENOTSUP -> "the store's file system does not support it";
            default -> "errno " + errno;
        };
    }
}
