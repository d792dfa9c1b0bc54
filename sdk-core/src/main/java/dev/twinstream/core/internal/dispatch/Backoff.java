package dev.twinstream.core.internal.dispatch;

import java.util.Random;

/** Exponential backoff with full jitter: uniform in {@code [0, min(max, base * 2^(failedAttempts-1))]}. */
public final class Backoff {
    private final long baseNanos;
    private final long maxNanos;

    public Backoff(long baseNanos, long maxNanos) {
        this.baseNanos = baseNanos;
        this.maxNanos = maxNanos;
    }

    /** The upper bound of the wait after {@code failedAttempts} failed attempts (at least 1). */
    long ceilingNanos(int failedAttempts) {
        long ceiling = baseNanos;
        for (int i = 1; i < failedAttempts && ceiling < maxNanos; i++) {
            ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
        }
        return Math.min(ceiling, maxNanos);
    }

    /** A random wait after {@code failedAttempts} failed attempts. */
    long delayNanos(int failedAttempts, Random random) {
        return (long) (random.nextDouble() * (ceilingNanos(failedAttempts) + 1));
    }
}
