package dev.twinstream.core;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One bucket of a {@link DeliveryLedger}: the events of one event type delivered to one destination
 * whose {@code occurredAt} falls in one UTC hour — how many distinct events, and the sum of their
 * {@linkplain DeliveryLedger#digestTerm(String) digest terms}. Immutable.
 *
 * <p>{@link #of} builds the other side of a comparison from what a destination holds, for example
 * one row of the reconciliation query in {@code docs/RECONCILIATION.md}.
 */
public final class LedgerBucket {
    /** Milliseconds in an hour: the width of a bucket. */
    static final long HOUR_MILLIS = 3_600_000L;
    /** The order of {@link DeliveryLedger#buckets()}: hour, then destination, then event type. */
    static final Comparator<LedgerBucket> ORDER = Comparator.comparing(LedgerBucket::hour)
            .thenComparing(LedgerBucket::destination).thenComparing(LedgerBucket::eventType);

    private final String destination;
    private final String eventType;
    private final Instant hour;
    private final long count;
    private final long digest;

    private LedgerBucket(String destination, String eventType, Instant hour, long count, long digest) {
        this.destination = destination;
        this.eventType = eventType;
        this.hour = hour;
        this.count = count;
        this.digest = digest;
    }

    /**
     * A bucket with the given totals.
     *
     * @param destination the destination's name (a delivery stream, a Kinesis stream, a sink's name), not empty
     * @param eventType the event type's registered name, not empty
     * @param hour the start of the UTC hour, on the hour exactly ({@link #hourOf(Instant)})
     * @param count distinct events, at least 1
     * @param digest the sum of their digest terms: between 0 and {@code count × (2^32 − 1)}
     * @return the bucket
     * @throws IllegalArgumentException naming the first value out of range
     */
    public static LedgerBucket of(String destination, String eventType, Instant hour, long count, long digest) {
        requireText(destination, "destination");
        requireText(eventType, "eventType");
        Objects.requireNonNull(hour, "hour");
        if (!hourOf(hour).equals(hour)) {
            throw new IllegalArgumentException("hour must be the start of a UTC hour (HH:00:00.000) but was " + hour);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1 but was " + count);
        }
        // Each term is below 2^32, so a correct digest is at most count × (2^32 − 1): a negative or larger
        // value is a query reading the hex digits as signed, or summing something else.
        if (digest < 0 || (count < (1L << 31) && digest > count * 0xFFFFFFFFL)) {
            throw new IllegalArgumentException("digest must be between 0 and count × (2^32 − 1) = "
                    + (count < (1L << 31) ? count * 0xFFFFFFFFL : Long.MAX_VALUE) + " but was " + digest);
        }
        return new LedgerBucket(destination, eventType, hour, count, digest);
    }

    /**
     * The start of the UTC hour that holds {@code instant}: the hour of a bucket an event with that
     * {@code occurredAt} belongs to (10:59:59.999 belongs to 10:00, 11:00:00.000 to 11:00).
     *
     * @param instant any instant
     * @return the instant truncated to the hour
     */
    public static Instant hourOf(Instant instant) {
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), HOUR_MILLIS) * HOUR_MILLIS);
    }

    static void requireText(@Nullable String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    /** {@return the destination the events were delivered to} */
    public String destination() {
        return destination;
    }

    /** {@return the event type's registered name} */
    public String eventType() {
        return eventType;
    }

    /** {@return the start of the UTC hour the events' {@code occurredAt} falls in} */
    public Instant hour() {
        return hour;
    }

    /** {@return how many distinct events} */
    public long count() {
        return count;
    }

    /** {@return the sum of the events' digest terms (order-independent)} */
    public long digest() {
        return digest;
    }

    /** Same destination, type and hour. */
    boolean sameKey(LedgerBucket o) {
        return hour.equals(o.hour) && destination.equals(o.destination) && eventType.equals(o.eventType);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof LedgerBucket)) {
            return false;
        }
        LedgerBucket other = (LedgerBucket) o;
        return sameKey(other) && count == other.count && digest == other.digest;
    }

    @Override
    public int hashCode() {
        return Objects.hash(destination, eventType, hour, count, digest);
    }

    @Override
    public String toString() {
        return hour + " " + destination + " " + eventType + ": " + count + " events, digest " + digest;
    }
}
