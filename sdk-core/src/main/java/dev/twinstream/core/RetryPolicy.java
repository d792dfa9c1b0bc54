package dev.twinstream.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a sink retries records that failed with a retryable error: exponential backoff with full
 * jitter, bounded by a number of attempts and/or a delivery timeout; a record that exhausts either
 * is dead-lettered. Immutable; every method returns a new value. Validated when the tracker is
 * built.
 *
 * <p>The wait before attempt {@code n + 1} is uniformly random in
 * {@code [0, min(maxDelay, baseDelay * 2^(n-1))]} ("full jitter"), so many clients retrying after
 * the same outage spread out instead of hitting the service together.
 *
 * <p>The default retries without an attempt limit or timeout: "never lost, only delayed". A
 * bounded journal and its overflow policy bound what a long outage can cost.
 */
public final class RetryPolicy {

    /** Default first backoff cap: 100 ms. */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(100);
    /** Default largest backoff: 20 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(20);
    /** Value of {@link #maxAttempts()} meaning "no limit". */
    public static final int UNLIMITED_ATTEMPTS = Integer.MAX_VALUE;

    private static final RetryPolicy DEFAULT =
            new RetryPolicy(DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, UNLIMITED_ATTEMPTS, null);

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int maxAttempts;
    private final @Nullable Duration deliveryTimeout;

    private RetryPolicy(Duration baseDelay, Duration maxDelay, int maxAttempts, @Nullable Duration deliveryTimeout) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxAttempts = maxAttempts;
        this.deliveryTimeout = deliveryTimeout;
    }

    /**
     * 100 ms base, 20 s cap, unlimited attempts, no delivery timeout.
     *
     * @return the default policy
     */
    public static RetryPolicy defaults() {
        return DEFAULT;
    }

    /**
     * The cap of the first backoff; it doubles with every failed attempt up to {@link #maxDelay()}.
     *
     * @param baseDelay the cap of the first backoff
     * @return the same policy with this base delay
     */
    public RetryPolicy baseDelay(Duration baseDelay) {
        return new RetryPolicy(Objects.requireNonNull(baseDelay, "baseDelay"), maxDelay, maxAttempts, deliveryTimeout);
    }

    /**
     * The largest backoff.
     *
     * @param maxDelay the largest backoff
     * @return the same policy with this maximum delay
     */
    public RetryPolicy maxDelay(Duration maxDelay) {
        return new RetryPolicy(baseDelay, Objects.requireNonNull(maxDelay, "maxDelay"), maxAttempts, deliveryTimeout);
    }

    /**
     * Attempts per record per sink including the first; when used up the record is dead-lettered.
     *
     * @param maxAttempts attempts including the first, or {@link #UNLIMITED_ATTEMPTS}
     * @return the same policy with this attempt limit
     */
    public RetryPolicy maxAttempts(int maxAttempts) {
        return new RetryPolicy(baseDelay, maxDelay, maxAttempts, deliveryTimeout);
    }

    /**
     * The longest a record may wait for delivery, counted from {@code track()}; a record older than
     * this is dead-lettered instead of being sent (again).
     *
     * @param deliveryTimeout the longest wait for delivery
     * @return the same policy with this delivery timeout
     */
    public RetryPolicy deliveryTimeout(Duration deliveryTimeout) {
        return new RetryPolicy(baseDelay, maxDelay, maxAttempts, Objects.requireNonNull(deliveryTimeout, "deliveryTimeout"));
    }

    /** {@return the same policy without a delivery timeout} */
    public RetryPolicy withoutDeliveryTimeout() {
        return new RetryPolicy(baseDelay, maxDelay, maxAttempts, null);
    }

    /** {@return the cap of the first backoff} */
    public Duration baseDelay() {
        return baseDelay;
    }

    /** {@return the largest backoff} */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** {@return attempts per record per sink including the first, or {@link #UNLIMITED_ATTEMPTS}} */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** {@return the delivery timeout, if any} */
    public Optional<Duration> deliveryTimeout() {
        return Optional.ofNullable(deliveryTimeout);
    }

    @Override
    public String toString() {
        return "RetryPolicy{baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + ", maxAttempts="
                + (maxAttempts == UNLIMITED_ATTEMPTS ? "unlimited" : String.valueOf(maxAttempts))
                + ", deliveryTimeout=" + (deliveryTimeout == null ? "none" : deliveryTimeout) + '}';
    }
}
