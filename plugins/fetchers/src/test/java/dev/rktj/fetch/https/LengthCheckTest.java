package dev.rktj.fetch.https;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the length check frames a connection's responses, fed the bytes as a connection would read them. */
class LengthCheckTest {

    private final LengthCheck check = new LengthCheck();

    private void read(String... parts) {
        for (String p : parts) {
            ByteBuf buf = Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1);
            check.inspect(buf);
            assertEquals(p.length(), buf.readableBytes(), "the check reads without consuming");
        }
    }

    @Test
    void bodyOfTheDeclaredLength_noExcess() {
        check.requestSent();
        read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n0123456789");

        assertEquals(0, check.excess());
    }

    @Test
    void bytesPastTheDeclaredLength_inTheSameReadOrLater_counted() {
        check.requestSent();
        read("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n01234", "56789EXTRA");
        long sameRead = check.excess();
        read("more");

        assertEquals(5, sameRead);
        assertEquals(9, check.excess());
    }

    @Test
    void headSplitAnywhere_stillFramed() {
        check.requestSent();
        read("HTTP/1.1 200 OK\r", "\nContent-Len", "gth: 3\r\n\r", "\nabcX");

        assertEquals(1, check.excess());
    }

    @Test
    void keepAlive_nextResponseAfterTheNextRequest_noExcess() {
        check.requestSent();
        read("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
        check.requestSent();
        read("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\nContent-Length: 5\r\n\r\n56789");

        assertEquals(0, check.excess());
    }

    @Test
    void interimAndBodilessResponses_haveNoBody() {
        check.requestSent();
        read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
        long after304 = check.excess();
        read("X");

        assertEquals(0, after304);
        assertEquals(1, check.excess());
    }

    @Test
    void noDeclaredLength_nothingCountedUntilTheNextRequest() {
        check.requestSent();
        read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        check.requestSent();
        read("HTTP/1.0 200 OK\r\n\r\nuntil the connection closes");

        assertEquals(0, check.excess());
    }

    @Test
    void bytesBeforeAnyRequest_counted() {
        read("HTTP/1.1 200 OK\r\n\r\n");

        assertEquals(19, check.excess());
    }

    @Test
    void bareLineFeeds_endTheHeadToo() {
        check.requestSent();
        read("HTTP/1.1 200 OK\nContent-Length: 2\n\nokX");

        assertEquals(1, check.excess());
    }
}
