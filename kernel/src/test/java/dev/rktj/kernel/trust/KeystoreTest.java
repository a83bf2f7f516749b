package dev.rktj.kernel.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.trust.TrustedKey.Origin;
import dev.rktj.kernel.trust.TrustedKey.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keystore's files: where keys go, what they hold, masks, listing and removal. */
class KeystoreTest {

    @TempDir
    static Path keys;

    private static Gpg gpg;
    private static String alice;
    private static String bob;
    private static byte[] aliceArmored;
    private static byte[] bobArmored;

    @TempDir
    Path dir;

    private Path local;
    private Path system;
    private Keystore keystore;

    @BeforeAll
    static void makeKeys() throws Exception {
        gpg = Gpg.create(keys);
        alice = gpg.generate("Alice <alice@example.com>", "ed25519", "never", null);
        bob = gpg.generate("Bob <bob@example.com>", "ed25519", "never", null);
        gpg.addSigningSubkey(bob, "ed25519", "never", null);
        aliceArmored = gpg.exportArmored(alice);
        bobArmored = gpg.exportArmored(bob);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    @BeforeEach
    void dirs() {
        local = dir.resolve("etc");
        system = dir.resolve("lib");
        keystore = new Keystore(local, system);
    }

    private static PgpKey key(byte[] armored) throws TrustException {
        List<PgpKey> keys = PgpKey.parseAll(armored);
        assertEquals(1, keys.size());
        return keys.get(0);
    }

    @Test
    void store_prefixKey_armoredWorldReadableFileNamedByFingerprint() throws Exception {
        Path file = keystore.store("example.com/app", key(aliceArmored));

        assertEquals(local.resolve("trustedkeys/prefix.d/example.com/app/" + alice), file);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file, StandardCharsets.US_ASCII);
        assertTrue(content.startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"), content);
        assertEquals(alice, key(Files.readAllBytes(file)).fingerprint());
        try (var siblings = Files.list(file.getParent())) {
            assertEquals(List.of(file), siblings.toList(), "no temp file is left beside it");
        }
    }

    @Test
    void store_rootKey_goesToRootD() throws Exception {
        assertEquals(local.resolve("trustedkeys/root.d/" + alice), keystore.store(null, key(aliceArmored)));
    }

    @Test
    void store_sameKeyAgain_replacesTheFile() throws Exception {
        Path first = keystore.store("example.com", key(aliceArmored));
        Files.write(first, new byte[0]);
        Path second = keystore.store("example.com", key(aliceArmored));
        assertEquals(first, second);
        assertEquals(alice, key(Files.readAllBytes(second)).fingerprint());
    }

    @Test
    void checkPrefix_urlsAndNonIdentifiers_refused() {
        TrustException url = assertThrows(TrustException.class, () -> Keystore.checkPrefix("https://example.com/app"));
        assertEquals("--prefix must not contain a URL scheme, omit https://", url.getMessage());
        for (String bad : List.of("../etc", "example.com/../../x", "/abs", "Example.com", "example.com/", "a b", "")) {
            TrustException e = assertThrows(TrustException.class, () -> keystore.store(bad, key(aliceArmored)), bad);
            assertTrue(e.getMessage().startsWith("invalid prefix \"" + bad + "\""), e.getMessage());
        }
        assertFalse(Files.exists(local), "nothing written for a refused prefix");
    }

    @Test
    void parseAll_binaryAndConcatenatedArmor_everyKey() throws Exception {
        assertEquals(Set.of(alice, bob), fingerprints(PgpKey.parseAll(gpg.exportBinary(alice, bob))));
        byte[] appended = (new String(aliceArmored, StandardCharsets.US_ASCII) + new String(bobArmored, StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(Set.of(alice, bob), fingerprints(PgpKey.parseAll(appended)));
    }

    @Test
    void parseAll_identitiesAndSubkeys() throws Exception {
        PgpKey b = key(bobArmored);
        assertEquals(List.of("Bob <bob@example.com>"), b.identities());
        assertEquals(gpg.fingerprints(bob).subList(1, gpg.fingerprints(bob).size()), b.subkeyFingerprints());
        assertEquals(1, b.subkeyFingerprints().size());
    }

    @Test
    void parseAll_notAKey_refused() {
        assertThrows(TrustException.class, () -> PgpKey.parseAll("hello".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(TrustException.class, () -> PgpKey.parseAll(new byte[0]));
        TrustException truncated = assertThrows(TrustException.class,
                () -> PgpKey.parseAll(new String(aliceArmored, StandardCharsets.US_ASCII).replace("-----END", "--")
                        .getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, truncated.getMessage().lines().count());
    }

    @Test
    void display_rktsGroupsOfFour() {
        assertEquals("8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190", PgpKey.display("8b86de38890ddb7291867b025210bd8888182190"));
    }

    @Test
    void list_localSystemAndMasks_rootFirstWithStatuses() throws Exception {
        keystore.store("example.com", key(bobArmored));
        Keystore systemStore = new Keystore(system, dir.resolve("unused"));
        systemStore.store(null, key(aliceArmored));
        systemStore.store("example.com", key(aliceArmored));
        Path mask = Files.createDirectories(local.resolve("trustedkeys/root.d")).resolve(alice);
        Files.write(mask, new byte[0]);

        List<TrustedKey> listed = keystore.list();

        List<String> rows = new ArrayList<>();
        for (TrustedKey k : listed) {
            rows.add((k.root() ? "(root)" : k.prefix()) + " " + k.fingerprint() + " " + k.origin() + " " + k.status() + " " + k.identities());
        }
        List<String> expected = new ArrayList<>(List.of(
                "(root) " + alice + " LOCAL MASK []",
                "(root) " + alice + " SYSTEM MASKED [Alice <alice@example.com>]"));
        List<String> prefixed = new ArrayList<>(List.of(
                "example.com " + alice + " SYSTEM TRUSTED [Alice <alice@example.com>]",
                "example.com " + bob + " LOCAL TRUSTED [Bob <bob@example.com>]"));
        prefixed.sort(null);
        expected.addAll(prefixed);
        assertEquals(expected, rows);
        assertEquals(mask, listed.get(0).path());
    }

    @Test
    void remove_localKey_deletesItsFiles() throws Exception {
        Path a = keystore.store("example.com", key(aliceArmored));
        Path b = keystore.store(null, key(aliceArmored));

        List<Keystore.Removal> removed = keystore.remove(PgpKey.display(alice));

        assertEquals(List.of(new Keystore.Removal(alice, null, b, false), new Keystore.Removal(alice, "example.com", a, false)),
                removed.stream().sorted(Comparator.comparing((Keystore.Removal r) -> r.prefix() == null ? "" : r.prefix())).toList());
        assertFalse(Files.exists(a));
        assertFalse(Files.exists(b));
        assertEquals(List.of(), keystore.list());
    }

    @Test
    void remove_systemKey_masksItWithAnEmptyLocalFile() throws Exception {
        new Keystore(system, dir.resolve("unused")).store("example.com", key(aliceArmored));
        keystore.store("example.com", key(aliceArmored));

        List<Keystore.Removal> removed = keystore.remove(alice.toUpperCase(Locale.ROOT));

        Path mask = local.resolve("trustedkeys/prefix.d/example.com/" + alice);
        assertEquals(List.of(new Keystore.Removal(alice, "example.com", mask, true)), removed);
        assertArrayEquals(new byte[0], Files.readAllBytes(mask));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(mask)));
        assertTrue(Files.exists(system.resolve("trustedkeys/prefix.d/example.com/" + alice)), "the system config is never written");
        TrustException again = assertThrows(TrustException.class, () -> keystore.remove(alice));
        assertEquals("no trusted key has fingerprint " + alice, again.getMessage());
    }

    @Test
    void remove_badFingerprint_refused() {
        TrustException e = assertThrows(TrustException.class, () -> keystore.remove("abc"));
        assertEquals("invalid fingerprint \"abc\": 40 hex digits expected", e.getMessage());
    }

    @Test
    void keyringFor_rktsOrderWithMasksAndWholeComponents() throws Exception {
        Keystore systemStore = new Keystore(system, dir.resolve("unused"));
        systemStore.store(null, key(aliceArmored));
        keystore.store("example.com/app", key(bobArmored));
        keystore.store("example.com/ap", key(aliceArmored));

        assertEquals(List.of(alice, bob), List.copyOf(keystore.read().keyringFor("example.com/app/sub").keySet()));
        assertEquals(List.of(alice), List.copyOf(keystore.read().keyringFor("example.com/apple").keySet()));

        // rkt: an empty file in a prefix directory drops the key whatever directory before it gave it
        Files.write(local.resolve("trustedkeys/prefix.d/example.com/app").resolve(alice), new byte[0]);
        assertEquals(List.of(bob), List.copyOf(keystore.read().keyringFor("example.com/app").keySet()));
        assertEquals(List.of(alice), List.copyOf(keystore.read().keyringFor("example.com/other").keySet()));
    }

    /** The keys' fingerprints, checking none was read twice. */
    private static Set<String> fingerprints(List<PgpKey> keys) {
        Set<String> fps = keys.stream().map(PgpKey::fingerprint).collect(Collectors.toSet());
        assertEquals(keys.size(), fps.size());
        return fps;
    }
}
