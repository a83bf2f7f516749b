package dev.rktj.kernel.trust;

import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.image.ArchiveCheck;
import dev.rktj.kernel.spi.FetchException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.bcpg.ECPublicBCPGKey;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

/**
 * Verifies an image's detached OpenPGP signature while the image streams into the store. The
 * keys that count depend on the image's name, which is known only once the manifest has passed,
 * so every trusted key that could have made the signature (by key ID) hashes the archive as it
 * streams; at the end only a key the keystore trusts for that name may vouch for it, and only
 * if neither it nor its signing subkey is revoked or expired.
 */
public final class SignatureCheck implements ArchiveCheck {

    /** Who signed a verified image: the primary key's fingerprint (lower-case hex) and its user IDs. */
    public record Signer(String fingerprint, List<String> identities) {
        public Signer {
            identities = List.copyOf(identities);
        }
    }

    /**
     * The JDK's own digests and signature algorithms for the keys it handles: they are fast from
     * the first byte, where Bouncy Castle's Java digests run interpreted through the first
     * megabytes of a short-lived command. Bouncy Castle's for the others (brainpool curves...).
     */
    private static final PGPContentVerifierBuilderProvider JDK = new JcaPGPContentVerifierBuilderProvider();
    private static final PGPContentVerifierBuilderProvider BOUNCY_CASTLE = new BcPGPContentVerifierBuilderProvider();
    private static final Set<ASN1ObjectIdentifier> JDK_CURVES = Set.of(
            SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1, SECObjectIdentifiers.secp521r1);

    /**
     * A trusted key that may have made one of the signatures, with that signature set up to check
     * it, or why it could not be ({@code error}).
     */
    private record Candidate(Keystore.Entry entry, PGPPublicKey key, PGPSignature signature, String error) {}

    private final Keystore.Snapshot keystore;
    private final List<Candidate> candidates;
    private final String notADocument;
    private Signer signer;

    private SignatureCheck(Keystore.Snapshot keystore, List<Candidate> candidates, String notADocument) {
        this.keystore = keystore;
        this.candidates = candidates;
        this.notADocument = notADocument;
    }

