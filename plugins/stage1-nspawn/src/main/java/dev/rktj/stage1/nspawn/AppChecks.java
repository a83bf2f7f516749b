package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.AppRun;
import dev.rktj.kernel.spi.Stage1Exception;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** Owns refusing an app nspawn cannot run exactly as asked, before anything is started. */
final class AppChecks {

    private AppChecks() {}

    static void check(AppRun app) throws Stage1Exception {
        String name = app.name();
        // an AC name: it becomes a path component and a word of the supervisor's command line
        if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new Stage1Exception("stage1 nspawn: invalid app name \"" + name + "\"");
        }
        if (app.exec().isEmpty() || app.exec().get(0).isEmpty()) {
            throw new Stage1Exception("stage1 nspawn: app \"" + name + "\" has no command to run");
        }
        if (app.uid() < 0 || app.gid() < 0 || app.supplementaryGids().stream().anyMatch(g -> g < 0)) {
            throw new Stage1Exception("stage1 nspawn: app \"" + name + "\" has a negative uid or gid");
        }
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            String key = variable.getKey();
            if (key.isEmpty() || key.contains("=") || key.indexOf('\0') >= 0) {
                throw new Stage1Exception("stage1 nspawn: invalid environment variable name \"" + key + "\"");
            }
            if (variable.getValue() == null || variable.getValue().indexOf('\0') >= 0) {
                throw new Stage1Exception("stage1 nspawn: invalid value for environment variable " + key);
            }
        }
        if (!app.isolators().others().isEmpty()) {
            throw new Stage1Exception("stage1 nspawn: app \"" + name + "\": isolator " + app.isolators().others().get(0)
                    + " cannot be enforced by stage1 nspawn (it enforces resource/memory, resource/cpu,"
                    + " os/linux/cpu-shares, the capability and seccomp sets and no-new-privileges)");
        }
        Path tree = app.tree().toAbsolutePath().normalize();
        if (!Files.isDirectory(tree)) {
            throw new Stage1Exception("stage1 nspawn: image tree \"" + tree + "\" does not exist");
        }
        overlayPath(tree);
        overlayPath(app.appDir().toAbsolutePath().normalize());
    }

    /**
     * The working directory, which must name a directory of the image through directories only:
     * nsenter opens it before it changes root, so a symbolic link would resolve on the host. The
     * kernel resolves the links of an image's working directory before it gets here.
     */
    static String workingDirectory(AppRun app, Path tree) throws Stage1Exception {
        String wanted = app.workingDirectory() == null || app.workingDirectory().isEmpty() ? "/" : app.workingDirectory();
        if (!wanted.startsWith("/")) {
            throw new Stage1Exception("stage1 nspawn: working directory \"" + wanted + "\" is not an absolute path");
        }
        Path current = tree;
        StringBuilder resolved = new StringBuilder();
        for (String part : wanted.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new Stage1Exception("stage1 nspawn: working directory \"" + wanted + "\" contains \"..\"");
            }
            current = current.resolve(part);
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new Stage1Exception("stage1 nspawn: working directory \"" + wanted + "\" of app \"" + app.name()
                        + "\" is not a directory of the image" + (Files.isSymbolicLink(current) ? " (/" + tree.relativize(current)
                        + " is a symbolic link)" : ""));
            }
            resolved.append('/').append(part);
        }
        return resolved.length() == 0 ? "/" : resolved.toString();
    }

    /** overlayfs splits its options at ',' and lowerdir at ':'. */
    private static void overlayPath(Path path) throws Stage1Exception {
        String s = path.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\") || s.contains("\n")) {
            throw new Stage1Exception("stage1 nspawn: cannot use \"" + s + "\" with overlayfs (it contains ',', ':' or '\\')");
        }
    }
}
