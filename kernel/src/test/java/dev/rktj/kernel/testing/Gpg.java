package dev.rktj.kernel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Real OpenPGP keys and signatures for tests, made by the gpg binary in a private home directory
 * (no passphrases). Key generation takes a second or two: make the keys once per test class, and
 * {@link #close} to stop the gpg-agent the home directory got.
 */
public final class Gpg implements AutoCloseable {

    private final Path home;

    private Gpg(Path home) {
        this.home = home;
    }

    /** A fresh gpg home under {@code dir} (keep the path short: gpg-agent's socket lives in it). */
    public static Gpg create(Path dir) throws IOException {
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        return new Gpg(home);
    }

    /**
     * A new primary key that can sign; returns its fingerprint (lower-case hex).
     *
     * @param algo {@code rsa2048}, {@code ed25519}, ...
     * @param expire {@code never}, or a period such as {@code 1y}
     * @param fakedTime null, or gpg's {@code --faked-system-time} ({@code 20200101T000000}) to make it in the past
     */
    public String generate(String userId, String algo, String expire, String fakedTime) throws IOException {
        gpg(fakedTime, "--quick-gen-key", userId, algo, "sign", expire);
        return fingerprints(userId).get(0);
    }

    /** A new signing subkey of {@code primary}; returns its fingerprint. */
    public String addSigningSubkey(String primary, String algo, String expire, String fakedTime) throws IOException {
        List<String> before = fingerprints(primary);
        gpg(fakedTime, "--quick-add-key", primary, algo, "sign", expire);
        List<String> after = fingerprints(primary);
        after.removeAll(before);
        return after.get(0);
    }

    /** Revokes the primary key with the revocation certificate gpg made with it. */
    public void revoke(String primary) throws IOException {
        Path certificate = home.resolve("openpgp-revocs.d").resolve(primary.toUpperCase(Locale.ROOT) + ".rev");
        // gpg puts a colon before the armor line so that the file is not imported by accident
        String armored = Files.readString(certificate).replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        Path importable = Files.writeString(home.resolve("revoke-" + primary + ".asc"), armored);
        gpg(null, "--import", importable.toString());
    }

    /** Revokes the first subkey of {@code primary}, through gpg's key editor. */
    public void revokeFirstSubkey(String primary) throws IOException {
        run("key 1\nrevkey\ny\n0\n\ny\nsave\n", null, "--command-fd", "0", "--edit-key", primary);
    }

    /** The public keys, armored, in one block. */
    public byte[] exportArmored(String... fingerprints) throws IOException {
        List<String> args = new ArrayList<>(List.of("--armor", "--export"));
        args.addAll(List.of(fingerprints));
        return gpg(null, args.toArray(String[]::new)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The public keys, binary. */
    public byte[] exportBinary(String... fingerprints) throws IOException {
        Path out = home.resolve("export.gpg");
        List<String> args = new ArrayList<>(List.of("--output", out.toString(), "--export"));
        args.addAll(List.of(fingerprints));
        gpg(null, args.toArray(String[]::new));
        return Files.readAllBytes(out);
    }

    /**
     * A detached signature of {@code file}, made by exactly the key {@code key} names (a subkey's
     * fingerprint signs with that subkey).
     */
    public byte[] sign(Path file, String key, boolean armor, String fakedTime) throws IOException {
        Path out = home.resolve("signature-" + System.nanoTime());
        List<String> args = new ArrayList<>(List.of("--local-user", key + "!", "--output", out.toString()));
        if (armor) {
            args.add("--armor");
        }
        args.addAll(List.of("--detach-sign", file.toString()));
        gpg(fakedTime, args.toArray(String[]::new));
        byte[] signature = Files.readAllBytes(out);
        Files.delete(out);
        return signature;
    }

    /** Primary and subkey fingerprints of the keys {@code query} finds, lower-case, primary first. */
    public List<String> fingerprints(String query) throws IOException {
        List<String> fps = new ArrayList<>();
        for (String line : gpg(null, "--with-colons", "--list-keys", query).split("\n")) {
            if (line.startsWith("fpr:")) {
                fps.add(line.split(":")[9].toLowerCase(Locale.ROOT));
            }
        }
        return fps;
    }

    /** Stops the gpg-agent of this home directory. */
    @Override
    public void close() throws IOException {
        try {
            Process p = new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String gpg(String fakedTime, String... args) throws IOException {
        return run("", fakedTime, args);
    }

    private String run(String input, String fakedTime, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--yes",
                "--pinentry-mode", "loopback", "--passphrase", "", "--no-tty", "--quiet"));
        if (fakedTime != null) {
            // the bang freezes the clock, so a key made "then" is still valid when it signs "then"
            cmd.addAll(List.of("--faked-system-time", fakedTime + "!"));
        }
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(home, "gpg", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("gpg " + String.join(" ", args) + " failed: " + Files.readString(err));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.delete(err);
        }
        return out;
    }
}
