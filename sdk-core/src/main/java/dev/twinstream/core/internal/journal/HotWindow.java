package dev.twinstream.core.internal.journal;

import org.jspecify.annotations.Nullable;

/**
 * The disk journal's memory window: its newest records in a ring indexed by sequence number, each
 * with where it was framed (segment and offset, for a sink that has to continue from the files) and
 * a few ints that reads, commits and evictions need — sink mask, heap cost, whether it has a
 * receipt, payload bytes per sink. Those ints sit in one array parallel to the ring, so under the
 * journal's monitor the dispatcher walks it instead of loading records another core just wrote (the
 * memory log's layout, for the same reason: see {@code MemoryLog}). Not thread-safe: guarded by the
 * {@link DiskLog}'s monitor.
 */
final class HotWindow {
    private static final int INITIAL_CAPACITY = 1024;
    /** Offsets within a record's ints. */
    private static final int MASK = 0;
    private static final int COST = 1;
    private static final int RECEIPT = 2;
    private static final int PAYLOAD = 3;

    private final int[] slots;
    private final int stride;
    private LogRecord[] records = new LogRecord[INITIAL_CAPACITY];
    private SegmentInfo[] segments = new SegmentInfo[INITIAL_CAPACITY];
    private long[] offsets = new long[INITIAL_CAPACITY];
    private int[] meta;
    private long start;
    private long end;
    private long bytes;

    /**
     * @param slots per sink, the index of its payload in {@link LogRecord#payloads}
     * @param firstSeq the sequence number the first record will have
     */
    HotWindow(int[] slots, long firstSeq) {
        this.slots = slots.clone();
        this.stride = PAYLOAD + slots.length;
        this.meta = new int[INITIAL_CAPACITY * stride];
        this.start = firstSeq;
        this.end = firstSeq;
    }

    /** The oldest record's sequence number; {@link #end} when empty. */
    long start() {
        return start;
    }

    /** One past the newest record's sequence number: the next record's. */
    long end() {
        return end;
    }

    /** What the records take on the heap ({@link LogRecord#heapBytes()}). */
    long bytes() {
        return bytes;
    }

    /** Adds {@code record}, whose {@link LogRecord#seq} is {@link #end}, framed at {@code offset} of {@code segment}. */
    void add(LogRecord record, SegmentInfo segment, long offset) {
        if (end - start == records.length) {
            grow();
        }
        int i = index(end);
        records[i] = record;
        segments[i] = segment;
        offsets[i] = offset;
        int cost = record.heapBytes();
        bytes += cost;
        int m = i * stride;
        meta[m + MASK] = record.sinkMask;
        meta[m + COST] = cost;
        meta[m + RECEIPT] = record.receipt != null ? 1 : 0;
        for (int s = 0; s < slots.length; s++) {
            meta[m + PAYLOAD + s] = record.goesTo(s) ? record.payloads[slots[s]].length : 0;
        }
        end++;
    }

    /** Lets go of the oldest record. */
    void removeOldest() {
        int i = index(start);
        records[i] = null;
        segments[i] = null;
        bytes -= meta[i * stride + COST];
        start++;
    }

    LogRecord record(long seq) {
        return records[index(seq)];
    }

    SegmentInfo segment(long seq) {
        return segments[index(seq)];
    }

    long offset(long seq) {
        return offsets[index(seq)];
    }

    /** The sinks the record goes to, one bit each. */
    int mask(long seq) {
        return meta[index(seq) * stride + MASK];
    }

    boolean hasReceipt(long seq) {
        return meta[index(seq) * stride + RECEIPT] != 0;
    }

    /** The record's payload bytes for {@code sink}; 0 if it does not go there. */
    int payload(long seq, int sink) {
        return meta[index(seq) * stride + PAYLOAD + sink];
    }

    /** The oldest record at or after {@code fromSeq} that goes to {@code sink}, or null. */
    @Nullable LogRecord firstFor(int sink, long fromSeq) {
        int bit = 1 << sink;
        for (long seq = Math.max(fromSeq, start); seq < end; seq++) {
            if ((mask(seq) & bit) != 0) {
                return record(seq);
            }
        }
        return null;
    }

    private int index(long seq) {
        return (int) (seq & (records.length - 1));
    }

    private void grow() {
        int capacity = records.length * 2;
        LogRecord[] r = new LogRecord[capacity];
        SegmentInfo[] segs = new SegmentInfo[capacity];
        long[] offs = new long[capacity];
        int[] m = new int[capacity * stride];
        for (long seq = start; seq < end; seq++) {
            int from = index(seq);
            int to = (int) (seq & (capacity - 1));
            r[to] = records[from];
            segs[to] = segments[from];
            offs[to] = offsets[from];
            System.arraycopy(meta, from * stride, m, to * stride, stride);
        }
        records = r;
        segments = segs;
        offsets = offs;
        meta = m;
    }
}
