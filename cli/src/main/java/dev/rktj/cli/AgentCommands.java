package dev.rktj.cli;

import dev.rktj.journal.JournalException;
import dev.rktj.journal.agent.AgentHandler;
import java.io.OutputStream;
import dev.rktj.journal.agent.ExecResult;
import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.KernelConfig;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.PodManifest;
import dev.rktj.kernel.event.PodStarted;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.Resident;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.pod.PodDirs;
import dev.rktj.kernel.pod.PodService;
import dev.rktj.kernel.pod.PodService.Launched;
import dev.rktj.kernel.pod.PodState;
import dev.rktj.kernel.view.PodRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the journal agent runs for its clients: read-only commands in-process against the agent's
 * journal session, a thin {@code rkt fetch} or {@code rkt prepare} with its output streamed ({@link ThinCommand}), and the
 * agent's half of a thin {@code rkt run} ({@link ThinRun}), which holds a prepared pod's lock
 * until its client has started it.
 */
final class AgentCommands implements AgentHandler, AutoCloseable {

    private static final byte[] NONE = new byte[0];

    private final PodDirs dirs;
    private final JournalSession session;
    private final Resident resident = new Resident();
    /** This agent's side of {@link ThinCommand#environment()}, as it was when the agent started. */
    private final String environment = ThinCommand.environment();
    /** Set once the agent stops: a warm-up still under way stops at its next step. */
    private volatile boolean closed;
    /** Pods prepared for a client that has not said it started them, by UUID. */
    private final Map<String, Launched> held = new ConcurrentHashMap<>();
    /** The UUIDs held for the connection this thread serves. */
    private final ThreadLocal<Set<String>> heldHere = ThreadLocal.withInitial(HashSet::new);

    AgentCommands(Path dataDir, JournalSession session) {
        this.dirs = new PodDirs(dataDir);
        this.session = session;
    }

