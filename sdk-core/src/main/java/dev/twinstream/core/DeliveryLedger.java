package dev.twinstream.core;

import dev.twinstream.core.internal.dispatch.LedgerDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What a sink delivered, per destination, event type and UTC hour of the events' {@code occurredAt}:
 * a count of distinct events and an order-independent digest of their ids, so two destinations can
 * be reconciled bucket by bucket without listing ids. Immutable.
 *
 * <p>{@link EventTracker#ledger(String)} gives a sink's ledger as the tracker recorded it; a ledger
 * of what a destination holds comes from {@link #builder()} (its buckets from the reconciliation
 * query of {@code docs/RECONCILIATION.md}, or its event ids); {@link #compare} reports the buckets in
 * which two ledgers differ.
 *
 * <p><b>The digest</b> of a bucket is the sum, over its distinct event ids, of each id's
 * {@linkplain #digestTerm(String) term}: the first 8 hex digits of the MD5 of the id read as an
 * unsigned 32-bit number. A sum does not depend on order, the same id counts once, and SQL computes
 * it from an {@code event_id} column (Redshift: {@code SUM(STRTOL(LEFT(MD5(event_id), 8), 16))}
 * over distinct ids). It is exact in a 64-bit long up to 2^31 events per bucket. Equal counts with
 * different digests mean the two sides hold different events (one lost and another that does not
 * belong); different events behind equal counts and digests need the terms of the missing and the
 * extra ones to sum alike, a chance of about 1 in 2^32 for one swapped event.
 */
public final class DeliveryLedger {
    /** How long a tracker keeps an hour in its ledger by default: 7 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    private static final DeliveryLedger EMPTY = new DeliveryLedger(Collections.emptyList());

    private final List<LedgerBucket> buckets;

    private DeliveryLedger(List<LedgerBucket> sorted) {
        this.buckets = Collections.unmodifiableList(sorted);
    }

    /** {@return a ledger without buckets} */
    public static DeliveryLedger empty() {
        return EMPTY;
    }

    /** {@return a builder of a ledger from buckets or from delivered event ids} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An event id's term of the digest: the first 8 hex digits (4 bytes) of the MD5 of its UTF-8
     * bytes, read as an unsigned 32-bit number. The same as Redshift's
     * {@code STRTOL(LEFT(MD5(event_id), 8), 16)} and DuckDB's
     * {@code CAST('0x' || left(md5(event_id), 8) AS BIGINT)}. For example the term of {@code "abc"}
     * (MD5 {@code 900150983cd2…}) is {@code 0x90015098} = 2,416,005,272.
     *
     * @param eventId the event id
     * @return the term, in {@code [0, 2^32)}
     */
    public static long digestTerm(String eventId) {
        return LedgerDigest.term(Objects.requireNonNull(eventId, "eventId"));
    }

    /**
     * Compares two ledgers bucket by bucket: a bucket is the same on both sides when its count and
     * digest are equal; otherwise it is reported, once, as present on one side only, with different
     * counts, or with equal counts and different digests.
     *
     * @param first one ledger, for example the tracker's
     * @param second the other, for example what the destination holds
     * @return the differences, in bucket order
     */
    public static LedgerComparison compare(DeliveryLedger first, DeliveryLedger second) {
        return LedgerComparison.of(first, second);
    }

    /** {@return the buckets, ordered by hour, then destination, then event type} */
    public List<LedgerBucket> buckets() {
        return buckets;
    }

    /**
     * The bucket of one destination, event type and hour.
     *
     * @param destination the destination's name
     * @param eventType the event type's name
     * @param hour the start of the UTC hour
     * @return the bucket, or {@code null} when nothing of it was delivered
     */
    public @Nullable LedgerBucket bucket(String destination, String eventType, Instant hour) {
        for (LedgerBucket b : buckets) {
            if (b.hour().equals(hour) && b.destination().equals(destination) && b.eventType().equals(eventType)) {
                return b;
            }
        }
        return null;
    }

    /** {@return the events of every bucket together} */
    public long totalCount() {
        long total = 0;
        for (LedgerBucket b : buckets) {
            total += b.count();
        }
        return total;
    }

    /**
     * The buckets that pass a test: one destination, a range of hours (a daily reconciliation
     * compares the closed hours of one day), some event types.
     *
     * @param keep the test
     * @return a ledger of the buckets it keeps
     */
    public DeliveryLedger filter(Predicate<LedgerBucket> keep) {
        List<LedgerBucket> kept = new ArrayList<>();
        for (LedgerBucket b : buckets) {
            if (keep.test(b)) {
                kept.add(b);
            }
        }
        return new DeliveryLedger(kept);
    }

    /**
     * Every bucket moved to one destination name, the buckets of one event type and hour summed:
     * compares a sink that routes its events to several destinations (two backup delivery streams)
     * with a sink that writes them all to one (the real-time stream). Summing is exact when the
     * destinations hold disjoint events, as a routing sink's do.
     *
     * @param destination the name the merged buckets carry
     * @return the merged ledger
     */
    public DeliveryLedger mergeDestinations(String destination) {
        Builder merged = builder();
        for (LedgerBucket b : buckets) {
            merged.add(LedgerBucket.of(destination, b.eventType(), b.hour(), b.count(), b.digest()));
        }
        return merged.build();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof DeliveryLedger && buckets.equals(((DeliveryLedger) o).buckets);
    }

    @Override
    public int hashCode() {
        return buckets.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DeliveryLedger{");
        for (int i = 0; i < buckets.size(); i++) {
            s.append(i == 0 ? "" : "; ").append(buckets.get(i));
        }
        return s.append('}').toString();
    }

    /**
     * Collects buckets, or event ids, into a {@link DeliveryLedger}. Not thread-safe.
     *
     * <p>Event ids added with {@link #add(String, String, Instant, String)} are kept until
     * {@link #build()} so that an id added twice (a duplicate the destination holds) counts once:
     * memory grows with the ids, which suits a test or a sample reading back a day of objects; for
     * more, let the destination's query compute the buckets and {@link #add(LedgerBucket) add} those.
     */
    public static final class Builder {
        private final Map<Key, long[]> totals = new HashMap<>();
        private final Map<Key, Set<String>> ids = new HashMap<>();

        private Builder() {}

        /**
         * Adds one bucket's totals; a bucket of the same destination, type and hour already added is
         * summed with it (exact when the two hold different events).
         *
         * @param bucket the bucket
         * @return this builder
         */
        public Builder add(LedgerBucket bucket) {
            long[] t = totals.computeIfAbsent(new Key(bucket.destination(), bucket.eventType(), bucket.hour()),
                    k -> new long[2]);
            t[0] += bucket.count();
            t[1] += bucket.digest();
            return this;
        }

        /**
         * Adds one delivered event; an id added again in the same bucket is ignored.
         *
         * @param destination where it was delivered, not empty
         * @param eventType its event type's name, not empty
         * @param occurredAt its {@code occurredAt}: the bucket is the UTC hour that holds it
         * @param eventId its id
         * @return this builder
         * @throws IllegalArgumentException if {@code destination} or {@code eventType} is empty
         */
        public Builder add(String destination, String eventType, Instant occurredAt, String eventId) {
            Objects.requireNonNull(eventId, "eventId");
            LedgerBucket.requireText(destination, "destination");
            LedgerBucket.requireText(eventType, "eventType");
            Key key = new Key(destination, eventType, LedgerBucket.hourOf(occurredAt));
            if (ids.computeIfAbsent(key, k -> new HashSet<>()).add(eventId)) {
                long[] t = totals.computeIfAbsent(key, k -> new long[2]);
                t[0]++;
                t[1] += digestTerm(eventId);
            }
            return this;
        }

        /** {@return the ledger of everything added} */
        public DeliveryLedger build() {
            List<LedgerBucket> out = new ArrayList<>(totals.size());
            for (Map.Entry<Key, long[]> e : totals.entrySet()) {
                Key k = e.getKey();
                out.add(LedgerBucket.of(k.destination, k.eventType, k.hour, e.getValue()[0], e.getValue()[1]));
            }
            out.sort(LedgerBucket.ORDER);
            return new DeliveryLedger(out);
        }
    }

    private static final class Key {
        final String destination;
        final String eventType;
        final Instant hour;

        Key(String destination, String eventType, Instant hour) {
            this.destination = destination;
            this.eventType = eventType;
            this.hour = hour;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hour.equals(k.hour) && destination.equals(k.destination) && eventType.equals(k.eventType);
        }

        @Override
        public int hashCode() {
            return (destination.hashCode() * 31 + eventType.hashCode()) * 31 + hour.hashCode();
        }
    }
}
