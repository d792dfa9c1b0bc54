package dev.twinstream.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When a disk {@link Journal} forces what it wrote to the storage device, and therefore when an
 * event becomes durable (survives power loss, not only a crash of the process). Immutable.
 *
 * <ul>
 *   <li>{@link #always()}: group commit. The journal writer writes everything appended since its
 *       last write and forces once; every event covered by that force becomes durable together.
 *       Callers of {@link EventTracker#trackDurable(Object)} are released after the force.
 *   <li>{@link #interval(Duration)}: the writer forces at most once per interval; an event becomes
 *       durable at the first force after it was written. A power loss can lose the events accepted
 *       within the last interval (plus the write in progress).
 *   <li>{@link #never()}: the writer writes to the operating system and never forces. Events
 *       survive a crash of the process once written, but not a power loss or an OS crash; none is
 *       ever reported durable.
 * </ul>
 */
public final class FsyncPolicy {

    /** The three policies. */
    public enum Kind {
        /** Force after every write of the journal writer (group commit). */
        ALWAYS,
        /** Force at most once per interval. */
        INTERVAL,
        /** Never force. */
        NEVER
    }

    private static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, Duration.ZERO);
    private static final FsyncPolicy NEVER = new FsyncPolicy(Kind.NEVER, Duration.ZERO);

    private final Kind kind;
    private final Duration interval;

    private FsyncPolicy(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    /**
     * Force after every write of the journal writer (group commit). The default.
     *
     * @return the policy
     */
    public static FsyncPolicy always() {
        return ALWAYS;
    }

    /**
     * Force at most once per {@code interval}; validated when the tracker is built (1 ms to 1 h).
     *
     * @param interval how often at most the writer forces
     * @return the policy
     */
    public static FsyncPolicy interval(Duration interval) {
        return new FsyncPolicy(Kind.INTERVAL, Objects.requireNonNull(interval, "interval"));
    }

    /**
     * Never force; leave it to the operating system.
     *
     * @return the policy
     */
    public static FsyncPolicy never() {
        return NEVER;
    }

    /** {@return the policy} */
    public Kind kind() {
        return kind;
    }

    /** {@return the interval of {@link Kind#INTERVAL}; zero otherwise} */
    public Duration interval() {
        return interval;
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? "INTERVAL(" + interval + ")" : kind.name();
    }
}
