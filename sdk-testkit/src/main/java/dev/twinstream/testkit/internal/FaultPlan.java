package dev.twinstream.testkit.internal;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * The fault injection the testkit's fakes share ({@code InMemorySink}, {@code FakeFirehose},
 * {@code FakeKinesis}): the injected scheduler and clock, one {@link Random} seeded once, the call
 * latency, and the three kinds of fault state built on them: a {@link Window} of the clock (an
 * outage, a throttling period), a {@link Countdown} of whole calls to fail, and a {@link Chance}
 * that each entry fails. Plus the validation every fake applies to those settings.
 *
 * <p>What a fault <em>produces</em> (a {@code RecordResult}, an SDK exception, an entry error code)
 * is the fake's business: countdowns and chances carry it as an opaque value of the fake's type,
 * and the order in which a fake consults its faults stays in the fake.
 *
 * <p>Every chance of one plan draws from the same generator, in the order the fake asks, so a fake
 * keeps the draw sequence it documents. Not thread-safe: each fake guards its plan, and the windows,
 * countdowns and chances made from it, with its own lock.
 *
 * <p>Not API: public only so that the fakes in {@code dev.twinstream.testkit.kinesis} and
 * {@code dev.twinstream.testkit.firehose} can share it; this package is not exported and may change
 * without notice.
 */
public final class FaultPlan {

    private final @Nullable Scheduler scheduler;
    private final Clock clock;
    private final long seed;
    private Random random;
    private long latencyNanos;

    /**
     * Creates a plan with no latency.
     *
     * @param scheduler completes calls after the latency; null when the fake has none
     * @param clock the clock of the windows; null for the virtual scheduler's clock if
     *     {@code scheduler} is a {@link VirtualScheduler}, otherwise {@link Clock#system()}
     * @param seed the seed of every chance drawn from this plan
     */
    public FaultPlan(@Nullable Scheduler scheduler, @Nullable Clock clock, long seed) {
        this.scheduler = scheduler;
        this.clock = clock != null ? clock
                : scheduler instanceof VirtualScheduler ? ((VirtualScheduler) scheduler).clock() : Clock.system();
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** {@return the scheduler given at construction, or null} */
    public @Nullable Scheduler scheduler() {
        return scheduler;
    }

    /** {@return the clock that the windows read} */
    public Clock clock() {
        return clock;
    }

    /** Restarts the draws from the seed, as if the plan were new. */
    public void reseed() {
        random = new Random(seed);
    }

    /** {@return how long each call takes before it completes, in nanoseconds; 0 for none} */
    public long latencyNanos() {
        return latencyNanos;
    }

    /**
     * Sets the latency; validate it first with {@link #checkLatency}.
     *
     * @param nanos the latency in nanoseconds
     */
    public void latencyNanos(long nanos) {
        latencyNanos = nanos;
    }

    /**
     * Runs {@code completion} as a fake completes a call: at once without a scheduler, otherwise on
     * the scheduler, after {@code delayNanos} when it is positive.
     *
     * @param completion completes the call's future
     * @param delayNanos how long after now
     */
    public void complete(Runnable completion, long delayNanos) {
        if (scheduler == null) {
            completion.run();
        } else if (delayNanos > 0) {
            scheduler.schedule(completion, delayNanos);
        } else {
            scheduler.execute(completion);
        }
    }

    /** {@return a new, closed window on this plan's clock} */
    public Window window() {
        return new Window();
    }

    /**
     * {@return a new chance drawing from this plan's generator, off (fraction 0)}
     *
     * @param <T> what the fake makes the entry fail with
     */
    public <T> Chance<T> chance() {
        return new Chance<>();
    }

    // ---- validation of the settings ---------------------------------------------------------

    /**
     * Checks a count of calls to fail.
     *
     * @param n the count
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static void checkCount(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be at least 0 but was " + n);
        }
    }

    /**
     * Checks a probability.
     *
     * @param fraction the probability
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] or NaN
     */
    public static void checkFraction(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be between 0 and 1 but was " + fraction);
        }
    }

    /**
     * Checks a duration and converts it, saturating at {@link Long#MAX_VALUE} nanoseconds (about
     * 292 years: "for ever" on any clock).
     *
     * @param duration the duration
     * @param name the setting, for the messages
     * @return the duration in nanoseconds
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public static long checkNonNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative but was " + duration);
        }
        return Durations.saturatedNanos(duration);
    }

    /**
     * Checks a latency: not negative, and a non-zero one needs a scheduler to complete calls later.
     *
     * @param latency the latency
     * @param howToFix the end of the message when the scheduler is missing, naming the fake's builder
     * @return the latency in nanoseconds, saturated as by {@link #checkNonNegative}
     * @throws IllegalStateException if it is not zero and this plan has no scheduler
     */
    public long checkLatency(Duration latency, String howToFix) {
        long nanos = checkNonNegative(latency, "latency");
        if (nanos > 0 && scheduler == null) {
            throw new IllegalStateException("latency " + latency + " needs a scheduler: " + howToFix);
        }
        return nanos;
    }

    // ---- the fault state --------------------------------------------------------------------

    /** A period of the plan's clock during which a fault holds, such as an outage. Starts closed. */
    public final class Window {
        private boolean open;
        private long untilNanos;

        private Window() {}

        /**
         * Opens the window from now for {@code nanos} (saturating); zero or negative leaves it closed.
         *
         * @param nanos how long
         */
        public void openFor(long nanos) {
            long now = clock.nanoTime();
            openUntil(now + nanos < now && nanos > 0 ? Long.MAX_VALUE : now + nanos);
        }

        /**
         * Opens the window until the clock's {@link Clock#nanoTime()} reaches {@code nanoTime}, exclusive.
         *
         * @param nanoTime the end of the window
         */
        public void openUntil(long nanoTime) {
            open = true;
            untilNanos = nanoTime;
        }

        /** Closes the window now. */
        public void close() {
            open = false;
        }

        /** {@return whether the clock is inside the window now} */
        public boolean isOpen() {
            return open && clock.nanoTime() - untilNanos < 0;
        }
    }

    /**
     * The next {@code n} calls fail as a whole, each with the same failure (of the fake's type).
     *
     * @param <T> what the fake makes the call fail with
     */
    public static final class Countdown<T> {
        private int left;

        /** A countdown at zero: no call fails until {@link #set}. */
        public Countdown() {}
        private @Nullable T failure;

        /**
         * Replaces any earlier count; validate {@code n} first with {@link #checkCount}.
         *
         * @param n how many calls
         * @param failure what each of them fails with
         */
        public void set(int n, T failure) {
            left = n;
            this.failure = failure;
        }

        /** {@return the failure for this call, using one up, or null when none is left} */
        public @Nullable T take() {
            if (left <= 0) {
                return null;
            }
            left--;
            return failure;
        }
    }

    /**
     * Each entry fails independently with a probability, drawn from the plan's generator: one draw
     * per entry asked about while the probability is above zero, none while it is zero.
     *
     * @param <T> what the fake makes the entry fail with
     */
    public final class Chance<T> {
        private double fraction;
        private @Nullable T failure;

        private Chance() {}

        /**
         * Replaces the probability and failure; validate {@code fraction} first with {@link #checkFraction}.
         *
         * @param fraction the probability
         * @param failure what a failing entry fails with
         */
        public void set(double fraction, T failure) {
            this.fraction = fraction;
            this.failure = failure;
        }

        /** {@return for one entry, drawn now: the failure when it fails, otherwise null} */
        public @Nullable T draw() {
            return fraction > 0 && random.nextDouble() < fraction ? failure : null;
        }
    }
}