    /**
     * Loads, in the background, what the first {@code rkt run} would otherwise load while its user
     * waits: the plugins and the JSON mappers. Touches nothing in the data directory, which may be
     * deleted at any moment (the agent then exits; a warm-up must not bring it back).
     */
    void warmUp(KernelConfig config) {
        Thread t = new Thread(() -> {
            try {
                if (closed) {
                    return;
                }
                resident.plugins().host(config.pluginDirs());
                if (closed) {
                    return;
                }
                Appc.mapper().writeValueAsString(new PodManifest("0.8.11", "PodManifest", List.of(), null, null, null, null, null, null));
                EventCodec.encode(new PodStarted(UUID.randomUUID().toString(), 1, "warm-up"));
            } catch (PluginException | IOException | RuntimeException e) {
                // only a head start: the first command that needs these reports what is wrong
            }
        }, "journal-agent-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    @Override
    public ExecResult exec(List<String> args) {
        return exec(args, () -> false);
    }

    @Override
    public ExecResult exec(List<String> args, AgentHandler.Peer peer) {
        String word = args.isEmpty() ? "" : args.get(0);
        return switch (word) {
            case ThinRun.LAUNCH -> launch(args, peer);
            case ThinRun.STARTED -> started(args);
            case ThinRun.FAILED, ThinRun.EXITED -> ended(args);
            default -> command(args, null, null);
        };
    }

    /**
     * Runs one command line in-process; a {@code run} hands its prepared pod to {@code launched}.
     *
     * @param client a thin run's client, or null
     */
    private ExecResult command(List<String> args, List<Launched> launched, StreamedClient client) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = command(args, new InAgent(session, resident, launched == null ? null : launched::add, client), out, err);
        return new ExecResult(code, out.toByteArray(), err.toByteArray());
    }

    private static int command(List<String> args, InAgent inAgent, OutputStream out, OutputStream err) {
        PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
        int code = Rkt.execute(args.toArray(String[]::new), Path.of("/"), inAgent, o, e);
        o.flush();
        e.flush();
        return code;
    }

    /**
     * A thin client's {@code rkt fetch} or {@code rkt prepare} ({@link ThinCommand}), its output
     * streamed as it is written; null (declined, nothing done) when this agent would not do what
     * the client would.
     */
    @Override
    public Integer stream(List<String> args, AgentHandler.Client link) {
        StreamedClient client = client(args, ThinCommand.WORD, link, link);
        if (client == null) {
            return null;
        }
        List<String> commandLine = args.subList(ThinCommand.COMMAND_LINE, args.size());
        Main.Head head = Main.Head.of(commandLine.toArray(String[]::new));
        if (head.command == null || !ThinCommand.COMMANDS.contains(head.command) || head.help) {
            return null;
        }
        int code = command(commandLine, new InAgent(session, resident, null, client), link.out(), link.err());
        return client.declined() ? null : code;
    }

    /**
     * The client of a request laid out as {@code word, facts (ThinCommand#facts), command line...},
     * or null when the request is not one, or when this agent would not do what the client would:
     * another user, or another {@link ThinCommand#environment()}.
     *
     * @param link the streamed request's connection, or null for a request answered at its end
     */
    private StreamedClient client(List<String> args, String word, AgentHandler.Peer peer, AgentHandler.Client link) {
        if (args.size() <= ThinCommand.COMMAND_LINE || !args.get(0).equals(word) || !peer.sameUser()
                || !args.get(3).equals(environment)) {
            return null;
        }
        return new StreamedClient(link, args.get(1).equals("1"), args.get(2).equals("1"));
    }

    private ExecResult launch(List<String> args, AgentHandler.Peer peer) {
        StreamedClient client = client(args, ThinRun.LAUNCH, peer, null);
        if (client == null) {
            return new ExecResult(0, ThinRun.NOT_LAUNCHABLE.getBytes(StandardCharsets.UTF_8), NONE);
        }
        List<Launched> launched = new ArrayList<>(1);
        ExecResult result = command(args.subList(ThinCommand.COMMAND_LINE, args.size()), launched, client);
        if (launched.isEmpty()) {
            boolean ran = result.exitCode() == 0;
            return ran ? new ExecResult(0, ThinRun.NOT_LAUNCHABLE.getBytes(StandardCharsets.UTF_8), result.stderr()) : result;
        }
        Launched l = launched.get(0);
        held.put(l.uuid(), l);
        heldHere.get().add(l.uuid());
        StringBuilder payload = new StringBuilder(ThinRun.LAUNCHED).append('\0').append(l.uuid())
                .append('\0').append(l.launch().directory())
                .append('\0').append(l.launch().inheritStdin() ? '1' : '0');
        for (String c : l.launch().command()) {
            payload.append('\0').append(c);
        }
        return new ExecResult(0, payload.toString().getBytes(StandardCharsets.UTF_8), result.stderr());
    }

    /** {@code STARTED uuid pid}: records the start once and lets go of the pod. */
    private ExecResult started(List<String> args) {
        String uuid = uuid(args);
        if (uuid == null) {
            return failure("bad request");
        }
        Launched l = release(uuid, false);
        try {
            PodRecord pod = session.pod(uuid).orElse(null);
            if (pod != null && pod.state() == PodState.PREPARED) {
                session.append(new PodStarted(uuid, Long.parseLong(args.get(2)), l != null ? l.stage1() : pod.stage1()));
            }
            return new ExecResult(0, NONE, NONE);
        } catch (JournalException | NumberFormatException e) {
            return failure("cannot record the start of pod " + uuid + ": " + e.getMessage());
        } finally {
            close(l);
        }
    }

    /** {@code FAILED uuid reason} or {@code EXITED uuid code}: records the end; answers the pod's exit code. */
    private ExecResult ended(List<String> args) {
        String uuid = uuid(args);
        if (uuid == null) {
            return failure("bad request");
        }
        Launched l = release(uuid, false);
        try {
            boolean exited = args.get(0).equals(ThinRun.EXITED);
            int code = PodService.recordExit(session, dirs.path(PodDirs.Dir.RUN, uuid), uuid,
                    exited ? Integer.valueOf(args.get(2)) : null, exited ? null : args.get(2));
            return new ExecResult(0, Integer.toString(code).getBytes(StandardCharsets.US_ASCII), NONE);
        } catch (JournalException | NumberFormatException e) {
            return failure("cannot record the end of pod " + uuid + ": " + e.getMessage());
        } finally {
            close(l);
        }
    }

    /** The client went away without saying it started its pods: a pod it did start holds its own lock. */
    @Override
    public void connectionClosed() {
        for (String uuid : List.copyOf(heldHere.get())) {
            close(release(uuid, true));
        }
        heldHere.remove();
    }

    @Override
    public void close() {
        closed = true;
        for (String uuid : List.copyOf(held.keySet())) {
            close(held.remove(uuid));
        }
        resident.close();
    }

    private Launched release(String uuid, boolean onlyHere) {
        boolean here = heldHere.get().remove(uuid);
        return onlyHere && !here ? null : held.remove(uuid);
    }

    private static void close(Launched l) {
        if (l != null) {
            try {
                l.lock().close();
            } catch (IOException e) {
                // the lock goes with the file descriptor either way
            }
        }
    }

    /**
     * The UUID of a {@code WORD uuid value} request in canonical form (it names a directory), or
     * null for any other shape.
     */
    private static String uuid(List<String> args) {
        if (args.size() != 3) {
            return null;
        }
        try {
            String u = args.get(1);
            return UUID.fromString(u).toString().equals(u) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ExecResult failure(String message) {
        return new ExecResult(Rkt.EXIT_ERROR, NONE, (message + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
