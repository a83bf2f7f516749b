package dev.rktj.fetch.https;

import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.FetchedImage;
import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.RemoteAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Fetches images from https (and, with {@code --insecure-options=http}, http) URLs, and images
 * named by appc name through discovery. The signature ({@code <image minus .aci>.aci.asc}, or the
 * discovered one) is fetched before the image, so that the kernel verifies it while the image
 * streams in; the image is never held whole in memory or on disk outside the store's staging.
 */
@Extension(ordinal = 20)
public final class HttpsFetcher implements ImageFetcher {

    /** Discovery pages, signatures and key lists are small; anything bigger is not what was asked for. */
    static final int SMALL_LIMIT = 1 << 20;

    private static final Pattern MAX_AGE = Pattern.compile("(?i)(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d+)");

    @Override
    public boolean handles(ImageRef ref) {
        return ref.kind() == ImageRef.Kind.HTTPS || ref.kind() == ImageRef.Kind.HTTP || ref.kind() == ImageRef.Kind.NAME;
    }

    @Override
    public FetchedImage fetch(ImageRef ref, FetchContext context) throws FetchException {
        if (!handles(ref)) {
            throw new FetchException("the https fetcher cannot fetch \"" + ref.raw() + "\" (kind " + ref.kind() + ")");
        }
        try (Http http = new Http(context.remote().resource(Vertx.class), context)) {
            Discovery.Endpoint endpoint;
            if (ref.kind() == ImageRef.Kind.NAME) {
                Discovery.Result found = discover(http, ref, context);
                endpoint = pick(ref, found, http);
                if (context.sink().wantsSignature()) {
                    context.remote().keys().discovered(ref.location(), found.publicKeys());
                }
            } else {
                String url = ref.location();
                endpoint = new Discovery.Endpoint(url, signatureUrl(url));
            }
            return fetch(endpoint, http, context);
        }
    }

    @Override
    public List<String> publicKeys(ImageRef ref, FetchContext context) throws FetchException {
        try (Http http = new Http(context.remote().resource(Vertx.class), context)) {
            return discover(http, ref, context).publicKeys();
        }
    }

    /** rkt's signature URL: the image URL minus {@code .aci}, plus {@code .aci.asc}. */
    static String signatureUrl(String aciUrl) {
        String base = aciUrl.endsWith(".aci") ? aciUrl.substring(0, aciUrl.length() - 4) : aciUrl;
        return base + ".aci.asc";
    }

    private static Discovery.Result discover(Http http, ImageRef ref, FetchContext context) throws FetchException {
        Map<String, String> labels = ref.labels();
        context.log().debug("image: searching for app image " + ref.location());
        return Discovery.discover(ref.location(), labels, level -> page(http, level, context));
    }

