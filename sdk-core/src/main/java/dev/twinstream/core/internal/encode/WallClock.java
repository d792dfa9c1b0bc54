package dev.twinstream.core.internal.encode;

import dev.twinstream.core.Clock;

/**
 * Event timestamps from one monotonic clock read: {@code track()} needs both the wall time (the
 * envelope's {@code occurredAt}) and the monotonic time (ages, delivery timeouts), and on common
 * virtual machines each clock read costs tens of nanoseconds. The wall time is derived from the
 * monotonic reading and an anchor that is refreshed from {@link Clock#epochMillis()} once the anchor
 * is {@value #REANCHOR_NANOS} ns old, so a timestamp is never more than one millisecond behind a
 * direct read and follows wall-clock adjustments within a millisecond.
 */
public final class WallClock {
    static final long REANCHOR_NANOS = 1_000_000;

    private final Clock clock;
    /** Replaced as a whole, so readers never see the millis of one anchor with the nanos of another. */
    private volatile Anchor anchor;

    public WallClock(Clock clock) {
        this.clock = clock;
        this.anchor = new Anchor(clock.nanoTime(), clock.epochMillis());
    }

    /** The wall time, in epoch milliseconds, at the monotonic time {@code nanoTime} just read from the clock. */
    public long epochMillisAt(long nanoTime) {
        Anchor a = anchor;
        long sinceAnchor = nanoTime - a.nanoTime;
        if (sinceAnchor >= 0 && sinceAnchor < REANCHOR_NANOS) {
            return a.epochMillis;
        }
        // Racing threads may each re-anchor; any of their anchors is correct.
        a = new Anchor(nanoTime, clock.epochMillis());
        anchor = a;
        return a.epochMillis;
    }

    private static final class Anchor {
        final long nanoTime;
        final long epochMillis;

        Anchor(long nanoTime, long epochMillis) {
            this.nanoTime = nanoTime;
            this.epochMillis = epochMillis;
        }
    }
}