    /**
     * Prepares to check {@code signature} (armored or binary) against the keystore as it is now.
     * Refuses a file that holds no signature before a byte of the image is read.
     */
    public static SignatureCheck of(byte[] signature, Keystore keystore) throws FetchException {
        List<PGPSignature> signatures;
        Keystore.Snapshot snapshot;
        try {
            signatures = OpenPgp.signatures(signature);
            snapshot = keystore.read();
        } catch (TrustException e) {
            throw new FetchException("openpgp: " + e.getMessage(), e);
        }
        List<Candidate> candidates = new ArrayList<>();
        String notADocument = null;
        for (PGPSignature s : signatures) {
            int type = s.getSignatureType();
            if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
                notADocument = "it is not a signature of a document (type " + type + ")";
                continue;
            }
            for (Keystore.Entry entry : snapshot.keys()) {
                PGPPublicKey key = issuer(entry.ring(), s);
                if (key == null) {
                    continue;
                }
                try {
                    PGPSignature fresh = copy(s);
                    init(fresh, key);
                    candidates.add(new Candidate(entry, key, fresh, null));
                } catch (PGPException | IOException e) {
                    candidates.add(new Candidate(entry, key, null, OpenPgp.oneLine(e)));
                }
            }
        }
        return new SignatureCheck(snapshot, candidates, notADocument);
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
        for (Candidate c : candidates) {
            if (c.signature != null) {
                c.signature.update(bytes, offset, length);
            }
        }
    }

    @Override
    public void finish(ImageManifest manifest) throws FetchException {
        String name = manifest.name();
        Map<String, Keystore.Entry> keyring;
        try {
            keyring = keystore.keyringFor(name);
        } catch (TrustException e) {
            throw failure(name, e.getMessage());
        }
        String refusal = null;
        String invalid = notADocument;
        Instant now = Instant.now();
        for (Candidate c : candidates) {
            if (keyring.get(c.entry.fingerprint()) != c.entry) {
                continue;
            }
            if (c.error != null) {
                invalid = c.error;
                continue;
            }
            try {
                if (!c.signature.verify()) {
                    invalid = "the image's bytes do not match it";
                    continue;
                }
            } catch (PGPException | RuntimeException e) {
                // a provider may find only now that it cannot check this key
                invalid = OpenPgp.oneLine(e);
                continue;
            }
            String why = unusable(c, now);
            if (why != null) {
                refusal = why;
                continue;
            }
            PGPPublicKey primary = c.entry.ring().getPublicKey();
            signer = new Signer(OpenPgp.fingerprint(primary), OpenPgp.identities(primary));
            return;
        }
        if (refusal != null) {
            throw failure(name, refusal);
        }
        if (invalid != null) {
            throw failure(name, "openpgp: invalid signature: " + invalid);
        }
        throw failure(name, "openpgp: signature made by unknown entity; if you trust its signer, run: rkt trust --prefix "
                + name + " KEYFILE");
    }

    /** The verified signer; null before {@link #finish} succeeded. */
    public Signer signer() {
        return signer;
    }

    /**
     * The signer an earlier verification found, if the keystore as it is now still trusts that key
     * for images named {@code imageName} and it is neither revoked nor expired; null otherwise.
     */
    public static Signer stillTrusted(Keystore keystore, String imageName, String fingerprint) throws TrustException {
        Keystore.Entry entry = keystore.read().keyringFor(imageName).get(fingerprint);
        if (entry == null || entry.ring() == null) {
            return null;
        }
        PGPPublicKey primary = entry.ring().getPublicKey();
        Instant expiry = expiry(primary);
        if (primary.hasRevocation() || expiry != null && !Instant.now().isBefore(expiry)) {
            return null;
        }
        return new Signer(OpenPgp.fingerprint(primary), OpenPgp.identities(primary));
    }

    private static FetchException failure(String name, String why) {
        return new FetchException("image \"" + name + "\" verification failed: " + why);
    }

    /** Why the key that made a good signature may not vouch for the image now, or null. */
    private static String unusable(Candidate c, Instant now) {
        PGPPublicKey primary = c.entry.ring().getPublicKey();
        String key = "the signing key " + OpenPgp.fingerprint(primary) + identity(primary);
        if (primary.hasRevocation()) {
            return key + " is revoked";
        }
        Instant expiry = expiry(primary);
        if (expiry != null && !now.isBefore(expiry)) {
            return key + " expired on " + expiry;
        }
        if (c.key != primary) {
            String subkey = "the signing subkey " + OpenPgp.fingerprint(c.key) + " of key " + OpenPgp.fingerprint(primary)
                    + identity(primary);
            PGPSignature binding = binding(primary, c.key);
            if (binding == null) {
                return subkey + " is not bound to it by a valid signature";
            }
            PGPSignatureSubpacketVector flags = binding.getHashedSubPackets();
            if (flags != null && flags.getKeyFlags() != 0 && (flags.getKeyFlags() & KeyFlags.SIGN_DATA) == 0) {
                return subkey + " is not allowed to sign";
            }
            if (c.key.hasRevocation()) {
                return subkey + " is revoked";
            }
            expiry = expiry(c.key);
            if (expiry != null && !now.isBefore(expiry)) {
                return subkey + " expired on " + expiry;
            }
        }
        PGPSignatureSubpacketVector hashed = c.signature.getHashedSubPackets();
        if (hashed != null && hashed.getSignatureExpirationTime() > 0) {
            Instant end = c.signature.getCreationTime().toInstant().plusSeconds(hashed.getSignatureExpirationTime());
            if (!now.isBefore(end)) {
                return "the signature expired on " + end;
            }
        }
        return null;
    }

    private static String identity(PGPPublicKey primary) {
        List<String> ids = OpenPgp.identities(primary);
        return ids.isEmpty() ? "" : " (" + ids.get(0) + ")";
    }

    private static Instant expiry(PGPPublicKey key) {
        long seconds = key.getValidSeconds();
        return seconds <= 0 ? null : key.getCreationTime().toInstant().plusSeconds(seconds);
    }

    /** The newest subkey binding signature that the primary key really made, or null. */
    private static PGPSignature binding(PGPPublicKey primary, PGPPublicKey subkey) {
        PGPSignature newest = null;
        for (Iterator<PGPSignature> it = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); it.hasNext(); ) {
            PGPSignature s = it.next();
            try {
                init(s, primary);
                if (s.verifyCertification(primary, subkey)
                        && (newest == null || s.getCreationTime().after(newest.getCreationTime()))) {
                    newest = s;
                }
            } catch (PGPException | RuntimeException e) {
                // a binding we cannot check binds nothing
            }
        }
        return newest;
    }

    private static void init(PGPSignature signature, PGPPublicKey key) throws PGPException {
        signature.init(jdkHandles(key) ? JDK : BOUNCY_CASTLE, key);
    }

    /** Whether the JDK's providers verify this key's signatures (JDK 17: RSA, DSA, Ed25519, NIST curves). */
    private static boolean jdkHandles(PGPPublicKey key) {
        return switch (key.getAlgorithm()) {
            case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.DSA,
                    PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519 -> true;
            case PublicKeyAlgorithmTags.ECDSA -> key.getPublicKeyPacket().getKey() instanceof ECPublicBCPGKey ec
                    && JDK_CURVES.contains(ec.getCurveOID());
            default -> false;
        };
    }

    /** The key in {@code ring} that the signature names as its issuer, by key ID or issuer fingerprint. */
    private static PGPPublicKey issuer(PGPPublicKeyRing ring, PGPSignature s) {
        if (s.getKeyID() != 0) {
            return ring.getPublicKey(s.getKeyID());
        }
        for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {s.getHashedSubPackets(), s.getUnhashedSubPackets()}) {
            IssuerFingerprint fp = v == null ? null : v.getIssuerFingerprint();
            if (fp != null) {
                return ring.getPublicKey(fp.getFingerprint());
            }
        }
        return null;
    }

    /** A signature object of its own for each candidate key: one can be set up for one key only. */
    private static PGPSignature copy(PGPSignature s) throws IOException {
        Object o = new BcPGPObjectFactory(s.getEncoded()).nextObject();
        return ((PGPSignatureList) o).get(0);
    }
}
