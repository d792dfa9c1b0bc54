package dev.twinstream.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The buckets in which two {@link DeliveryLedger}s differ, from {@link DeliveryLedger#compare}.
 * Immutable. {@link #toString()} is a report of one line per difference.
 */
public final class LedgerComparison {

    /** How a bucket differs. */
    public enum Kind {
        /** Only the first ledger has the bucket: the second side lacks every event of it. */
        ONLY_IN_FIRST,
        /** Only the second ledger has the bucket. */
        ONLY_IN_SECOND,
        /** Both have it with different counts: events are missing on the side with fewer. */
        COUNT_DIFFERS,
        /** Both have it with the same count but different digests: the two sides hold different events. */
        DIGEST_DIFFERS
    }

    /** One bucket that differs, with what each side has of it. Immutable. */
    public static final class Difference {
        private final Kind kind;
        private final @Nullable LedgerBucket first;
        private final @Nullable LedgerBucket second;

        Difference(Kind kind, @Nullable LedgerBucket first, @Nullable LedgerBucket second) {
            this.kind = kind;
            this.first = first;
            this.second = second;
        }

        /** {@return how the bucket differs} */
        public Kind kind() {
            return kind;
        }

        /** {@return the first ledger's bucket, or {@code null} for {@link Kind#ONLY_IN_SECOND}} */
        public @Nullable LedgerBucket first() {
            return first;
        }

        /** {@return the second ledger's bucket, or {@code null} for {@link Kind#ONLY_IN_FIRST}} */
        public @Nullable LedgerBucket second() {
            return second;
        }

        private LedgerBucket either() {
            return first != null ? first : Objects.requireNonNull(second);
        }

        /** {@return the bucket's destination} */
        public String destination() {
            return either().destination();
        }

        /** {@return the bucket's event type} */
        public String eventType() {
            return either().eventType();
        }

        /** {@return the start of the bucket's UTC hour} */
        public Instant hour() {
            return either().hour();
        }

        /** {@return the first side's count minus the second side's (a side without the bucket counts 0)} */
        public long countDifference() {
            return (first == null ? 0 : first.count()) - (second == null ? 0 : second.count());
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Difference)) {
                return false;
            }
            Difference d = (Difference) o;
            return kind == d.kind && Objects.equals(first, d.first) && Objects.equals(second, d.second);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, first, second);
        }

        @Override
        public String toString() {
            String at = hour() + " " + destination() + " " + eventType();
            switch (kind) {
                case ONLY_IN_FIRST:
                    return at + ": only in the first ledger (" + first.count() + " events)";
                case ONLY_IN_SECOND:
                    return at + ": only in the second ledger (" + second.count() + " events)";
                case COUNT_DIFFERS:
                    return at + ": " + first.count() + " events in the first ledger, " + second.count() + " in the second";
                default:
                    return at + ": " + first.count() + " events on both sides but different digests ("
                            + first.digest() + " vs " + second.digest() + ")";
            }
        }
    }

    private final List<Difference> differences;

    private LedgerComparison(List<Difference> differences) {
        this.differences = Collections.unmodifiableList(differences);
    }

    static LedgerComparison of(DeliveryLedger first, DeliveryLedger second) {
        // ORDER compares destination, type and hour only: each bucket key appears once, in order.
        TreeMap<LedgerBucket, LedgerBucket[]> byKey = new TreeMap<>(LedgerBucket.ORDER);
        for (LedgerBucket b : first.buckets()) {
            byKey.computeIfAbsent(b, k -> new LedgerBucket[2])[0] = b;
        }
        for (LedgerBucket b : second.buckets()) {
            byKey.computeIfAbsent(b, k -> new LedgerBucket[2])[1] = b;
        }
        List<Difference> out = new ArrayList<>();
        for (LedgerBucket[] pair : byKey.values()) {
            LedgerBucket a = pair[0];
            LedgerBucket b = pair[1];
            if (b == null) {
                out.add(new Difference(Kind.ONLY_IN_FIRST, a, null));
            } else if (a == null) {
                out.add(new Difference(Kind.ONLY_IN_SECOND, null, b));
            } else if (a.count() != b.count()) {
                out.add(new Difference(Kind.COUNT_DIFFERS, a, b));
            } else if (a.digest() != b.digest()) {
                out.add(new Difference(Kind.DIGEST_DIFFERS, a, b));
            }
        }
        return new LedgerComparison(out);
    }

    /** {@return whether the two ledgers have the same buckets with the same counts and digests} */
    public boolean isClean() {
        return differences.isEmpty();
    }

    /** {@return every bucket that differs, ordered by hour, then destination, then event type} */
    public List<Difference> differences() {
        return differences;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof LedgerComparison && differences.equals(((LedgerComparison) o).differences);
    }

    @Override
    public int hashCode() {
        return differences.hashCode();
    }

    @Override
    public String toString() {
        if (differences.isEmpty()) {
            return "LedgerComparison: clean";
        }
        StringBuilder s = new StringBuilder("LedgerComparison: ").append(differences.size())
                .append(differences.size() == 1 ? " bucket differs" : " buckets differ");
        for (Difference d : differences) {
            s.append(System.lineSeparator()).append("  ").append(d);
        }
        return s.toString();
    }
}
