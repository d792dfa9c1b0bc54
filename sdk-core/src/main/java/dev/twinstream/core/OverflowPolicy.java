package dev.twinstream.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code track()} does when the log is full. Immutable.
 *
 * <ul>
 *   <li>{@link #block(Duration)}: wait up to the timeout for space, then throw
 *       {@link BufferFullException} (the event is not accepted).
 *   <li>{@link #dropNewest()}: never wait; the incoming event is accepted, counted and reported
 *       as dropped with {@link DropReason#OVERFLOW_DROP_NEWEST}.
 *   <li>{@link #dropOldest()}: never wait; the oldest events are evicted to make room, counted and
 *       reported as dropped with {@link DropReason#OVERFLOW_DROP_OLDEST} for every sink that had not
 *       delivered them yet.
 * </ul>
 */
public final class OverflowPolicy {

    /** The three behaviours. */
    public enum Kind {
        /** Wait for space up to the timeout, then throw {@link BufferFullException}. */
        BLOCK,
        /** Drop the incoming event. */
        DROP_NEWEST,
        /** Evict the oldest events. */
        DROP_OLDEST
    }

    private static final OverflowPolicy DROP_NEWEST = new OverflowPolicy(Kind.DROP_NEWEST, Duration.ZERO);
    private static final OverflowPolicy DROP_OLDEST = new OverflowPolicy(Kind.DROP_OLDEST, Duration.ZERO);

    private final Kind kind;
    private final Duration timeout;

    private OverflowPolicy(Kind kind, Duration timeout) {
        this.kind = kind;
        this.timeout = timeout;
    }

    /**
     * Block the caller of {@code track()} for at most {@code timeout}; validated when the tracker is built.
     *
     * @param timeout the longest wait for space
     * @return the policy
     */
    public static OverflowPolicy block(Duration timeout) {
        return new OverflowPolicy(Kind.BLOCK, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Drop the incoming event.
     *
     * @return the policy
     */
    public static OverflowPolicy dropNewest() {
        return DROP_NEWEST;
    }

    /**
     * Evict the oldest events.
     *
     * @return the policy
     */
    public static OverflowPolicy dropOldest() {
        return DROP_OLDEST;
    }

    /** {@return the behaviour} */
    public Kind kind() {
        return kind;
    }

    /** {@return the longest {@code track()} may wait; zero unless {@link Kind#BLOCK}} */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return kind == Kind.BLOCK ? "BLOCK(" + timeout + ")" : kind.name();
    }
}
