package dev.twinstream.core.internal;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.SinkMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One sink's counters: the single place where outcomes are counted, so conservation
 * ({@code accepted = delivered + deadLettered + dropped + pending}) can be checked from one
 * snapshot. Written by application threads (accepted, drops on overflow) and the dispatcher.
 */
final class SinkCounters {
    private static final DropReason[] REASONS = DropReason.values();

    final String sink;
    // Adders: every producer thread counts each event here, and contended atomics cost more than the
    // rest of the bookkeeping together. The others change once per batch or per failure.
    private final LongAdder accepted = new LongAdder();
    private final LongAdder acceptedBytes = new LongAdder();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deliveredBytes = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong deadLetteredBytes = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong batchRecordsSent = new AtomicLong();
    private final AtomicLong batchBytesSent = new AtomicLong();
    volatile int inFlightRequests;
    /** Accepted time of the oldest read-but-unfinished record, or Long.MAX_VALUE; published by the dispatcher. */
    volatile long oldestUnfinishedNanos = Long.MAX_VALUE;

    SinkCounters(String sink) {
        this.sink = sink;
    }

    void accepted(int bytes) {
        accepted.increment();
        acceptedBytes.add(bytes);
    }

    /** Records the disk journal recovered for this sink at start: they count as accepted again. */
    void restored(long records, long bytes) {
        accepted.add(records);
        acceptedBytes.add(bytes);
    }

    void unaccepted(int bytes) {
        accepted.decrement();
        acceptedBytes.add(-bytes);
    }

    void delivered(long records, long bytes) {
        delivered.addAndGet(records);
        deliveredBytes.addAndGet(bytes);
    }

    void retried(long records) {
        retried.addAndGet(records);
    }

    void deadLettered(int bytes) {
        deadLettered.incrementAndGet();
        deadLetteredBytes.addAndGet(bytes);
    }

    void dropped(DropReason reason, int bytes) {
        dropped.incrementAndGet(reason.ordinal());
        droppedBytes.addAndGet(bytes);
    }

    void batchSent(int records, long bytes) {
        batchesSent.incrementAndGet();
        batchRecordsSent.addAndGet(records);
        batchBytesSent.addAndGet(bytes);
    }

    /** Events not yet final; reads the terminal counters before {@code accepted} so it never goes negative. */
    long pendingRecords() {
        long done = delivered.get() + deadLettered.get();
        for (int i = 0; i < REASONS.length; i++) {
            done += dropped.get(i);
        }
        return accepted.sum() - done;
    }

    SinkMetrics snapshot(long nowNanos, long oldestUnreadNanos) {
        long d = delivered.get();
        long dl = deadLettered.get();
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason reason : REASONS) {
            drops.put(reason, dropped.get(reason.ordinal()));
        }
        long pendingBytes = acceptedBytes.sum() - deliveredBytes.get() - deadLetteredBytes.get() - droppedBytes.get();
        long a = accepted.sum();
        long oldest = Math.min(oldestUnfinishedNanos, oldestUnreadNanos);
        Duration age = oldest == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(Math.max(0, nowNanos - oldest));
        return new SinkMetrics(sink, a, d, retried.get(), dl, drops, pendingBytes, inFlightRequests,
                batchesSent.get(), batchRecordsSent.get(), batchBytesSent.get(), age);
    }
}
