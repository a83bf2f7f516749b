package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.UserLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root's options, its output streams and its prefixed log. */
abstract class Sub {

    @Spec
    CommandSpec spec;

    Rkt rkt() {
        return (Rkt) spec.root().userObject();
    }

    PrintWriter out() {
        return rkt().out;
    }

    PrintWriter err() {
        return rkt().err;
    }

    String prefix() {
        return spec.name() + ": ";
    }

    UserLog log() {
        boolean debug = rkt().debug;
        boolean inAgent = rkt().inAgent != null;
        // in the agent, a bar is drawn only for a streamed client whose stderr is a terminal
        StreamedClient client = inAgent ? rkt().inAgent.client() : null;
        boolean bars = inAgent ? client != null && client.streamed() && client.stderrTerminal() : Terminal.stderrIsTerminal();
        return new UserLog() {
            private ProgressBar bar;

            @Override public void out(String line) { Sub.this.out().println(line); }
            @Override public void err(String line) { Sub.this.err().println(prefix() + line); }
            @Override public void debug(String line) {
                if (debug) {
                    Sub.this.err().println(prefix() + line);
                }
            }
            @Override public boolean canAsk() {
                return !inAgent && System.console() != null;
            }
            @Override public boolean confirm(String question) {
                return canAsk() && Boolean.TRUE.equals(Terminal.yesNo(System.console(), Sub.this.out(), question));
            }
            @Override public void progress(String what, long bytes, long total, boolean done) {
                if (!bars) {
                    return;
                }
                if (bar == null) {
                    bar = new ProgressBar(Sub.this.err(), what);
                }
                bar.show(bytes, total, done);
                if (done) {
                    bar = null;
                }
            }
        };
    }

    Kernel kernel() throws KernelException {
        return rkt().kernel();
    }

    /** rkt refuses these commands to non-root users, before doing anything. */
    void requireRoot() throws KernelException {
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid != 0) {
                throw new KernelException("cannot run as unprivileged user");
            }
        } catch (IOException e) {
            throw new KernelException("cannot tell who is running rkt: " + e.getMessage(), e);
        }
    }
}
