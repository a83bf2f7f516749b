package dev.rktj.fetch.https;

import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One fetch's HTTP: the Vert.x web client for the small documents (discovery pages, signatures),
 * the core client for an image's body, which must be seen (status, length, ETag) before a byte
 * of it is read and is then read at the sink's pace. Both on the kernel's shared Vert.x.
 *
 * <p>Redirects are followed here, not by Vert.x, so that each hop gets its own host's
 * credentials (Vert.x would copy the first host's {@code Authorization} to the next) and so that
 * https never silently becomes plain http.
 */
final class Http implements AutoCloseable {

    static final int MAX_REDIRECTS = 10;

    /** Seconds without a byte from the server before a request fails ({@code rktj.http.timeout}, default 30). */
    static long idleTimeoutSeconds() {
        return Math.max(1, Long.getLong("rktj.http.timeout", 30));
    }

    private final FetchContext context;
    private final WebClient web;
    private final HttpClient client;
    final Vertx vertx;

    Http(Vertx vertx, FetchContext context) {
        this.vertx = vertx;
        this.context = context;
        boolean anyCertificate = context.insecure("tls");
        int connectMs = (int) TimeUnit.SECONDS.toMillis(Math.min(idleTimeoutSeconds(), 15));
        web = WebClient.create(vertx, (WebClientOptions) new WebClientOptions()
                .setUserAgent("rktj")
                .setFollowRedirects(false)
                .setTrustAll(anyCertificate)
                .setVerifyHost(!anyCertificate)
                .setConnectTimeout(connectMs));
        client = vertx.httpClientBuilder().with(new HttpClientOptions()
                        .setTrustAll(anyCertificate)
                        .setVerifyHost(!anyCertificate)
                        .setConnectTimeout(connectMs)
                        .setDecompressionSupported(false)
                        // the body in pieces as large as TLS records (16 KiB), not the decoder's 8 KiB: half as
                        // many hand-offs from the event loop to the sink's thread (BodyStream)
                        .setMaxChunkSize(1 << 16))
                .withConnectHandler(connection -> {
                    LengthCheck.install(connection); // a body longer than declared must not pass for a complete one
                    // what breaks a connection reaches the fetch through its response (or the length check);
                    // the decoder's complaint about bytes past a body would otherwise be logged as an ERROR
                    connection.exceptionHandler(t -> context.log().debug("image: connection: " + oneLine(t)));
                })
                .build();
    }

    /** The body of a small document on 200; the status otherwise. */
    record Small(int status, String url, Buffer body) {}

    /** GETs a small document, following redirects; 200 bodies over {@code limit} bytes are refused. */
    Small getSmall(String url, int limit) throws FetchException {
        String at = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkScheme(at, url);
            io.vertx.ext.web.client.HttpRequest<Buffer> request = web.getAbs(at)
                    .idleTimeout(TimeUnit.SECONDS.toMillis(idleTimeoutSeconds()));
            context.remote().credentials().headers(at).forEach(request::putHeader);
            HttpResponse<Buffer> response = await(request.send(), at);
            String next = redirect(at, response.statusCode(), response.getHeader("Location"));
            if (next != null) {
                at = next;
                continue;
            }
            if (response.statusCode() == 200 && response.body() != null && response.body().length() > limit) {
                throw new FetchException(at + ": the document is larger than " + limit + " bytes");
            }
            return new Small(response.statusCode(), at, response.body() == null ? Buffer.buffer() : response.body());
        }
        throw new FetchException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** A response whose body is not read yet; its handlers are set on the event loop by {@code onHead}. */
    record Head(HttpClientResponse response, String url) {}

    /**
     * Sends a GET for an image body and returns at its head, following redirects; {@code onHead}
     * runs on the event loop before any body byte can be lost, to pause the response or take it.
     */
    Head open(String url, Map<String, String> headers, java.util.function.BiConsumer<HttpClientResponse, String> onHead)
            throws FetchException {
        String at = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkScheme(at, url);
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(at)
                    .setFollowRedirects(false)
                    .setIdleTimeout(TimeUnit.SECONDS.toMillis(idleTimeoutSeconds()))
                    .putHeader("User-Agent", "rktj");
            headers.forEach(options::putHeader);
            context.remote().credentials().headers(at).forEach(options::putHeader);
            final String here = at;
            HttpClientResponse response = await(client.request(options).compose(req -> req.send()).map(r -> {
                if (redirect(here, r.statusCode(), r.getHeader("Location")) != null) {
                    r.handler(b -> { }); // drained and dropped
                } else {
                    onHead.accept(r, here);
                }
                return r;
            }), at);
            String next = redirect(at, response.statusCode(), response.getHeader("Location"));
            if (next == null) {
                return new Head(response, at);
            }
            at = next;
        }
        throw new FetchException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private static String redirect(String from, int status, String location) {
        if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && location != null) {
            return URI.create(from).resolve(location).toString();
        }
        return null;
    }

    /** Plain http only with {@code --insecure-options=http}, also after a redirect. */
    void checkScheme(String url, String asked) throws FetchException {
        String scheme = scheme(url);
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http")) {
            if (context.insecure("http")) {
                return;
            }
            throw new FetchException((url.equals(asked) ? url : asked + " redirects to " + url)
                    + ": plain http is refused (allow it with --insecure-options=http)");
        }
        throw new FetchException(url + ": unsupported URL scheme \"" + scheme + "\" (https, or http with --insecure-options=http)");
    }

    static String scheme(String url) {
        int colon = url.indexOf(':');
        return colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** Blocks for a Vert.x result; a failure becomes one line about {@code url}. */
    <T> T await(Future<T> future, String url) throws FetchException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(idleTimeoutSeconds() + 30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new FetchException(describe(e.getCause(), url), e.getCause());
        } catch (TimeoutException e) {
            throw new FetchException(describe(e, url), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(url + ": interrupted", e);
        }
    }

    /** One line for a transport failure: what went wrong with which host, and what the user can do. */
    static String describe(Throwable t, String url) {
        String host = host(url);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return "unknown host \"" + host + "\" (" + url + ")";
            }
            if (c instanceof SSLException) {
                return "TLS failure talking to " + host + ": " + oneLine(c)
                        + " (to accept any certificate: --insecure-options=tls)";
            }
            if (c instanceof ConnectException) {
                return "cannot connect to " + host + ": " + oneLine(c) + " (" + url + ")";
            }
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return "the server " + host + " stopped sending: nothing for " + idleTimeoutSeconds() + " s (" + url + ")";
            }
        }
        String message = oneLine(t);
        if (message.contains("Connection was closed") || message.contains("closed")) {
            return "the connection to " + host + " closed before the response was complete (" + url + ")";
        }
        return url + ": " + message;
    }

    /** One line for a status the fetch cannot use. */
    static String status(int status, String url) {
        return switch (status) {
            case 401 -> url + ": 401 Unauthorized (configure credentials for " + host(url) + " in auth.d)";
            case 403 -> url + ": 403 Forbidden (check the credentials for " + host(url) + " in auth.d)";
            case 404 -> url + ": 404 Not Found";
            default -> url + ": unexpected HTTP status " + status;
        };
    }

    static String host(String url) {
        try {
            String h = URI.create(url).getHost();
            return h == null ? url : h;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    @Override
    public void close() {
        web.close();
        client.close();
    }
}
