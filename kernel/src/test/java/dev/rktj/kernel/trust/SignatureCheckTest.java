package dev.rktj.kernel.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.AciBuilder.Compression;
import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.testing.StoreSnapshot;
import dev.rktj.kernel.trust.TrustedKey.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signature verification as an image streams into the store, with real keys and signatures made
 * by gpg: rkt's trust scenario, tampering, expired and revoked keys and subkeys, masks.
 */
class SignatureCheckTest {

    @TempDir
    static Path keys;

    private static Gpg gpg;
    private static String alice;
    private static String bob;
    private static String carol;
    private static String carolSigning;
    private static String dave;
    private static String old;
    private static String erin;
    private static String erinOldSubkey;

    /** example.com/app (gzip) and other.org/tool, signed by alice, armored and binary. */
    private static byte[] app;
    private static byte[] appByAlice;
    private static byte[] appByAliceBinary;
    private static byte[] tool;
    private static byte[] toolByAlice;
    private static byte[] appByBob;
    private static byte[] appByCarolSubkey;
    private static byte[] appByDave;
    private static byte[] appByOld;
    private static byte[] appByErinOldSubkey;
    /** An uncompressed image whose file content can be changed without breaking the tar. */
    private static byte[] plain;
    private static byte[] plainByAlice;

    @TempDir
    Path dir;

    private Path local;
    private Path system;
    private Keystore keystore;
    private ImageStore store;

