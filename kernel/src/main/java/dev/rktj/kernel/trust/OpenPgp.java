package dev.rktj.kernel.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Reads OpenPGP data as gpg writes it: armored (one or several blocks, as {@code gpg --export -a}
 * appended to one file gives) or binary, and names keys by their fingerprints.
 */
final class OpenPgp {

    private static final Pattern ARMOR = Pattern.compile(
            "-----BEGIN PGP ([A-Z0-9 ,/]+)-----\\R.*?-----END PGP \\1-----", Pattern.DOTALL);

    private OpenPgp() {}

    /** The key rings in {@code data}; a secret key is refused so that it is never stored. */
    static List<PGPPublicKeyRing> keyRings(byte[] data) throws TrustException {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        for (Object o : objects(data, "key")) {
            if (o instanceof PGPSecretKeyRing) {
                throw new TrustException("it holds a secret key: give the public key (gpg --export --armor KEYID)");
            }
            if (o instanceof PGPPublicKeyRing ring) {
                rings.add(ring);
            }
        }
        if (rings.isEmpty()) {
            throw new TrustException("no OpenPGP public key found in it");
        }
        return rings;
    }

    /** The signatures in a detached signature file. */
    static List<PGPSignature> signatures(byte[] data) throws TrustException {
        List<PGPSignature> signatures = new ArrayList<>();
        for (Object o : objects(data, "signature")) {
            if (o instanceof PGPSignatureList list) {
                list.forEach(signatures::add);
            }
        }
        if (signatures.isEmpty()) {
            throw new TrustException("no valid signatures found in signature file");
        }
        return signatures;
    }

    static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().formatHex(key.getFingerprint());
    }

    /** rkt's display form: upper-case groups of four, with a wider gap in the middle. */
    static String display(String fingerprint) {
        String upper = fingerprint.toUpperCase(java.util.Locale.ROOT);
        StringBuilder b = new StringBuilder();
        int half = upper.length() / 2;
        for (int i = 0; i < upper.length(); i += 4) {
            if (i > 0) {
                b.append(i == half ? "  " : " ");
            }
            b.append(upper, i, Math.min(i + 4, upper.length()));
        }
        return b.toString();
    }

    static List<String> identities(PGPPublicKey key) {
        List<String> ids = new ArrayList<>();
        for (Iterator<String> it = key.getUserIDs(); it.hasNext(); ) {
            ids.add(it.next());
        }
        return ids;
    }

    /** Every top-level object of every armored block, or of the binary data; compressed data is opened. */
    private static List<Object> objects(byte[] data, String what) throws TrustException {
        List<Object> objects = new ArrayList<>();
        try {
            for (InputStream in : streams(data)) {
                collect(new BcPGPObjectFactory(in), objects);
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw new TrustException("unreadable OpenPGP " + what + ": " + oneLine(e), e);
        }
        return objects;
    }

    private static void collect(BcPGPObjectFactory factory, List<Object> into) throws IOException, PGPException {
        for (Object o; (o = factory.nextObject()) != null; ) {
            if (o instanceof PGPCompressedData compressed) {
                collect(new BcPGPObjectFactory(compressed.getDataStream()), into);
            } else {
                into.add(o);
            }
        }
    }

    private static List<InputStream> streams(byte[] data) throws IOException {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        Matcher m = ARMOR.matcher(text);
        List<InputStream> streams = new ArrayList<>();
        while (m.find()) {
            streams.add(new ArmoredInputStream(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.ISO_8859_1))));
        }
        if (streams.isEmpty()) {
            if (text.contains("-----BEGIN PGP")) {
                throw new IOException("an armored block has no matching END line");
            }
            streams.add(new ByteArrayInputStream(data));
        }
        return streams;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.replaceAll("\\s+", " ").trim();
    }
}
