package dev.twinstream.kinesis.internal;

/**
 * A per-shard write pacer for records and bytes: a mirror of a token bucket that holds
 * {@code burstNanos} worth of the shard's limits and refills at the limits (GCRA, "virtual
 * scheduling" form). Each write costs {@code records / recordsPerSecond} and
 * {@code bytes / bytesPerSecond} of shard time; {@link #reserve} never refuses: it books the write
 * at the first moment the bucket holds its cost and returns how long the caller must hold it until
 * then. An idle shard takes writes at once until its burst is used; writes then queue behind each
 * other at the limit.
 *
 * <p>Why a burst: the tracker sends each shard's records of one linger window in one batch. Without
 * a burst, the second record of a window waits for the first one's shard time (50 ms for a 50 KiB
 * record) and goes in a second call, although the shard is far below its limit over the window.
 * With a burst of at least one window, a shard within its limits takes the window's records in one
 * call.
 *
 * <p>Guarantee: between any two sends at times s and t, at most {@code limit * (t - s)} plus
 * {@code burst * limit} were sent (plus the last write, if a single write costs more than the
 * burst), so a service that meters with a token bucket holding at least the burst never throttles
 * (Kinesis and the testkit's {@code FakeKinesis} hold one second). A service metering fixed
 * one-second windows can see up to the burst more than the limit in a window; that write is
 * throttled, retried, and pushes this pacer back ({@link #penalize}). Time is the caller's
 * ({@code Clock.nanoTime}), so tests run on virtual time. Thread-safe.
 */
public final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double nanosPerRecord;
    private final double nanosPerByte;
    private final double burstNanos;
    /** When the bucket is full again for records and for bytes ("theoretical arrival times"). */
    private double recordsFreeAt;
    private double bytesFreeAt;

    /**
     * An idle pacer without a burst: each write waits for the shard time of the writes before it.
     *
     * @param recordsPerSecond the shard's records per second, at least 1
     * @param bytesPerSecond the shard's bytes per second, at least 1
     * @param nowNanos the current time
     */
    public TokenBucket(double recordsPerSecond, double bytesPerSecond, long nowNanos) {
        this(recordsPerSecond, bytesPerSecond, 0, nowNanos);
    }

    /**
     * An idle pacer.
     *
     * @param recordsPerSecond the shard's records per second, at least 1
     * @param bytesPerSecond the shard's bytes per second, at least 1
     * @param burstNanos how much shard time may be booked ahead of now without waiting, at least 0
     * @param nowNanos the current time
     */
    public TokenBucket(double recordsPerSecond, double bytesPerSecond, long burstNanos, long nowNanos) {
        this.nanosPerRecord = NANOS_PER_SECOND / recordsPerSecond;
        this.nanosPerByte = NANOS_PER_SECOND / bytesPerSecond;
        this.burstNanos = burstNanos;
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
        double recordsCost = n * nanosPerRecord;
        double bytesCost = size * nanosPerByte;
        // The write may go once the booked time ahead of it plus its own cost fits the burst; a
        // write costing more than the burst waits until nothing is booked ahead of it.
        double start = Math.max(nowNanos, Math.max(
                recordsFreeAt - Math.max(0, burstNanos - recordsCost),
                bytesFreeAt - Math.max(0, burstNanos - bytesCost)));
        recordsFreeAt = Math.max(recordsFreeAt, start) + recordsCost;
        bytesFreeAt = Math.max(bytesFreeAt, start) + bytesCost;
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
        recordsFreeAt = Math.max(recordsFreeAt, nowNanos + burstNanos) + penaltyNanos;
        bytesFreeAt = Math.max(bytesFreeAt, nowNanos + burstNanos) + penaltyNanos;
    }
}
