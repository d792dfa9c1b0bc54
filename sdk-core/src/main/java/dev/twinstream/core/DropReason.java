package dev.twinstream.core;

/** Why an accepted event was dropped for a sink without being delivered or dead-lettered. */
public enum DropReason {
    /** The log was full and the overflow policy {@link OverflowPolicy#dropNewest()} dropped the incoming event. */
    OVERFLOW_DROP_NEWEST,
    /** The log was full and the overflow policy {@link OverflowPolicy#dropOldest()} evicted this older event. */
    OVERFLOW_DROP_OLDEST,
    /** {@link EventTracker#close()} ran out of time while the event was still pending for the sink (memory log only). */
    CLOSED_BEFORE_DELIVERY,
    /** The sink already held its {@link Journal#perSinkQuotaBytes(long) quota} of the journal; its other sinks still got the event. */
    SINK_QUOTA_EXCEEDED,
    /**
     * The disk journal could not write (disk full or an I/O error) and the overflow policy is
     * DROP_NEWEST or DROP_OLDEST: the incoming event was not accepted into the journal.
     */
    JOURNAL_WRITE_FAILED
}
