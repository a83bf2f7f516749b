package dev.rktj.kernel.pod;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.UserLog;
import dev.rktj.kernel.appc.App;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.AppcException;
import dev.rktj.kernel.appc.EnvVar;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.appc.PodManifest;
import dev.rktj.kernel.appc.RuntimeApp;
import dev.rktj.kernel.appc.RuntimeImage;
import dev.rktj.kernel.event.AppExited;
import dev.rktj.kernel.event.PodExited;
import dev.rktj.kernel.event.PodGarbageCollected;
import dev.rktj.kernel.event.PodGarbageMarked;
import dev.rktj.kernel.event.PodPrepareAborted;
import dev.rktj.kernel.event.PodPrepared;
import dev.rktj.kernel.event.PodRemoved;
import dev.rktj.kernel.event.PodStarted;
import dev.rktj.kernel.event.StateReconciled;
import dev.rktj.kernel.fs.Durable;
import dev.rktj.kernel.fs.SafeDelete;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageId;
import dev.rktj.kernel.image.PrepareLock;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.pod.PodDirs.Dir;
import dev.rktj.kernel.pod.PodDirs.Located;
import dev.rktj.kernel.spi.AppRun;
import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.PodGc;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1Capability;
import dev.rktj.kernel.spi.Stage1Exception;
import dev.rktj.kernel.spi.Stage1Launch;
import dev.rktj.kernel.spi.Stage1Process;
import dev.rktj.kernel.view.PodRecord;
import dev.rktj.kernel.view.PodsView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The pod lifecycle: prepare, run, run-prepared, gc, rm and reconciliation. Each transition is a
 * rename of the pod directory followed by the event that records it; a pod the journal calls
 * running whose lock is free is reconciled to exited.
 */
public final class PodService {

    public static final String DEFAULT_STAGE1 = "nspawn";
    static final String STAGE1_NAME_FILE = "stage1-name";
    static final String APPC_VERSION = "0.8.11";
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Kernel kernel;
    private final PodDirs dirs;

    public PodService(Kernel kernel) {
        this.kernel = kernel;
        this.dirs = new PodDirs(kernel.config().dataDir());
    }

    public PodDirs dirs() {
        return dirs;
    }

    /** {@code rkt stop} and {@code rkt enter}. */
    public PodControl control() {
        return new PodControl(kernel, dirs);
    }

    // ---------------------------------------------------------------- prepare and run

    /** A pod that has been prepared and is still locked by this process. */
    private record Prepared(String uuid, Located located, PodLock lock, Stage1 stage1, PodPrepared event, PodManifest manifest) {}

    /** {@code rkt prepare}: returns the UUID of a pod now in {@code prepared}. */
    public String prepare(PrepareRequest request, UserLog log) throws KernelException {
        Prepared p = prepareLocked(request, log);
        try (PodLock lock = p.lock()) {
            dirs.move(p.located(), Dir.PREPARED);
            kernel.journal().append(p.event());
            return p.uuid();
        } catch (IOException | JournalException e) {
            throw new PodException("cannot finish preparing pod " + p.uuid() + ": " + e.getMessage(), e);
        }
    }

    /** {@code rkt run}: prepares a pod and runs it; returns the exit code for {@code rkt run}. */
    public int run(PrepareRequest request, boolean interactive, UserLog log) throws KernelException {
        Prepared p = prepareLocked(request, log);
        Path runDir = moveToRun(p);
        return start(p.uuid(), runDir, p.manifest(), p.lock(), p.stage1(), interactive, log);
    }

    /** Moves a freshly prepared pod straight to {@code run/} and records it prepared; releases it on failure. */
    private Path moveToRun(Prepared p) throws PodException {
        try {
            Path runDir = dirs.move(p.located(), Dir.RUN);
            kernel.journal().append(p.event());
            return runDir;
        } catch (IOException | JournalException | KernelException e) {
            closeQuietly(p.lock());
            throw new PodException("cannot start pod " + p.uuid() + ": " + e.getMessage(), e);
        }
    }

