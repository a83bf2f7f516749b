package dev.rktj.stage1.fly;

import dev.rktj.kernel.spi.AppRun;
import dev.rktj.kernel.spi.PodEnter;
import dev.rktj.kernel.spi.PodGc;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.PodStop;
import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1Capability;
import dev.rktj.kernel.spi.Stage1Exception;
import dev.rktj.kernel.spi.Stage1Info;
import dev.rktj.kernel.spi.Stage1Launch;
import dev.rktj.kernel.spi.Stage1Process;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.pf4j.Extension;

/**
 * The fly stage1: one app, chrooted into an overlay of its image, in a mount namespace of its own
 * and otherwise sharing the host (pids, network, users), like rkt's {@code stage1-fly}.
 *
 * <p>{@link #run} starts this chain, each program exec'ing the next (only flock and the shell
 * fork):
 * <pre>
 * flock -x LOCK                                  holds the pod lock for the pod's life
 *   unshare --mount --propagation private        the pod's own mount namespace
 *     sh POD/stage1/fly-run.sh ...  --           mounts the rootfs, writes ppid, waits, writes status
 *       env -i -- K=V...                          exactly the app's environment
 *         setpriv --regid=GID --groups=...|--clear-groups
 *           nsenter --root=ROOTFS --wd=ROOTFS/WD -S UID -- EXEC...
 * </pre>
 * Everything is util-linux and coreutils; all mounts die with the namespace, so {@link #gc} has
 * nothing to undo. An interactive pod's chain starts with {@code perl POD/stage1/fly-tty.pl POD --},
 * which gives the app a pseudo-terminal of its own, relays the user's, and kills the pod when ^]
 * is pressed three times within a second (fly-run.sh then starts the app under
 * {@code setsid --ctty}). Fly enforces no isolators; the kernel tells the user which it ignores.
 */
@Extension
public final class FlyStage1 implements Stage1 {

    static final String NAME = "fly";
    static final String APPC_NAME = "coreos.com/rkt/stage1-fly";
    private static final String SCRIPT = "fly-run.sh";
    private static final String TTY_SCRIPT = "fly-tty.pl";

    private static final Stage1Info INFO = new Stage1Info(NAME, APPC_NAME, readVersion(),
            // stdin passes through when the pod is interactive, and the chain can be started by a thin client;
            // stop signals the app, enter only chroots; nothing else is isolated or offered
            Set.of(Stage1Capability.INTERACTIVE, Stage1Capability.LAUNCH, Stage1Capability.STOP, Stage1Capability.ENTER));

    @Override
    public Stage1Info info() {
        return INFO;
    }

    @Override
    public Stage1Process run(PodRun request) throws Stage1Exception {
        Stage1Launch launch = launch(request);
        ProcessBuilder builder = new ProcessBuilder(launch.command())
                // rkt runs its stage1 from the pod directory
                .directory(launch.directory().toFile())
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(launch.inheritStdin()
                        ? ProcessBuilder.Redirect.INHERIT
                        : ProcessBuilder.Redirect.from(new File("/dev/null")));
        AppRun app = request.apps().get(0);
        try {
            return new FlyProcess(builder.start(), app.name(), request.statusDir().resolve(app.name()));
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot start the pod: " + e.getMessage(), e);
        }
    }

    /** Checks the pod, writes its script and returns the chain of the class comment. */
    @Override
    public Stage1Launch launch(PodRun request) throws Stage1Exception {
        if (request.apps().size() != 1) {
            throw new Stage1Exception("stage1 fly: a pod must have exactly one app (got " + request.apps().size() + ")");
        }
        AppRun app = request.apps().get(0);
        requireRoot();
        HostTools tools = HostTools.find();
        checkApp(app);
        Path tree = app.tree().toAbsolutePath().normalize();
        Path appDir = app.appDir().toAbsolutePath().normalize();
        Path podDir = request.podDir().toAbsolutePath().normalize();
        if (!Files.isDirectory(tree)) {
            throw new Stage1Exception("stage1 fly: image tree \"" + tree + "\" does not exist");
        }
        checkOverlayPath(tree);
        checkOverlayPath(appDir);
        String workingDirectory = ImagePaths.resolveDirectory(tree, app.workingDirectory());
        Path perl = request.interactive() ? HostTools.perl() : null;
        Path script = writeScript(podDir, SCRIPT);
        try {
            Files.createDirectories(request.statusDir());
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot create " + request.statusDir() + ": " + e.getMessage(), e);
        }
        List<String> command = command(tools, script, hostMountNamespace(), request, app, tree, appDir, podDir,
                workingDirectory);
        if (perl != null) {
            // an interactive pod's terminal goes through fly-tty.pl, which kills the pod on ^]^]^]
            List<String> relayed = new ArrayList<>(List.of(perl.toString(), writeScript(podDir, TTY_SCRIPT).toString(),
                    podDir.toString(), "--"));
            relayed.addAll(command);
            command = relayed;
        }
        return new Stage1Launch(command, podDir, request.interactive());
    }

