package dev.rktj.fetch.https;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes a server sends beyond a response's declared {@code Content-Length}, below the
 * HTTP decoder of one connection of the image-body client. The decoder ends a response at the
 * declared length and takes what follows for the start of the next one, so above it a body longer
 * than declared looks complete; here, any byte that arrives after a response's declared body and
 * before the next request is counted ({@link #excess()}), and the body stream refuses the image.
 *
 * <p>It frames responses as HTTP/1.1 does for a GET: a head up to the blank line; no body for 1xx
 * (another head follows), 204 and 304; {@code Content-Length} bytes of body; with
 * {@code Transfer-Encoding}, or neither header, the body has no declared length and nothing is
 * counted until the next request. The image client sends only GETs, one at a time.
 */
final class LengthCheck extends ChannelDuplexHandler {

    static final String NAME = "rktj-length-check";
    private static final int MAX_HEAD = 64 << 10;

    private enum State {
        /** No response expected: every byte is excess. */
        IDLE,
        /** A request was sent: reading a response head. */
        HEAD,
        /** Reading a body of declared length. */
        BODY,
        /** A body without a declared length, or a head too odd to frame: nothing to count until the next request. */
        UNFRAMED
    }

    private State state = State.IDLE;
    private final StringBuilder head = new StringBuilder();
    private long remaining;
    private final AtomicLong excess = new AtomicLong();

    /** Puts a check below the HTTP/1 decoder of a new connection; other connections (HTTP/2) go unchecked. */
    static void install(HttpConnection connection) {
        if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
            ChannelPipeline pipeline = base.channel().pipeline();
            if (pipeline.get("codec") != null && pipeline.get(NAME) == null) {
                pipeline.addBefore("codec", NAME, new LengthCheck());
            }
        }
    }

    /** The check on the connection of {@code response}, or null when it has none. */
    static LengthCheck of(HttpClientResponse response) {
        HttpConnection connection = response.request().connection();
        if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
            return base.channel().pipeline().get(LengthCheck.class);
        }
        return null;
    }

    /** Bytes received beyond declared lengths on this connection so far. */
    long excess() {
        return excess.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            inspect(buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        requestSent();
        ctx.write(msg, promise);
    }

    /** A request (or a part of one) went out: a response head is expected, unless one is being read. */
    void requestSent() {
        if (state == State.IDLE || state == State.UNFRAMED) {
            state = State.HEAD;
            head.setLength(0);
        }
    }

    /** Follows the responses through {@code buf}'s readable bytes without consuming them. */
    void inspect(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case IDLE -> {
                    excess.addAndGet(end - i);
                    i = end;
                }
                case UNFRAMED -> i = end;
                case BODY -> {
                    int n = (int) Math.min(remaining, end - i);
                    remaining -= n;
                    i += n;
                    if (remaining == 0) {
                        state = State.IDLE;
                    }
                }
                case HEAD -> {
                    head.append((char) (buf.getByte(i++) & 0xff));
                    int len = head.length();
                    if (len >= 2 && head.charAt(len - 1) == '\n'
                            && (head.charAt(len - 2) == '\n' || len >= 4 && head.charAt(len - 2) == '\r' && head.charAt(len - 3) == '\n')) {
                        headEnded();
                    } else if (len > MAX_HEAD) {
                        state = State.UNFRAMED;
                    }
                }
            }
        }
    }

    private void headEnded() {
        String[] lines = head.toString().split("\r?\n");
        head.setLength(0);
        int status = status(lines[0]);
        if (status >= 100 && status < 200) {
            return; // an interim response: the final head follows
        }
        if (status == 204 || status == 304) {
            state = State.IDLE;
            return;
        }
        long length = -1;
        for (int k = 1; k < lines.length; k++) {
            int colon = lines[k].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[k].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[k].substring(colon + 1).trim();
            if (name.equals("transfer-encoding")) {
                state = State.UNFRAMED;
                return;
            }
            if (name.equals("content-length")) {
                length = HttpsFetcher.contentLength(value);
            }
        }
        if (status < 0 || length < 0) {
            state = State.UNFRAMED;
        } else if (length == 0) {
            state = State.IDLE;
        } else {
            remaining = length;
            state = State.BODY;
        }
    }

    private static int status(String statusLine) {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            return -1;
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
