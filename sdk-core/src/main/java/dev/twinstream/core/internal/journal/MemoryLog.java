package dev.twinstream.core.internal.journal;

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
 */
public final class MemoryLog implements EventLog {
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
    /**
     * Per sink, everything an append and the dispatcher touch for it, in one object. Every line of
     * state an append touches moves between cores with the monitor (two producers and the
     * dispatcher take turns), so the state is packed into as few cache lines as it fits: one object
     * per sink instead of one small array per counter, and one metadata array for the ring.
     */
    private final SinkState[] sinks;

    private LogRecord[] ring = new LogRecord[INITIAL_RING];
    /**
     * Parallel to the ring, {@link #metaStride} ints per slot: the record's sink mask, its size, and
     * its payload bytes for each sink. What the dispatcher's read and commit need, so they walk this
     * array under the monitor instead of loading each record (a cache miss apiece, just written by
     * another core) while producers wait for the monitor.
     */
    private int[] meta;
    private final int metaStride;
    private long headSeq;
    private long tailSeq;
    private long bytes;
    private final long quotaBytes;
    private int blockedAppenders;
    private boolean closed;

    /**
     * @param formatSlot per sink, the index of its payload in {@link LogRecord#payloads}
     * @param wakeRecords per sink, the unread count at which the dispatcher is woken (a full batch)
     * @param wakeBytes per sink, the unread bytes at which the dispatcher is woken
     */
    MemoryLog(Clock clock, long maxBytes, OverflowPolicy overflow, LogObserver observer,
              int[] formatSlot, int[] wakeRecords, long[] wakeBytes) {
        this(clock, maxBytes, Long.MAX_VALUE, overflow, observer, formatSlot, wakeRecords, wakeBytes);
    }

    /**
     * @param quotaBytes most uncommitted payload bytes one sink may hold; {@code Long.MAX_VALUE} for none
     */
    public MemoryLog(Clock clock, long maxBytes, long quotaBytes, OverflowPolicy overflow, LogObserver observer,
              int[] formatSlot, int[] wakeRecords, long[] wakeBytes) {
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.overflow = overflow;
        this.observer = observer;
        this.sinks = new SinkState[formatSlot.length];
        for (int s = 0; s < sinks.length; s++) {
            sinks[s] = new SinkState(formatSlot[s], wakeRecords[s], wakeBytes[s], maxBytes, quotaBytes);
        }
        this.metaStride = META_SINK_BYTES + sinks.length;
        this.meta = new int[INITIAL_RING * metaStride];
        this.quotaBytes = quotaBytes;
    }

    /** Offsets within a ring slot's {@link #meta}. */
    private static final int META_MASK = 0;
    private static final int META_SIZE = 1;
    private static final int META_SINK_BYTES = 2;

    /** One sink's cursor, counters and wake thresholds, plus what its quota bounds; guarded by the log's monitor. */
    private static final class SinkState extends SinkTally {
        /** Payload bytes of stored records the sink has not committed: what its quota bounds. */
        long heldBytes;

        SinkState(int formatSlot, int wakeRecords, long wakeBytes, long journalBytes, long quotaBytes) {
            super(formatSlot, wakeRecords, wakeBytes, journalBytes, quotaBytes);
        }
    }

