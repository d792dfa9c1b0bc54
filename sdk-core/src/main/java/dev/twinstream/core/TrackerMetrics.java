package dev.twinstream.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A snapshot of a tracker's counters: one {@link SinkMetrics} per sink plus tracker-wide figures. */
public final class TrackerMetrics {
    private final Map<String, SinkMetrics> sinks;
    private final Map<EventRejectedException.Reason, Long> rejectedByReason;
    private final long bufferFullRejections;
    private final long journalBytes;
    private final long journalMaxBytes;
    private final long durableRecords;
    private final long journalForces;
    private final long journalForcedBytes;
    private final long journalWriteFailures;
    private final JournalRecovery journalRecovery;
    private final long undeliveredNotifications;

    /**
     * Creates a snapshot of a tracker with a memory journal; the tracker does this.
     *
     * @param sinks per-sink snapshots by sink name, in registration order; copied
     * @param rejectedByReason events {@code track()} rejected, by reason; a missing reason counts 0
     * @param bufferFullRejections events refused with {@link BufferFullException}
     * @param journalBytes bytes the journal holds
     * @param journalMaxBytes the journal's capacity in bytes
     */
    public TrackerMetrics(Map<String, SinkMetrics> sinks, Map<EventRejectedException.Reason, Long> rejectedByReason,
                          long bufferFullRejections, long journalBytes, long journalMaxBytes) {
        this(sinks, rejectedByReason, bufferFullRejections, journalBytes, journalMaxBytes, 0, 0, 0, 0, JournalRecovery.none());
    }

    /**
     * Creates a snapshot with the disk journal's figures; the tracker does this.
     *
     * @param sinks per-sink snapshots by sink name, in registration order; copied
     * @param rejectedByReason events {@code track()} rejected, by reason; a missing reason counts 0
     * @param bufferFullRejections events refused with {@link BufferFullException}
     * @param journalBytes bytes the journal holds
     * @param journalMaxBytes the journal's capacity in bytes
     * @param durableRecords events forced to storage
     * @param journalForces calls to {@code force}
     * @param journalForcedBytes segment bytes those forces made durable
     * @param journalWriteFailures failed write cycles
     * @param journalRecovery what opening the journal recovered
     */
    public TrackerMetrics(Map<String, SinkMetrics> sinks, Map<EventRejectedException.Reason, Long> rejectedByReason,
                          long bufferFullRejections, long journalBytes, long journalMaxBytes, long durableRecords,
                          long journalForces, long journalForcedBytes, long journalWriteFailures,
                          JournalRecovery journalRecovery) {
        this(sinks, rejectedByReason, bufferFullRejections, journalBytes, journalMaxBytes, durableRecords, journalForces,
                journalForcedBytes, journalWriteFailures, journalRecovery, 0);
    }

    /**
     * Creates a snapshot with every tracker-wide figure; the tracker does this.
     *
     * @param sinks per-sink snapshots by sink name, in registration order; copied
     * @param rejectedByReason events {@code track()} rejected, by reason; a missing reason counts 0
     * @param bufferFullRejections events refused with {@link BufferFullException}
     * @param journalBytes bytes the journal holds
     * @param journalMaxBytes the journal's capacity in bytes
     * @param durableRecords events forced to storage (0 for a memory journal)
     * @param journalForces calls to {@code force} (0 for a memory journal)
     * @param journalForcedBytes segment bytes those forces made durable (0 for a memory journal)
     * @param journalWriteFailures failed write cycles (0 for a memory journal)
     * @param journalRecovery what opening the journal recovered ({@link JournalRecovery#none()} for a memory journal)
     * @param undeliveredNotifications listener and dead-letter handler calls that were never run
     *     (see {@link #undeliveredNotifications()})
     */
    public TrackerMetrics(Map<String, SinkMetrics> sinks, Map<EventRejectedException.Reason, Long> rejectedByReason,
                          long bufferFullRejections, long journalBytes, long journalMaxBytes, long durableRecords,
                          long journalForces, long journalForcedBytes, long journalWriteFailures,
                          JournalRecovery journalRecovery, long undeliveredNotifications) {
        this.undeliveredNotifications = undeliveredNotifications;
        this.durableRecords = durableRecords;
        this.journalForces = journalForces;
        this.journalForcedBytes = journalForcedBytes;
        this.journalWriteFailures = journalWriteFailures;
        this.journalRecovery = journalRecovery;
        this.sinks = Collections.unmodifiableMap(new LinkedHashMap<>(sinks));
        EnumMap<EventRejectedException.Reason, Long> rejected = new EnumMap<>(EventRejectedException.Reason.class);
        for (EventRejectedException.Reason reason : EventRejectedException.Reason.values()) {
            rejected.put(reason, rejectedByReason.getOrDefault(reason, 0L));
        }
        this.rejectedByReason = Collections.unmodifiableMap(rejected);
        this.bufferFullRejections = bufferFullRejections;
        this.journalBytes = journalBytes;
        this.journalMaxBytes = journalMaxBytes;
    }

