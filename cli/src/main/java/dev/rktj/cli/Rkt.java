package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code rkt} command: global options, the subcommand tree, and how errors become exit codes. */
@Command(name = "rkt", mixinStandardHelpOptions = false,
        description = "rktj: the App Container runtime, as an event-sourced kernel with plugins")
public final class Rkt implements Callable<Integer> {

    /** The subcommands, in help order; created only when needed (picocli reflects over each one it is given). */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("version", VersionCommand::new);
        SUBCOMMANDS.put("fetch", FetchCommand::new);
        SUBCOMMANDS.put("image", ImageCommand::new);
        SUBCOMMANDS.put("prepare", PrepareCommand::new);
        SUBCOMMANDS.put("run-prepared", RunPreparedCommand::new);
        SUBCOMMANDS.put("run", RunCommand::new);
        SUBCOMMANDS.put("list", ListCommand::new);
        SUBCOMMANDS.put("status", StatusCommand::new);
        SUBCOMMANDS.put("gc", GcCommand::new);
        SUBCOMMANDS.put("rm", RmCommand::new);
        SUBCOMMANDS.put("stop", StopCommand::new);
        SUBCOMMANDS.put("enter", EnterCommand::new);
        SUBCOMMANDS.put("cat-manifest", CatManifestCommand::new);
        SUBCOMMANDS.put("trust", TrustCommand::new);
        SUBCOMMANDS.put("history", HistoryCommand::new);
        SUBCOMMANDS.put("config", ConfigCommand::new);
        SUBCOMMANDS.put("journal-agent", JournalAgentCommand::new);
        SUBCOMMANDS.put("cds-train", TrainCommand::new);
    }

    /** rkt's exit code for its own failures. */
    static final int EXIT_ERROR = 254;

    static final Set<String> INSECURE_VALUES = Set.of("none", "image", "tls", "ondisk", "http", "pubkey",
            "capabilities", "paths", "seccomp", "all-fetch", "all-run", "all");

    @Option(names = "--dir", scope = ScopeType.INHERIT, description = "rkt data directory (default: ${DEFAULT-VALUE})",
            defaultValue = DataDirs.DEFAULT)
    String dir;

    @Option(names = "--local-config", scope = ScopeType.INHERIT, defaultValue = "/etc/rkt",
            description = "local configuration directory (default: ${DEFAULT-VALUE})")
    Path localConfig;

    @Option(names = "--system-config", scope = ScopeType.INHERIT, defaultValue = "/usr/lib/rkt",
            description = "system configuration directory (default: ${DEFAULT-VALUE})")
    Path systemConfig;

    @Option(names = "--user-config", scope = ScopeType.INHERIT, description = "user configuration directory: its auth.d overrides the local and system ones")
    Path userConfig;

    @Option(names = "--debug", scope = ScopeType.INHERIT, arity = "0..1", fallbackValue = "true",
            description = "print out more debug information to stderr")
    boolean debug;

    @Option(names = "--insecure-options", scope = ScopeType.INHERIT, split = ",", defaultValue = "none",
            description = "comma-separated list of security features to disable: none, image, tls, ondisk, http, pubkey, "
                    + "capabilities, paths, seccomp, all-fetch, all-run, all")
    List<String> insecureOptions = new ArrayList<>();

    @Option(names = "--insecure-skip-verify", scope = ScopeType.INHERIT, arity = "0..1", fallbackValue = "true",
            description = "rkt's older spelling of --insecure-options=image: skip image signature verification")
    boolean insecureSkipVerify;

    @Option(names = "--trust-keys-from-https", scope = ScopeType.INHERIT, arity = "0..1", fallbackValue = "true",
            description = "automatically trust gpg keys discovered over https for an image name no key is trusted for")
    boolean trustKeysFromHttps;

    @Option(names = "--plugins-dir", scope = ScopeType.INHERIT, description = "an extra directory to load plugins from")
    List<Path> pluginsDirs = new ArrayList<>();

    @Option(names = "--cwd", hidden = true, scope = ScopeType.INHERIT, description = "the caller's working directory (set by the agent client)")
    Path cwd;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "help for this command")
    boolean help;

    /** Set by {@link #execute} for commands running inside the journal agent, else null. */
    InAgent inAgent;
    PrintWriter out;
    PrintWriter err;

    @Override
    public Integer call() {
        err.println("missing command");
        new CommandLine(this).usage(err);
        return 2;
    }

    /**
     * Runs one command line and returns its exit code.
     *
     * @param inAgent what the journal agent shares with a command it runs, or null outside the agent
     */
    static int execute(String[] args, Path cwd, InAgent inAgent) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        return execute(args, cwd, inAgent, out, err);
    }

    static int execute(String[] args, Path cwd, InAgent inAgent, PrintWriter out, PrintWriter err) {
        Rkt rkt = new Rkt();
        rkt.cwd = cwd;
        rkt.inAgent = inAgent;
        rkt.out = out;
        rkt.err = err;
        CommandLine cl = new CommandLine(rkt);
        Main.Head head = Main.Head.of(args);
        String word = head.command == null ? null : head.command.split(" ")[0];
        if (word != null && !head.help && SUBCOMMANDS.containsKey(word)) {
            // a command line names one subcommand: picocli need not build the others (~100 ms)
            cl.addSubcommand(word, SUBCOMMANDS.get(word).get());
        } else {
            SUBCOMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false);
        // "--insecure-options=image" must not read "image" as the image subcommand
        cl.setAllowSubcommandsAsOptionParameters(true);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        for (String raw : List.of("run", "prepare")) {
            // rkt's run grammar ("--" and "---" between per-app flags) is parsed by RunArgs, not picocli
            CommandLine sub = cl.getSubcommands().get(raw);
            if (sub != null) {
                sub.setUnmatchedOptionsArePositionalParams(true).setEndOfOptionsDelimiter("\u0000");
            }
        }
        CommandLine enter = cl.getSubcommands().get("enter");
        if (enter != null) {
            // rkt enter UUID ls -l: the command's own options are not rkt's
            enter.setStopAtPositional(true);
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> Errors.report(e, commandLine, rkt.debug, err));
        cl.setParameterExceptionHandler((e, a) -> {
            err.println(Errors.prefix(e.getCommandLine()) + e.getMessage());
            return EXIT_ERROR;
        });
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The kernel configured from the global options. */
    Kernel kernel() throws dev.rktj.kernel.KernelException {
        KernelConfig config = config();
        if (inAgent == null) {
            return new Kernel(config, null);
        }
        Kernel kernel = new Kernel(config, inAgent.journal(), inAgent.resident());
        StreamedClient client = inAgent.client();
        if (inAgent.launches() != null && (client == null || client.stderrTerminal())) {
            // a thin run's output reaches its client at the end: a download for a terminal, with its
            // progress bar, belongs in the client (RunCommand)
            kernel.localOnly();
        }
        if (client != null && client.streamed()) {
            kernel.abandonWhen(client::gone); // a thin fetch whose client went away stores nothing
        }
        return kernel;
    }

    /** The kernel configuration the global options describe. */
    KernelConfig config() throws dev.rktj.kernel.KernelException {
        Set<String> insecure = new LinkedHashSet<>();
        if (insecureSkipVerify) {
            insecure.add("image");
        }
        for (String o : insecureOptions) {
            String v = o.trim();
            if (!INSECURE_VALUES.contains(v)) {
                throw new dev.rktj.kernel.KernelException("invalid --insecure-options value \"" + v + "\" (must be one of: "
                        + String.join(", ", new java.util.TreeSet<>(INSECURE_VALUES)) + ")");
            }
            switch (v) {
                case "all-fetch" -> insecure.addAll(List.of("image", "tls", "http", "pubkey"));
                case "all-run" -> insecure.addAll(List.of("capabilities", "paths", "seccomp"));
                case "all" -> insecure.addAll(List.of("image", "tls", "http", "pubkey", "capabilities", "paths", "seccomp", "ondisk"));
                case "none" -> { }
                default -> insecure.add(v);
            }
        }
        Path dataDir = DataDirs.canonical(cwd, dir);
        List<Path> plugins = new ArrayList<>();
        pluginsDirs.forEach(d -> plugins.add(callers(d)));
        String home = System.getProperty("rktj.home");
        if (home != null) {
            plugins.add(Path.of(home, "plugins"));
        }
        plugins.add(systemConfig.resolve("plugins"));
        List<String> agentCommand = null;
        String launcher = System.getProperty("rktj.launcher");
        if (launcher != null && Files.isExecutable(Path.of(launcher)) && inAgent == null) {
            agentCommand = List.of(launcher, "--dir=" + dataDir, "journal-agent");
        }
        return new KernelConfig(dataDir, callers(localConfig), callers(systemConfig), plugins, insecure, debug, agentCommand,
                trustKeysFromHttps, userConfig == null ? null : cwd.resolve(userConfig));
    }

    /** A path option as the caller meant it: in the agent, a relative one is relative to the client's directory. */
    private Path callers(Path option) {
        return inAgent == null ? option : cwd.resolve(option);
    }

    Path cwd() {
        return cwd;
    }
}
