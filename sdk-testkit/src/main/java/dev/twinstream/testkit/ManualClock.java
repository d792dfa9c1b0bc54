package dev.twinstream.testkit;

import dev.twinstream.core.Clock;
import dev.twinstream.testkit.internal.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that only moves when told to: virtual time for tests.
 *
 * <p>{@link #nanoTime()} starts at {@link #INITIAL_NANO_TIME} (an arbitrary fixed value, like
 * {@link System#nanoTime()} it has no meaning on its own) and {@link #epochMillis()} starts at the
 * given wall-clock instant, {@link #DEFAULT_START} unless another is given. Both move together:
 * advancing by one second adds one billion to {@code nanoTime()} and one thousand to
 * {@code epochMillis()}. Time never goes backwards.
 *
 * <p>Thread-safe: any thread may read or advance it. A {@link VirtualScheduler} built on this clock
 * advances it itself; advancing the clock directly does not run the scheduler's timers.
 */
public final class ManualClock implements Clock {

    /** The wall-clock start used by {@link #ManualClock()}: 2026-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * The value {@link #nanoTime()} returns before the clock is first advanced. Large enough that
     * code subtracting small durations from it stays positive, small enough that centuries of
     * virtual time fit in a {@code long}.
     */
    public static final long INITIAL_NANO_TIME = 1_000_000_000_000_000L;

    private final long startEpochMillis;
    private final AtomicLong nanos = new AtomicLong(INITIAL_NANO_TIME);

    /** A clock starting at {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START.toEpochMilli());
    }

    /**
     * A clock starting at {@code start}.
     *
     * @param start the initial wall-clock time; sub-millisecond precision is dropped
     */
    public ManualClock(Instant start) {
        this(Objects.requireNonNull(start, "start").toEpochMilli());
    }

    /**
     * A clock starting at {@code startEpochMillis}.
     *
     * @param startEpochMillis the initial value of {@link #epochMillis()}
     */
    public ManualClock(long startEpochMillis) {
        this.startEpochMillis = startEpochMillis;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** The start's epoch millis plus the virtual time elapsed since, rounded down to the millisecond. */
    @Override
    public long epochMillis() {
        return startEpochMillis + Math.floorDiv(elapsedNanos(), 1_000_000L);
    }

    /** {@return {@link #epochMillis()} as an {@link Instant}} */
    public Instant instant() {
        return Instant.ofEpochMilli(epochMillis());
    }

    /** {@return the virtual nanoseconds elapsed since the clock was created} */
    public long elapsedNanos() {
        return nanos.get() - INITIAL_NANO_TIME;
    }

    /** {@return the virtual time elapsed since the clock was created} */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos());
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far; zero does nothing
     * @return the new {@link #nanoTime()}
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public long advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative but was " + duration);
        }
        return advanceNanos(Durations.saturatedNanos(duration));
    }

    /**
     * Moves the clock forward by {@code nanos} nanoseconds.
     *
     * @param nanos how far; zero does nothing
     * @return the new {@link #nanoTime()}
     * @throws IllegalArgumentException if {@code nanos} is negative
     * @throws ArithmeticException if the clock would overflow
     */
    public long advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("nanos must not be negative but was " + nanos);
        }
        return this.nanos.updateAndGet(current -> Math.addExact(current, nanos));
    }

    /**
     * Moves the clock forward to {@code targetNanoTime} if it is still before it; never moves it
     * back.
     *
     * @param targetNanoTime a value of {@link #nanoTime()}
     * @return the new {@link #nanoTime()}, which is at least {@code targetNanoTime}
     */
    public long advanceToNanoTime(long targetNanoTime) {
        return nanos.accumulateAndGet(targetNanoTime, Math::max);
    }

    @Override
    public String toString() {
        return "ManualClock{" + instant() + ", elapsed=" + elapsed() + '}';
    }
}
