package dev.twinstream.kinesis.internal;

/**
 * A per-shard write pacer for records and bytes (a token bucket in its "virtual scheduling" form,
 * GCRA). Each write occupies the shard for {@code records / recordsPerSecond} and
 * {@code bytes / bytesPerSecond}; {@link #reserve} never refuses: it books the next free slot and
 * returns how long the caller must hold the write until that slot starts. Writes queue behind each
 * other; an idle shard takes a write at once.
 *
 * <p>Guarantee: between any two sends at times s and t, at most {@code limit * (t - s)} plus the
 * last write were sent, so a service that meters with a token bucket of one second's capacity
 * never throttles. A service metering fixed one-second windows can still see one write more than
 * the limit in a window; that write is throttled, retried, and pushes this pacer back
 * ({@link #penalize}). Time is the caller's ({@code Clock.nanoTime}), so tests run on virtual
 * time. Thread-safe.
 */
public final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double nanosPerRecord;
    private final double nanosPerByte;
    /** When the shard is free again for records and for bytes ("theoretical arrival times"). */
    private double recordsFreeAt;
    private double bytesFreeAt;

    /**
     * An idle pacer.
     *
     * @param recordsPerSecond the shard's records per second, at least 1
     * @param bytesPerSecond the shard's bytes per second, at least 1
     * @param nowNanos the current time
     */
    public TokenBucket(double recordsPerSecond, double bytesPerSecond, long nowNanos) {
        this.nanosPerRecord = NANOS_PER_SECOND / recordsPerSecond;
        this.nanosPerByte = NANOS_PER_SECOND / bytesPerSecond;
        this.recordsFreeAt = nowNanos;
        this.bytesFreeAt = nowNanos;
    }

    /**
     * Books {@code n} records and {@code size} bytes.
     *
     * @param n the records
     * @param size the bytes
     * @param nowNanos the current time
     * @return nanoseconds from {@code nowNanos} until the write may go (0: now)
     */
    public synchronized long reserve(int n, long size, long nowNanos) {
        double start = Math.max(nowNanos, Math.max(recordsFreeAt, bytesFreeAt));
        recordsFreeAt = start + n * nanosPerRecord;
        bytesFreeAt = start + size * nanosPerByte;
        return (long) Math.ceil(start - nowNanos);
    }

    /**
     * The shard said it was over its limit (another producer writes to it, or its metering differs):
     * later writes wait {@code penaltyNanos} more.
     *
     * @param penaltyNanos how much longer later writes wait
     * @param nowNanos the current time
     */
    public synchronized void penalize(long penaltyNanos, long nowNanos) {
        recordsFreeAt = Math.max(recordsFreeAt, nowNanos) + penaltyNanos;
        bytesFreeAt = Math.max(bytesFreeAt, nowNanos) + penaltyNanos;
    }
}
