package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.AppIsolators;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The nspawn stage1, rkt's default flavor: every app of the pod in one systemd-nspawn container
 * (shared pid, ipc, uts and mount namespaces; the host's network), each chrooted into its own
 * overlay at {@code stage1/rootfs/opt/stage2/<app>/rootfs}, under a shell supervisor that is the
 * container's init.
 *
 * <p>{@link #run} starts this chain:
 * <pre>
 * flock -x LOCK                                  holds the pod lock for the pod's life
 *   unshare --mount --propagation private        the pod's own mount namespace
 *     sh POD/stage1/nspawn-run.sh ...            mounts the app overlays, writes ppid
 *       systemd-nspawn -D POD/stage1/rootfs ...   container: host /usr read-only, apps bound in
 *         sh /rkt/supervisor.sh APP...           PID 1: runs the apps, writes rkt/status/APP
 * </pre>
 * The stage1 rootfs holds nothing of an image: systemd-nspawn, the supervisor and the tools that
 * start each app ({@link AppScripts}) are the host's, so a pod costs no copy.
 */
@Extension
public final class NspawnStage1 implements Stage1 {

    static final String NAME = "nspawn";
    static final String APPC_NAME = "coreos.com/rkt/stage1-coreos";
    private static final String RUN_SCRIPT = "nspawn-run.sh";
    private static final String SUPERVISOR = "supervisor.sh";
    private static final String EXEC_PL = "exec.pl";
    private static final List<String> TOP_LEVEL = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private static final Stage1Info INFO = new Stage1Info(NAME, APPC_NAME, readVersion(), Set.of(
            Stage1Capability.MULTI_APP, Stage1Capability.PID_NAMESPACE, Stage1Capability.INTERACTIVE,
            Stage1Capability.STOP, Stage1Capability.ENTER, Stage1Capability.LAUNCH, Stage1Capability.ISOLATORS));

    @Override
    public Stage1Info info() {
        return INFO;
    }

    @Override
    public Stage1Process run(PodRun request) throws Stage1Exception {
        Stage1Launch launch = launch(request);
        ProcessBuilder builder = new ProcessBuilder(launch.command())
                .directory(launch.directory().toFile())
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(launch.inheritStdin()
                        ? ProcessBuilder.Redirect.INHERIT
                        : ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new NspawnProcess(builder.start(), request.apps().stream().map(AppRun::name).toList(),
                    request.statusDir());
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot start the pod: " + e.getMessage(), e);
        }
    }

    /** Checks the pod, lays out the stage1 rootfs and the apps' scripts, and returns the chain above. */
    @Override
    public Stage1Launch launch(PodRun request) throws Stage1Exception {
        if (request.apps().isEmpty()) {
            throw new Stage1Exception("stage1 nspawn: a pod needs at least one app");
        }
        if (request.interactive() && request.apps().size() != 1) {
            throw new Stage1Exception("stage1 nspawn: interactive option only supports pods with one app");
        }
        PodProcesses.requireRoot();
        Tools tools = Tools.find();
        Path podDir = request.podDir().toAbsolutePath().normalize();
        Path stage1 = podDir.resolve("stage1/rootfs");
        Path statusDir = request.statusDir().toAbsolutePath().normalize();
        // rkt's --insecure-options=capabilities,paths,seccomp, each turning one protection off
        boolean keepCapabilities = request.insecure(PodRun.INSECURE_CAPABILITIES);
        boolean protectPaths = !request.insecure(PodRun.INSECURE_PATHS);
        boolean filterSyscalls = !request.insecure(PodRun.INSECURE_SECCOMP);
        List<String> binds = new ArrayList<>();
        Set<String> capabilities = new LinkedHashSet<>();
        Set<Cgroups.Controller> controllers = EnumSet.noneOf(Cgroups.Controller.class);
        AppMounts mounts = new AppMounts();
        List<String> appArguments = new ArrayList<>();
        Path perl = null;
        int prctl = 0;
        try {
            layOut(stage1, binds);
            Files.createDirectories(statusDir);
            if (!statusDir.equals(stage1.resolve("rkt/status"))) {
                binds.add("--bind=" + statusDir + ":/rkt/status");
            }
            for (AppRun app : request.apps()) {
                AppChecks.check(app);
                Path tree = app.tree().toAbsolutePath().normalize();
                Path appDir = app.appDir().toAbsolutePath().normalize();
                String workingDirectory = AppChecks.workingDirectory(app, tree);
                List<String> boundingSet = keepCapabilities ? null : Capabilities.boundingSet(app.name(), app.isolators());
                if (boundingSet != null) {
                    capabilities.addAll(boundingSet);
                }
                byte[] filter = filterSyscalls ? SyscallFilters.program(app.name(), app.isolators().syscalls()) : null;
                if (filter != null && perl == null) {
                    perl = Tools.perl();
                    prctl = SyscallFilters.prctl();
                }
                AppIsolators isolators = app.isolators();
                Long cpuQuota = isolators.cpuMillis() == null ? null : Cgroups.cpuQuotaMicros(app.name(), isolators.cpuMillis());
                if (isolators.memoryLimit() != null) {
                    controllers.add(Cgroups.Controller.MEMORY);
                }
                if (cpuQuota != null || isolators.cpuShares() != null) {
                    controllers.add(Cgroups.Controller.CPU);
                }
                writeAppFiles(stage1.resolve("rkt/apps").resolve(app.name()), stage1.resolve("rkt/env").resolve(app.name()),
                        app, filter, new AppScripts(app, tools, workingDirectory, boundingSet, filter == null ? null : perl, prctl));
                mounts.add(app.name(), protectPaths);
                if (!appDir.equals(stage1.resolve("opt/stage2").resolve(app.name()))) {
                    Files.createDirectories(stage1.resolve("opt/stage2").resolve(app.name()).resolve("rootfs"));
                    binds.add("--bind=" + appDir.resolve("rootfs") + ":" + AppScripts.rootfs(app.name()));
                }
                appArguments.addAll(List.of(app.name(), tree.toString(), appDir.toString()));
                appArguments.addAll(Cgroups.arguments(isolators.memoryLimit(), cpuQuota, isolators.cpuShares()));
            }
            Files.writeString(stage1.resolve("rkt/fstab"), mounts.fstab(), UTF_8);
            if (protectPaths) {
                inaccessibleFile(stage1.resolve(AppMounts.INACCESSIBLE.substring(1)));
            }
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot lay out pod " + request.uuid() + ": " + e.getMessage(), e);
        }
        for (Cgroups.Controller controller : controllers) {
            Cgroups.requireSupport(controller);
        }
        copyResource(SUPERVISOR, stage1.resolve("rkt").resolve(SUPERVISOR));
        if (perl != null) {
            copyResource(EXEC_PL, stage1.resolve(AppScripts.EXEC_PL.substring(1)));
        }
        Path runScript = copyResource(RUN_SCRIPT, podDir.resolve("stage1").resolve(RUN_SCRIPT));

        List<String> command = new ArrayList<>(List.of(
                tools.flock().toString(), "-x", request.lockFile().toAbsolutePath().toString(),
                tools.unshare().toString(), "--mount", "--propagation", "private",
                tools.sh().toString(), runScript.toString(),
                PodProcesses.hostMountNamespace(), podDir.toString(), String.valueOf(request.apps().size())));
        command.addAll(appArguments);
        command.add("--");
        // nspawn-run.sh exports these to systemd-nspawn: its own filter and read-only /proc/sys and /sys go too
        if (!filterSyscalls) {
            command.add("SYSTEMD_SECCOMP=0");
        }
        if (!protectPaths) {
            command.add("SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes");
        }
        command.add(tools.nspawn().toString());
        command.add("--quiet");
        if (PodProcesses.systemdIsInit()) {
            command.add("--register=yes");
        } else {
            // no systemd to register with or to make a scope: stay in the caller's cgroup
            command.addAll(List.of("--register=no", "--keep-unit"));
        }
        command.addAll(List.of("--directory=" + stage1, "--machine=rkt-" + request.uuid(),
                // the pod's init is the supervisor: it stops the apps on TERM and reports their codes
                "--kill-signal=SIGTERM",
                request.interactive() ? "--console=autopipe" : "--console=pipe",
                // the stage1 rootfs is rktj's, not an OS: nothing of the host's to copy into it
                "--resolv-conf=off", "--timezone=off", "--link-journal=no",
                "--capability=" + (keepCapabilities ? "all" : String.join(",", capabilities))));
        command.addAll(binds);
        return new Stage1Launch(command, podDir, request.interactive());
    }

    @Override
    public int enter(PodEnter request) throws Stage1Exception {
        return PodProcesses.enter(request);
    }

    @Override
    public void stop(PodStop request) throws Stage1Exception {
        PodProcesses.stop(request);
    }

    /**
     * Releases the pod's cgroups; checks that nothing of the pod is mounted on the host, so
     * the kernel never deletes through a leaked mount.
     */
    @Override
    public void gc(PodGc request) throws Stage1Exception {
        Path podDir = request.podDir().toAbsolutePath().normalize();
        if (!Files.exists(podDir)) {
            return;
        }
        PodProcesses.requireNothingMounted(podDir);
        Cgroups.remove(podDir);
    }

    /**
     * The stage1 rootfs: mount points for what systemd-nspawn and the supervisor bring (the host's
     * /usr, /dev, /proc, /sys), the host's top-level links into /usr, and rkt's own directories.
     */
    private static void layOut(Path stage1, List<String> binds) throws IOException {
        for (String dir : List.of("usr", "dev", "proc", "sys", "tmp", "run", "etc", "rkt/status", "rkt/apps", "rkt/env",
                "opt/stage2")) {
            Files.createDirectories(stage1.resolve(dir));
        }
        binds.add("--bind-ro=/usr");
        for (String name : TOP_LEVEL) {
            Path host = Path.of("/", name);
            Path inStage1 = stage1.resolve(name);
            if (Files.isSymbolicLink(host)) {
                if (!Files.exists(inStage1, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(inStage1, Files.readSymbolicLink(host));
                }
            } else if (Files.isDirectory(host)) {
                // a host whose /usr is not merged keeps programs and libraries here too
                Files.createDirectories(inStage1);
                binds.add("--bind-ro=" + host);
            }
        }
    }

    private static void writeAppFiles(Path dir, Path envFile, AppRun app, byte[] filter, AppScripts scripts)
            throws IOException {
        Files.createDirectories(dir);
        writeExecutable(dir.resolve("start"), scripts.start());
        if (filter == null) {
            Files.deleteIfExists(dir.resolve("seccomp.bpf"));
        } else {
            Files.write(dir.resolve("seccomp.bpf"), filter);
        }
        writeOrRemove(dir.resolve("pre-start"), app.preStart().isEmpty() ? null : scripts.handler("pre-start", app.preStart()));
        writeOrRemove(dir.resolve("post-stop"), app.postStop().isEmpty() ? null : scripts.handler("post-stop", app.postStop()));
        writeOrRemove(dir.resolve("read-only"), app.readOnlyRootfs() ? "" : null);
        // for enter: the app's environment, NUL-separated (values may hold newlines)
        StringBuilder env = new StringBuilder();
        for (Map.Entry<String, String> variable : app.environment().entrySet()) {
            env.append(variable.getKey()).append('=').append(variable.getValue()).append('\0');
        }
        Files.writeString(envFile, env, UTF_8);
    }

    /** An empty file only root may read (and root reads nothing from it), to bind over hidden files. */
    private static void inaccessibleFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    }

    private static void writeOrRemove(Path file, String content) throws IOException {
        if (content == null) {
            Files.deleteIfExists(file);
        } else {
            writeExecutable(file, content);
        }
    }

    private static void writeExecutable(Path file, String content) throws IOException {
        Files.writeString(file, content, UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path copyResource(String name, Path target) throws Stage1Exception {
        try (InputStream in = NspawnStage1.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new Stage1Exception("stage1 nspawn: " + name + " is missing from the plugin");
            }
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), name, ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static String readVersion() {
        Properties properties = new Properties();
        try (InputStream in = NspawnStage1.class.getResourceAsStream("nspawn.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // the version is informational; a plugin jar without it still runs pods
        }
        return properties.getProperty("version", "unknown");
    }
}
