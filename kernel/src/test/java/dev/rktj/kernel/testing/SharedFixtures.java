package dev.rktj.kernel.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared fixtures ({@code shared/appc/...}) from wherever a test runs:
 * surefire runs in the module directory, an IDE often in the repository root, and a worktree
 * sits one level deeper than the main checkout.
 */
public final class SharedFixtures {

    private SharedFixtures() {}

    /** The {@code shared/appc} directory: the first one found walking up from the working directory. */
    public static Path appcDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("appc");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/appc directory above " + dir);
    }

    /** A file under {@code shared/appc}, e.g. {@code aci/valid-plain.aci}. */
    public static Path appc(String relative) {
        return appcDir().resolve(relative);
    }
}