    /** {@code rkt run-prepared}. */
    public int runPrepared(String uuidPrefix, boolean interactive, UserLog log) throws KernelException {
        Located pod = dirs.resolve(uuidPrefix);
        if (pod.dir() != Dir.PREPARED) {
            throw new PodException("pod \"" + pod.uuid() + "\" is not prepared");
        }
        PodLock lock;
        Path runDir;
        try {
            lock = PodLock.tryAcquire(pod.path());
            if (lock == null) {
                throw new PodException("pod \"" + pod.uuid() + "\" is not prepared: another process holds it");
            }
        } catch (IOException e) {
            throw new PodException("cannot lock pod \"" + pod.uuid() + "\": " + e.getMessage(), e);
        }
        Stage1 stage1;
        try {
            stage1 = kernel.plugins().stage1(Files.readString(pod.path().resolve(STAGE1_NAME_FILE)).trim());
            if (interactive && !stage1.info().can(Stage1Capability.INTERACTIVE)) {
                throw new PodException("stage1 \"" + stage1.info().name() + "\" cannot run pods interactively");
            }
            runDir = dirs.move(pod, Dir.RUN);
        } catch (IOException | PluginException e) {
            closeQuietly(lock);
            throw new PodException("pod \"" + pod.uuid() + "\" is not prepared: " + e.getMessage(), e);
        } catch (KernelException e) {
            closeQuietly(lock);
            throw e;
        }
        PodManifest manifest;
        try {
            manifest = Appc.mapper().readValue(runDir.resolve("pod").toFile(), PodManifest.class);
        } catch (IOException e) {
            closeQuietly(lock);
            throw new PodException("pod \"" + pod.uuid() + "\": unreadable pod manifest: " + e.getMessage(), e);
        }
        return start(pod.uuid(), runDir, manifest, lock, stage1, interactive, log);
    }

    private Prepared prepareLocked(PrepareRequest request, UserLog log) throws KernelException {
        // rkt's prepare lock, from resolving the images until the pod manifest names them: image gc
        // and image rm take it alone, so they never remove what this prepare is about to use
        try (PrepareLock prepare = kernel.store().sharedPrepareLock()) {
            return prepareShared(request, log);
        } catch (ImageException e) {
            throw new PodException(e.getMessage(), e);
        }
    }

