package dev.twinstream.core.internal.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Reads the frames of one segment file through a bounded buffer with sequential positional reads:
 * how recovery scans a segment and how a sink reads its backlog, without ever holding a segment in
 * memory. The buffer grows only to hold one frame, and never beyond {@link JournalFormat#MAX_FRAME_BYTES}.
 */
final class SegmentScanner implements Closeable {
    /** Read size: large enough for sequential throughput, small enough for a 64 MiB heap with several sinks. */
    static final int BUFFER_BYTES = 1 << 20;

    final String name;
    private final JournalStorage.JournalFile file;
    private final CRC32 crc = new CRC32();
    private byte[] buf = new byte[BUFFER_BYTES];
    private long bufStart;
    private int bufLen;
    /** Nothing at or beyond this offset is read. */
    private long end;
    /** The format version its frames are decoded with: the segment header's. */
    private int version = JournalFormat.VERSION;

    SegmentScanner(JournalStorage.JournalFile file, String name, long end) {
        this.file = file;
        this.name = name;
        this.end = end;
    }

    static SegmentScanner open(JournalStorage storage, String name, long end) throws IOException {
        return new SegmentScanner(storage.open(name), name, end);
    }

    JournalStorage.JournalFile file() {
        return file;
    }

    long end() {
        return end;
    }

    /** Decodes frames as the layout of {@code version}, the one the segment's header declares. */
    void formatVersion(int version) {
        this.version = version;
    }

    /** Extends (or cuts) what may be read: the readable end of a segment still being written grows. */
    void end(long end) {
        if (end < this.end) {
            bufLen = (int) Math.max(0, Math.min(bufLen, end - bufStart));
        }
        this.end = end;
    }

    /**
     * Makes {@code [pos, pos + n)} available in the buffer, reading a whole buffer ahead: frames are
     * read in order.
     *
     * @return the buffer offset of {@code pos}, or -1 if the range goes past the end
     */
    private int ensure(long pos, int n) throws IOException {
        return ensure(pos, n, true);
    }

    /**
     * As {@link #ensure(long, int)}; without {@code readAhead} it reads only the {@code n} bytes, for
     * a header or a trailer: recovery probes every segment's two ends, and reading a whole buffer at
     * each would read 1 MiB per segment of a backlog it otherwise does not touch.
     */
    private int ensure(long pos, int n, boolean readAhead) throws IOException {
        if (n < 0 || pos < 0 || pos + n > end) {
            return -1;
        }
        if (pos >= bufStart && pos + n <= bufStart + bufLen) {
            return (int) (pos - bufStart);
        }
        if (n > buf.length) {
            buf = new byte[Math.min(JournalFormat.MAX_FRAME_BYTES, Math.max(n, buf.length * 2))];
        } else if (buf.length > BUFFER_BYTES && n <= BUFFER_BYTES) {
            buf = new byte[BUFFER_BYTES]; // a large frame passed: give the memory back
        }
        int want = (int) Math.min(readAhead ? buf.length : n, end - pos);
        ByteBuffer dst = ByteBuffer.wrap(buf, 0, want);
        while (dst.hasRemaining()) {
            if (file.read(dst, pos + dst.position()) < 0) {
                break;
            }
        }
        bufStart = pos;
        bufLen = dst.position();
        return bufLen >= n ? 0 : -1;
    }

    /** The first {@code n} bytes of the file (fewer if it is shorter), for its header. */
    byte[] head(int n) throws IOException {
        int len = (int) Math.min(n, end);
        int at = ensure(0, len, false);
        return at < 0 ? new byte[0] : java.util.Arrays.copyOfRange(buf, at, at + len);
    }

    /** {@code n} bytes from {@code pos}, or null past the end. */
    byte @Nullable [] bytes(long pos, int n) throws IOException {
        int at = ensure(pos, n, false);
        return at < 0 ? null : java.util.Arrays.copyOfRange(buf, at, at + n);
    }

    /** The frame at {@code pos} if it is complete before the end and validates; null otherwise. */
    JournalFormat.@Nullable Frame frameAt(long pos) throws IOException {
        return frameAt(pos, JournalFormat.ALL_SINKS);
    }

    /**
     * As {@link #frameAt(long)}; a frame for none of the sinks in {@code wantMask} (bits of the
     * segment's layout) is validated but not decoded ({@link JournalFormat#readFrame}).
     */
    JournalFormat.@Nullable Frame frameAt(long pos, int wantMask) throws IOException {
        int at = ensure(pos, JournalFormat.FRAME_PREFIX + JournalFormat.MIN_BODY);
        if (at < 0) {
            return null;
        }
        int body = JournalFormat.getInt(buf, at);
        if (body < JournalFormat.MIN_BODY || body > JournalFormat.MAX_BODY) {
            return null;
        }
        at = ensure(pos, JournalFormat.FRAME_PREFIX + body);
        return at < 0 ? null : JournalFormat.readFrame(buf, at, bufLen, crc, version, wantMask);
    }

    /** The first offset from {@code from} holding an intact frame numbered after {@code lastSeq}, or -1. */
    long findFrame(long from, long lastSeq) throws IOException {
        for (long p = from; p + JournalFormat.FRAME_PREFIX + JournalFormat.MIN_BODY <= end; p++) {
            JournalFormat.Frame f = frameAt(p);
            if (f != null && f.seq > lastSeq) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
