package dev.twinstream.core;

/**
 * The single source of time for a tracker: linger, backoff, timeouts, ages and event timestamps all
 * read it, so tests can run the whole pipeline on virtual time (see {@code ManualClock} in
 * {@code twinstream-testkit}).
 *
 * <p>Implementations must be thread-safe.
 */
public interface Clock {

    /** {@return monotonic time in nanoseconds, for durations only (same contract as {@link System#nanoTime()})} */
    long nanoTime();

    /** {@return wall-clock time in milliseconds since the epoch, used for {@code occurredAt}} */
    long epochMillis();

    /** {@return the system clock} */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

/** The system clock; a separate type so {@link Clock#system()} is a constant. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long epochMillis() {
        return System.currentTimeMillis();
    }
}
