package dev.twinstream.core;

import dev.twinstream.core.spi.DeadLetterHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link DeadLetterHandler}: keeps dead letters in memory for inspection and
 * {@link EventTracker#replay replay}, bounded by the sum of their payload bytes, and logs a
 * rate-limited warning (at most one per {@link #WARN_INTERVAL_MILLIS}, counting what it summarises).
 * When full it evicts the oldest dead letter and logs an error with the running count of evicted
 * ones ({@link #evictedCount()}) — never silently. Payloads are never logged. Thread-safe.
 */
public final class DeadLetterStore implements DeadLetterHandler {
    /** Default bound on retained payload bytes: 16 MiB. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** Shortest time between two warnings. */
    public static final long WARN_INTERVAL_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final long maxBytes;
    private final Clock clock;
    private final ArrayDeque<DeadLetter> letters = new ArrayDeque<>();
    private long bytes;
    private long evicted;
    private long total;
    private long sinceLastWarning;
    private long lastWarningNanos;
    private boolean warnedOnce;

    /** A store of {@link #DEFAULT_MAX_BYTES} on the system clock. */
    public DeadLetterStore() {
        this(DEFAULT_MAX_BYTES, Clock.system());
    }

    /**
     * A store bounded by {@code maxBytes} of payload, rate-limiting its warnings on {@code clock}.
     *
     * @param maxBytes most payload bytes retained, at least 1
     * @param clock the clock the warnings are rate-limited on
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public DeadLetterStore(long maxBytes, Clock clock) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1 but was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
        long evictedNow = 0;
        String warning = null;
        synchronized (this) {
            letters.addLast(deadLetter);
            bytes += deadLetter.payloadBytes();
            total++;
            sinceLastWarning++;
            while (bytes > maxBytes && letters.size() > 1) {
                bytes -= letters.removeFirst().payloadBytes();
                evicted++;
                evictedNow++;
            }
            long now = clock.nanoTime();
            if (!warnedOnce || now - lastWarningNanos >= TimeUnit.MILLISECONDS.toNanos(WARN_INTERVAL_MILLIS)) {
                warning = sinceLastWarning + " event(s) dead-lettered since the last warning (" + total
                        + " in total, " + letters.size() + " retained); latest: " + deadLetter;
                warnedOnce = true;
                lastWarningNanos = now;
                sinceLastWarning = 0;
            }
        }
        if (warning != null) {
            LOG.warn(warning);
        }
        if (evictedNow > 0) {
            LOG.error("Dead-letter store is full ({} bytes): evicted {} oldest dead letter(s), {} evicted in total",
                    maxBytes, evictedNow, evictedCount());
        }
    }

    /** {@return a copy of the retained dead letters, oldest first} */
    public synchronized List<DeadLetter> snapshot() {
        return new ArrayList<>(letters);
    }

    /**
     * Removes and returns the retained dead letters, oldest first (for example to replay them).
     *
     * @return the dead letters removed
     */
    public synchronized List<DeadLetter> drain() {
        List<DeadLetter> out = new ArrayList<>(letters);
        letters.clear();
        bytes = 0;
        return out;
    }

    /** {@return the number of retained dead letters} */
    public synchronized int size() {
        return letters.size();
    }

    /** {@return the number of dead letters received since creation} */
    public synchronized long totalCount() {
        return total;
    }

    /** {@return the number of dead letters evicted because the store was full} */
    public synchronized long evictedCount() {
        return evicted;
    }
}