    /** {@return per-sink snapshots by sink name, in registration order; unmodifiable} */
    public Map<String, SinkMetrics> sinks() {
        return sinks;
    }

    /**
     * One sink's snapshot.
     *
     * @param name the sink's name, as registered with the tracker's builder
     * @return its snapshot
     * @throws IllegalArgumentException if no sink has that name
     */
    public SinkMetrics sink(String name) {
        SinkMetrics m = sinks.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no sink named '" + name + "'; sinks are " + sinks.keySet());
        }
        return m;
    }

    /** {@return events {@code track()} rejected with {@link EventRejectedException}, by reason (every reason present); unmodifiable} */
    public Map<EventRejectedException.Reason, Long> rejectedByReason() {
        return rejectedByReason;
    }

    /** {@return events {@code track()} refused with {@link BufferFullException}} */
    public long bufferFullRejections() {
        return bufferFullRejections;
    }

    /**
     * {@return bytes the journal holds: for a memory journal the payloads of pending events, for a disk
     * journal its segment files (frames of pending events, and of delivered ones until their segment is deleted)}
     */
    public long journalBytes() {
        return journalBytes;
    }

    /** {@return the journal's capacity in bytes} */
    public long journalMaxBytes() {
        return journalMaxBytes;
    }

    /**
     * {@return events the disk journal forced to storage since the tracker was built (durable); always
     * 0 for a memory journal and under {@link FsyncPolicy#never()}}
     */
    public long durableRecords() {
        return durableRecords;
    }

    /**
     * {@return calls to {@code force} (fsync) the disk journal made on its segments since the tracker
     * was built} Under {@link FsyncPolicy#always()} one force covers every record appended since the
     * previous one (group commit), so {@link #durableRecords()} / this is the mean group size.
     */
    public long journalForces() {
        return journalForces;
    }

    /** {@return segment bytes (framed records and segment headers) made durable by {@link #journalForces()}} */
    public long journalForcedBytes() {
        return journalForcedBytes;
    }

    /** {@return write cycles of the disk journal that failed (disk full, I/O error) and were retried} */
    public long journalWriteFailures() {
        return journalWriteFailures;
    }

    /** {@return what opening the disk journal recovered and skipped; {@link JournalRecovery#none()} for a memory journal} */
    public JournalRecovery journalRecovery() {
        return journalRecovery;
    }

    /**
     * {@return notifications of outcomes — {@link DeliveryListener} calls and
     * {@link dev.twinstream.core.spi.DeadLetterHandler} calls — that were never run: those the
     * tracker's listener thread had not got to when {@link EventTracker#close()} ran out of time (the
     * close timeout plus {@link EventTracker.Builder#CLOSE_GRACE_MILLIS}), and those a
     * {@link EventTracker.Builder#listenerExecutor listener executor} of your own rejected} The
     * outcomes themselves are counted in the sinks' metrics all the same, and the receipts of their
     * events are completed. 0 while the listener keeps up.
     */
    public long undeliveredNotifications() {
        return undeliveredNotifications;
    }

    /** {@return whether every sink's counters are conserved (see {@link SinkMetrics#isConserved()})} */
    public boolean isConserved() {
        for (SinkMetrics m : sinks.values()) {
            if (!m.isConserved()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TrackerMetrics{journal=").append(journalBytes).append('/')
                .append(journalMaxBytes).append(" bytes, bufferFullRejections=").append(bufferFullRejections);
        if (undeliveredNotifications > 0) {
            sb.append(", undeliveredNotifications=").append(undeliveredNotifications);
        }
        if (durableRecords > 0 || journalWriteFailures > 0) {
            sb.append(", durableRecords=").append(durableRecords).append(", journalForces=").append(journalForces)
                    .append(", journalWriteFailures=").append(journalWriteFailures);
        }
        for (Map.Entry<EventRejectedException.Reason, Long> e : rejectedByReason.entrySet()) {
            if (e.getValue() > 0) {
                sb.append(", rejected.").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        for (SinkMetrics m : sinks.values()) {
            sb.append("\n  ").append(m);
        }
        return sb.append('}').toString();
    }
}
