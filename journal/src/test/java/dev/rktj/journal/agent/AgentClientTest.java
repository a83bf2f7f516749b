package dev.rktj.journal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted peer, for answers a real agent gives only in races. */
class AgentClientTest {

    Path dataDir;
    ServerSocketChannel server;
    ExecutorService peer;

    @BeforeEach
    void listen() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "rjk");
        Path socket = Files.createDirectories(dataDir.resolve("journal")).resolve("agent.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        peer = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void close() throws Exception {
        server.close();
        peer.shutdownNow();
        peer.awaitTermination(5, TimeUnit.SECONDS);
        AgentServerTest.deleteTree(dataDir);
    }

    interface Script {
        void play(DataInputStream in, DataOutputStream out) throws IOException;
    }

    /** Accepts one connection, answers its PING, then plays the script and closes. */
    Future<?> peer(Script script) {
        return peer.submit(() -> {
            try (SocketChannel connection = server.accept()) {
                DataInputStream in = new DataInputStream(Channels.newInputStream(connection));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(connection));
                assertEquals(Protocol.PING, in.readByte());
                Protocol.readArgs(in);
                out.writeByte(Protocol.OK);
                script.play(in, out);
            }
            return null;
        });
    }

    @Test
    void append_peerAnswersStopping_throwsAgentUnavailable() throws Exception {
        Future<?> played = peer((in, out) -> {
            in.readByte();
            Protocol.readArgs(in);
            out.writeByte(Protocol.STOPPING);
        });
        AgentClient client = AgentClient.connect(dataDir);
        assertNotNull(client);

        assertThrows(AgentUnavailableException.class, () -> client.append(List.of("{}")));
        assertFalse(client.isConnected());
        played.get(5, TimeUnit.SECONDS);
    }

    @Test
    void append_peerClosesAfterTakingTheRequest_throwsPlainIOException() throws Exception {
        Future<?> played = peer((in, out) -> {
            in.readByte();
            Protocol.readArgs(in);
        });
        AgentClient client = AgentClient.connect(dataDir);

        IOException error = assertThrows(IOException.class, () -> client.append(List.of("{}")));
        assertFalse(error instanceof AgentUnavailableException);
        assertFalse(error instanceof AgentException);
        assertFalse(client.isConnected());
        played.get(5, TimeUnit.SECONDS);
    }

    @Test
    void append_peerAnswersTooFewSeqs_throwsAndDropsTheConnection() throws Exception {
        peer((in, out) -> {
            in.readByte();
            Protocol.readArgs(in);
            out.writeByte(Protocol.OK);
            out.writeInt(1);
            out.writeLong(5);
            in.read();
        });
        AgentClient client = AgentClient.connect(dataDir);

        assertThrows(IOException.class, () -> client.append(List.of("{}", "{}")));
        assertFalse(client.isConnected());
        client.close();
    }

    @Test
    void connect_peerNeverAnswers_returnsNullAfterTheGuard() throws Exception {
        peer.submit(() -> {
            try (SocketChannel connection = server.accept()) {
                Thread.sleep(10_000);
            }
            return null;
        });
        long start = System.nanoTime();

        assertNull(AgentClient.connect(dataDir));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(Long.class, took);
        org.junit.jupiter.api.Assertions.assertTrue(took >= 2500 && took < 8000, "took " + took + " ms");
    }
}
