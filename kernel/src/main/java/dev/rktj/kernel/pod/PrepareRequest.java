package dev.rktj.kernel.pod;

import dev.rktj.kernel.PullPolicy;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code rkt prepare} and {@code rkt run} were asked for.
 *
 * @param apps the apps, in order
 * @param stage1 {@code --stage1-name}, or null for the default
 * @param pullPolicy where images may come from
 * @param cwd the caller's working directory, for relative image paths
 * @param uuidFileSave where to write the UUID as soon as it exists, or null
 */
public record PrepareRequest(List<AppSpec> apps, String stage1, PullPolicy pullPolicy, Path cwd, Path uuidFileSave) {
    public PrepareRequest {
        apps = List.copyOf(apps);
    }
}
