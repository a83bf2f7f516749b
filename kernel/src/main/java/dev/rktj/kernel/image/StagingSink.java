package dev.rktj.kernel.image;

import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.BlobSink;
import dev.rktj.kernel.spi.FetchException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Stages one fetch: detects the compression, and in a single pass over the decompressed bytes
 * hashes them, writes them to a temp file in {@code cas/tmp} and checks the ACI inside, while an
 * {@link ArchiveCheck} (signature verification) sees the bytes as fetched. A staged blob is handed
 * to the store, which commits or discards it.
 */
final class StagingSink implements BlobSink {

    /** A checked, hashed blob waiting in {@code cas/tmp} for commit or discard. */
    record Staged(ImageId id, long size, Path temp, ImageManifest manifest, byte[] manifestJson) {}

    private static final int HEAD = 512;
    private static final int DRAIN = 1 << 20;
    private static final int USTAR_OFFSET = 257;
    // xz decompression memory is bounded by the encoder's dictionary; refuse absurd ones.
    private static final int XZ_MEMORY_LIMIT_KIB = 512 * 1024;

    private final Path tmpDir;
    private final ArchiveCheck archiveCheck;
    private final Consumer<Staged> onStaged;

    StagingSink(Path tmpDir, ArchiveCheck archiveCheck, Consumer<Staged> onStaged) {
        this.tmpDir = tmpDir;
        this.archiveCheck = archiveCheck;
        this.onStaged = onStaged;
    }

    /** Stages {@code archive}; does not close it. */
    @Override
    public BlobDescriptor write(InputStream archive) throws IOException, FetchException {
        Path temp = Files.createTempFile(tmpDir, "stage-", ".tar");
        boolean staged = false;
        try {
            Staged result = stage(archive, temp);
            onStaged.accept(result);
            staged = true;
            return new BlobDescriptor(result.id().toString(), result.size());
        } finally {
            if (!staged) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private Staged stage(InputStream archive, Path temp) throws IOException, FetchException {
        Sha512 sha512 = Sha512.create();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
             BackgroundWriter out = new BackgroundWriter(channel)) {
            Source source = new Source(archive, archiveCheck);
            AciLayoutCheck check = new AciLayoutCheck();
            long size;
            InputStream tar = null;
            try {
                tar = decompressed(source);
                Tee tee = new Tee(tar, sha512, out);
                AciTar entries = new AciTar(tee);
                AciTar.Item item;
                byte[] rest = new byte[DRAIN];
                while ((item = entries.next()) != null) {
                    check.accept(item, entries);
                    // Read what the check left of the entry in big gulps: the tar library would skip
                    // it 8 KiB at a time, and every read costs a digest call and a copy.
                    while (entries.read(rest, 0, rest.length) > 0) {
                        // the tee hashes and stores it
                    }
                }
                if (!entries.sawEndMarker()) {
                    throw new FetchException("corrupt archive: the tar ends without its end-of-archive marker");
                }
                // The ID covers the whole tar, padding after the end marker included.
                tee.transferTo(OutputStream.nullOutputStream());
                size = tee.count;
                // and a signature covers every byte fetched, whatever a decompressor left unread
                source.transferTo(OutputStream.nullOutputStream());
            } catch (IOException | RuntimeException e) {
                Source.Failure sourceFailure = causeOfType(e, Source.Failure.class);
                if (sourceFailure != null) {
                    throw sourceFailure.original();
                }
                Tee.WriteFailure writeFailure = causeOfType(e, Tee.WriteFailure.class);
                if (writeFailure != null) {
                    throw storing(writeFailure.getCause());
                }
                throw new FetchException("corrupt archive: " + describe(e), e);
            } catch (EntryNames.Refused e) {
                throw new FetchException(e.getMessage(), e);
            } finally {
                if (tar != null) {
                    // frees the decompressor's native memory; Source keeps the fetcher's stream open
                    tar.close();
                }
            }
            ImageManifest manifest = check.finish();
            archiveCheck.finish(manifest);
            try {
                out.finish();
                channel.force(true);
            } catch (IOException e) {
                throw storing(e);
            }
            return new Staged(ImageId.ofDigest(sha512.digest()), size, temp, manifest, check.manifestJson());
        }
    }

    /** A failure to write the staged copy: the disk, not the archive. */
    private IOException storing(Throwable cause) {
        if (Failures.isDiskFull(cause)) {
            return new IOException("no space left on device while storing the image in " + tmpDir, cause);
        }
        return new IOException("cannot write the staged image in " + tmpDir + ": " + cause.getMessage(), cause);
    }

    private static InputStream decompressed(Source source) throws IOException, FetchException {
        byte[] head = source.readNBytes(HEAD);
        InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head), source);
        if (startsWith(head, 0x1f, 0x8b)) {
            return new GzipCompressorInputStream(whole, true);
        }
        if (startsWith(head, 0x42, 0x5a, 0x68)) {
            return new BZip2CompressorInputStream(whole, true);
        }
        if (startsWith(head, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) {
            return new XZCompressorInputStream(whole, true, XZ_MEMORY_LIMIT_KIB);
        }
        if (head.length >= USTAR_OFFSET + 5
                && new String(head, USTAR_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return whole;
        }
        throw new FetchException(head.length == 0 ? "not an ACI: the archive is empty" : "not an ACI: unknown archive format");
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank() || e instanceof EOFException && message.equals("EOF")) {
            return e instanceof EOFException ? "unexpected end of data" : e.getClass().getSimpleName();
        }
        String line = message.replaceAll("\\s+", " ").trim();
        if (line.endsWith(".")) {
            line = line.substring(0, line.length() - 1);
        }
        // the libraries capitalise as if the message stood alone; here it follows a colon
        if (line.length() > 1 && Character.isUpperCase(line.charAt(0)) && Character.isLowerCase(line.charAt(1))) {
            line = Character.toLowerCase(line.charAt(0)) + line.substring(1);
        }
        return line;
    }

