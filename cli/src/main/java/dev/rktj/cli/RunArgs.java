package dev.rktj.cli;

import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.PullPolicy;
import dev.rktj.kernel.pod.AppSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * rkt's run/prepare argument grammar, which picocli cannot express: pod-wide flags anywhere
 * before the first image, per-app flags after their image, {@code --} starting an app's
 * arguments and {@code ---} ending them.
 */
final class RunArgs {

    private static final Set<String> APP_FLAGS = Set.of("--name", "--exec", "--user", "--group", "--working-dir", "--readonly-rootfs",
            "--signature");
    private static final Set<String> UNSUPPORTED = Set.of("--volume", "--mount", "--port", "--dns", "--dns-search", "--dns-opt",
            "--dns-domain", "--hosts-entry", "--hostname", "--set-env", "--set-env-file", "--inherit-env", "--private-users",
            "--pod-manifest", "--memory", "--cpu", "--cpu-shares", "--caps-retain", "--caps-remove", "--seccomp",
            "--supplementary-gids", "--environment", "--user-annotation", "--user-label", "--annotation",
            "--stage1-url", "--stage1-path", "--stage1-hash", "--stage1-from-dir", "--oom-score-adj", "--ipc", "--no-overlay");

    final List<AppSpec> apps = new ArrayList<>();
    String stage1;
    PullPolicy pullPolicy = PullPolicy.NEW;
    boolean interactive;
    boolean quiet;
    Path uuidFileSave;

    /** @param global the root command, updated by global flags written after the subcommand */
    static RunArgs parse(List<String> raw, Rkt global, boolean prepare) throws KernelException {
        RunArgs r = new RunArgs();
        Builder current = null;
        List<Builder> builders = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String a = raw.get(i);
            if (a.equals("--")) {
                if (current == null) {
                    throw new KernelException("\"--\" must follow an image");
                }
                for (i++; i < raw.size() && !raw.get(i).equals("---"); i++) {
                    current.args.add(raw.get(i));
                }
                continue;
            }
            if (a.equals("---")) {
                continue;
            }
            if (!a.startsWith("--")) {
                current = new Builder(a);
                builders.add(current);
                continue;
            }
            int eq = a.indexOf('=');
            String flag = eq < 0 ? a : a.substring(0, eq);
            String inline = eq < 0 ? null : a.substring(eq + 1);
            if (UNSUPPORTED.contains(flag)) {
                throw new KernelException("flag " + flag + " is not supported by rktj yet");
            }
            if (APP_FLAGS.contains(flag)) {
                if (current == null) {
                    throw new KernelException("flag " + flag + " must follow the image it applies to");
                }
                if (flag.equals("--readonly-rootfs")) {
                    current.readOnly = bool(flag, inline);
                    continue;
                }
                String v = inline != null ? inline : value(raw, ++i, flag);
                switch (flag) {
                    case "--name" -> current.name = v;
                    case "--exec" -> current.exec = v;
                    case "--user" -> current.user = v;
                    case "--group" -> current.group = v;
                    case "--working-dir" -> current.workingDir = v;
                    case "--signature" -> current.signature = global.cwd().resolve(v);
                    default -> throw new IllegalStateException(flag);
                }
                continue;
            }
            switch (flag) {
                case "--interactive" -> {
                    if (prepare) {
                        throw new KernelException("unknown flag: --interactive");
                    }
                    r.interactive = bool(flag, inline);
                }
                case "--quiet", "-q" -> r.quiet = bool(flag, inline);
                case "--debug" -> global.debug = bool(flag, inline);
                case "--stage1-name" -> r.stage1 = inline != null ? inline : value(raw, ++i, flag);
                case "--pull-policy" -> r.pullPolicy = PullPolicy.parse(inline != null ? inline : value(raw, ++i, flag));
                case "--store-only" -> r.pullPolicy = bool(flag, inline) ? PullPolicy.NEVER : r.pullPolicy;
                case "--no-store" -> r.pullPolicy = bool(flag, inline) ? PullPolicy.UPDATE : r.pullPolicy;
                case "--uuid-file-save" -> r.uuidFileSave = global.cwd().resolve(inline != null ? inline : value(raw, ++i, flag));
                case "--insecure-options" -> global.insecureOptions = List.of((inline != null ? inline : value(raw, ++i, flag)).split(","));
                case "--insecure-skip-verify" -> global.insecureSkipVerify = bool(flag, inline);
                case "--dir" -> global.dir = inline != null ? inline : value(raw, ++i, flag);
                case "--local-config" -> global.localConfig = Path.of(inline != null ? inline : value(raw, ++i, flag));
                case "--system-config" -> global.systemConfig = Path.of(inline != null ? inline : value(raw, ++i, flag));
                case "--net" -> {
                    // fly shares the host's network, as rkt's fly ignores --net; other values need a stage1 with networking
                    String v = inline != null ? inline : "default";
                    if (!v.equals("host") && !v.equals("default")) {
                        throw new KernelException("--net=" + v + " is not supported yet (only host networking is available)");
                    }
                }
                case "--mds-register" -> bool(flag, inline);
                default -> throw new KernelException("unknown flag: " + flag);
            }
        }
        for (Builder b : builders) {
            r.apps.add(new AppSpec(b.image, b.name, b.exec, b.args, b.user, b.group, b.workingDir, b.readOnly, b.signature));
        }
        return r;
    }

    private static String value(List<String> raw, int i, String flag) throws KernelException {
        if (i >= raw.size()) {
            throw new KernelException("flag needs an argument: " + flag);
        }
        return raw.get(i);
    }

    private static boolean bool(String flag, String inline) throws KernelException {
        if (inline == null || inline.equals("true")) {
            return true;
        }
        if (inline.equals("false")) {
            return false;
        }
        throw new KernelException("invalid argument \"" + inline + "\" for " + flag + ": must be true or false");
    }

    private static final class Builder {
        final String image;
        final List<String> args = new ArrayList<>();
        String name;
        String exec;
        String user;
        String group;
        String workingDir;
        boolean readOnly;
        Path signature;

        Builder(String image) {
            this.image = image;
        }
    }
}
