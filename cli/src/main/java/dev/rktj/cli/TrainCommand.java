package dev.rktj.cli;

import dev.rktj.journal.agent.AgentClient;
import dev.rktj.journal.agent.AgentServer;
import java.time.Duration;
import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.fs.SafeDelete;
import dev.rktj.kernel.pod.PodLock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import picocli.CommandLine.Command;

/**
 * {@code rkt cds-train} (hidden): walks the common command paths in a scratch data directory so
 * that the build can record a class-data archive of everything they load (bin/rkt with
 * RKTJ_CDS_DUMP=1 runs it). Starts no agent and runs no pod.
 */
@Command(name = "cds-train", hidden = true, description = "Exercise command paths for the class-data archive")
final class TrainCommand extends Sub implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        System.clearProperty("rktj.launcher");
        Path tmp = Files.createTempDirectory("rktj-train");
        try {
            Path aci = tmp.resolve("train.aci");
            writeAci(aci);
            Path key = signWithThrowawayKey(aci);
            String dir = "--dir=" + tmp.resolve("data");
            try (AgentClient none = AgentClient.connect(tmp.resolve("data"))) {
                // loads the thin client's classes; nothing answers here
            }
            run(dir, "version");
            // the keystore is the scratch one: the host's /etc/rkt is never read or written here
            String local = "--local-config=" + tmp.resolve("etc");
            String system = "--system-config=" + tmp.resolve("lib");
            run(dir, local, system, "trust", "--prefix", "rktj.dev", "--skip-fingerprint-review", key.toString());
            run(dir, local, system, "trust", "--list");
            run(dir, local, system, "fetch", aci.toString());
            run(dir, "--insecure-options=image", "fetch", aci.toString());
            httpsFetch(tmp, aci, dir, local, system);
            run(dir, "image", "list");
            run(dir, "image", "list", "--fields=id,name,size,latest,signer", "--sort=name,size", "--order=desc", "--format=json");
            run(dir, "image", "cat-manifest", "rktj.dev/train");
            boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
            String uuid = root ? run(dir, local, system, "prepare", aci.toString()).trim() : "";
            run(dir, "list");
            run(dir, "list", "--full");
            run(dir, "list", "--format=json");
            if (!uuid.isEmpty()) {
                run(dir, "status", uuid);
                run(dir, "history", uuid);
            }
            run(dir, "history", "--format=json");
            run(dir, "status", "no-such-pod");
            agentRoundTrip(tmp.resolve("data"), aci);
            thinRunClasses(tmp);
            if (root) {
                run(dir, "gc", "--grace-period=0", "--expire-prepared=0");
            }
        } finally {
            SafeDelete.tree(tmp);
        }
        return 0;
    }

    /**
     * The read-only fast path: a thin client asking an agent (here in a thread of this JVM) for
     * list and status; and a thin fetch ({@link ThinCommand}), its output streamed back.
     */
    private static void agentRoundTrip(Path dataDir, Path aci) throws Exception {
        Thread agent = new Thread(() -> AgentServer.run(dataDir,
                journal -> new AgentCommands(dataDir, new JournalSession(journal)), Duration.ofSeconds(30)), "train-agent");
        agent.start();
        AgentClient client = null;
        for (int i = 0; i < 100 && client == null; i++) {
            Thread.sleep(20);
            client = AgentClient.connectThin(dataDir);
        }
        if (client != null) {
            try (AgentClient c = client) {
                c.exec(List.of("--cwd=/", "--dir=" + dataDir, "list"));
                c.exec(List.of("--cwd=/", "--dir=" + dataDir, "image", "list", "--sort=name"));
                c.exec(List.of("--cwd=/", "--dir=" + dataDir, "status", "no-such-pod"));
            }
        }
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(OutputStream.nullOutputStream())); // the image ID is not the build's output
        try {
            ThinCommand.run(Path.of("/"), dataDir, "fetch", new String[] {"--dir=" + dataDir, "--insecure-options=image", "fetch", aci.toString()});
        } finally {
            System.setOut(stdout);
        }
        try (AgentClient c = AgentClient.connect(dataDir)) {
            if (c != null) {
                c.shutdown();
            }
        }
        agent.join(10_000);
    }

    /** What the thin {@code rkt run} client loads besides the agent client: the pod lock and a started stage1. */
    private static void thinRunClasses(Path tmp) throws IOException, InterruptedException {
        ThinRun.run(tmp, tmp.resolve("no-agent-here"), new String[] {"run"});
        Path pod = Files.createDirectories(tmp.resolve("pod"));
        Files.createFile(pod.resolve(PodLock.FILE));
        try (PodLock watch = PodLock.watch(pod)) {
            new ProcessBuilder("true").directory(pod.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start().waitFor();
        }
    }

    /**
     * A verified fetch over https from a server in this JVM (on 127.0.0.1, with a certificate
     * keytool makes for the run), so that the archive holds Vert.x, Netty and the JDK's TLS too:
     * without them a command's first https request loaded some 2,600 classes from jars. Skipped
     * when the JDK has no keytool or the server cannot start; training is best effort.
     */
    private void httpsFetch(Path tmp, Path aci, String... global) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path keys = tmp.resolve("tls.p12");
        Path trust = tmp.resolve("trust.p12");
        char[] password = "training".toCharArray();
        if (!Files.isExecutable(keytool)) {
            return;
        }
        Process keytoolRun = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "train", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keys.toString(), "-storepass", "training", "-keypass", "training")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!keytoolRun.waitFor(60, TimeUnit.SECONDS) || keytoolRun.exitValue() != 0) {
            return;
        }
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            k.load(in, password);
        }
        KeyStore t = KeyStore.getInstance("PKCS12");
        t.load(null, null);
        t.setCertificateEntry("train", k.getCertificate("train"));
        try (OutputStream out = Files.newOutputStream(trust)) {
            t.store(out, password);
        }
        // this JVM has made no TLS connection yet: its default trust store is still to be read
        System.setProperty("javax.net.ssl.trustStore", trust.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "training");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1")
                            .setKeyCertOptions(new PfxOptions().setPath(keys.toString()).setPassword("training")))
                    .requestHandler(req -> {
                        Path file = req.path().equals("/train.aci") ? aci : req.path().equals("/train.aci.asc") ? Path.of(aci + ".asc") : null;
                        if (file == null) {
                            req.response().setStatusCode(404).end();
                        } else {
                            req.response().sendFile(file.toString());
                        }
                    })
                    .listen(0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<String> args = new ArrayList<>(List.of(global));
            args.addAll(List.of("fetch", "https://127.0.0.1:" + server.actualPort() + "/train.aci"));
            run(args.toArray(String[]::new));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter e = new PrintWriter(OutputStream.nullOutputStream(), true);
        Rkt.execute(args, rkt().cwd(), null, o, e);
        o.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Signs the image as {@code <image>.asc} with a key made for this run (Ed25519, no passphrase),
     * so that the verified fetch's classes are archived too; returns the public key's file.
     */
    private static Path signWithThrowawayKey(Path aci) throws IOException, PGPException {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), new Date());
        BcPGPContentSignerBuilder signer = new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA256);
        PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
                "rktj training <train@rktj.dev>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                null, null, signer, null);
        Path key = aci.resolveSibling("train-key.asc");
        try (ArmoredOutputStream out = new ArmoredOutputStream(Files.newOutputStream(key))) {
            rings.generatePublicKeyRing().encode(out);
        }
        PGPSignatureGenerator signature = new PGPSignatureGenerator(signer, pair.getPublicKey());
        signature.init(PGPSignature.BINARY_DOCUMENT, pair.getPrivateKey());
        signature.update(Files.readAllBytes(aci));
        try (ArmoredOutputStream out = new ArmoredOutputStream(Files.newOutputStream(Path.of(aci + ".asc")))) {
            signature.generate().encode(out);
        }
        return key;
    }

    private static void writeAci(Path aci) throws IOException {
        byte[] manifest = ("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"rktj.dev/train\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1\"},{\"name\":\"os\",\"value\":\"linux\"}],"
                + "\"app\":{\"exec\":[\"/bin/true\"],\"user\":\"0\",\"group\":\"0\"}}").getBytes(StandardCharsets.UTF_8);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(aci))) {
            List<TarArchiveEntry> dirs = new ArrayList<>(List.of(new TarArchiveEntry("rootfs/"), new TarArchiveEntry("rootfs/bin/")));
            for (TarArchiveEntry d : dirs) {
                d.setMode(040755);
                tar.putArchiveEntry(d);
                tar.closeArchiveEntry();
            }
            TarArchiveEntry t = new TarArchiveEntry("rootfs/bin/true");
            t.setMode(0100755);
            t.setSize(0);
            tar.putArchiveEntry(t);
            tar.closeArchiveEntry();
            TarArchiveEntry m = new TarArchiveEntry("manifest");
            m.setSize(manifest.length);
            m.setMode(0100644);
            tar.putArchiveEntry(m);
            tar.write(manifest);
            tar.closeArchiveEntry();
        }
    }
}
