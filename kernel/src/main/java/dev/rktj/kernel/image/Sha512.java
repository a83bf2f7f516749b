package dev.rktj.kernel.image;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-512 for whole archives and trees. Commands run with C1 only (start-up is most of their
 * cost), and only C2 turns the JDK's SHA-512 into the CPU's vector code: under C1 it hashes about
 * 100 MB/s, a third of {@code sha512sum}. So where the C library's OpenSSL ({@code libcrypto}) is
 * installed, its assembly does the work through JNA (about twice {@code sha512sum}'s speed); the
 * JDK's digest otherwise. Both give the same digest; a test checks it.
 */
abstract class Sha512 {

    /** Bytes handed to OpenSSL per call: big enough that a call's cost vanishes, small enough to stay in cache. */
    private static final int NATIVE_CHUNK = 1 << 18;

    abstract void update(byte[] b, int off, int len);

    /** The digest; the object is done with afterwards. */
    abstract byte[] digest();

    /** OpenSSL's where it loads, else the JDK's. */
    static Sha512 create() {
        if (Native512.AVAILABLE) {
            try {
                return new Native512();
            } catch (RuntimeException | LinkageError e) {
                // fall through to the JDK's
            }
        }
        return jdk();
    }

    static Sha512 jdk() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-512");
            return new Sha512() {
                @Override void update(byte[] b, int off, int len) { md.update(b, off, len); }
                @Override byte[] digest() { return md.digest(); }
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
    }

    private interface LibCrypto extends Library {
        Pointer EVP_sha512();
        Pointer EVP_MD_CTX_new();
        int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);
        int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);
        int EVP_DigestFinal_ex(Pointer ctx, byte[] md, Pointer size);
        void EVP_MD_CTX_free(Pointer ctx);
    }

    /** OpenSSL's EVP SHA-512, fed from a native buffer of its own. */
    static final class Native512 extends Sha512 {

        static final LibCrypto LIB = load();
        static final boolean AVAILABLE = LIB != null;

        private static LibCrypto load() {
            if (Boolean.getBoolean("rktj.jdkDigests")) {
                return null;
            }
            for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1", "crypto"}) {
                try {
                    return Native.load(name, LibCrypto.class);
                } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                    // try the next name
                }
            }
            return null;
        }

        private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

        /** Frees the OpenSSL context once, when the digest is taken or, for an abandoned one, when it is collected. */
        private static final class Context implements Runnable {
            final Pointer ctx;
            private boolean freed;

            Context(Pointer ctx) {
                this.ctx = ctx;
            }

            @Override
            public synchronized void run() {
                if (!freed) {
                    freed = true;
                    LIB.EVP_MD_CTX_free(ctx);
                }
            }
        }

        private final Pointer ctx;
        private final java.lang.ref.Cleaner.Cleanable cleanable;
        private final Memory buffer = new Memory(NATIVE_CHUNK);
        private boolean done;

        Native512() {
            ctx = LIB.EVP_MD_CTX_new();
            if (ctx == null) {
                throw new IllegalStateException("OpenSSL cannot allocate a digest context");
            }
            cleanable = CLEANER.register(this, new Context(ctx));
            if (LIB.EVP_DigestInit_ex(ctx, LIB.EVP_sha512(), null) != 1) {
                cleanable.clean();
                throw new IllegalStateException("OpenSSL cannot start a SHA-512 digest");
            }
        }

        @Override
        void update(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, NATIVE_CHUNK);
                buffer.write(0, b, off, n);
                if (LIB.EVP_DigestUpdate(ctx, buffer, n) != 1) {
                    throw new IllegalStateException("OpenSSL failed to update a SHA-512 digest");
                }
                off += n;
                len -= n;
            }
        }

        @Override
        byte[] digest() {
            if (done) {
                throw new IllegalStateException("digest already taken");
            }
            done = true;
            byte[] md = new byte[64];
            try {
                if (LIB.EVP_DigestFinal_ex(ctx, md, null) != 1) {
                    throw new IllegalStateException("OpenSSL failed to finish a SHA-512 digest");
                }
                return md;
            } finally {
                cleanable.clean();
            }
        }
    }
}
