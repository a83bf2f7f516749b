package dev.rktj.kernel.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Sets extended attributes with lsetxattr(2): on the path itself, never through a symlink, and
 * without opening the file (which a fifo or a mode-0 file would not allow). The JDK's own view
 * reaches only the {@code user.} namespace and opens the file.
 */
final class Xattrs {

    /** The namespaces Linux knows; an image's xattr outside them could never be restored. */
    static final List<String> NAMESPACES = List.of("user.", "trusted.", "security.", "system.");

    private static final int EPERM = 1;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final int ENOTSUP = 95;

    private interface LibC extends Library {
        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;
    }

    /** Loaded on first use: most images carry no xattrs, and loading costs start-up time. */
    private static final class Native0 {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    private Xattrs() {}

    static void set(Path path, String name, byte[] value) throws IOException {
        // the bytes the JDK itself uses for this path's name
        Charset pathCharset = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        try {
            Native0.LIBC.lsetxattr(cString(path.toString().getBytes(pathCharset)), cString(name.getBytes(StandardCharsets.UTF_8)),
                    value, value.length, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot set xattr " + name + ": " + reason(e.getErrorCode()), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("cannot set xattr " + name + ": the C library cannot be called (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] cString(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static String reason(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case E2BIG -> "value too large";
            case EINVAL -> "invalid name or value";
            case ENOSPC, EDQUOT -> "no space left on device";
            case ENOTSUP -> "the store's file system does not support it";
            default -> "errno " + errno;
        };
    }
}
