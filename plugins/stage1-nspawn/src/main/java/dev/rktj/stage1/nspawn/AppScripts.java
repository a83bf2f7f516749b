package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.AppRun;
import java.nio.file.Path;
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
 *   setpriv --regid --groups --inh-caps=-all --bounding-set [--no-new-privs]
 *     nsenter --root=/opt/stage2/APP/rootfs --wd=... -S UID -- EXEC...
 * </pre>
 * With a system call filter (the default) the environment goes to {@code exec.pl} instead, which
 * takes nsenter's place and installs the filter last:
 * <pre>
 * env --default-signal=INT,QUIT -i
 *   setpriv ...
 *     perl /rkt/exec.pl PRCTL /rkt/apps/APP/seccomp.bpf /opt/stage2/APP/rootfs WD UID K=V... -- EXEC...
 * </pre>
 * Everything comes from the host's /usr, which the container sees read-only. With
 * {@code --insecure-options=capabilities} setpriv leaves the capability sets alone.
 */
final class AppScripts {

    /** Where the container holds the app's rootfs. */
    static String rootfs(String app) {
        return "/opt/stage2/" + app + "/rootfs";
    }

    /** Where the container holds the app's system call filter, when it has one. */
    static String filter(String app) {
        return "/rkt/apps/" + app + "/seccomp.bpf";
    }

    /** The program that installs a filter, as the supervisor finds it. */
    static final String EXEC_PL = "/rkt/exec.pl";

    private final AppRun app;
    private final Tools tools;
    private final String workingDirectory;
    private final List<String> boundingSet;
    private final Path perl;
    private final int prctl;

    /**
     * @param boundingSet the app's capabilities, or null to leave them as the container has them
     * @param perl the perl that runs {@link #EXEC_PL}, or null when the app runs without a system call filter
     * @param prctl the number of prctl(2) here, for exec.pl
     */
    AppScripts(AppRun app, Tools tools, String workingDirectory, List<String> boundingSet, Path perl, int prctl) {
        this.app = app;
        this.tools = tools;
        this.workingDirectory = workingDirectory;
        this.boundingSet = boundingSet;
        this.perl = perl;
        this.prctl = prctl;
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
            script += joinCgroup("memory");
        }
        if (app.isolators().cpuMillis() != null || app.isolators().cpuShares() != null) {
            script += joinCgroup("cpu");
        }
        return script;
    }

    private String joinCgroup(String controller) {
        return "echo \"$$\" > /rkt/cgroup/" + controller + "/" + app.name() + "/cgroup.procs || {\n"
                + "    echo 'stage1 nspawn: cannot put app " + app.name() + " into its " + controller + " cgroup' >&2\n"
                + "    exit 254\n"
                + "}\n";
    }

    private String chain(List<String> exec) {
        List<String> words = new ArrayList<>(List.of(tools.env().toString(), "--default-signal=INT,QUIT", "-i"));
        List<String> environment = new ArrayList<>();
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            environment.add(variable.getKey() + "=" + variable.getValue());
        }
        if (perl == null) {
            words.addAll(environment);
        }
        words.add(tools.setpriv().toString());
        words.add("--regid=" + app.gid());
        words.add(app.supplementaryGids().isEmpty()
                ? "--clear-groups"
                : "--groups=" + app.supplementaryGids().stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (boundingSet != null) {
            // root keeps across exec what is inheritable: cleared, an app's capabilities are its bounding set
            words.add("--inh-caps=-all");
            words.add("--bounding-set=" + Capabilities.setprivBoundingSet(boundingSet));
        }
        if (app.isolators().noNewPrivileges()) {
            words.add("--no-new-privs");
        }
        String root = rootfs(app.name());
        if (perl == null) {
            words.addAll(List.of(tools.nsenter().toString(), "--root=" + root,
                    "--wd=" + (workingDirectory.equals("/") ? root : root + workingDirectory),
                    "-S", String.valueOf(app.uid()), "--"));
        } else {
            words.addAll(List.of(perl.toString(), EXEC_PL, String.valueOf(prctl), filter(app.name()), root, workingDirectory,
                    String.valueOf(app.uid())));
            words.addAll(environment);
            words.add("--");
        }
        words.addAll(exec);
        return "exec " + Shell.quote(words) + "\n";
    }
}