    @Override
    public boolean append(LogRecord record) {
        List<LogRecord> evicted = null;
        boolean appended = true;
        int wake = SinkTally.NO_WAKE;
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
            int cost = record.heapBytes();
            if (appended && bytes + cost > maxBytes) {
                switch (overflow.kind()) {
                    case DROP_NEWEST:
                        appended = false;
                        break;
                    case DROP_OLDEST:
                        evicted = new ArrayList<>();
                        while (bytes + cost > maxBytes && headSeq < tailSeq) {
                            evicted.add(evictHead());
                        }
                        break;
                    default:
                        awaitSpace(cost); // throws before anything is stored or reported
                }
            }
            if (appended) {
                wake = store(record, cost);
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
        if (wake != SinkTally.NO_WAKE) {
            observer.wake(wake == SinkTally.WAKE_BATCH_READY);
        }
        return appended;
    }

    /** The sinks of {@code record} that would exceed their quota with it. */
    private int overQuota(LogRecord record) {
        int over = 0;
        for (int s = 0; s < sinks.length; s++) {
            if (record.goesTo(s) && sinks[s].heldBytes + record.payloads[sinks[s].formatSlot].length > quotaBytes) {
                over |= 1 << s;
            }
        }
        return over;
    }


    private int store(LogRecord record, int cost) {
        if (tailSeq - headSeq == ring.length) {
            grow();
        }
        record.seq = tailSeq;
        int i = index(tailSeq);
        ring[i] = record;
        int m = i * metaStride;
        meta[m + META_MASK] = record.sinkMask;
        meta[m + META_SIZE] = cost;
        tailSeq++;
        bytes += cost;
        int wake = SinkTally.NO_WAKE;
        for (int s = 0; s < sinks.length; s++) {
            if (record.goesTo(s)) {
                SinkState st = sinks[s];
                int payload = record.payloads[st.formatSlot].length;
                meta[m + META_SINK_BYTES + s] = payload;
                st.heldBytes += payload;
                wake = st.stored(payload, wake);
            }
        }
        return wake;
    }

    /** Removes the oldest record; sinks that had not read it lose it (reported by the caller). */
    private LogRecord evictHead() {
        LogRecord r = ring[index(headSeq)];
        int unreadBy = 0;
        for (int s = 0; s < sinks.length; s++) {
            SinkState st = sinks[s];
            if (r.goesTo(s) && st.commitSeq <= r.seq) {
                st.heldBytes -= r.payloads[st.formatSlot].length;
            }
            if (st.readSeq == headSeq) {
                st.readSeq++;
                if (r.goesTo(s)) {
                    st.unreadCount--;
                    st.unreadBytes -= r.payloads[st.formatSlot].length;
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

    private void awaitSpace(long size) {
        long deadline = clock.nanoTime() + overflow.timeout().toNanos();
        blockedAppenders++;
        try {
            for (;;) {
                // Checked after every wait, also when it ends with room: an append woken by close()
                // must not store after the dispatcher read the log for the last time.
                if (closed) {
                    throw new IllegalStateException("EventTracker is closed");
                }
                if (bytes + size <= maxBytes) {
                    return;
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
        SinkTally.reportDrops(observer, sinks.length, record, reason, sinksMask);
    }

    @Override
    public synchronized long read(int sink, int maxRecords, long maxBytes, List<LogRecord> out) {
        SinkState st = sinks[sink];
        int limit = Math.min(maxRecords, st.unreadCount);
        int n = 0;
        long taken = 0;
        long seq = st.readSeq;
        int bit = 1 << sink;
        int[] slots = meta;
        int stride = metaStride;
        LogRecord[] records = ring;
        int indexMask = records.length - 1;
        while (n < limit && seq < tailSeq) {
            int i = (int) (seq & indexMask);
            if ((slots[i * stride + META_MASK] & bit) != 0) {
                int payload = slots[i * stride + META_SINK_BYTES + sink];
                if (taken + payload > maxBytes) {
                    break;
                }
                out.add(records[i]);
                n++;
                taken += payload;
            }
            seq++;
        }
        st.unreadCount -= n;
        st.unreadBytes -= taken;
        st.readSeq = st.unreadCount == 0 ? tailSeq : seq;
        return taken;
    }

    @Override
    public synchronized void unreadWithReceipts(int sink, List<LogRecord> out) {
        for (long seq = sinks[sink].readSeq; seq < tailSeq; seq++) {
            LogRecord r = ring[index(seq)];
            if (r.receipt != null && r.goesTo(sink)) {
                out.add(r);
            }
        }
    }

    @Override
    public synchronized void peek(int sink, Unread out) {
        SinkState st = sinks[sink];
        st.fill(out);
        if (st.unreadCount > 0) {
            for (long seq = st.readSeq; seq < tailSeq; seq++) {
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
        SinkState st = sinks[sink];
        long position = seq == ALL_READ ? st.readSeq : seq;
        if (position <= st.commitSeq) {
            return;
        }
        int bit = 1 << sink;
        long held = st.heldBytes;
        for (long q = Math.max(st.commitSeq, headSeq), end = Math.min(position, tailSeq); q < end; q++) {
            int m = index(q) * metaStride;
            if ((meta[m + META_MASK] & bit) != 0) {
                held -= meta[m + META_SINK_BYTES + sink];
            }
        }
        st.heldBytes = held;
        st.commitSeq = position;
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
        int mask = meta[index(seq) * metaStride + META_MASK];
        for (int s = 0; s < sinks.length; s++) {
            if ((mask & (1 << s)) != 0 && sinks[s].commitSeq <= seq) {
                return false;
            }
        }
        return true;
    }

    private void removeHead() {
        int i = index(headSeq);
        ring[i] = null;
        headSeq++;
        bytes -= meta[i * metaStride + META_SIZE];
        for (SinkState st : sinks) {
            if (st.readSeq < headSeq) {
                st.readSeq = headSeq; // a record not bound for the sink, which it had not skipped yet
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
        int[] biggerMeta = new int[capacity * metaStride];
        for (long seq = headSeq; seq < tailSeq; seq++) {
            int from = index(seq);
            int to = (int) (seq & (capacity - 1));
            bigger[to] = ring[from];
            System.arraycopy(meta, from * metaStride, biggerMeta, to * metaStride, metaStride);
        }
        ring = bigger;
        meta = biggerMeta;
    }
}