    /** One discovery level: https, then http when the user allowed it; any failure is a failed level. */
    private static Optional<String> page(Http http, String level, FetchContext context) {
        List<String> schemes = new ArrayList<>(List.of("https"));
        if (context.insecure("http")) {
            schemes.add("http");
        }
        for (String scheme : schemes) {
            String url = scheme + "://" + withPort(level, scheme) + "?ac-discovery=1";
            try {
                Http.Small page = http.getSmall(url, SMALL_LIMIT);
                context.log().debug("image: discovery " + url + ": HTTP " + page.status());
                if (page.status() == 200) {
                    return Optional.of(page.body().toString(StandardCharsets.UTF_8));
                }
            } catch (FetchException e) {
                context.log().debug("image: discovery " + url + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The host of a discovery level with the port of {@code rktj.discovery.https-port} (or
     * {@code http-port}) when set: image names carry no port, so a test server on a free port is
     * reached through these; unset, the scheme's own port.
     */
    private static String withPort(String level, String scheme) {
        String port = System.getProperty("rktj.discovery." + scheme + "-port");
        if (port == null) {
            return level;
        }
        int slash = level.indexOf('/');
        return slash < 0 ? level + ":" + port : level.substring(0, slash) + ":" + port + level.substring(slash);
    }

    private static Discovery.Endpoint pick(ImageRef ref, Discovery.Result found, Http http) throws FetchException {
        for (Discovery.Endpoint e : found.endpoints()) {
            String scheme = Http.scheme(e.aci());
            if (scheme.equals("https") || scheme.equals("http")) {
                return e;
            }
        }
        StringBuilder labels = new StringBuilder();
        ref.labels().forEach((k, v) -> labels.append(labels.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        throw new FetchException("discovery failed for \"" + ref.location() + "\" (" + labels
                + "): no ac-discovery meta tag at https://" + ref.location() + "?ac-discovery=1 or above yields an https or http template"
                + " that these labels fill");
    }

    private static FetchedImage fetch(Discovery.Endpoint endpoint, Http http, FetchContext context) throws FetchException {
        String aci = endpoint.aci();
        http.checkScheme(aci, aci);
        RemoteAccess remote = context.remote();
        Optional<RemoteAccess.Remote> record = remote.records().lookup(aci);
        if (record.isPresent()) {
            RemoteAccess.Remote r = record.get();
            if (!remote.update()) {
                context.log().debug("image: using image from local store for url " + aci);
                return reused(r, null);
            }
            if (r.fresh(Instant.now())) {
                context.log().info("image for " + aci + " isn't expired, not fetching.");
                return reused(r, null);
            }
        }
        byte[] signature = context.sink().wantsSignature() ? signature(http, endpoint.asc()) : null;
        String etagSent = record.map(RemoteAccess.Remote::etag).orElse(null);
        Map<String, String> headers = etagSent == null ? Map.of() : Map.of("If-None-Match", etagSent);
        BodyStream in = new BodyStream(http, context);
        Http.Head head = http.open(aci, headers, (r, url) -> {
            if (r.statusCode() == 200) {
                in.start(r, url);
            }
        });
        HttpClientResponse response = head.response();
        int status = response.statusCode();
        if (status == 304 && record.isPresent()) {
            context.log().debug("image: " + aci + " not modified (304): using the stored image");
            return reused(record.get(), response.getHeader("ETag"));
        }
        if (status != 200) {
            throw new FetchException(Http.status(status, head.url()));
        }
        String etag = response.getHeader("ETag");
        long maxAge = maxAge(response.getHeader("Cache-Control"));
        BlobDescriptor blob;
        try (in) {
            blob = context.sink().write(in, signature);
            in.checkLength();
        } catch (IOException e) {
            throw new FetchException("unable to fetch " + aci + ": " + Http.oneLine(e), e);
        }
        return new FetchedImage(blob, signature, aci,
                new FetchedImage.RemoteResult(aci, signature == null ? null : endpoint.asc(), etag, maxAge, false));
    }

    private static FetchedImage reused(RemoteAccess.Remote r, String newEtag) {
        return new FetchedImage(r.blob(), null, r.url(),
                new FetchedImage.RemoteResult(r.url(), null, newEtag != null ? newEtag : r.etag(), r.maxAgeSeconds(), true));
    }

    /** The detached signature, fetched before the image; without one, rkt's {@code error opening signature file}. */
    private static byte[] signature(Http http, String url) throws FetchException {
        Http.Small s;
        try {
            s = http.getSmall(url, SMALL_LIMIT);
        } catch (FetchException e) {
            throw new FetchException("error opening signature file: " + e.getMessage(), e);
        }
        if (s.status() != 200) {
            throw new FetchException("error opening signature file: " + Http.status(s.status(), s.url())
                    + " (sign the image, or use it unverified with --insecure-options=image)");
        }
        return s.body().getBytes();
    }

    static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code Cache-Control: max-age=N}; none for {@code no-cache} or {@code no-store}. */
    static long maxAge(String cacheControl) {
        if (cacheControl == null || cacheControl.contains("no-cache") || cacheControl.contains("no-store")) {
            return 0;
        }
        Matcher m = MAX_AGE.matcher(cacheControl);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
