package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.AppRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Owns the scripts the supervisor runs for one app, in {@code /rkt/apps/<app>/} of the container:
 * {@code start} becomes the app, {@code pre-start} and {@code post-stop} its event handlers. Each
 * ends in the same chain, every program exec'ing the next:
 * <pre>
 * env --default-signal=INT,QUIT -i K=V...       exactly the app's environment, default signals
 *   setpriv --regid --groups --bounding-set [--no-new-privs]
 *     nsenter --root=/opt/stage2/APP/rootfs --wd=... -S UID -- EXEC...
 * </pre>
 * Everything comes from the host's /usr, which the container sees read-only.
 */
final class AppScripts {

    /** Where the container holds the app's rootfs. */
    static String rootfs(String app) {
        return "/opt/stage2/" + app + "/rootfs";
    }

    private final AppRun app;
    private final Tools tools;
    private final String workingDirectory;
    private final List<String> boundingSet;

    AppScripts(AppRun app, Tools tools, String workingDirectory, List<String> boundingSet) {
        this.app = app;
        this.tools = tools;
        this.workingDirectory = workingDirectory;
        this.boundingSet = boundingSet;
    }

    /**
     * Writes its pid where the supervisor finds it to stop it, then checks the pod is not stopping
     * already (the supervisor marks that before reading pids, so one of the two sees the other).
     */
    String start() {
        String dir = "/rkt/apps/" + app.name();
        return header("app " + app.name())
                + "printf '%s' \"$$\" > " + dir + "/pid || exit 254\n"
                + "[ ! -e /rkt/stopping ] || exit 143\n"
                + chain(app.exec());
    }

    String handler(String name, List<String> exec) {
        return header(name + " handler of app " + app.name()) + chain(exec);
    }

    private String header(String what) {
        String script = "#!/bin/sh\n# " + what + ", written by stage1 nspawn for the supervisor\n";
        if (app.isolators().memoryLimit() != null) {
            script += "echo \"$$\" > /rkt/cgroup/memory/" + app.name() + "/cgroup.procs || {\n"
                    + "    echo 'stage1 nspawn: cannot put app " + app.name() + " into its memory cgroup' >&2\n"
                    + "    exit 254\n"
                    + "}\n";
        }
        return script;
    }

    private String chain(List<String> exec) {
        List<String> words = new ArrayList<>(List.of(tools.env().toString(), "--default-signal=INT,QUIT", "-i"));
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            words.add(variable.getKey() + "=" + variable.getValue());
        }
        words.add(tools.setpriv().toString());
        words.add("--regid=" + app.gid());
        words.add(app.supplementaryGids().isEmpty()
                ? "--clear-groups"
                : "--groups=" + app.supplementaryGids().stream().map(String::valueOf).collect(Collectors.joining(",")));
        words.add("--bounding-set=" + Capabilities.setprivBoundingSet(boundingSet));
        if (app.isolators().noNewPrivileges()) {
            words.add("--no-new-privs");
        }
        String root = rootfs(app.name());
        words.addAll(List.of(tools.nsenter().toString(), "--root=" + root,
                "--wd=" + (workingDirectory.equals("/") ? root : root + workingDirectory),
                "-S", String.valueOf(app.uid()), "--"));
        words.addAll(exec);
        return "exec " + Shell.quote(words) + "\n";
    }
}
