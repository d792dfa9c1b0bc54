package dev.twinstream.kinesis.internal;

/**
 * A per-shard write budget: records per second and bytes per second, refilled continuously, with
 * at most one second of each saved up. {@link #reserve} never refuses: it takes the tokens (the
 * balance may go negative) and returns how long the caller must hold the write so that the shard
 * stays within its rate. Reservations queue behind each other, like a reservation-based limiter.
 * Time is the caller's (a {@code Clock}'s {@code nanoTime}), so tests run it on virtual time.
 * Thread-safe.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double recordsPerSecond;
    private final double bytesPerSecond;
    private double records;
    private double bytes;
    private long lastNanos;

    /**
     * A full bucket.
     *
     * @param recordsPerSecond refill rate and capacity of records, at least 1
     * @param bytesPerSecond refill rate and capacity of bytes, at least 1
     * @param nowNanos the current time
     */
    public TokenBucket(double recordsPerSecond, double bytesPerSecond, long nowNanos) {
        this.recordsPerSecond = recordsPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.records = recordsPerSecond;
        this.bytes = bytesPerSecond;
        this.lastNanos = nowNanos;
    }

    /**
     * Takes {@code n} records and {@code size} bytes.
     *
     * @return nanoseconds from {@code nowNanos} until the write may go (0: now)
     */
    public synchronized long reserve(int n, long size, long nowNanos) {
        refill(nowNanos);
        records -= n;
        bytes -= size;
        double waitSeconds = Math.max(Math.max(0, -records / recordsPerSecond), Math.max(0, -bytes / bytesPerSecond));
        return (long) Math.ceil(waitSeconds * NANOS_PER_SECOND);
    }

    /**
     * The shard said it was over its limit (another producer, or a limit lower than configured):
     * empties the bucket and pushes it {@code penaltyNanos} into debt so later writes wait.
     */
    public synchronized void penalize(long penaltyNanos, long nowNanos) {
        refill(nowNanos);
        double seconds = (double) penaltyNanos / NANOS_PER_SECOND;
        records = Math.min(records, 0) - recordsPerSecond * seconds;
        bytes = Math.min(bytes, 0) - bytesPerSecond * seconds;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            double seconds = (double) elapsed / NANOS_PER_SECOND;
            records = Math.min(recordsPerSecond, records + seconds * recordsPerSecond);
            bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
            lastNanos = nowNanos;
        }
    }
}
