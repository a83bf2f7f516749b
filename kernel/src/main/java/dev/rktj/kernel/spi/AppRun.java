package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One app of a pod, fully resolved by the kernel: the stage1 needs no appc knowledge to run it.
 *
 * @param name the app name (AC Name), unique in the pod
 * @param imageId the image ID ({@code sha512-<64 hex>})
 * @param tree the rendered image rootfs; read-only for the stage1 (mount an overlay over it)
 * @param appDir a directory owned by this app inside the pod dir, for upper/work/rootfs dirs
 * @param exec argv; argv[0] is absolute or is looked up in the image's PATH
 * @param environment the complete environment, in order (PATH, AC_APP_NAME, container, image env)
 * @param uid numeric user, resolved from the image per appc
 * @param gid numeric group
 * @param supplementaryGids extra groups
 * @param workingDirectory absolute path inside the rootfs, its symbolic links already resolved inside the image
 * @param readOnlyRootfs mount the app's rootfs read-only
 * @param preStart the app's {@code pre-start} event handler (argv, run like the app before it), empty if none
 * @param postStop the app's {@code post-stop} event handler (argv, run like the app after it ended), empty if none
 * @param isolators the app's isolators
 */
public record AppRun(
        String name,
        String imageId,
        Path tree,
        Path appDir,
        List<String> exec,
        Map<String, String> environment,
        int uid,
        int gid,
        List<Integer> supplementaryGids,
        String workingDirectory,
        boolean readOnlyRootfs,
        List<String> preStart,
        List<String> postStop,
        AppIsolators isolators) {
    public AppRun {
        exec = List.copyOf(exec);
        preStart = List.copyOf(preStart);
        postStop = List.copyOf(postStop);
        java.util.Objects.requireNonNull(isolators, "isolators");
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        supplementaryGids = List.copyOf(supplementaryGids);
    }

    /** An app without event handlers or isolators. */
    public AppRun(String name, String imageId, Path tree, Path appDir, List<String> exec, Map<String, String> environment,
            int uid, int gid, List<Integer> supplementaryGids, String workingDirectory, boolean readOnlyRootfs) {
        this(name, imageId, tree, appDir, exec, environment, uid, gid, supplementaryGids, workingDirectory, readOnlyRootfs,
                List.of(), List.of(), AppIsolators.NONE);
    }
}
