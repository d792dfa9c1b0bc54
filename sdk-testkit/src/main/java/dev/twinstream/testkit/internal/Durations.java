package dev.twinstream.testkit.internal;

import java.time.Duration;

/** Duration arithmetic the testkit's clocks and fakes share. Not API. */
public final class Durations {

    private Durations() {}

    /**
     * Converts a duration to nanoseconds, saturating instead of throwing: a duration beyond about
     * 292 years is "for ever" on any clock.
     *
     * @param duration the duration
     * @return its nanoseconds, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} when it does not fit
     */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
