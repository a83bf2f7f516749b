package dev.rktj.kernel.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the kernel lends a fetcher that talks to servers: shared client resources, what it
 * remembers about URLs, credentials, and the keys a discovery found.
 *
 * @param update rkt's {@code --pull-policy=update}: ask the server even when a record for the
 *     URL names a stored image (a fresh {@code max-age} still wins); otherwise a recorded image is
 *     used without the network
 * @param resources shared client objects by type, created on first request and closed by the
 *     kernel (the kernel offers {@code io.vertx.core.Vertx}); null for a type it does not offer
 * @param records what the kernel remembers per image URL
 * @param credentials the auth.d headers for a URL
 * @param keys where discovered public keys go
 */
public record RemoteAccess(boolean update, Function<Class<?>, Object> resources, Records records,
                           Credentials credentials, Keys keys) {

    /** No records, no credentials, no resources, discovered keys ignored. */
    public static RemoteAccess none() {
        return new RemoteAccess(false, type -> null, url -> Optional.empty(), url -> Map.of(), (name, urls) -> { });
    }

    /** The shared instance of {@code type}; a fetcher that needs one the kernel lacks says so. */
    public <T> T resource(Class<T> type) throws FetchException {
        Object o = resources.apply(type);
        if (o == null) {
            throw new FetchException("this rktj offers fetchers no " + type.getName());
        }
        return type.cast(o);
    }

    /**
     * What the kernel knows about an image URL.
     *
     * @param url the image URL as it was asked for
     * @param imageId the stored image it gave ({@code sha512-<64 hex>}), still in the store
     * @param size the stored image's uncompressed size
     * @param etag the server's ETag, or null
     * @param maxAgeSeconds the server's max-age, 0 for none
     * @param downloaded when the image was last downloaded or revalidated
     */
    public record Remote(String url, String imageId, long size, String etag, long maxAgeSeconds, Instant downloaded) {

        /** Whether {@code max-age} still covers the download at {@code now}. */
        public boolean fresh(Instant now) {
            return maxAgeSeconds > 0 && now.isBefore(downloaded.plusSeconds(maxAgeSeconds));
        }

        public BlobDescriptor blob() {
            return new BlobDescriptor(imageId, size);
        }
    }

    /** The kernel's per-URL records; only records whose image is still stored (and usable as the user asked) are returned. */
    public interface Records {
        Optional<Remote> lookup(String url);
    }

    /**
     * auth.d: the headers to send to a URL ({@code Authorization}), empty for a host no
     * credentials are configured for and for plain http unless {@code --insecure-options=http}.
     */
    public interface Credentials {
        Map<String, String> headers(String url);
    }

    /** Public keys a discovery offered for an image name ({@code ac-discovery-pubkeys}). */
    public interface Keys {
        /**
         * Called before the image streams in, when the sink wants a signature; the kernel may
         * trust the keys (the user agreed, or {@code --trust-keys-from-https}) or refuse the fetch.
         *
         * @param name the image name discovered
         * @param urls the key URLs, in the order found
         */
        void discovered(String name, List<String> urls) throws FetchException;
    }
}
