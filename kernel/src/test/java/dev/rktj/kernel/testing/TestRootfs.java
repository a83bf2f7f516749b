package dev.rktj.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a small runnable rootfs from the host's own binaries, so stage1 tests run real apps with
 * no image registry and no network.
 *
 * <p>Each binary and every shared library {@code ldd} lists for it (the dynamic loader included)
 * is copied to the same path under the rootfs, following symlinks, so the loader path baked into
 * the binaries resolves inside the rootfs.
 */
public final class TestRootfs {

    /** {@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)} or {@code /lib64/ld-linux-x86-64.so.2 (0x...)} */
    private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x[0-9a-fA-F]+\\)");

    private TestRootfs() {}

    /**
     * Copies {@code hostBinaries} (absolute paths such as {@code /bin/sh}, {@code /usr/bin/id}) and
     * their libraries into {@code dir}; adds {@code /tmp} (1777), {@code /etc/passwd} and
     * {@code /etc/group} with {@code root} (0) and {@code user} (1000), and empty {@code /proc},
     * {@code /sys} and {@code /dev}. Returns {@code dir}.
     */
    public static Path build(Path dir, String... hostBinaries) {
        try {
            Files.createDirectories(dir);
            Set<String> files = new LinkedHashSet<>();
            for (String binary : hostBinaries) {
                if (!binary.startsWith("/")) {
                    throw new IllegalArgumentException("host binary must be an absolute path: " + binary);
                }
                files.add(binary);
                files.addAll(sharedLibraries(binary));
            }
            for (String file : files) {
                copyFollowingLinks(Path.of(file), dir);
            }
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            // the sticky bit is beyond PosixFilePermissions; the unix view sets the whole mode
            Files.setAttribute(tmp, "unix:mode", 01777);
            for (String empty : List.of("proc", "sys", "dev")) {
                Files.createDirectories(dir.resolve(empty));
            }
            Path etc = Files.createDirectories(dir.resolve("etc"));
            Files.writeString(etc.resolve("passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n",
                    StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("group"), "root:x:0:\nuser:x:1000:\n", StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build test rootfs in " + dir, e);
        }
    }

    private static List<String> sharedLibraries(String binary) throws IOException {
        Process ldd = new ProcessBuilder("ldd", binary).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!ldd.waitFor(30, TimeUnit.SECONDS)) {
                ldd.destroyForcibly();
                throw new IOException("ldd " + binary + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ldd " + binary, e);
        }
        List<String> libraries = new ArrayList<>();
        if (ldd.exitValue() != 0) {
            // a static binary ("not a dynamic executable") needs nothing else
            if (out.contains("not a dynamic executable")) {
                return libraries;
            }
            throw new IOException("ldd " + binary + " failed: " + out.strip());
        }
        for (String line : out.split("\n")) {
            Matcher m = LDD_PATH.matcher(line);
            if (m.find()) {
                libraries.add(m.group(1));
            }
        }
        return libraries;
    }

    private static void copyFollowingLinks(Path hostFile, Path root) throws IOException {
        Path target = root.resolve(hostFile.toString().substring(1));
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(target.getParent());
        // following links: /bin/sh -> dash lands as a real file at /bin/sh, where scripts look for it
        Files.copy(hostFile, target, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
