package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** OpenSSL's SHA-512 through JNA gives the JDK's digests, however the bytes are split. */
class Sha512Test {

    @Test
    void nativeDigest_sameAsTheJdks_forEverySplit() {
        Assumptions.assumeTrue(Sha512.Native512.AVAILABLE, "no libcrypto on this machine");
        Random random = new Random(42);
        for (int size : new int[] {0, 1, 127, 128, 129, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, 3 << 20}) {
            byte[] data = new byte[size + 10];
            random.nextBytes(data);
            Sha512 jdk = Sha512.jdk();
            jdk.update(data, 5, size);
            Sha512 ssl = new Sha512.Native512();
            int off = 5;
            int left = size;
            while (left > 0) {
                int n = Math.min(left, 1 + random.nextInt(1 << 19));
                ssl.update(data, off, n);
                off += n;
                left -= n;
            }
            assertArrayEquals(jdk.digest(), ssl.digest(), "size " + size);
        }
    }

    @Test
    void create_prefersOpenSsl() {
        assertTrue(Sha512.create() instanceof Sha512.Native512 == Sha512.Native512.AVAILABLE);
    }
}