    private Prepared prepareShared(PrepareRequest request, UserLog log) throws KernelException {
        if (request.apps().isEmpty()) {
            throw new PodException("must provide at least one image");
        }
        Stage1 stage1;
        try {
            stage1 = kernel.plugins().stage1(request.stage1() == null ? DEFAULT_STAGE1 : request.stage1());
        } catch (PluginException e) {
            throw new PodException(e.getMessage(), e);
        }
        if (request.apps().size() > 1 && !stage1.info().can(Stage1Capability.MULTI_APP)) {
            throw new PodException("stage1 \"" + stage1.info().name() + "\" runs exactly one app per pod; "
                    + request.apps().size() + " images were given");
        }
        // Everything the user can get wrong is checked before the pod directory exists.
        List<RuntimeApp> apps = new ArrayList<>();
        List<PodPrepared.App> eventApps = new ArrayList<>();
        Map<String, ImageManifest> manifests = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (AppSpec spec : request.apps()) {
            StoredImage image = kernel.images().get(spec.image(), spec.signature(), request.pullPolicy(), request.cwd(), false, log);
            ImageManifest manifest;
            Path tree;
            try {
                manifest = kernel.store().manifest(image.id());
                tree = kernel.store().render(image.id());
            } catch (ImageException e) {
                throw new PodException(e.getMessage(), e);
            }
            String name = spec.name() != null ? spec.name() : defaultAppName(manifest.name());
            try {
                Appc.checkAppName(name);
            } catch (AppcException e) {
                throw new PodException(e.getMessage(), e);
            }
            if (!names.add(name)) {
                throw new PodException("duplicate app name \"" + name + "\": give each app its own with --name");
            }
            App app = appFor(name, manifest, spec);
            RuntimeApp runtimeApp = new RuntimeApp(name, new RuntimeImage(image.id().toString(), manifest.name(), manifest.labels()),
                    app, spec.readOnlyRootfs() ? Boolean.TRUE : null, null, null);
            appRun(runtimeApp, tree, Path.of("/nonexistent")); // validates user, group, exec and working directory now
            apps.add(runtimeApp);
            manifests.put(name, manifest);
            long treeSize;
            try {
                treeSize = kernel.store().treeSize(image.id());
            } catch (ImageException e) {
                throw new PodException(e.getMessage(), e);
            }
            eventApps.add(new PodPrepared.App(name, image.id().toString(), displayName(manifest), treeSize));
        }
        PodManifest podManifest = new PodManifest(APPC_VERSION, "PodManifest", apps, null, null, null, null, null, null);

        String uuid = UUID.randomUUID().toString();
        Path embryo = dirs.path(Dir.EMBRYO, uuid);
        PodLock lock = null;
        try {
            dirs.createLayout();
            Files.createDirectory(embryo);
            Files.setAttribute(embryo, "unix:mode", 0750);
            lock = PodLock.create(embryo);
            if (request.uuidFileSave() != null) {
                Durable.write(request.uuidFileSave(), uuid.getBytes(StandardCharsets.UTF_8));
            }
            Files.createFile(embryo.resolve("pod-created"));
            Durable.write(embryo.resolve(STAGE1_NAME_FILE), stage1.info().name().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, ImageManifest> e : manifests.entrySet()) {
                Path info = Files.createDirectories(embryo.resolve("appsinfo").resolve(e.getKey()));
                Durable.write(info.resolve("manifest"), Appc.mapper().writeValueAsString(e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            Durable.write(embryo.resolve("pod"), Appc.mapper().writeValueAsString(podManifest).getBytes(StandardCharsets.UTF_8));
            Located prepare = new Located(uuid, Dir.PREPARE, dirs.move(new Located(uuid, Dir.EMBRYO, embryo), Dir.PREPARE));
            log.debug("Writing pod manifest");
            return new Prepared(uuid, prepare, lock, stage1, new PodPrepared(uuid, eventApps, stage1.info().name()), podManifest);
        } catch (IOException e) {
            closeQuietly(lock);
            deleteQuietly(embryo);
            throw new PodException("cannot create pod: " + e.getMessage(), e);
        }
    }

    private static App appFor(String name, ImageManifest manifest, AppSpec spec) throws PodException {
        App a = manifest.app();
        if (a == null && spec.exec() == null) {
            throw new PodException("app \"" + name + "\": image " + manifest.name() + " has no app section; give one with --exec");
        }
        List<String> exec = new ArrayList<>();
        if (spec.exec() != null) {
            exec.add(spec.exec());
        } else if (a.exec() != null) {
            exec.addAll(a.exec());
        }
        exec.addAll(spec.args());
        if (exec.isEmpty()) {
            throw new PodException("app \"" + name + "\": image " + manifest.name() + " has no exec; give one with --exec");
        }
        String user = spec.user() != null ? spec.user() : a != null && a.user() != null ? a.user() : "0";
        String group = spec.group() != null ? spec.group() : a != null && a.group() != null ? a.group() : "0";
        String wd = spec.workingDirectory() != null ? spec.workingDirectory() : a != null ? a.workingDirectory() : null;
        if (wd != null && !wd.startsWith("/")) {
            throw new PodException("app \"" + name + "\": working directory \"" + wd + "\" must be absolute");
        }
        return a == null
                ? new App(exec, user, group, null, null, wd, null, null, null, null, null, null)
                : new App(exec, user, group, a.supplementaryGIDs(), a.eventHandlers(), wd, a.environment(), a.isolators(),
                        a.mountPoints(), a.ports(), a.userAnnotations(), a.userLabels());
    }

    /** The stage1's view of an app; throws what a user can fix (user, group, exec, working directory). */
    private static AppRun appRun(RuntimeApp ra, Path tree, Path podDir) throws PodException {
        App a = ra.app();
        try {
            int uid = AppUser.uid(tree, a.user());
            int gid = AppUser.gid(tree, a.group());
            String wd = a.workingDirectory() == null ? "/" : a.workingDirectory();
            Path wdPath = RootPaths.resolve(tree, wd);
            if (wdPath == null || !Files.isDirectory(wdPath, LinkOption.NOFOLLOW_LINKS)) {
                throw new PodException("app \"" + ra.name() + "\": working directory \"" + wd + "\" does not exist in the image");
            }
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", DEFAULT_PATH);
            env.put("AC_APP_NAME", ra.name());
            env.put("container", "rkt");
            if (a.environment() != null) {
                for (EnvVar v : a.environment()) {
                    env.put(v.name(), v.value());
                }
            }
            String argv0 = a.exec().get(0);
            if (argv0.startsWith("/")) {
                Path bin = RootPaths.resolve(tree, argv0);
                if (bin == null || Files.isDirectory(bin)) {
                    throw new PodException("app \"" + ra.name() + "\": executable \"" + argv0 + "\" does not exist in the image");
                }
            }
            List<Integer> groups = a.supplementaryGIDs() == null ? List.of() : a.supplementaryGIDs();
            Path appDir = podDir.resolve("stage1/rootfs/opt/stage2").resolve(ra.name());
            // resolved inside the image: a stage1 opens it from the host, where its links would lead elsewhere
            String resolvedWd = wdPath.equals(tree) ? "/" : "/" + tree.relativize(wdPath);
            return new AppRun(ra.name(), ra.image().id(), tree, appDir, a.exec(), env, uid, gid, groups, resolvedWd,
                    Boolean.TRUE.equals(ra.readOnlyRootFS()), handler(a, "pre-start"), handler(a, "post-stop"),
                    AppIsolatorsOf.translate(ra.name(), a.isolators()));
        } catch (IOException e) {
            throw new PodException("app \"" + ra.name() + "\": cannot read the image: " + e.getMessage(), e);
        }
    }

    /** The exec of the app's event handler of that name, empty when it has none. */
    private static List<String> handler(App app, String name) {
        return app.eventHandlers() == null ? List.of() : app.eventHandlers().stream()
                .filter(h -> name.equals(h.name()))
                .findFirst()
                .map(dev.rktj.kernel.appc.EventHandler::exec)
                .orElse(List.of());
    }

    private int start(String uuid, Path podDir, PodManifest manifest, PodLock lock, Stage1 stage1, boolean interactive,
                      UserLog log) throws KernelException {
        Stage1Process process;
        try {
            process = stage1.run(podRun(uuid, podDir, manifest, interactive, stage1, log));
        } catch (Stage1Exception | KernelException e) {
            throw startFailed(uuid, lock, e);
        }
        try {
            kernel.journal().append(new PodStarted(uuid, process.pid(), stage1.info().name()));
            PodExit exit = process.waitFor();
            List<dev.rktj.kernel.event.KernelEvent> events = new ArrayList<>();
            exit.appExitCodes().forEach((app, code) -> events.add(new AppExited(uuid, app, code)));
            events.add(new PodExited(uuid, exit.exitCode(), null));
            kernel.journal().append(events.toArray(dev.rktj.kernel.event.KernelEvent[]::new));
            return exit.exitCode();
        } catch (JournalException e) {
            throw new PodException("pod " + uuid + ": cannot record its state: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PodException("interrupted while waiting for pod " + uuid, e);
        } finally {
            // released only after PodExited is in the journal, so no reconciler races this process
            closeQuietly(lock);
        }
    }

    /** The insecure options that concern running a pod, as rkt's {@code all-run} groups them. */
    private static final List<String> INSECURE_RUN = List.of(PodRun.INSECURE_CAPABILITIES, PodRun.INSECURE_PATHS,
            PodRun.INSECURE_SECCOMP);

    private PodRun podRun(String uuid, Path podDir, PodManifest manifest, boolean interactive, Stage1 stage1, UserLog log)
            throws KernelException {
        List<AppRun> apps = new ArrayList<>();
        for (RuntimeApp ra : manifest.apps()) {
            Path tree;
            try {
                tree = kernel.store().render(ImageId.parse(ra.image().id()));
            } catch (ImageException e) {
                throw new PodException("pod \"" + uuid + "\": image " + ra.image().id() + " of app \"" + ra.name()
                        + "\" is not in the store any more: " + e.getMessage(), e);
            }
            apps.add(appRun(ra, tree, podDir));
            reportUnenforced(stage1, ra, log);
        }
        Set<String> insecure = new HashSet<>(INSECURE_RUN);
        insecure.retainAll(kernel.config().insecureOptions());
        return new PodRun(uuid, podDir, podDir.resolve(PodLock.FILE), podDir.resolve("stage1/rootfs/rkt/status"), apps,
                interactive, kernel.config().debug(), insecure);
    }

    /**
     * The spec lets an executor ignore isolators only if it tells the user which: a stage1 that
     * enforces none (fly, like rkt's) runs the app without them, and says so.
     */
    private static void reportUnenforced(Stage1 stage1, RuntimeApp app, UserLog log) {
        List<dev.rktj.kernel.appc.Isolator> isolators = app.app().isolators();
        if (isolators == null || isolators.isEmpty() || stage1.info().can(Stage1Capability.ISOLATORS)) {
            return;
        }
        log.err("stage1 " + stage1.info().name() + " enforces no isolators: app \"" + app.name() + "\" runs without "
                + String.join(", ", isolators.stream().map(dev.rktj.kernel.appc.Isolator::name).toList()));
    }

    /** Records that the stage1 never started, releases the pod and returns what to throw. */
    private KernelException startFailed(String uuid, PodLock lock, Exception e) {
        String reason = "stage1 failed to start: " + e.getMessage();
        try {
            kernel.journal().append(new PodExited(uuid, null, reason));
        } catch (JournalException | KernelException je) {
            e.addSuppressed(je);
        } finally {
            closeQuietly(lock);
        }
        return e instanceof KernelException k ? k : new PodException(reason, e);
    }

    // ---------------------------------------------------------------- launch: rkt run by a thin client

    /**
     * A pod prepared into {@code run/} and described for a thin client to start. The caller holds
     * {@link #lock} (stage0's byte of the pod lock) until the client holds its own
     * ({@link PodLock#watch}), then releases it.
     */
    public record Launched(String uuid, Path podDir, String stage1, Stage1Launch launch, PodLock lock) {}

    /**
     * The first half of {@code rkt run} for a thin client: prepares the pod, moves it to
     * {@code run/} and asks the stage1 how to start it. Null, and nothing done, when the stage1
     * cannot be started by another process: the client then runs the pod itself.
     */
    public Launched launch(PrepareRequest request, boolean interactive, UserLog log) throws KernelException {
        try {
            Stage1 stage1 = kernel.plugins().stage1(request.stage1() == null ? DEFAULT_STAGE1 : request.stage1());
            if (!stage1.info().can(Stage1Capability.LAUNCH)) {
                return null;
            }
        } catch (PluginException e) {
            throw new PodException(e.getMessage(), e);
        }
        Prepared p = prepareLocked(request, log);
        Path runDir = moveToRun(p);
        try {
            Stage1Launch launch = p.stage1().launch(podRun(p.uuid(), runDir, p.manifest(), interactive, p.stage1(), log));
            return new Launched(p.uuid(), runDir, p.stage1().info().name(), launch, p.lock());
        } catch (Stage1Exception | KernelException e) {
            throw startFailed(p.uuid(), p.lock(), e);
        }
    }

    /**
     * The end of a launched pod, as its client saw it: records each app's code from the status
     * files and the pod's (see {@link Stage1Launch}); returns the pod's exit code. Records nothing
     * when the journal already has the pod ended.
     *
     * @param commandCode the exit code of the launched command, or null when it never started
     * @param reason why it never started, or null
     */
    public static int recordExit(JournalSession journal, Path podDir, String uuid, Integer commandCode, String reason)
            throws JournalException {
        PodRecord pod = journal.pod(uuid).orElse(null);
        List<PodRecord.App> apps = pod == null ? List.of() : pod.apps();
        Map<String, Integer> codes = commandCode == null ? Map.of() : statusCodes(podDir, apps);
        Integer code = codes.isEmpty() ? commandCode : podExitCode(apps, codes);
        if (pod != null && (pod.state() == PodState.RUNNING || pod.state() == PodState.PREPARED)) {
            List<dev.rktj.kernel.event.KernelEvent> events = new ArrayList<>();
            codes.forEach((app, c) -> events.add(new AppExited(uuid, app, c)));
            events.add(new PodExited(uuid, code, reason));
            journal.append(events.toArray(dev.rktj.kernel.event.KernelEvent[]::new));
        }
        return code == null ? 254 : code;
    }

    // ---------------------------------------------------------------- reconciliation

    /**
     * Corrects the journal where a stage0 died: a pod the journal calls running (or prepared but
     * already in {@code run/}) whose lock is free is recorded exited, with the codes its stage1
     * left in status files. Returns the current view.
     */
    public PodsView reconcile() throws KernelException {
        try {
            PodsView view = kernel.journal().pods();
            boolean changed = false;
            for (PodRecord pod : view.all()) {
                if (pod.state() == PodState.RUNNING || pod.state() == PodState.PREPARED) {
                    changed |= reconcileOne(pod);
                }
            }
            return changed ? kernel.journal().pods() : view;
        } catch (JournalException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** Returns true when it recorded something. */
    private boolean reconcileOne(PodRecord pod) throws JournalException, KernelException {
        // only a pod in run/ can have lost its stage0; the other dirs are probed only for a running pod that left run/
        Path run = dirs.path(Dir.RUN, pod.uuid());
        if (!Files.isDirectory(run)) {
            if (pod.state() == PodState.RUNNING && dirs.find(pod.uuid()).isEmpty()) {
                kernel.journal().append(new StateReconciled(pod.uuid(), "running", "removed", "pod directory is gone"),
                        new PodRemoved(pod.uuid()));
                return true;
            }
            return false;
        }
        try (PodLock lock = PodLock.tryAcquire(run)) {
            if (lock == null) {
                return false;
            }
            // under the lock, the journal may have moved on (the pod's own stage0 recorded its exit)
            PodRecord now = kernel.journal().pod(pod.uuid()).orElse(null);
            if (now == null || (now.state() != PodState.RUNNING && now.state() != PodState.PREPARED)) {
                return false;
            }
            Map<String, Integer> codes = statusCodes(run, now.apps());
            List<dev.rktj.kernel.event.KernelEvent> events = new ArrayList<>();
            events.add(new StateReconciled(pod.uuid(), now.state().text(), "exited", "stage0 lost: the pod's lock is free"));
            codes.forEach((app, code) -> events.add(new AppExited(pod.uuid(), app, code)));
            events.add(new PodExited(pod.uuid(), podExitCode(now.apps(), codes), "stage0 lost"));
            kernel.journal().append(events.toArray(dev.rktj.kernel.event.KernelEvent[]::new));
            return true;
        } catch (IOException e) {
            // a pod we cannot probe is left as the journal says; the next command tries again
            return false;
        }
    }

    /** The app exit codes the stage1 left in {@code stage1/rootfs/rkt/status/<app>}. */
    static Map<String, Integer> statusCodes(Path podDir, List<PodRecord.App> apps) {
        Map<String, Integer> codes = new LinkedHashMap<>();
        Path status = podDir.resolve("stage1/rootfs/rkt/status");
        for (PodRecord.App app : apps) {
            try {
                String s = Files.readString(status.resolve(app.name()), StandardCharsets.US_ASCII).trim();
                codes.put(app.name(), Integer.parseInt(s));
            } catch (IOException | NumberFormatException e) {
                // no status file: the app never ended cleanly
            }
        }
        return codes;
    }

    /** rkt's rule: the first app (in manifest order) that failed decides, else 0; null if none left a code. */
    static Integer podExitCode(List<PodRecord.App> apps, Map<String, Integer> codes) {
        if (codes.isEmpty()) {
            return null;
        }
        for (PodRecord.App app : apps) {
            Integer c = codes.get(app.name());
            if (c != null && c != 0) {
                return c;
            }
        }
        return codes.size() == apps.size() ? 0 : null;
    }

    // ---------------------------------------------------------------- gc and rm

    /** {@code rkt gc}. */
    public void gc(GcRequest request, UserLog log) throws KernelException {
        reconcile();
        try {
            PodsView view = kernel.journal().pods();
            for (Located pod : dirs.list(Dir.RUN)) {
                try (PodLock lock = PodLock.tryAcquire(pod.path())) {
                    if (lock == null) {
                        continue;
                    }
                    log.err("moving pod \"" + pod.uuid() + "\" to garbage");
                    dirs.move(pod, Dir.EXITED_GARBAGE);
                    kernel.journal().append(new PodGarbageMarked(pod.uuid(), "exited"));
                }
            }
            for (Located pod : dirs.list(Dir.PREPARE)) {
                try (PodLock lock = PodLock.tryAcquire(pod.path())) {
                    if (lock == null && Files.exists(pod.path().resolve(PodLock.FILE))) {
                        continue;
                    }
                    log.err("moving failed prepare \"" + pod.uuid() + "\" to garbage");
                    dirs.move(pod, Dir.GARBAGE);
                    if (view.get(pod.uuid()).isEmpty()) {
                        kernel.journal().append(new StateReconciled(pod.uuid(), "preparing", "aborted prepare", "prepare did not finish"),
                                new PodPrepareAborted(pod.uuid(), "prepare did not finish"));
                    }
                    kernel.journal().append(new PodGarbageMarked(pod.uuid(), "aborted prepare"));
                }
            }
            if (request.markOnly()) {
                return;
            }
            Instant now = Instant.now();
            for (Located pod : dirs.list(Dir.PREPARED)) {
                if (ctime(pod.path()).plus(request.expirePrepared()).isAfter(now)) {
                    continue;
                }
                try (PodLock lock = PodLock.tryAcquire(pod.path())) {
                    if (lock == null) {
                        continue;
                    }
                    log.err("moving expired prepared pod \"" + pod.uuid() + "\" to garbage");
                    dirs.move(pod, Dir.GARBAGE);
                    kernel.journal().append(new PodGarbageMarked(pod.uuid(), "prepared"));
                }
            }
            for (Located pod : dirs.list(Dir.EXITED_GARBAGE)) {
                if (ctime(pod.path()).plus(request.gracePeriod()).isAfter(now)) {
                    log.err("pod \"" + pod.uuid() + "\" not removed: still within grace period (" + goDuration(request.gracePeriod()) + ")");
                    continue;
                }
                sweep(pod, log);
            }
            for (Located pod : dirs.list(Dir.GARBAGE)) {
                sweep(pod, log);
            }
        } catch (IOException | JournalException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    private void sweep(Located pod, UserLog log) throws IOException, JournalException, KernelException {
        try (PodLock lock = PodLock.tryAcquire(pod.path())) {
            if (lock == null && Files.exists(pod.path().resolve(PodLock.FILE))) {
                return;
            }
            log.out("Garbage collecting pod \"" + pod.uuid() + "\"");
            try {
                delete(pod);
            } catch (IOException | KernelException e) {
                // rkt's gc goes on with the other pods and still exits 0
                log.err("unable to remove pod \"" + pod.uuid() + "\": " + e.getMessage());
                return;
            }
        }
        kernel.journal().append(new PodGarbageCollected(pod.uuid()));
    }

    /** Asks the pod's stage1 to release what it holds, then deletes the directory without crossing mounts. */
    private void delete(Located pod) throws IOException, KernelException {
        Path nameFile = pod.path().resolve(STAGE1_NAME_FILE);
        if (Files.exists(nameFile)) {
            try {
                Stage1 stage1 = kernel.plugins().stage1(Files.readString(nameFile).trim());
                stage1.gc(new PodGc(pod.uuid(), pod.path()));
            } catch (PluginException | Stage1Exception e) {
                throw new PodException(e.getMessage(), e);
            }
        }
        // rename out of the state dirs first so a half-deleted pod is never listed or resolved
        Path doomed = dirs.root().resolve(".deleting-" + pod.uuid());
        Durable.move(pod.path(), doomed);
        SafeDelete.tree(doomed);
    }

    /** {@code rkt rm}: removes exited or prepared pods now; returns false if any could not be removed. */
    public boolean rm(List<String> uuidPrefixes, UserLog log) throws KernelException {
        boolean ok = true;
        reconcile();
        for (String prefix : uuidPrefixes) {
            try {
                Located pod = dirs.resolve(prefix);
                try (PodLock lock = PodLock.tryAcquire(pod.path())) {
                    if (lock == null) {
                        throw new PodException(pod.dir() == Dir.RUN ? "pod \"" + pod.uuid() + "\" is currently running"
                                : "pod \"" + pod.uuid() + "\" is being prepared or deleted");
                    }
                    delete(pod);
                }
                kernel.journal().append(new PodRemoved(pod.uuid()));
                log.out("\"" + pod.uuid() + "\"");
            } catch (KernelException | IOException | JournalException e) {
                log.err(e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    // ---------------------------------------------------------------- what pods hold

    /** A pod that needs an image: {@code state} is {@code preparing}, {@code prepared} or {@code running}. */
    public record ImageUser(String uuid, String state) {}

    /**
     * The pods that still need their images, by image ID, read from the pod directories (not the
     * journal, which learns of a pod only once it is prepared): pods being prepared, prepared pods,
     * and running pods. Exited pods no longer need theirs.
     */
    public Map<String, List<ImageUser>> imageUsers() throws KernelException {
        Map<String, List<ImageUser>> users = new LinkedHashMap<>();
        for (Dir dir : List.of(Dir.EMBRYO, Dir.PREPARE, Dir.PREPARED, Dir.RUN)) {
            for (Located pod : dirs.list(dir)) {
                try {
                    if (dir != Dir.PREPARED && !PodLock.isLocked(pod.path())) {
                        continue; // a failed prepare, or an exited pod
                    }
                    String state = dir == Dir.PREPARED ? "prepared" : dir == Dir.RUN ? "running" : "preparing";
                    Path manifest = pod.path().resolve("pod");
                    if (!Files.exists(manifest)) {
                        continue; // an embryo before its manifest: it has not settled on its images yet
                    }
                    PodManifest m = Appc.mapper().readValue(Files.readAllBytes(manifest), PodManifest.class);
                    for (RuntimeApp app : m.apps()) {
                        users.computeIfAbsent(app.image().id(), k -> new ArrayList<>()).add(new ImageUser(pod.uuid(), state));
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // the pod moved on (or was removed) while we looked; wherever it went is listed too
                } catch (IOException e) {
                    throw new PodException("cannot read pod \"" + pod.uuid() + "\": " + e.getMessage(), e);
                }
            }
        }
        return users;
    }

    /** {@code rkt cat-manifest}: the pod manifest as stored, for a UUID prefix. */
    public byte[] manifest(String uuidPrefix) throws KernelException {
        Located pod = dirs.resolve(uuidPrefix);
        try {
            return Files.readAllBytes(pod.path().resolve("pod"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PodException("pod \"" + pod.uuid() + "\" has no manifest: it moved or was removed meanwhile");
        } catch (IOException e) {
            throw new PodException("cannot read the manifest of pod \"" + pod.uuid() + "\": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** rkt's default app name: the last path element of the image name. */
    static String defaultAppName(String imageName) {
        String base = imageName.substring(imageName.lastIndexOf('/') + 1);
        return base.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
    }

    static String displayName(ImageManifest m) {
        String v = m.label("version");
        return v == null ? m.name() : m.name() + ":" + v;
    }

    private static Instant ctime(Path p) throws IOException {
        return ((java.nio.file.attribute.FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS)).toInstant();
    }

    /** Go's time.Duration format, as rkt prints it ({@code 30m0s}). */
    public static String goDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long s = d.getSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s >= 60) {
            b.append((s % 3600) / 60).append('m');
        }
        b.append(s % 60).append('s');
        return b.toString();
    }

    private static void closeQuietly(PodLock lock) {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                // the lock dies with the process anyway
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            SafeDelete.tree(dir);
        } catch (IOException e) {
            // an embryo left behind is reported by gc
        }
    }

}