    @BeforeAll
    static void makeKeysAndSignatures() throws Exception {
        gpg = Gpg.create(keys);
        alice = gpg.generate("Alice <alice@example.com>", "rsa2048", "never", null);
        bob = gpg.generate("Bob <bob@example.com>", "ed25519", "never", null);
        carol = gpg.generate("Carol <carol@example.com>", "ed25519", "never", null);
        carolSigning = gpg.addSigningSubkey(carol, "ed25519", "never", null);
        dave = gpg.generate("Dave <dave@example.com>", "ed25519", "never", null);
        old = gpg.generate("Old <old@example.com>", "ed25519", "1y", "20200101T000000");
        erin = gpg.generate("Erin <erin@example.com>", "ed25519", "never", "20200101T000000");
        erinOldSubkey = gpg.addSigningSubkey(erin, "ed25519", "1y", "20200101T000000");

        app = AciBuilder.image("example.com/app").exec("/bin/app").file("bin/app", "app").compression(Compression.GZIP).toBytes();
        tool = AciBuilder.image("other.org/tool").exec("/bin/tool").file("bin/tool", "tool").toBytes();
        plain = AciBuilder.image("example.com/app").exec("/bin/app").file("bin/app", "ORIGINAL-CONTENT").toBytes();
        Path appFile = Files.write(keys.resolve("app.aci"), app);
        appByAlice = gpg.sign(appFile, alice, true, null);
        appByAliceBinary = gpg.sign(appFile, alice, false, null);
        appByBob = gpg.sign(appFile, bob, true, null);
        appByCarolSubkey = gpg.sign(appFile, carolSigning, true, null);
        appByOld = gpg.sign(appFile, old, true, "20200601T000000");
        appByErinOldSubkey = gpg.sign(appFile, erinOldSubkey, true, "20200601T000000");
        appByDave = gpg.sign(appFile, dave, true, null);
        gpg.revoke(dave);
        toolByAlice = gpg.sign(Files.write(keys.resolve("tool.aci"), tool), alice, true, null);
        plainByAlice = gpg.sign(Files.write(keys.resolve("plain.aci"), plain), alice, false, null);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    @BeforeEach
    void stores() throws Exception {
        local = dir.resolve("etc");
        system = dir.resolve("lib");
        keystore = new Keystore(local, system);
        store = ImageStore.open(dir.resolve("data"));
    }

    private void trust(String prefix, String... fingerprints) throws Exception {
        for (PgpKey k : PgpKey.parseAll(gpg.exportArmored(fingerprints))) {
            keystore.store(prefix, k);
        }
    }

    /** Streams the image into the store's staging area with the signature checked on the way; the signer's fingerprint. */
    private String verify(byte[] image, byte[] signature) throws Exception {
        SignatureCheck check = SignatureCheck.of(signature, keystore);
        BlobDescriptor staged = store.stagingSink(check).write(new ByteArrayInputStream(image));
        store.discard(staged);
        return check.signer().fingerprint();
    }

    /** The refusal's message; the store is left exactly as it was. */
    private String refused(byte[] image, byte[] signature) throws Exception {
        TreeMap<String, String> before = StoreSnapshot.of(store.directory());
        FetchException e = assertThrows(FetchException.class, () -> verify(image, signature));
        assertEquals(before, StoreSnapshot.of(store.directory()), "a refused image leaves the store as it was");
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void verify_noKeyTrusted_unknownEntityWithTheTrustHint() throws Exception {
        assertEquals("image \"example.com/app\" verification failed: openpgp: signature made by unknown entity;"
                + " if you trust its signer, run: rkt trust --prefix example.com/app KEYFILE", refused(app, appByAlice));
    }

    @Test
    void verify_rktTrustScenario_prefixesAndRootKeys() throws Exception {
        trust("example.com/ap", alice);
        assertTrue(refused(app, appByAlice).contains("signature made by unknown entity"), "prefixes match whole components");
        trust("other.org", alice);
        assertTrue(refused(app, appByAlice).contains("signature made by unknown entity"), "a key trusted for another prefix");
        trust("example.com/app", bob);
        assertTrue(refused(app, appByAlice).contains("signature made by unknown entity"), "another key for the right prefix");

        trust("example.com", alice);
        assertEquals(alice, verify(app, appByAlice));
        assertEquals(alice, verify(tool, toolByAlice), "other.org/tool was trusted above");
        assertEquals(bob, verify(app, appByBob));

        keystore.remove(alice);
        trust("example.com/app/deeper", alice);
        assertTrue(refused(app, appByAlice).contains("unknown entity"), "a key for a longer prefix does not cover a shorter name");
        trust(null, alice);
        assertEquals(alice, verify(app, appByAlice));
        assertEquals(alice, verify(tool, toolByAlice));
    }

    @Test
    void verify_armoredAndBinarySignatures_bothVerify() throws Exception {
        trust("example.com/app", alice);
        assertEquals(alice, verify(app, appByAlice));
        assertEquals(alice, verify(app, appByAliceBinary));
        assertTrue(new String(appByAlice, StandardCharsets.US_ASCII).startsWith("-----BEGIN PGP SIGNATURE-----"));
    }

    @Test
    void verify_signer_hasTheKeysIdentities() throws Exception {
        trust("example.com", alice);
        SignatureCheck check = SignatureCheck.of(appByAlice, keystore);
        store.discard(store.stagingSink(check).write(new ByteArrayInputStream(app)));
        assertEquals(new SignatureCheck.Signer(alice, List.of("Alice <alice@example.com>")), check.signer());
    }

    @Test
    void verify_tamperedImage_invalidSignature() throws Exception {
        trust("example.com", alice);
        assertEquals(alice, verify(plain, plainByAlice));
        byte[] tampered = replace(plain, "ORIGINAL-CONTENT", "TAMPERED-CONTENT");

        assertTrue(refused(tampered, plainByAlice).startsWith(
                "image \"example.com/app\" verification failed: openpgp: invalid signature: "), refused(tampered, plainByAlice));
    }

    @Test
    void verify_tamperedSignature_refused() throws Exception {
        trust("example.com", alice);
        byte[] badMath = appByAliceBinary.clone();
        badMath[badMath.length - 3] ^= 0x01;
        assertTrue(refused(app, badMath).contains("openpgp: invalid signature: "), refused(app, badMath));

        String armored = new String(appByAlice, StandardCharsets.US_ASCII);
        int body = armored.indexOf("\n\n") + 10;
        char flipped = armored.charAt(body) == 'A' ? 'B' : 'A';
        byte[] badArmor = (armored.substring(0, body) + flipped + armored.substring(body + 1)).getBytes(StandardCharsets.US_ASCII);
        String message = refused(app, badArmor);
        assertTrue(message.startsWith("openpgp: ") || message.contains("openpgp: invalid signature"), message);
    }

    @Test
    void verify_notASignature_refusedBeforeTheImageIsRead() throws Exception {
        FetchException e = assertThrows(FetchException.class,
                () -> SignatureCheck.of("hello".getBytes(StandardCharsets.US_ASCII), keystore));
        assertTrue(e.getMessage().startsWith("openpgp: "), e.getMessage());
    }

    @Test
    void verify_signingSubkey_verifiesAsItsPrimaryKey() throws Exception {
        trust("example.com", carol);
        assertEquals(carol, verify(app, appByCarolSubkey));
    }

    @Test
    void verify_ecdsaKeys_onCurvesTheJdkHasAndLacks() throws Exception {
        try (Gpg own = Gpg.create(dir.resolve("g"))) {
            Path image = Files.write(dir.resolve("app.aci"), app);
            for (String curve : List.of("nistp256", "brainpoolP256r1")) {
                String key = own.generate(curve + " <" + curve + "@example.com>", curve, "never", null);
                byte[] signature = own.sign(image, key, true, null);
                keystore.store("example.com", PgpKey.parseAll(own.exportArmored(key)).get(0));

                assertEquals(key, verify(app, signature), curve);
                assertTrue(refused(plain, signature).contains("openpgp: invalid signature"), curve);
            }
        }
    }

    @Test
    void verify_revokedSubkey_refusedSayingSo() throws Exception {
        try (Gpg own = Gpg.create(dir.resolve("g"))) {
            String frank = own.generate("Frank <frank@example.com>", "ed25519", "never", null);
            String subkey = own.addSigningSubkey(frank, "ed25519", "never", null);
            Path image = Files.write(dir.resolve("app.aci"), app);
            byte[] signature = own.sign(image, subkey, true, null);
            own.revokeFirstSubkey(frank);
            for (PgpKey k : PgpKey.parseAll(own.exportArmored(frank))) {
                keystore.store("example.com", k);
            }
            assertEquals("image \"example.com/app\" verification failed: the signing subkey " + subkey + " of key " + frank
                    + " (Frank <frank@example.com>) is revoked", refused(app, signature));
        }
    }

    @Test
    void verify_revokedKey_refusedSayingSo() throws Exception {
        trust("example.com", dave);
        assertEquals("image \"example.com/app\" verification failed: the signing key " + dave
                + " (Dave <dave@example.com>) is revoked", refused(app, appByDave));
    }

    @Test
    void verify_expiredKey_refusedSayingWhen() throws Exception {
        trust("example.com", old);
        String message = refused(app, appByOld);
        assertTrue(message.startsWith("image \"example.com/app\" verification failed: the signing key " + old
                + " (Old <old@example.com>) expired on 202"), message);
    }

    @Test
    void verify_expiredSubkey_refusedSayingSo() throws Exception {
        trust("example.com", erin);
        String message = refused(app, appByErinOldSubkey);
        assertTrue(message.startsWith("image \"example.com/app\" verification failed: the signing subkey " + erinOldSubkey
                + " of key " + erin + " (Erin <erin@example.com>) expired on 202"), message);
    }

    @Test
    void verify_keyFileWithSeveralKeys_trustsEach() throws Exception {
        List<PgpKey> both = PgpKey.parseAll(gpg.exportArmored(alice, bob));
        assertEquals(java.util.Set.of(alice, bob), both.stream().map(PgpKey::fingerprint).collect(java.util.stream.Collectors.toSet()));
        assertEquals(2, both.size());
        for (PgpKey k : both) {
            keystore.store("example.com", k);
        }
        assertEquals(alice, verify(app, appByAlice));
        assertEquals(bob, verify(app, appByBob));
    }

    @Test
    void verify_systemKeyMaskedByEmptyLocalFile_unknownEntity() throws Exception {
        new Keystore(system, dir.resolve("unused")).store(null, PgpKey.parseAll(gpg.exportArmored(alice)).get(0));
        assertEquals(alice, verify(app, appByAlice), "system keys are honoured");

        Path mask = Files.createDirectories(local.resolve("trustedkeys/root.d")).resolve(alice);
        Files.write(mask, new byte[0]);

        assertTrue(refused(app, appByAlice).contains("signature made by unknown entity"));
        Map<Status, Long> statuses = new TreeMap<>();
        keystore.list().forEach(k -> statuses.merge(k.status(), 1L, Long::sum));
        assertEquals(Map.of(Status.MASK, 1L, Status.MASKED, 1L), statuses);
    }

    @Test
    void verify_keystoreFileNamedWrongly_refusedNamingIt() throws Exception {
        Path file = Files.createDirectories(local.resolve("trustedkeys/prefix.d/example.com")).resolve(bob);
        Files.write(file, gpg.exportArmored(alice));

        String message = refused(app, appByAlice);
        assertTrue(message.contains("keystore: " + file + ": fingerprint mismatch"), message);
    }

    private static byte[] replace(byte[] data, String from, String to) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from));
        return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }
}
