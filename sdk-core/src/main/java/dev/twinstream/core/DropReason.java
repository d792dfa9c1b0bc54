package dev.twinstream.core;

/** Why an accepted event was dropped for a sink without being delivered or dead-lettered. */
public enum DropReason {
    /** The log was full and the overflow policy {@link OverflowPolicy#dropNewest()} dropped the incoming event. */
    OVERFLOW_DROP_NEWEST,
    /** The log was full and the overflow policy {@link OverflowPolicy#dropOldest()} evicted this older event. */
    OVERFLOW_DROP_OLDEST,
    /** {@link EventTracker#close()} ran out of time while the event was still pending for the sink (memory log only). */
    CLOSED_BEFORE_DELIVERY
}
