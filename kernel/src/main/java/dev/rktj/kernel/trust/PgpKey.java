package dev.rktj.kernel.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * One OpenPGP public key as a key file holds it: a primary key with its user IDs (the signer's
 * identities) and subkeys. A file may hold several; each is trusted on its own.
 */
public final class PgpKey {

    final PGPPublicKeyRing ring;

    PgpKey(PGPPublicKeyRing ring) {
        this.ring = ring;
    }

    /** Every key in a key file's bytes (armored or binary); refuses secret keys and files with none. */
    public static List<PgpKey> parseAll(byte[] data) throws TrustException {
        List<PgpKey> keys = new ArrayList<>();
        for (PGPPublicKeyRing ring : OpenPgp.keyRings(data)) {
            keys.add(new PgpKey(ring));
        }
        return keys;
    }

    /** The primary key's fingerprint, lower-case hex: the key's file name in the keystore. */
    public String fingerprint() {
        return OpenPgp.fingerprint(ring.getPublicKey());
    }

    /** The primary key's user IDs ({@code Name <email>}). */
    public List<String> identities() {
        return OpenPgp.identities(ring.getPublicKey());
    }

    /** The subkeys' fingerprints, lower-case hex. */
    public List<String> subkeyFingerprints() {
        List<String> subkeys = new ArrayList<>();
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
            PGPPublicKey k = it.next();
            if (!k.isMasterKey()) {
                subkeys.add(OpenPgp.fingerprint(k));
            }
        }
        return subkeys;
    }

    /** The key alone, armored, as the keystore stores it. */
    public byte[] armored() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
            ring.encode(armor, true);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a key in memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** A fingerprint as rkt shows it for review: {@code 8B86 DE38 ... 8818 2190}, upper case, a wider gap in the middle. */
    public static String display(String fingerprint) {
        return OpenPgp.display(fingerprint);
    }
}
