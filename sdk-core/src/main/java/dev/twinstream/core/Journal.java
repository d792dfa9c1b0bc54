package dev.twinstream.core;

import java.util.Objects;

/**
 * Where accepted events wait until every sink has them: the event log shared by all sinks, bounded
 * in bytes, with an {@link OverflowPolicy} for when it is full. Immutable; every method returns a
 * new value. Validated when the tracker is built.
 *
 * <p>{@link #memory()} keeps events in memory: fast, but a crash or a {@code close()} that times out
 * loses what was not yet delivered (counted as {@link DropReason#CLOSED_BEFORE_DELIVERY} on close).
 */
public final class Journal {

    /** Default capacity of the memory journal: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /** Smallest allowed capacity: 64 KiB. */
    public static final long MIN_MAX_BYTES = 64L * 1024;
    /** Default overflow policy: block the caller for at most one second. */
    public static final OverflowPolicy DEFAULT_OVERFLOW = OverflowPolicy.block(java.time.Duration.ofSeconds(1));

    /** Storage kinds. */
    public enum Kind {
        /** Bounded in-memory segments. */
        MEMORY
    }

    private final Kind kind;
    private final long maxBytes;
    private final OverflowPolicy overflow;

    private Journal(Kind kind, long maxBytes, OverflowPolicy overflow) {
        this.kind = kind;
        this.maxBytes = maxBytes;
        this.overflow = overflow;
    }

    /** An in-memory journal of {@link #DEFAULT_MAX_BYTES} with {@link #DEFAULT_OVERFLOW}. */
    public static Journal memory() {
        return new Journal(Kind.MEMORY, DEFAULT_MAX_BYTES, DEFAULT_OVERFLOW);
    }

    /** The same journal with a different capacity, counted in encoded payload bytes. */
    public Journal maxBytes(long maxBytes) {
        return new Journal(kind, maxBytes, overflow);
    }

    /** The same journal with a different overflow policy. */
    public Journal overflow(OverflowPolicy overflow) {
        return new Journal(kind, maxBytes, Objects.requireNonNull(overflow, "overflow"));
    }

    /** The storage kind. */
    public Kind kind() {
        return kind;
    }

    /** The capacity in bytes: the sum of the distinct encoded payloads of the events held. */
    public long maxBytes() {
        return maxBytes;
    }

    /** What {@code track()} does when the journal is full. */
    public OverflowPolicy overflow() {
        return overflow;
    }

    @Override
    public String toString() {
        return "Journal{" + kind + ", maxBytes=" + maxBytes + ", overflow=" + overflow + '}';
    }
}
