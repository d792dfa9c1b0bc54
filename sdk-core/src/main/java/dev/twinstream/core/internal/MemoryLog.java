package dev.twinstream.core.internal;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory {@link EventLog}: a growable ring of records indexed by sequence number, bounded in
 * bytes, guarded by its monitor. Appends from many threads and the single dispatcher take the same
 * monitor; every critical section is short. A monitor rather than a {@code ReentrantLock}: HotSpot
 * spins briefly on a contended monitor before parking, and at these section lengths that avoids
 * most park/unpark round trips between producers and the dispatcher.
 *
 * <p>The disk journal ({@link DiskLog}) uses it as its index: it starts the log at a recovered
 * sequence number, {@link #restore restores} recovered records, and frames every stored record into
 * its write buffer through a {@link StoreHook} called under this log's monitor, so frames are
 * written in sequence order.
 */
final class MemoryLog implements EventLog {
    /**
     * Longest single wait of a blocked appender: it re-reads the clock this often, so a BLOCK timeout
     * on a virtual clock expires when a test advances time, without a wake-up from the clock.
     */
    private static final long MAX_WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int INITIAL_RING = 1024;

    private final Clock clock;
    private final long maxBytes;
    private final OverflowPolicy overflow;
    private final LogObserver observer;
    private final int[] formatSlot;
    private final int[] wakeRecords;
    private final long[] wakeBytes;

    private LogRecord[] ring = new LogRecord[INITIAL_RING];
    // Parallel to the ring: what the dispatcher's read and commit need, so they walk primitive arrays
    // under the monitor instead of loading each record (a cache miss apiece, just written by another
    // core) while producers wait for the monitor.
    private int[] ringMask = new int[INITIAL_RING];
    private int[] ringSize = new int[INITIAL_RING];
    /** Per sink, the record's payload bytes for that sink. */
    private final int[][] ringSinkBytes;
    private long headSeq;
    private long tailSeq;
    private long bytes;
    private final long[] readSeq;
    private final long[] commitSeq;
    private final int[] unreadCount;
    private final long[] unreadBytes;
    /** Per sink, records and payload bytes ever stored for it: see {@link EventLog.Unread#storedRecords}. */
    private final long[] storedRecords;
    private final long[] storedBytes;
    /** Per sink, payload bytes of stored records the sink has not committed: what its quota bounds. */
    private final long[] heldBytes;
    private final long quotaBytes;
    private final StoreHook hook;
    private int blockedAppenders;
    private boolean closed;

    /** Called under the log's monitor for every record stored by {@link #append}, in sequence order. */
    interface StoreHook {
        /** {@code record.seq} is assigned. Must not block or call back into the log. */
        void stored(LogRecord record);

        /** No hook: the plain memory journal. */
        StoreHook NONE = record -> { };
    }

    /**
     * @param formatSlot per sink, the index of its payload in {@link LogRecord#payloads}
     * @param wakeRecords per sink, the unread count at which the dispatcher is woken (a full batch)
     * @param wakeBytes per sink, the unread bytes at which the dispatcher is woken
     */
    MemoryLog(Clock clock, long maxBytes, OverflowPolicy overflow, LogObserver observer,
              int[] formatSlot, int[] wakeRecords, long[] wakeBytes) {
        this(clock, maxBytes, Long.MAX_VALUE, overflow, observer, formatSlot, wakeRecords, wakeBytes, 0, StoreHook.NONE);
    }

    /**
     * @param quotaBytes most uncommitted payload bytes one sink may hold; {@code Long.MAX_VALUE} for none
     * @param firstSeq the sequence number of the first record (a recovered journal continues its numbering)
     * @param hook called under the monitor for every appended record
     */
    MemoryLog(Clock clock, long maxBytes, long quotaBytes, OverflowPolicy overflow, LogObserver observer,
              int[] formatSlot, int[] wakeRecords, long[] wakeBytes, long firstSeq, StoreHook hook) {
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.overflow = overflow;
        this.observer = observer;
        this.formatSlot = formatSlot.clone();
        this.wakeRecords = wakeRecords.clone();
        this.wakeBytes = wakeBytes.clone();
        int sinks = formatSlot.length;
        this.readSeq = new long[sinks];
        this.commitSeq = new long[sinks];
        this.unreadCount = new int[sinks];
        this.unreadBytes = new long[sinks];
        this.heldBytes = new long[sinks];
        this.storedRecords = new long[sinks];
        this.storedBytes = new long[sinks];
        this.ringSinkBytes = new int[sinks][INITIAL_RING];
        this.quotaBytes = quotaBytes;
        this.hook = hook;
        this.headSeq = firstSeq;
        this.tailSeq = firstSeq;
        java.util.Arrays.fill(readSeq, firstSeq);
        java.util.Arrays.fill(commitSeq, firstSeq);
    }

    @Override
    public boolean append(LogRecord record) {
        List<LogRecord> evicted = null;
        boolean appended = true;
        int wake = NO_WAKE;
        int overQuota = 0;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("EventTracker is closed");
            }
            if (quotaBytes != Long.MAX_VALUE) {
                overQuota = overQuota(record);
                record.sinkMask &= ~overQuota;
                appended = record.sinkMask != 0;
            }
            if (appended && bytes + record.sizeBytes > maxBytes) {
                switch (overflow.kind()) {
                    case DROP_NEWEST:
                        appended = false;
                        break;
                    case DROP_OLDEST:
                        evicted = new ArrayList<>();
                        while (bytes + record.sizeBytes > maxBytes && headSeq < tailSeq) {
                            evicted.add(evictHead());
                        }
                        break;
                    default:
                        awaitSpace(record.sizeBytes); // throws before anything is stored or reported
                }
            }
            if (appended) {
                wake = store(record);
                hook.stored(record);
            }
        }
        if (overQuota != 0) {
            reportDrops(record, DropReason.SINK_QUOTA_EXCEEDED, overQuota);
        }
        if (!appended && record.sinkMask != 0) {
            reportDrops(record, DropReason.OVERFLOW_DROP_NEWEST, record.sinkMask);
        }
        if (evicted != null) {
            for (LogRecord r : evicted) {
                reportDrops(r, DropReason.OVERFLOW_DROP_OLDEST, r.evictedUnread);
            }
        }
        if (wake != NO_WAKE) {
            observer.wake(wake == WAKE_BATCH_READY);
        }
        return appended;
    }

    /** The sinks of {@code record} that would exceed their quota with it. */
    private int overQuota(LogRecord record) {
        int over = 0;
        for (int s = 0; s < formatSlot.length; s++) {
            if (record.goesTo(s) && heldBytes[s] + record.payloads[formatSlot[s]].length > quotaBytes) {
                over |= 1 << s;
            }
        }
        return over;
    }

    /**
     * Puts back a record recovered from disk, with its sequence number already set to
     * {@link #appendPosition()}, without overflow policy, quota or wake-up: recovery restores what
     * was accepted before, even if the journal was since configured smaller.
     */
    synchronized void restore(LogRecord record) {
        if (record.seq != tailSeq) {
            throw new IllegalArgumentException("restored record " + record.seq + " is not at the append position " + tailSeq);
        }
        store(record);
    }

    /** Fills a sequence number no sink needs (a recovered gap): never read, released at the next commit. */
    synchronized void restoreHoles(long count) {
        for (long i = 0; i < count; i++) {
            if (tailSeq - headSeq == ring.length) {
                grow();
            }
            int at = index(tailSeq);
            ring[at] = HOLE;
            ringMask[at] = 0;
            ringSize[at] = 0;
            tailSeq++;
        }
    }

    /**
     * After recovery: {@code sink} had committed everything below {@code position}, so it starts
     * reading and committing there (records below it were restored without this sink).
     */
    synchronized void restorePosition(int sink, long position) {
        long p = Math.max(headSeq, Math.min(position, tailSeq));
        commitSeq[sink] = Math.max(commitSeq[sink], p);
        readSeq[sink] = Math.max(readSeq[sink], p);
    }

    /** Stands in for a sequence number without a record; shared, as no field of it is ever read. */
    private static final LogRecord HOLE = new LogRecord("", "", "", null, 0, 0, new byte[0][], 0, null);

    /**
     * The position below which every record of {@code sink} is final or gone from the log: what
     * the disk journal checkpoints for the sink.
     */
    synchronized long checkpointPosition(int sink) {
        return Math.max(commitSeq[sink], headSeq);
    }

    /** What {@link #store} asks of the dispatcher. */
    private static final int NO_WAKE = 0;
    private static final int WAKE_FIRST_RECORD = 1;
    private static final int WAKE_BATCH_READY = 2;

    private int store(LogRecord record) {
        if (tailSeq - headSeq == ring.length) {
            grow();
        }
        record.seq = tailSeq;
        int i = index(tailSeq);
        ring[i] = record;
        ringMask[i] = record.sinkMask;
        ringSize[i] = record.sizeBytes;
        tailSeq++;
        bytes += record.sizeBytes;
        int wake = NO_WAKE;
        for (int s = 0; s < formatSlot.length; s++) {
            if (record.goesTo(s)) {
                int payload = record.payloads[formatSlot[s]].length;
                ringSinkBytes[s][i] = payload;
                storedRecords[s]++;
                storedBytes[s] += payload;
                heldBytes[s] += payload;
                int count = ++unreadCount[s];
                long before = unreadBytes[s];
                unreadBytes[s] = before + payload;
                if (count == wakeRecords[s] || (before < wakeBytes[s] && before + payload >= wakeBytes[s])) {
                    wake = WAKE_BATCH_READY;
                } else if (count == 1 && wake == NO_WAKE) {
                    wake = WAKE_FIRST_RECORD;
                }
            }
        }
        return wake;
    }

    /** Removes the oldest record; sinks that had not read it lose it (reported by the caller). */
    private LogRecord evictHead() {
        LogRecord r = ring[index(headSeq)];
        int unreadBy = 0;
        for (int s = 0; s < formatSlot.length; s++) {
            if (r.goesTo(s) && commitSeq[s] <= r.seq) {
                heldBytes[s] -= r.payloads[formatSlot[s]].length;
            }
            if (readSeq[s] == headSeq) {
                readSeq[s]++;
                if (r.goesTo(s)) {
                    unreadCount[s]--;
                    unreadBytes[s] -= r.payloads[formatSlot[s]].length;
                    unreadBy |= 1 << s;
                }
            }
        }
        // Sinks that read it but have not finished it see the flag when they would retry it.
        r.evicted = true;
        r.evictedUnread = unreadBy;
        removeHead();
        return r;
    }

    private void awaitSpace(int size) {
        long deadline = clock.nanoTime() + overflow.timeout().toNanos();
        blockedAppenders++;
        try {
            while (bytes + size > maxBytes) {
                if (closed) {
                    throw new IllegalStateException("EventTracker is closed");
                }
                long remaining = deadline - clock.nanoTime();
                if (remaining <= 0) {
                    throw new BufferFullException("the event journal is full (" + bytes + " of " + maxBytes
                            + " bytes) and stayed full for the overflow policy's timeout of " + overflow.timeout());
                }
                long slice = Math.min(remaining, MAX_WAIT_SLICE_NANOS);
                wait(slice / 1_000_000, (int) (slice % 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BufferFullException("interrupted while waiting for space in the event journal");
        } finally {
            blockedAppenders--;
        }
    }

    private void reportDrops(LogRecord record, DropReason reason, int sinksMask) {
        for (int s = 0; s < formatSlot.length; s++) {
            if ((sinksMask & (1 << s)) != 0) {
                observer.dropped(s, record, reason);
            }
        }
    }

    @Override
    public synchronized long read(int sink, int maxRecords, long maxBytes, List<LogRecord> out) {
        int limit = Math.min(maxRecords, unreadCount[sink]);
        int n = 0;
        long taken = 0;
        long seq = readSeq[sink];
        int bit = 1 << sink;
        int[] sinkBytes = ringSinkBytes[sink];
        int[] mask = ringMask;
        LogRecord[] records = ring;
        int indexMask = records.length - 1;
        while (n < limit && seq < tailSeq) {
            int i = (int) (seq & indexMask);
            if ((mask[i] & bit) != 0) {
                int payload = sinkBytes[i];
                if (taken + payload > maxBytes) {
                    break;
                }
                out.add(records[i]);
                n++;
                taken += payload;
            }
            seq++;
        }
        unreadCount[sink] -= n;
        unreadBytes[sink] -= taken;
        readSeq[sink] = unreadCount[sink] == 0 ? tailSeq : seq;
        return taken;
    }

    @Override
    public synchronized void peek(int sink, Unread out) {
        out.count = unreadCount[sink];
        out.bytes = unreadBytes[sink];
        out.readPosition = readSeq[sink];
        out.storedRecords = storedRecords[sink];
        out.storedBytes = storedBytes[sink];
        out.oldestNanos = Long.MAX_VALUE;
        if (unreadCount[sink] > 0) {
            for (long seq = readSeq[sink]; seq < tailSeq; seq++) {
                LogRecord r = ring[index(seq)];
                if (r.goesTo(sink)) {
                    out.oldestNanos = r.acceptedNanos;
                    break;
                }
            }
        }
    }

    @Override
    public synchronized long appendPosition() {
        return tailSeq;
    }

    @Override
    public synchronized void commit(int sink, long seq) {
        long position = seq == ALL_READ ? readSeq[sink] : seq;
        if (position <= commitSeq[sink]) {
            return;
        }
        int bit = 1 << sink;
        int[] sinkBytes = ringSinkBytes[sink];
        long held = heldBytes[sink];
        for (long q = Math.max(commitSeq[sink], headSeq), end = Math.min(position, tailSeq); q < end; q++) {
            int i = index(q);
            if ((ringMask[i] & bit) != 0) {
                held -= sinkBytes[i];
            }
        }
        heldBytes[sink] = held;
        commitSeq[sink] = position;
        boolean released = false;
        while (headSeq < tailSeq && isFinished(headSeq)) {
            removeHead();
            released = true;
        }
        if (released && blockedAppenders > 0) {
            notifyAll();
        }
    }

    private boolean isFinished(long seq) {
        int mask = ringMask[index(seq)];
        for (int s = 0; s < formatSlot.length; s++) {
            if ((mask & (1 << s)) != 0 && commitSeq[s] <= seq) {
                return false;
            }
        }
        return true;
    }

    private void removeHead() {
        int i = index(headSeq);
        ring[i] = null;
        headSeq++;
        bytes -= ringSize[i];
        for (int s = 0; s < formatSlot.length; s++) {
            if (readSeq[s] < headSeq) {
                readSeq[s] = headSeq; // a record not bound for s, which it had not skipped yet
            }
        }
    }

    @Override
    public synchronized long sizeBytes() {
        return bytes;
    }

    /** Appenders waiting for space under BLOCK. */
    synchronized int blockedAppenders() {
        return blockedAppenders;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    private int index(long seq) {
        return (int) (seq & (ring.length - 1));
    }

    private void grow() {
        int capacity = ring.length * 2;
        LogRecord[] bigger = new LogRecord[capacity];
        int[] mask = new int[capacity];
        int[] size = new int[capacity];
        int[][] sinkBytes = new int[ringSinkBytes.length][capacity];
        for (long seq = headSeq; seq < tailSeq; seq++) {
            int from = index(seq);
            int to = (int) (seq & (capacity - 1));
            bigger[to] = ring[from];
            mask[to] = ringMask[from];
            size[to] = ringSize[from];
            for (int s = 0; s < sinkBytes.length; s++) {
                sinkBytes[s][to] = ringSinkBytes[s][from];
            }
        }
        ring = bigger;
        ringMask = mask;
        ringSize = size;
        for (int s = 0; s < sinkBytes.length; s++) {
            ringSinkBytes[s] = sinkBytes[s];
        }
    }
}
