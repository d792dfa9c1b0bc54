package dev.twinstream.core.internal.journal;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.OverflowPolicy;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The disk {@link EventLog}: segment files on disk, and in memory only a bounded window of the
 * newest records plus a few numbers per sink and per segment, whatever the backlog.
 *
 * <p>Every appended record is framed for the {@link JournalWriter} and kept in the {@link HotWindow},
 * bounded by {@code memoryBytes}. A sink that keeps up reads from the window.
 * When the window needs room it lets go of its oldest record, once that record is on disk as the
 * fsync policy wants it; a sink that had not read it continues from the files with its own
 * {@link ColdReader} until it catches up with the window again. Capacity ({@code maxBytes}) counts
 * the segment files; space returns when the writer deletes a segment every sink has passed.
 * Opening runs {@link Recovery}, which reads segment trailers rather than records.
 *
 * <p>{@link #append} is called by application threads, the reads and commits by the dispatcher;
 * state shared between them is guarded by this object's monitor.
 */
public final class DiskLog implements EventLog {
    /** About 100 years: far beyond any delivery timeout, and well inside a long of nanoseconds. */
    static final long MAX_RECOVERED_AGE_MILLIS = TimeUnit.DAYS.toMillis(36_500);
    /** Smallest segment the capacity rule ({@code maxBytes / 4}) shrinks a segment to. */
    static final long MIN_AUTO_SEGMENT_BYTES = 4096;

    private final Clock clock;
    private final OverflowPolicy overflow;
    private final LogObserver observer;
    private final long maxBytes;
    private final long memoryBytes;
    private final long quotaBytes;
    private final long segmentBytes;
    private final String[] sinkNames;
    private final int[] slots;
    private final int slotCount;
    private final JournalFormat.Header layout;
    private final JournalStorage storage;
    private final Closeable lock;
    private final JournalRecovery recovery;
    private final JournalWriter writer;
    /** The delivery ledger's file, or null when the tracker keeps no ledger. */
    private final @Nullable LedgerFile ledger;
    private final SinkCursor[] sinks;
    /** Dispatcher-owned. */
    private final ColdReader[] readers;

    // Guarded by this.
    /** The newest records; its end is the next record's sequence number. */
    private final HotWindow window;
    /** Records below this are on disk as the fsync policy wants them: they may leave the window. */
    private long onDiskEnd;
    private final ArrayDeque<SegmentInfo> segments = new ArrayDeque<>();
    private @Nullable SegmentInfo framing;
    private long framingFill;
    private long diskBytes;
    /** Receipts of records that left the window while a sink had yet to read them, as payload-free stubs. */
    private final TreeMap<Long, LogRecord> spilled = new TreeMap<>();
    private volatile int spilledCount;
    private int blockedAppenders;
    private boolean closed;
    private long damagedBytes;

    /** Everything the journal needs besides its storage. */
    public static final class Config {
        public Clock clock;
        public long maxBytes;
        /** Bound of the hot window: what its records take on the heap ({@link LogRecord#heapBytes()}). */
        public long memoryBytes = 8L << 20;
        public long quotaBytes = Long.MAX_VALUE;
        public OverflowPolicy overflow;
        public FsyncPolicy fsync = FsyncPolicy.always();
        public long segmentBytes;
        public LogObserver observer;
        public String[] sinkNames;
        public int[] slots;
        public int[] wakeRecords;
        public long[] wakeBytes;
        /**
         * How long the delivery ledger keeps an hour; 0: the tracker keeps no ledger, and the journal
         * neither reads nor writes {@link LedgerFile#NAME}.
         */
        public long ledgerRetentionMillis;
    }

    private DiskLog(Config c, JournalStorage storage, Closeable lock, Recovery.Result r, @Nullable LedgerFile ledger) {
        this.ledger = ledger;
        this.clock = c.clock;
        this.overflow = c.overflow;
        this.observer = c.observer;
        this.maxBytes = c.maxBytes;
        this.memoryBytes = c.memoryBytes;
        this.quotaBytes = c.quotaBytes;
        // Space returns a segment at a time, and the newest is never deleted: segments stay a fraction of capacity.
        this.segmentBytes = Math.min(c.segmentBytes, Math.max(MIN_AUTO_SEGMENT_BYTES, c.maxBytes / 4));
        this.sinkNames = c.sinkNames.clone();
        this.slots = c.slots.clone();
        int n = 0;
        for (int slot : slots) {
            n = Math.max(n, slot + 1);
        }
        this.slotCount = n;
        this.layout = new JournalFormat.Header(0, sinkNames, slots,
                JournalFormat.segmentHeader(0, sinkNames, slots).length, JournalFormat.VERSION);
        this.storage = storage;
        this.lock = lock;
        this.recovery = r.report;
        CheckpointFile checkpoint = new CheckpointFile(storage, sinkNames, c.fsync.kind() != FsyncPolicy.Kind.NEVER,
                r.checkpointGeneration, r.checkpointPreallocated);
        this.writer = new JournalWriter(this, storage, clock, c.fsync, memoryBytes, sinkNames, slots, r.nextSeq, checkpoint);
        this.window = new HotWindow(slots, r.nextSeq);
        this.onDiskEnd = r.nextSeq;
        this.segments.addAll(r.segments);
        for (SegmentInfo s : r.segments) {
            diskBytes += s.bytes;
        }
        this.sinks = new SinkCursor[sinkNames.length];
        this.readers = new ColdReader[sinkNames.length];
        long nowNanos = clock.nanoTime();
        long nowMillis = clock.epochMillis();
        for (int s = 0; s < sinks.length; s++) {
            SinkCursor st = new SinkCursor(slots[s], c.wakeRecords[s], c.wakeBytes[s], c.maxBytes, c.quotaBytes,
                    r.positions[s]);
            st.unreadCount = (int) Math.min(Integer.MAX_VALUE, r.unreadRecords[s]);
            st.unreadBytes = r.unreadBytes[s];
            st.storedRecords = st.unreadCount;
            st.storedBytes = st.unreadBytes;
            sinks[s] = st;
            readers[s] = new ColdReader(this, storage, s, slots[s], slotCount);
            if (st.unreadCount == 0) {
                st.readSeq = window.end();
                continue;
            }
            SegmentInfo start = segmentHolding(r.positions[s]);
            st.cold = true;
            readers[s].restart(start, start.dataStart, r.positions[s], null);
            primeColdReader(s, nowNanos, nowMillis);
        }
    }

    /** The first segment holding sequence numbers at or after {@code seq}. */
    private SegmentInfo segmentHolding(long seq) {
        for (SegmentInfo seg : segments) {
            if (seg.endSeq > seq) {
                return seg;
            }
        }
        return segments.peekLast();
    }

    /** Reads a cold sink's first record so its age is known; a sink whose backlog turns out lost is recounted. */
    private void primeColdReader(int s, long nowNanos, long nowMillis) {
        SinkCursor st = sinks[s];
        LogRecord first = null;
        try {
            first = readers[s].peek(Long.MAX_VALUE, nowNanos, nowMillis);
        } catch (IOException e) {
            damageFound(0);
        }
        if (first == null) {
            // Counted by the trailers but unreadable: nothing for the sink after all.
            st.storedRecords -= st.unreadCount;
            st.storedBytes -= st.unreadBytes;
            st.unreadCount = 0;
            st.unreadBytes = 0;
            st.cold = false;
            st.readSeq = window.end();
            readers[s].reset();
        } else {
            st.readSeq = first.seq;
            st.coldOldestNanos = first.acceptedNanos;
        }
    }

    /**
     * Opens the journal: takes the directory lock, recovers segments and checkpoint, writes a
     * checkpoint consistent with what was found. Damaged data never makes it throw; neither does a
     * full disk.
     *
     * @throws ConfigurationException if another tracker holds the directory, it cannot be read, or
     *     it holds a journal format this code does not know
     */
    public static DiskLog open(Config c, JournalStorage storage) {
        Closeable lock;
        try {
            lock = storage.tryLock(JournalFormat.LOCK);
        } catch (IOException e) {
            throw new ConfigurationException(Collections.singletonList("journal.directory: cannot lock "
                    + storage.describe() + " (" + e + ")"));
        }
        if (lock == null) {
            throw new ConfigurationException(Collections.singletonList("journal.directory: " + storage.describe()
                    + " is in use by another tracker (it holds " + JournalFormat.LOCK
                    + "); give every tracker its own directory"));
        }
        LedgerFile ledger = null;
        try {
            if (c.ledgerRetentionMillis > 0) {
                ledger = LedgerFile.open(storage, c.sinkNames, c.fsync.kind() != FsyncPolicy.Kind.NEVER);
            }
            Recovery.Result r = new Recovery(c.sinkNames, c.slots, storage, ledger).run();
            DiskLog log = new DiskLog(c, storage, lock, r, ledger);
            log.writer.writeCheckpointNow(r.positions);
            if (ledger != null) {
                log.rewriteLedgerAtOpen(r.positions, c);
            }
            return log;
        } catch (IOException | RuntimeException e) {
            if (ledger != null) {
                ledger.close();
            }
            try {
                lock.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ConfigurationException) {
                throw (ConfigurationException) e;
            }
            if (e instanceof JournalFormat.UnknownVersionException) {
                throw new ConfigurationException(Collections.singletonList("journal.directory: " + storage.describe()
                        + " holds a journal this version of Twinstream cannot read: " + e.getMessage()
                        + "; nothing was changed (open it with the Twinstream that wrote it, or give this tracker another directory)"));
            }
            throw new ConfigurationException(Collections.singletonList("journal.directory: cannot open the disk journal in "
                    + storage.describe() + " (" + e + ")"));
        }
    }

    /**
     * Rewrites the ledger with the positions recovery settled on, so that it never carries positions
     * of an older journal in this directory (whose sequence numbers may have started again, once all
     * its segments were deleted). If even that fails, the file goes: a missing ledger makes recovery
     * trust the checkpoint alone; the next checkpoint writes the ledger again from memory.
     */
    private void rewriteLedgerAtOpen(long[] positions, Config c) {
        try {
            ledger.rewriteAtOpen(positions, writer.nextCheckpointGeneration(),
                    LedgerFile.firstKeptHourMillis(clock.epochMillis(), c.ledgerRetentionMillis));
        } catch (IOException e) {
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DiskLog.class);
            try {
                storage.delete(LedgerFile.NAME);
                log.warn("Twinstream journal in {} could not rewrite its delivery ledger at open ({}); the file was "
                        + "deleted and is written again at the next checkpoint", storage.describe(), e.toString());
            } catch (IOException d) {
                log.error("Twinstream journal in {} could neither rewrite nor delete its delivery ledger at open ({}; {}); "
                        + "it is rewritten at the next checkpoint", storage.describe(), e, d.toString());
            }
        }
    }

    /** {@return the delivery ledger's file, loaded at open; null when the tracker keeps no ledger} */
    public @Nullable LedgerFile ledgerFile() {
        return ledger;
    }

    /** Runs {@code hook} before every checkpoint write; call before {@link #start}. */
    public void checkpointHook(CheckpointHook hook) {
        writer.checkpointHook(hook);
    }

    /** Starts the journal writer thread. Without it, a caller must drive {@link #syncOnce}. */
    public void start(ThreadFactory threadFactory) {
        writer.start(threadFactory);
    }

    // ---------------------------------------------------------------------------------- appends

    @Override
    public boolean append(LogRecord record) {
        if (writer.failure() != null && !awaitWritable(record)) {
            return false;
        }
        int frameLength = JournalFormat.frameLength(record);
        if (frameLength > JournalFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("event " + record.eventId + " takes " + frameLength
                    + " bytes in the journal; the disk journal's limit is " + JournalFormat.MAX_FRAME_BYTES);
        }
        int wake = SinkTally.NO_WAKE;
        int overQuota = 0;
        boolean appended = true;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("EventTracker is closed");
            }
            if (quotaBytes != Long.MAX_VALUE) {
                overQuota = overQuota(record);
                record.sinkMask &= ~overQuota;
                appended = record.sinkMask != 0;
            }
            if (appended) {
                appended = makeRoom(record, frameLength);
            }
            if (appended) {
                wake = store(record, frameLength);
            }
        }
        if (overQuota != 0) {
            reportDrops(record, DropReason.SINK_QUOTA_EXCEEDED, overQuota);
        }
        if (!appended && record.sinkMask != 0) {
            reportDrops(record, DropReason.OVERFLOW_DROP_NEWEST, record.sinkMask);
        }
        if (wake != SinkTally.NO_WAKE) {
            observer.wake(wake == SinkTally.WAKE_BATCH_READY);
        }
        return appended;
    }

    /** While the writer cannot write: BLOCK waits for it to recover, DROP_NEWEST drops. */
    private boolean awaitWritable(LogRecord record) {
        if (overflow.kind() != OverflowPolicy.Kind.BLOCK) {
            reportDrops(record, DropReason.JOURNAL_WRITE_FAILED, record.sinkMask);
            return false;
        }
        writer.awaitWritable(overflow.timeout().toNanos(), overflow.timeout().toString());
        return true;
    }

    /** The sinks of {@code record} that would exceed their quota with it. */
    private int overQuota(LogRecord record) {
        int over = 0;
        for (int s = 0; s < sinks.length; s++) {
            if (record.goesTo(s) && sinks[s].heldBytes() + record.payloads[slots[s]].length > quotaBytes) {
                over |= 1 << s;
            }
        }
        return over;
    }

    /**
     * Room on disk (capacity) and in the window for the record; under the monitor. BLOCK waits for
     * both (throwing {@link BufferFullException} after its timeout); DROP_NEWEST gives up at once.
     */
    private boolean makeRoom(LogRecord record, int frameLength) {
        long cost = record.heapBytes();
        boolean block = overflow.kind() == OverflowPolicy.Kind.BLOCK;
        // Read the clock only once the record has to wait: most appends find room, under the monitor.
        long deadline = Long.MIN_VALUE;
        for (;;) {
            if (closed) {
                throw new IllegalStateException("EventTracker is closed");
            }
            boolean diskFull = diskBytes + frameLength + rollCost() > maxBytes;
            while (!diskFull && window.bytes() + cost > memoryBytes && window.start() < onDiskEnd) {
                evictHot();
            }
            boolean windowFull = window.bytes() + cost > memoryBytes && window.start() < window.end();
            if (!diskFull && !windowFull) {
                return true;
            }
            if (!block) {
                return false;
            }
            long now = clock.nanoTime();
            if (deadline == Long.MIN_VALUE) {
                deadline = now + overflow.timeout().toNanos();
            }
            long remaining = deadline - now;
            if (remaining <= 0) {
                IOException cause = writer.failure(); // the window cannot empty while the writer cannot write
                throw new BufferFullException(diskFull
                        ? "the disk journal is full (" + diskBytes + " of " + maxBytes + " bytes in segment files) and "
                        + "stayed full for the overflow policy's timeout of " + overflow.timeout()
                        : "the disk journal's memory window (" + memoryBytes + " bytes) holds only records not yet on "
                        + "disk, and the writer " + (cause == null ? "did not catch up" : "in " + storage.describe()
                        + " cannot write (" + cause.getMessage() + ") and did not recover")
                        + " within the overflow policy's timeout of " + overflow.timeout());
            }
            blockedAppenders++;
            try {
                JournalWriter.waitSlice(this, remaining);
            } finally {
                blockedAppenders--;
            }
        }
    }

    /** Bytes a new segment would add (header, and the trailer of the one it seals) if the next record starts one. */
    private long rollCost() {
        if (framing != null && framingFill < segmentBytes) {
            return 0;
        }
        long trailer = framing == null ? 0 : framing.trailer(0).length;
        return layout.length + trailer;
    }

    private int store(LogRecord record, int frameLength) {
        long seq = window.end();
        record.seq = seq;
        if (framing == null || framingFill >= segmentBytes) {
            if (framing != null) {
                int trailer = framing.trailer(0).length;
                framing.bytes += trailer; // released with the segment, or diskBytes would creep up with every seal
                diskBytes += trailer;
            }
            SegmentInfo seg = new SegmentInfo(seq, layout, sinkNames);
            segments.add(seg);
            framing = seg;
            framingFill = layout.length;
            diskBytes += layout.length;
            writer.startSegment(seg);
        }
        long offset = framingFill;
        writer.frame(record);
        framingFill += frameLength;
        diskBytes += frameLength;
        framing.bytes = framingFill; // the trailer is added when the segment is sealed
        framing.count(record, slots);
        window.add(record, framing, offset);
        int wake = SinkTally.NO_WAKE;
        for (int s = 0; s < sinks.length; s++) {
            if (record.goesTo(s)) {
                wake = sinks[s].stored(window.payload(seq, s), wake);
            }
        }
        return wake;
    }

    /**
     * Lets go of the window's oldest record (it is on disk). A sink whose next unread record it was
     * continues from the files; its receipt, if a sink will read it back, is kept as a stub.
     */
    private void evictHot() {
        long seq = window.start();
        int mask = window.mask(seq);
        boolean readAgain = false;
        for (int s = 0; s < sinks.length; s++) {
            SinkCursor st = sinks[s];
            boolean forSink = (mask & (1 << s)) != 0;
            if (!st.cold && st.readSeq == seq) {
                if (forSink) {
                    LogRecord r = window.record(seq);
                    st.cold = true;
                    st.restartSegment = window.segment(seq);
                    st.restartOffset = window.offset(seq);
                    st.restartRecord = r;
                    st.coldOldestNanos = r.acceptedNanos;
                } else {
                    st.readSeq++;
                }
            }
            readAgain |= forSink && st.cold && st.readSeq <= seq;
        }
        if (readAgain && window.hasReceipt(seq)) {
            LogRecord r = window.record(seq);
            LogRecord stub = new LogRecord(r.eventId, r.eventType, r.partitionKey, r.routingKey, r.occurredAtMillis,
                    r.acceptedNanos, new byte[0][], r.sinkMask, r.receipt);
            stub.seq = seq;
            spilled.put(seq, stub);
            spilledCount = spilled.size();
        }
        window.removeOldest();
    }

    private void reportDrops(LogRecord record, DropReason reason, int sinksMask) {
        SinkTally.reportDrops(observer, sinks.length, record, reason, sinksMask);
    }

    // ---------------------------------------------------------------------------------- reads

    @Override
    public long read(int sink, int maxRecords, long maxBytes, List<LogRecord> out) {
        SinkCursor st = sinks[sink];
        ColdReader reader = readers[sink];
        long limitSeq;
        int limit;
        synchronized (this) {
            if (!st.cold) {
                return readHot(sink, st, maxRecords, maxBytes, out);
            }
            if (st.restartSegment != null) {
                reader.restart(st.restartSegment, st.restartOffset, st.restartRecord.seq, st.restartRecord);
                st.restartSegment = null;
                st.restartRecord = null;
            }
            limitSeq = window.start();
            limit = Math.min(maxRecords, st.unreadCount);
        }
        // Disk reads happen outside the monitor: appenders are not held up by a sink's backlog.
        List<LogRecord> taken = new ArrayList<>();
        long bytes = 0;
        long nowNanos = clock.nanoTime();
        long nowMillis = clock.epochMillis();
        LogRecord next = null;
        try {
            while ((next = reader.peek(limitSeq, nowNanos, nowMillis)) != null && taken.size() < limit) {
                int payload = next.payloads[st.formatSlot].length;
                if (bytes + payload > maxBytes) {
                    break;
                }
                reader.consume();
                taken.add(next);
                bytes += payload;
            }
        } catch (IOException e) {
            damageFound(0);
            org.slf4j.LoggerFactory.getLogger(DiskLog.class).warn("Twinstream journal in {} could not read a segment for "
                    + "sink '{}'; will retry", storage.describe(), sinkNames[sink], e);
        }
        synchronized (this) {
            for (LogRecord r : taken) {
                st.addRead(r.seq, r.payloads[st.formatSlot].length);
            }
            st.unreadCount -= taken.size();
            st.unreadBytes -= bytes;
            out.addAll(taken);
            st.readSeq = reader.position();
            st.coldOldestNanos = next == null ? Long.MAX_VALUE : next.acceptedNanos;
            if (next == null && (st.unreadCount <= 0 || st.readSeq >= window.start())) {
                st.cold = false;
                reader.reset();
                if (reader.sawDamage || st.unreadCount < 0) {
                    recount(sink, st);
                    reader.sawDamage = false;
                }
                if (st.unreadCount == 0) {
                    st.readSeq = window.end();
                }
            }
        }
        return bytes;
    }

    /** After damage lost records the counters had included: counts the sink's unread records in the window. */
    private void recount(int sink, SinkCursor st) {
        int count = 0;
        long bytes = 0;
        int bit = 1 << sink;
        for (long seq = Math.max(st.readSeq, window.start()); seq < window.end(); seq++) {
            if ((window.mask(seq) & bit) != 0) {
                count++;
                bytes += window.payload(seq, sink);
            }
        }
        st.storedRecords -= st.unreadCount - count;
        st.storedBytes -= st.unreadBytes - bytes;
        st.unreadCount = count;
        st.unreadBytes = bytes;
    }

    private long readHot(int sink, SinkCursor st, int maxRecords, long maxBytes, List<LogRecord> out) {
        int limit = Math.min(maxRecords, st.unreadCount);
        int n = 0;
        long taken = 0;
        long seq = Math.max(st.readSeq, window.start());
        long end = window.end();
        int bit = 1 << sink;
        while (n < limit && seq < end) {
            if ((window.mask(seq) & bit) != 0) {
                int payload = window.payload(seq, sink);
                if (taken + payload > maxBytes) {
                    break;
                }
                out.add(window.record(seq));
                st.addRead(seq, payload);
                n++;
                taken += payload;
            }
            seq++;
        }
        st.unreadCount -= n;
        st.unreadBytes -= taken;
        st.readSeq = st.unreadCount == 0 ? end : seq;
        return taken;
    }

    @Override
    public synchronized void peek(int sink, Unread out) {
        SinkCursor st = sinks[sink];
        st.fill(out);
        if (st.unreadCount > 0) {
            if (st.cold) {
                out.oldestNanos = st.coldOldestNanos;
            } else {
                LogRecord oldest = window.firstFor(sink, st.readSeq);
                if (oldest != null) {
                    out.oldestNanos = oldest.acceptedNanos;
                }
            }
        }
    }

    @Override
    public void unreadWithReceipts(int sink, List<LogRecord> out) {
        synchronized (this) {
            SinkCursor st = sinks[sink];
            for (LogRecord stub : spilled.tailMap(st.readSeq, true).values()) {
                if (stub.goesTo(sink)) {
                    out.add(stub);
                }
            }
            int bit = 1 << sink;
            for (long seq = Math.max(st.readSeq, window.start()); seq < window.end(); seq++) {
                if (window.hasReceipt(seq) && (window.mask(seq) & bit) != 0) {
                    out.add(window.record(seq));
                }
            }
        }
    }

    @Override
    public synchronized long appendPosition() {
        return window.end();
    }

    @Override
    public void commit(int sink, long seq) {
        boolean moved;
        synchronized (this) {
            SinkCursor st = sinks[sink];
            long position = seq != ALL_READ ? seq : st.unreadCount == 0 && !st.cold ? window.end() : st.readSeq;
            moved = position > st.commitSeq;
            if (moved) {
                st.committedBelow(position);
                st.commitSeq = position;
                if (spilledCount > 0) {
                    long min = Long.MAX_VALUE;
                    for (SinkCursor c : sinks) {
                        min = Math.min(min, c.readSeq);
                    }
                    while (!spilled.isEmpty() && spilled.firstKey() < min) {
                        spilled.pollFirstEntry();
                    }
                    spilledCount = spilled.size();
                }
            }
        }
        if (moved) {
            writer.commitMoved();
        }
    }

    @Override
    public synchronized long sizeBytes() {
        return diskBytes;
    }

    /** Refuses further appends; the files stay open until {@link #shutdown}. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        writer.wakeWaiters();
    }

    // ------------------------------------------------------------------- called by the writer

    /** Per sink, the position below which everything is final: what the checkpoint stores. */
    synchronized long[] checkpointPositions() {
        long[] positions = new long[sinks.length];
        for (int s = 0; s < sinks.length; s++) {
            SinkCursor st = sinks[s];
            // A sink with nothing unread and nothing in flight is past everything, committed or not:
            // a sink no record goes to must not keep every segment alive.
            positions[s] = st.unreadCount == 0 && st.readSize == 0 && !st.cold ? window.end() : st.commitSeq;
        }
        return positions;
    }

    /**
     * Forgets the segments, oldest first, that end at or below {@code position} (every sink passed
     * them; a durable checkpoint says so, unless the disk was too full to write it); never the one
     * being written or framed.
     *
     * @return the segments whose files the writer now deletes
     */
    synchronized List<SegmentInfo> releaseSegmentsBelow(long position, @Nullable SegmentInfo active) {
        List<SegmentInfo> doomed = new ArrayList<>();
        SegmentInfo first;
        while ((first = segments.peekFirst()) != null && first != framing && first != active && first.endSeq <= position
                && first.dataEnd >= 0) {
            segments.pollFirst();
            diskBytes -= first.bytes;
            doomed.add(first);
        }
        if (!doomed.isEmpty()) {
            notifyAll(); // BLOCKed appenders waiting for capacity
        }
        return doomed;
    }

    /** Records below {@code end} are on disk as the policy wants them. */
    void onDisk(long end) {
        synchronized (this) {
            if (end > onDiskEnd) {
                onDiskEnd = end;
                if (blockedAppenders > 0) {
                    notifyAll();
                }
            }
        }
    }

    /** The writer recovered from a failure: sinks that stopped at data not yet on disk can go on. */
    void writable() {
        observer.wake(false);
    }

    /** The segment after {@code seg}, or null if it is the newest. */
    synchronized @Nullable SegmentInfo segmentAfter(SegmentInfo seg) {
        boolean found = false;
        for (SegmentInfo s : segments) {
            if (found) {
                return s;
            }
            found = s == seg;
        }
        return null;
    }

    /** The receipt stub of a record that left the window, for a sink reading it back; null for most records. */
    @Nullable Receipt spilledReceipt(long seq) {
        if (spilledCount == 0) {
            return null;
        }
        synchronized (this) {
            LogRecord stub = spilled.get(seq);
            return stub == null ? null : stub.receipt;
        }
    }

    /** A sink's reader skipped bytes that did not validate. */
    synchronized void damageFound(long bytes) {
        damagedBytes += bytes;
    }

    /** Bytes of damaged frames sinks skipped while reading from the files since open. */
    public synchronized long damagedBytesRead() {
        return damagedBytes;
    }

    /**
     * When a recovered record was accepted, on the clock's monotonic scale: its {@code occurredAt}
     * was read at the same instant as its original {@code acceptedNanos}, so the delivery timeout
     * and the pending age keep counting from the original {@code track()} across the restart. A
     * wall clock that went backwards counts as no age; ages are capped so the arithmetic cannot overflow.
     */
    static long acceptedNanos(long occurredAtMillis, long nowNanos, long nowMillis) {
        long ageMillis = Math.min(Math.max(0, nowMillis - occurredAtMillis), MAX_RECOVERED_AGE_MILLIS);
        return nowNanos - TimeUnit.MILLISECONDS.toNanos(ageMillis);
    }

    // --------------------------------------------------------------------------- durability

    /**
     * Waits until the record with {@code seq} is forced, at most {@code timeoutNanos} of the clock.
     *
     * @return true once durable; false on timeout, close or while the journal cannot write
     */
    public boolean awaitDurable(long seq, long timeoutNanos) {
        return writer.awaitDurable(seq, timeoutNanos);
    }

    /** Records forced since open. */
    public long durableRecords() {
        return writer.durableRecords();
    }

    /** Calls to {@code force} on segment data since open. */
    public long forces() {
        return writer.forces();
    }

    /** Segment bytes (frames and headers) those forces made durable. */
    public long forcedBytes() {
        return writer.forcedBytes();
    }

    /** Failed write cycles since open. */
    public long writeFailures() {
        return writer.writeFailures();
    }

    /** The current write failure, or null. */
    public @Nullable IOException failure() {
        return writer.failure();
    }

    public JournalRecovery recovery() {
        return recovery;
    }

    /**
     * Writes, forces and checkpoints what is left, stops the writer, closes the files and releases
     * the directory. Records not yet committed stay in the journal for the next tracker.
     */
    public void shutdown(long timeoutNanos) {
        close();
        writer.shutdown(timeoutNanos, this::releaseFiles);
        closeReaders();
    }

    /** The ledger, then the directory's lock: nothing of this journal is written after the lock goes. */
    private void releaseFiles() throws IOException {
        if (ledger != null) {
            ledger.close();
        }
        lock.close();
    }

    private void closeReaders() {
        for (ColdReader r : readers) {
            r.close();
        }
    }

    // ------------------------------------------------------------------------------ for tests

    /** One writer cycle, for tests that drive the writer themselves. */
    boolean syncOnce(boolean closing) {
        return writer.syncOnce(closing);
    }

    /** Every sequence number below this is forced. */
    long durablePosition() {
        return writer.durablePosition();
    }

    /** Simulates the process dying: drops the files and the lock without writing anything more. */
    void abandon() {
        close();
        writer.abandon(this::releaseFiles);
        closeReaders();
    }

    synchronized int blockedAppenders() {
        return blockedAppenders;
    }

    synchronized long checkpointPosition(int sink) {
        return sinks[sink].commitSeq;
    }

    /** Payload and overhead bytes the memory window holds. */
    synchronized long hotBytes() {
        return window.bytes();
    }

    synchronized int segmentCount() {
        return segments.size();
    }
}
