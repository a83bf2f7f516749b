package dev.rktj.fetch.https;

import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * An image body as an InputStream for the sink's thread, filled by the event loop: the response
 * is paused while more than {@link #HIGH} bytes wait, so an image is never held in memory. When
 * the connection breaks before the declared length, the rest is asked for with a Range request
 * ({@code If-Range} on the ETag), up to {@link #RESUMES} times, and the sink never notices.
 */
final class BodyStream extends InputStream {

    private static final int HIGH = 4 << 20;
    private static final int LOW = 1 << 20;
    static final int RESUMES = 5;

    private final Http http;
    private final FetchContext context;
    private Context loop;
    private String url;
    private String etag;
    private long total = -1;

    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private Buffer current;
    private int currentPos;
    private long queued;
    private boolean paused;
    private boolean ended;
    private Throwable failure;
    private HttpClientResponse response;
    /** The length check below the current response's connection, or null. */
    private LengthCheck lengthCheck;
    /** Bytes handed to the reader so far. */
    private long position;
    /** Bytes of a 200 answer to a resume to drop before the reader's position. */
    private long skip;
    private int resumes;

    BodyStream(Http http, FetchContext context) {
        this.http = http;
        this.context = context;
    }

    /** Takes the first response (200) for an image at {@code url} (after redirects); on the event loop. */
    synchronized void start(HttpClientResponse r, String url) {
        this.url = url;
        this.etag = r.getHeader("ETag");
        this.total = HttpsFetcher.contentLength(r.getHeader("Content-Length"));
        attach(r);
    }

    /** Takes a response's body; runs on the event loop, at the response's head. */
    synchronized void attach(HttpClientResponse r) {
        loop = io.vertx.core.Vertx.currentContext();
        response = r;
        lengthCheck = LengthCheck.of(r);
        ended = false;
        failure = null;
        r.handler(this::arrived);
        // the end is told after the rest of the network read that brought it: bytes past the
        // declared length in that read have been counted by the length check by then
        r.endHandler(v -> loop.runOnContext(w -> {
            synchronized (BodyStream.this) {
                if (response == r) {
                    ended = true;
                    BodyStream.this.notifyAll();
                }
            }
        }));
        r.exceptionHandler(t -> {
            synchronized (BodyStream.this) {
                failure = t;
                BodyStream.this.notifyAll();
            }
        });
    }

    private synchronized void arrived(Buffer b) {
        if (skip > 0) {
            if (b.length() <= skip) {
                skip -= b.length();
                return;
            }
            b = b.getBuffer((int) skip, b.length());
            skip = 0;
        }
        chunks.add(b);
        queued += b.length();
        if (queued > HIGH && !paused) {
            paused = true;
            response.pause();
        }
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            Throwable broken;
            synchronized (this) {
                if (current == null || currentPos == current.length()) {
                    current = null;
                    long deadline = System.nanoTime() + Http.idleTimeoutSeconds() * 1_000_000_000L;
                    while (chunks.isEmpty() && !ended && failure == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            failure = new java.util.concurrent.TimeoutException("no data");
                            break;
                        }
                        try {
                            wait(Math.max(1, left / 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException(url + ": interrupted");
                        }
                    }
                    if (!chunks.isEmpty()) {
                        current = chunks.poll();
                        currentPos = 0;
                        queued -= current.length();
                        if (paused && queued < LOW) {
                            paused = false;
                            HttpClientResponse r = response;
                            loop.runOnContext(v -> r.resume());
                        }
                    }
                }
                if (current != null) {
                    int n = Math.min(len, current.length() - currentPos);
                    current.getBytes(currentPos, currentPos + n, b, off);
                    currentPos += n;
                    position += n;
                    if (total >= 0 && position > total) {
                        throw longer(position - total);
                    }
                    context.log().progress("Downloading ACI", position, total, false);
                    return n;
                }
                if (failure == null && ended && (total < 0 || position == total)) {
                    checkLength();
                    context.log().progress("Downloading ACI", position, total, true);
                    return -1;
                }
                broken = failure;
            }
            resume(broken);
        }
    }

    /**
     * Fails when the server sent more than it declared: the decoder stops at the declared length,
     * so the excess is seen below it ({@link LengthCheck}). Checked at the end of the body and again
     * once the sink has taken all of it, for excess that arrived meanwhile.
     */
    synchronized void checkLength() throws IOException {
        long extra = lengthCheck == null ? 0 : lengthCheck.excess();
        if (extra > 0) {
            throw longer(extra);
        }
    }

    private IOException longer(long extra) {
        return new IOException("the body is longer than the " + total + " bytes the server declared (at least " + extra + " more)");
    }

    /** Asks for the rest after a break, or fails with one line saying what broke. */
    private void resume(Throwable broken) throws IOException {
        String why = broken == null
                ? "the body ended after " + position + " of the " + total + " bytes the server declared (truncated)"
                : Http.describe(broken, url);
        boolean timedOut = broken != null && why.contains("stopped sending");
        if (timedOut || total < 0 || resumes >= RESUMES) {
            throw new IOException(resumes > 0 ? why + " (after " + resumes + " resumed requests)" : why);
        }
        resumes++;
        long from = position;
        context.log().debug("image: " + why + "; asking for the rest from byte " + from);
        synchronized (this) {
            HttpClientResponse old = response;
            loop.runOnContext(v -> old.request().reset());
        }
        Map<String, String> headers = etag == null ? Map.of("Range", "bytes=" + from + "-")
                : Map.of("Range", "bytes=" + from + "-", "If-Range", etag);
        Http.Head head;
        try {
            head = http.open(url, headers, (r, at) -> {
                if (r.statusCode() == 206 || r.statusCode() == 200) {
                    synchronized (BodyStream.this) {
                        skip = r.statusCode() == 200 ? from : 0;
                        attach(r);
                    }
                }
            });
        } catch (FetchException e) {
            throw new IOException(why + "; resuming failed: " + e.getMessage(), e);
        }
        int status = head.response().statusCode();
        if (status == 206) {
            String range = head.response().getHeader("Content-Range");
            if (range == null || !range.startsWith("bytes " + from + "-")) {
                throw new IOException(why + "; the server answered the resume with the wrong range (" + range + ")");
            }
        } else if (status != 200 || etag == null || !etag.equals(head.response().getHeader("ETag"))) {
            // a 200 without the same ETag may be another image: the bytes already read cannot be matched to it
            throw new IOException(why + "; the server cannot resume it (" + (status == 200 ? "the image changed" : Http.status(status, url)) + ")");
        }
    }

    @Override
    public void close() {
        HttpClientResponse r;
        boolean done;
        synchronized (this) {
            r = response;
            done = ended && chunks.isEmpty();
        }
        if (r != null && !done) {
            loop.runOnContext(v -> r.request().reset());
        }
    }
}