    /**
     * Fly's enter only changes root: the command joins the pod's mount namespace and the app's
     * root and working directory (nsenter's {@code --root --wd} of the app), nothing else.
     */
    @Override
    public int enter(PodEnter request) throws Stage1Exception {
        // only the pod's own app: any other live pid would be entered on the host
        if (appProcess(request.podDir()).map(p -> p.pid() != request.pid()).orElse(true)) {
            throw new Stage1Exception("stage1 fly: pod " + request.uuid() + " is not running");
        }
        HostTools tools = HostTools.find();
        List<String> command = new ArrayList<>(List.of(tools.nsenter().toString(), "--target", String.valueOf(request.pid()),
                "--mount", "--root", "--wd", "--"));
        command.addAll(request.command());
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        Map<String, String> environment = builder.environment();
        String term = environment.get("TERM");
        environment.clear();
        environment.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (term != null) {
            environment.put("TERM", term);
        }
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot enter pod " + request.uuid() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stage1Exception("stage1 fly: interrupted while in pod " + request.uuid(), e);
        }
    }

    /**
     * SIGTERM to the app and every process below it (fly's app shares the caller's process group,
     * so the group itself is not signalled), SIGKILL to those left after the timeout, or at once
     * with force. The script above the app records its status as usual.
     */
    @Override
    public void stop(PodStop request) throws Stage1Exception {
        ProcessHandle app = appProcess(request.podDir())
                .orElseThrow(() -> new Stage1Exception("stage1 fly: pod " + request.uuid() + " is not running"));
        if (!request.force()) {
            signal(app, false);
            if (ended(app, request.timeout())) {
                return;
            }
        }
        signal(app, true);
        if (!ended(app, java.time.Duration.ofSeconds(10))) {
            throw new Stage1Exception("stage1 fly: pod " + request.uuid() + " did not end after SIGKILL");
        }
    }

    /** The only child of the script named by {@code ppid}: the app. */
    private static java.util.Optional<ProcessHandle> appProcess(Path podDir) {
        try {
            long script = Long.parseLong(Files.readString(podDir.resolve("ppid")).strip());
            List<ProcessHandle> children = ProcessHandle.of(script).map(p -> p.children().toList()).orElse(List.of());
            return children.size() == 1 ? java.util.Optional.of(children.get(0)) : java.util.Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static void signal(ProcessHandle app, boolean kill) {
        List<ProcessHandle> all = new ArrayList<>(app.descendants().toList());
        all.add(0, app);
        for (ProcessHandle process : all) {
            if (kill) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
        }
    }

    private static boolean ended(ProcessHandle app, java.time.Duration timeout) throws Stage1Exception {
        try {
            app.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new Stage1Exception("stage1 fly: cannot wait for the pod: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stage1Exception("stage1 fly: interrupted while stopping the pod", e);
        }
    }

    /**
     * Nothing to release: the pod's mounts lived in its own namespace and went with its last
     * process. Checks that, so a leaked mount is never deleted through by the kernel's removal.
     */
    @Override
    public void gc(PodGc request) throws Stage1Exception {
        Path podDir = request.podDir().toAbsolutePath().normalize();
        if (!Files.exists(podDir)) {
            return;
        }
        try {
            Set<String> mounted = new LinkedHashSet<>(MountTable.mountPointsUnder(podDir));
            mounted.addAll(MountTable.mountPointsUnder(podDir.toRealPath()));
            if (!mounted.isEmpty()) {
                throw new Stage1Exception("stage1 fly: " + mounted.iterator().next()
                        + " is still mounted on the host; unmount it before removing the pod");
            }
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot read the mount table: " + e.getMessage(), e);
        }
    }

    static List<String> command(HostTools tools, Path script, String hostMountNamespace, PodRun request,
            AppRun app, Path tree, Path appDir, Path podDir, String workingDirectory) {
        Path rootfs = appDir.resolve("rootfs");
        List<String> command = new ArrayList<>(List.of(
                tools.flock().toString(), "-x", request.lockFile().toAbsolutePath().toString(),
                tools.unshare().toString(), "--mount", "--propagation", "private",
                tools.sh().toString(), script.toString(),
                hostMountNamespace,
                tree.toString(),
                appDir.toString(),
                app.readOnlyRootfs() ? "ro" : "rw",
                podDir.toString(),
                request.statusDir().toAbsolutePath().toString(),
                app.name(),
                "--",
                tools.env().toString(), "-i", "--"));
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            command.add(variable.getKey() + "=" + variable.getValue());
        }
        command.add(tools.setpriv().toString());
        command.add("--regid=" + app.gid());
        // setpriv, not nsenter -G: nsenter drops supplementary groups and has no way to set them
        command.add(app.supplementaryGids().isEmpty()
                ? "--clear-groups"
                : "--groups=" + app.supplementaryGids().stream().map(String::valueOf).collect(Collectors.joining(",")));
        command.add(tools.nsenter().toString());
        command.add("--root=" + rootfs);
        command.add("--wd=" + (workingDirectory.equals("/") ? rootfs.toString() : rootfs + workingDirectory));
        command.add("-S");
        command.add(String.valueOf(app.uid()));
        command.add("--");
        command.addAll(app.exec());
        return command;
    }

    private static void checkApp(AppRun app) throws Stage1Exception {
        String name = app.name();
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                || name.indexOf('\0') >= 0) {
            throw new Stage1Exception("stage1 fly: invalid app name \"" + name + "\"");
        }
        if (app.exec().isEmpty() || app.exec().get(0).isEmpty()) {
            throw new Stage1Exception("stage1 fly: app \"" + name + "\" has no command to run");
        }
        if (app.uid() < 0 || app.gid() < 0 || app.supplementaryGids().stream().anyMatch(g -> g < 0)) {
            throw new Stage1Exception("stage1 fly: app \"" + name + "\" has a negative uid or gid");
        }
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            String key = variable.getKey();
            if (key.isEmpty() || key.contains("=") || key.indexOf('\0') >= 0) {
                throw new Stage1Exception("stage1 fly: invalid environment variable name \"" + key + "\"");
            }
            if (variable.getValue() == null || variable.getValue().indexOf('\0') >= 0) {
                throw new Stage1Exception("stage1 fly: invalid value for environment variable " + key);
            }
        }
    }

    /** overlayfs splits its options at ',' and lowerdir at ':'. */
    private static void checkOverlayPath(Path path) throws Stage1Exception {
        String s = path.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\") || s.contains("\n")) {
            throw new Stage1Exception("stage1 fly: cannot use \"" + s + "\" with overlayfs (it contains ',', ':' or '\\')");
        }
    }

    private static void requireRoot() throws Stage1Exception {
        Object uid;
        try {
            uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new Stage1Exception("stage1 fly: cannot tell which user runs rkt: " + e.getMessage(), e);
        }
        if (!Integer.valueOf(0).equals(uid)) {
            throw new Stage1Exception("stage1 fly: running a pod needs root (it mounts and chroots)");
        }
    }

    /** The script checks it is not in this namespace before it mounts anything. */
    private static String hostMountNamespace() throws Stage1Exception {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot read the mount namespace: " + e.getMessage(), e);
        }
    }

    private static Path writeScript(Path podDir, String name) throws Stage1Exception {
        Path dir = podDir.resolve("stage1");
        Path script = dir.resolve(name);
        try (InputStream in = FlyStage1.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new Stage1Exception("stage1 fly: " + name + " is missing from the plugin");
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, name, ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return script;
        } catch (IOException e) {
            throw new Stage1Exception("stage1 fly: cannot write " + script + ": " + e.getMessage(), e);
        }
    }

    private static String readVersion() {
        Properties properties = new Properties();
        try (InputStream in = FlyStage1.class.getResourceAsStream("fly.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // the version is informational; a plugin jar without it still runs pods
        }
        return properties.getProperty("version", "unknown");
    }
}
