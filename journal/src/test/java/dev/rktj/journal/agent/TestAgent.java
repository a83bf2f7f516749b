package dev.rktj.journal.agent;

import dev.rktj.journal.Journal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** An AgentServer running on a thread of the test JVM; closing it makes sure it has stopped. */
final class TestAgent implements AutoCloseable {

    final Path dataDir;
    private final Thread thread;
    private volatile int exit = Integer.MIN_VALUE;

    private TestAgent(Path dataDir, Function<Journal, AgentHandler> handlers, Duration idle) {
        this.dataDir = dataDir;
        this.thread = new Thread(() -> exit = AgentServer.run(dataDir, handlers, idle), "test-agent");
        thread.setDaemon(true);
    }

    /** Starts a server and returns once it answers. */
    static TestAgent start(Path dataDir, Function<Journal, AgentHandler> handlers, Duration idle) throws InterruptedException {
        TestAgent agent = new TestAgent(dataDir, handlers, idle);
        agent.thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (AgentClient client = AgentClient.connect(dataDir)) {
                if (client != null) {
                    return agent;
                }
            }
            if (!agent.thread.isAlive()) {
                throw new AssertionError("agent exited with " + agent.exit + " before answering");
            }
            Thread.sleep(10);
        }
        agent.close();
        throw new AssertionError("agent did not answer in time");
    }

    /** Starts a server without waiting for it. */
    static TestAgent launch(Path dataDir, Function<Journal, AgentHandler> handlers, Duration idle) {
        TestAgent agent = new TestAgent(dataDir, handlers, idle);
        agent.thread.start();
        return agent;
    }

    /** Its exit code once it has stopped within {@code timeout}, else Integer.MIN_VALUE. */
    int awaitExit(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        return thread.isAlive() ? Integer.MIN_VALUE : exit;
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) {
            try (AgentClient client = AgentClient.connect(dataDir)) {
                if (client != null) {
                    client.shutdown();
                }
            } catch (java.io.IOException e) {
                // it is stopping anyway
            }
            thread.join(15_000);
        }
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(15_000);
        }
        if (thread.isAlive()) {
            throw new AssertionError("agent thread did not stop");
        }
    }
}
