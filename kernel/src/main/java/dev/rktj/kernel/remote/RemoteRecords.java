package dev.rktj.kernel.remote;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What the store remembers per image URL (rkt's {@code remote} table: aciurl, sigurl, etag, blob
 * key, cache max-age, download time): one small JSON file per URL in {@code <data>/cas/remote/},
 * named by the URL's sha256, replaced whole by a rename. A record only speeds up or avoids a
 * download; losing one costs a download, so a record that cannot be read counts as none.
 */
public final class RemoteRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public RemoteRecords(Path dataDir) {
        this.dir = dataDir.resolve("cas").resolve("remote");
    }

    /**
     * One URL's record.
     *
     * @param downloaded epoch milliseconds of the last download or revalidation
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Record(String url, String signatureUrl, String imageId, String etag, long maxAgeSeconds, long downloaded) {
        public Instant downloadTime() {
            return Instant.ofEpochMilli(downloaded);
        }
    }

    public Optional<Record> get(String url) {
        try {
            Record r = JSON.readValue(Files.readAllBytes(file(url)), Record.class);
            return url.equals(r.url()) && r.imageId() != null ? Optional.of(r) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public void put(Record record) throws IOException {
        Files.createDirectories(dir);
        Path target = file(record.url());
        Path tmp = Files.createTempFile(dir, ".record-", ".tmp");
        try {
            Files.write(tmp, JSON.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path file(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
