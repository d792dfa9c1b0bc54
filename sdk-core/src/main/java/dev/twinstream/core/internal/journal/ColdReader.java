package dev.twinstream.core.internal.journal;

import java.io.Closeable;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's reader of its backlog on disk: records that left the disk journal's memory window
 * before the sink read them. Reads its segments in order through a {@link SegmentScanner}
 * (sequential, buffered), skipping frames not bound for the sink, and decodes one record ahead so
 * the age of the sink's oldest unread record is known without I/O. Owned by the dispatcher thread.
 */
final class ColdReader implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ColdReader.class);

    private final DiskLog log;
    private final JournalStorage storage;
    private final int sink;
    private final int slot;
    private final int slotCount;
    private @Nullable SegmentInfo segment;
    private @Nullable SegmentScanner scanner;
    private long offset;
    /** Every frame below this sequence number was consumed (returned, or not for this sink). */
    private long nextSeq;
    private @Nullable LogRecord next;
    /** Records were lost to damage found while reading: the sink's unread count must be recounted. */
    boolean sawDamage;

    ColdReader(DiskLog log, JournalStorage storage, int sink, int slot, int slotCount) {
        this.log = log;
        this.storage = storage;
        this.sink = sink;
        this.slot = slot;
        this.slotCount = slotCount;
    }

    /**
     * Positions the reader at {@code offset} of {@code segment}, returning nothing below {@code fromSeq}.
     *
     * @param first the record at {@code fromSeq} if the caller already has it (it left the memory window)
     */
    void restart(SegmentInfo segment, long offset, long fromSeq, @Nullable LogRecord first) {
        if (this.segment != segment) {
            closeScanner();
        }
        this.segment = segment;
        this.offset = offset;
        this.nextSeq = first == null ? fromSeq : first.seq + 1;
        this.next = first;
    }

    /** Forgets the position (the sink reads from memory again) and closes the file. */
    void reset() {
        closeScanner();
        segment = null;
        next = null;
    }

    /** Sequence number the reader continues at: its lookahead's, or the first frame not yet consumed. */
    long position() {
        return next != null ? next.seq : nextSeq;
    }

    /**
     * The sink's next record below {@code limitSeq}, decoded and kept until {@link #consume}; null
     * if none is readable now (the rest is in memory, or not yet on disk).
     */
    @Nullable LogRecord peek(long limitSeq, long nowNanos, long nowMillis) throws IOException {
        while (next == null) {
            SegmentInfo seg = segment;
            if (seg == null) {
                return null;
            }
            long readable = seg.readableBytes;
            if (offset >= readable) {
                long dataEnd = seg.dataEnd;
                SegmentInfo after = dataEnd >= 0 && offset >= dataEnd ? log.segmentAfter(seg) : null;
                if (after == null) {
                    return null; // the rest is not on disk yet
                }
                closeScanner();
                segment = after;
                offset = after.dataStart;
                continue;
            }
            SegmentScanner in = scanner;
            if (in == null) {
                in = SegmentScanner.open(storage, seg.name, readable);
                in.formatVersion(seg.layout.version);
                scanner = in;
            }
            in.end(readable);
            int old = seg.layoutIndex[sink];
            JournalFormat.Frame f = in.frameAt(offset, old < 0 ? 0 : 1 << old); // other sinks' frames: not decoded
            if (f == null) {
                long found = in.findFrame(offset + 1, nextSeq - 1);
                long skipTo = found < 0 ? readable : found;
                LOG.warn("Twinstream journal frame in {} at offset {} does not validate; skipped {} bytes (records in "
                        + "them are lost)", seg.name, offset, skipTo - offset);
                sawDamage = true;
                log.damageFound(skipTo - offset);
                offset = skipTo;
                continue;
            }
            if (f.seq >= limitSeq) {
                return null; // from here on the sink reads from memory
            }
            offset += f.length;
            if (f.seq < nextSeq) {
                continue; // before the position: already read, or a second copy of a frame
            }
            nextSeq = f.seq + 1;
            byte[] payload = seg.payloadFor(f, sink);
            if (payload == null) {
                continue;
            }
            byte[][] payloads = new byte[slotCount][];
            payloads[slot] = payload;
            LogRecord r = new LogRecord(f.eventId, f.eventType, f.partitionKey, f.routingKey, f.occurredAtMillis,
                    DiskLog.acceptedNanos(f.occurredAtMillis, nowNanos, nowMillis), payloads, 1 << sink,
                    log.spilledReceipt(f.seq));
            r.seq = f.seq;
            r.ledgerTerm = f.ledgerTerm;
            next = r;
        }
        return next;
    }

    /** Drops the lookahead: the caller took it. */
    void consume() {
        next = null;
    }

    private void closeScanner() {
        JournalWriter.closeQuietly(scanner);
        scanner = null;
    }

    @Override
    public void close() {
        reset();
    }
}