    private static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /**
     * The fetcher's stream, with its failures marked so that a broken connection is reported as
     * such and not as a corrupt archive; every byte read is shown to the archive check. Never
     * closes the fetcher's stream.
     */
    private static final class Source extends FilterInputStream {

        static final class Failure extends IOException {
            Failure(IOException original) {
                super(original.getMessage(), original);
            }

            IOException original() {
                return (IOException) getCause();
            }
        }

        private final ArchiveCheck check;

        Source(InputStream in, ArchiveCheck check) {
            super(in);
            this.check = check;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new Failure(e);
            }
            if (n > 0) {
                check.update(b, off, n);
            }
            return n;
        }

        // Skipped bytes are read, so that the check sees them too.
        @Override
        public long skip(long n) throws IOException {
            return skipByReading(this, n);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // the fetcher owns its stream
        }
    }

    /** Hashes, counts and copies every decompressed byte that passes, whoever reads or skips it. */
    private static final class Tee extends FilterInputStream {

        static final class WriteFailure extends IOException {
            WriteFailure(IOException cause) {
                super(cause);
            }
        }

        private final Sha512 digest;
        private final OutputStream out;
        long count;

        Tee(InputStream in, Sha512 digest, OutputStream out) {
            super(in);
            this.digest = digest;
            this.out = out;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                passed(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                passed(b, off, n);
            }
            return n;
        }

        // Skipping must not let bytes bypass the digest.
        @Override
        public long skip(long n) throws IOException {
            return skipByReading(this, n);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void passed(byte[] b, int off, int n) throws IOException {
            digest.update(b, off, n);
            count += n;
            try {
                out.write(b, off, n);
            } catch (IOException e) {
                throw new WriteFailure(e);
            }
        }
    }

    /**
     * Writes the staged copy on a thread of its own, so that hashing and checking never wait for
     * the disk, and syncs it every {@link #SYNC_EVERY} bytes there, so that the sync before commit
     * finds little left to write: the disk works while the archive is still being read.
     */
    private static final class BackgroundWriter extends OutputStream {

        private static final int CHUNK = 1 << 20;
        private static final int CHUNKS = 32;
        private static final long SYNC_EVERY = 32L << 20;
        private static final ByteBuffer END = ByteBuffer.allocate(0);

        private final FileChannel channel;
        private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(CHUNKS + 1);
        private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(CHUNKS);
        private final Thread thread;
        private volatile IOException failure;
        private ByteBuffer current;
        private int allocated;
        private boolean ended;

        BackgroundWriter(FileChannel channel) {
            this.channel = channel;
            this.thread = new Thread(this::drain, "rktj-staging-writer");
            thread.setDaemon(true);
            thread.start();
        }

        private void drain() {
            long unsynced = 0;
            try {
                for (ByteBuffer b; (b = full.take()) != END; ) {
                    if (failure == null) {
                        try {
                            while (b.hasRemaining()) {
                                channel.write(b);
                            }
                            unsynced += b.limit();
                            if (unsynced >= SYNC_EVERY) {
                                channel.force(false);
                                unsynced = 0;
                            }
                        } catch (IOException e) {
                            failure = e; // reported to the writer; keep taking chunks so it never blocks
                        }
                    }
                    b.clear();
                    free.put(b);
                }
            } catch (InterruptedException e) {
                failure = new java.io.InterruptedIOException("interrupted while writing the staged image");
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (failure != null) {
                    throw failure;
                }
                if (current == null) {
                    current = nextFree();
                }
                int n = Math.min(len, current.remaining());
                current.put(b, off, n);
                off += n;
                len -= n;
                if (!current.hasRemaining()) {
                    hand(current);
                    current = null;
                }
            }
        }

        private ByteBuffer nextFree() throws IOException {
            ByteBuffer b = free.poll();
            if (b == null && allocated < CHUNKS) {
                allocated++;
                return ByteBuffer.allocate(CHUNK);
            }
            try {
                return b != null ? b : free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while staging the image");
            }
        }

        private void hand(ByteBuffer b) throws IOException {
            b.flip();
            try {
                full.put(b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while staging the image");
            }
        }

        /** Writes what is left and waits until everything is written; throws the first failure. */
        void finish() throws IOException {
            if (current != null) {
                hand(current);
                current = null;
            }
            close();
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() throws IOException {
            if (ended) {
                return;
            }
            ended = true;
            try {
                full.put(END);
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while staging the image");
            }
        }
    }

    private static long skipByReading(InputStream in, long n) throws IOException {
        byte[] buffer = new byte[(int) Math.max(0, Math.min(n, 1 << 16))];
        long skipped = 0;
        while (skipped < n) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }
}
