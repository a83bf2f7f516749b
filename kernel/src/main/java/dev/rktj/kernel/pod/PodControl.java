package dev.rktj.kernel.pod;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.UserLog;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.PodManifest;
import dev.rktj.kernel.appc.RuntimeApp;
import dev.rktj.kernel.event.PodEntered;
import dev.rktj.kernel.event.PodStopRequested;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageId;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.pod.PodDirs.Dir;
import dev.rktj.kernel.pod.PodDirs.Located;
import dev.rktj.kernel.spi.PodEnter;
import dev.rktj.kernel.spi.PodStop;
import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1Capability;
import dev.rktj.kernel.spi.Stage1Exception;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Owns acting on running pods: {@code rkt stop} and {@code rkt enter}. Both find the pod's stage1
 * by the name it was prepared with, refuse what it cannot do, and record the request in the
 * journal ({@code PodStopRequested}, {@code PodEntered}) before handing it over.
 */
public final class PodControl {

    /** How long {@code rkt stop} lets the apps end after SIGTERM before it kills the pod. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Kernel kernel;
    private final PodDirs dirs;

    PodControl(Kernel kernel, PodDirs dirs) {
        this.kernel = kernel;
        this.dirs = dirs;
    }

    /**
     * {@code rkt stop}: prints {@code "<uuid>"} for each pod stopped and {@code pod "U" is already
     * stopped} for an exited one; returns how many could not be stopped, each said on stderr.
     */
    public int stop(List<String> uuidPrefixes, boolean force, UserLog log) throws KernelException {
        kernel.pods().reconcile();
        int failed = 0;
        for (String prefix : uuidPrefixes) {
            try {
                Located pod = dirs.resolve(prefix);
                if (!running(pod)) {
                    if (pod.dir() == Dir.RUN || pod.dir() == Dir.EXITED_GARBAGE) {
                        log.out("pod \"" + pod.uuid() + "\" is already stopped");
                        continue;
                    }
                    throw new PodException("pod \"" + pod.uuid() + "\" is not running");
                }
                Stage1 stage1 = stage1(pod, Stage1Capability.STOP, "stop");
                kernel.journal().append(new PodStopRequested(pod.uuid(), force, invokingUser()));
                stage1.stop(new PodStop(pod.uuid(), pod.path(), force, STOP_TIMEOUT));
                log.out("\"" + pod.uuid() + "\"");
            } catch (KernelException | Stage1Exception | JournalException e) {
                log.err(e.getMessage());
                failed++;
            }
        }
        return failed;
    }

    /**
     * {@code rkt enter}: runs {@code command} in app {@code app} (the only app when null) of a
     * running pod; returns the command's exit status. With no command, the image's
     * {@code /bin/bash}, else {@code /bin/sh}, as said on stderr.
     */
    public int enter(String uuidPrefix, String app, List<String> command, UserLog log) throws KernelException {
        kernel.pods().reconcile();
        Located pod = dirs.resolve(uuidPrefix);
        if (!running(pod)) {
            throw new PodException("pod \"" + pod.uuid() + "\" isn't currently running");
        }
        Stage1 stage1 = stage1(pod, Stage1Capability.ENTER, "enter");
        RuntimeApp target = app(pod, app);
        List<String> argv = command;
        if (argv.isEmpty()) {
            argv = List.of(shellOf(target));
            log.err("no command specified, assuming \"" + argv.get(0) + "\"");
        }
        long pid = enterPid(pod.path())
                .orElseThrow(() -> new PodException("pod \"" + pod.uuid() + "\" has not started its apps yet"));
        try {
            kernel.journal().append(new PodEntered(pod.uuid(), target.name(), argv, invokingUser()));
            return stage1.enter(new PodEnter(pod.uuid(), pod.path(), target.name(), pid, argv));
        } catch (Stage1Exception | JournalException e) {
            throw new PodException(e.getMessage(), e);
        }
    }

    private static boolean running(Located pod) throws PodException {
        try {
            return pod.dir() == Dir.RUN && PodLock.isLocked(pod.path());
        } catch (IOException e) {
            throw new PodException("cannot read the lock of pod \"" + pod.uuid() + "\": " + e.getMessage(), e);
        }
    }

    private Stage1 stage1(Located pod, Stage1Capability capability, String what) throws KernelException {
        try {
            Stage1 stage1 = kernel.plugins().stage1(
                    Files.readString(pod.path().resolve(PodService.STAGE1_NAME_FILE), StandardCharsets.UTF_8).trim());
            if (!stage1.info().can(capability)) {
                throw new PodException("rkt " + what + " not implemented for pod's stage1 \"" + stage1.info().name() + "\"");
            }
            return stage1;
        } catch (IOException | PluginException e) {
            throw new PodException("pod \"" + pod.uuid() + "\": cannot find its stage1: " + e.getMessage(), e);
        }
    }

    private static RuntimeApp app(Located pod, String name) throws PodException {
        PodManifest manifest;
        try {
            manifest = Appc.mapper().readValue(pod.path().resolve("pod").toFile(), PodManifest.class);
        } catch (IOException e) {
            throw new PodException("pod \"" + pod.uuid() + "\": unreadable pod manifest: " + e.getMessage(), e);
        }
        List<RuntimeApp> apps = manifest.apps();
        if (name == null) {
            if (apps.size() != 1) {
                throw new PodException("pod contains multiple apps: "
                        + String.join(", ", apps.stream().map(RuntimeApp::name).toList())
                        + "; specify app using \"rkt enter --app= ...\"");
            }
            return apps.get(0);
        }
        return apps.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new PodException("app \"" + name + "\" is not in pod \"" + pod.uuid() + "\""));
    }

    /** rkt's default is /bin/bash; images without it get /bin/sh. */
    private String shellOf(RuntimeApp app) throws KernelException {
        try {
            Path tree = kernel.store().render(ImageId.parse(app.image().id()));
            Path bash = RootPaths.resolve(tree, "/bin/bash");
            return bash != null && Files.isRegularFile(bash) ? "/bin/bash" : "/bin/sh";
        } catch (ImageException | IOException e) {
            throw new PodException("app \"" + app.name() + "\": cannot read its image: " + e.getMessage(), e);
        }
    }

    /** As rkt's stage0: the pid in {@code pid}, else the only child of the process in {@code ppid}. */
    static java.util.Optional<Long> enterPid(Path podDir) {
        try {
            Path pid = podDir.resolve("pid");
            if (Files.exists(pid)) {
                return java.util.Optional.of(Long.parseLong(Files.readString(pid, StandardCharsets.US_ASCII).strip()));
            }
            long parent = Long.parseLong(Files.readString(podDir.resolve("ppid"), StandardCharsets.US_ASCII).strip());
            List<ProcessHandle> children = ProcessHandle.of(parent).map(p -> p.children().toList()).orElse(List.of());
            return children.size() == 1 ? java.util.Optional.of(children.get(0).pid()) : java.util.Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code name(uid)} of whoever runs this command; the sudo caller too when there is one. */
    static String invokingUser() {
        String user = System.getProperty("user.name", "?");
        try {
            user += "(" + Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ")";
        } catch (IOException | UnsupportedOperationException e) {
            // the name alone
        }
        String sudo = System.getenv("SUDO_USER");
        return sudo == null ? user : user + " via sudo by " + sudo;
    }
}
