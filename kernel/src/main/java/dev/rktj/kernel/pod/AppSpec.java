package dev.rktj.kernel.pod;

import java.nio.file.Path;
import java.util.List;

/**
 * One app as the user asked for it on the command line; null fields take the image's values.
 *
 * @param image the image argument
 * @param name {@code --name}
 * @param exec {@code --exec}
 * @param args arguments after {@code --}, appended to exec
 * @param user {@code --user}
 * @param group {@code --group}
 * @param workingDirectory {@code --working-dir}
 * @param readOnlyRootfs {@code --readonly-rootfs}
 * @param signature {@code --signature}: the image's detached signature file, or null for the one its fetcher finds
 */
public record AppSpec(String image, String name, String exec, List<String> args, String user, String group,
                      String workingDirectory, boolean readOnlyRootfs, Path signature) {
    public AppSpec {
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** An app whose image's signature comes from its fetcher. */
    public AppSpec(String image, String name, String exec, List<String> args, String user, String group,
                   String workingDirectory, boolean readOnlyRootfs) {
        this(image, name, exec, args, user, group, workingDirectory, readOnlyRootfs, null);
    }

    public static AppSpec of(String image) {
        return new AppSpec(image, null, null, List.of(), null, null, null, false, null);
    }
}
