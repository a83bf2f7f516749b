package dev.rktj.kernel.trust;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Reads a key file named on {@code rkt trust}'s command line: a local path, or an https URL
 * fetched with the JDK's client and its normal certificate and host-name checks ({@code
 * --insecure-options=tls} turns both off); plain http only when the user allows it.
 */
public final class KeySource {

    /** Keys are small; a larger answer is not a key file. */
    static final int MAX_KEY_BYTES = 1 << 20;

    private KeySource() {}

    /**
     * @param cwd where relative paths start
     * @param allowHttp {@code --insecure-allow-http}
     * @param insecureTls {@code --insecure-options=tls}
     */
    public static byte[] read(String location, Path cwd, boolean allowHttp, boolean insecureTls) throws TrustException {
        String scheme = scheme(location);
        if (scheme == null || scheme.equals("file")) {
            return readFile(scheme == null ? cwd.resolve(location) : Path.of(uri(location)));
        }
        if (scheme.equals("http") && !allowHttp) {
            throw new TrustException("--insecure-allow-http required for http URLs");
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new TrustException("only local files and http or https URLs supported");
        }
        return download(uri(location), insecureTls);
    }

    private static String scheme(String location) {
        int colon = location.indexOf("://");
        return colon > 0 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*") ? location.substring(0, colon) : null;
    }

    private static URI uri(String location) throws TrustException {
        try {
            return new URI(location);
        } catch (URISyntaxException e) {
            throw new TrustException("invalid URL: " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path path) throws TrustException {
        try {
            if (Files.size(path) > MAX_KEY_BYTES) {
                throw new TrustException("it is larger than " + MAX_KEY_BYTES + " bytes: not a key file");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new TrustException("no such file", e);
        } catch (AccessDeniedException e) {
            throw new TrustException("permission denied", e);
        } catch (IOException e) {
            throw new TrustException(OpenPgp.oneLine(e), e);
        }
    }

    private static byte[] download(URI uri, boolean insecureTls) throws TrustException {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30));
        if (insecureTls) {
            builder.sslContext(trustingEveryone());
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build();
        try {
            HttpResponse<InputStream> response = builder.build().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new TrustException("bad HTTP status code: " + response.statusCode());
                }
                byte[] data = body.readNBytes(MAX_KEY_BYTES + 1);
                if (data.length > MAX_KEY_BYTES) {
                    throw new TrustException("the answer is larger than " + MAX_KEY_BYTES + " bytes: not a key file");
                }
                return data;
            }
        } catch (IOException e) {
            throw new TrustException("error getting key: " + OpenPgp.oneLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrustException("interrupted while getting the key", e);
        }
    }

    /** For --insecure-options=tls: any certificate, any host name (an extended trust manager does the host check itself, here none). */
    private static SSLContext trustingEveryone() throws TrustException {
        TrustManager none = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {none}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TrustException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
