package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.LedgerBucket;
import dev.twinstream.core.internal.journal.CheckpointHook;
import dev.twinstream.core.internal.journal.LedgerFile;
import dev.twinstream.core.internal.journal.LogRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Every sink's delivery ledger: per destination, event type and UTC hour of {@code occurredAt}, the
 * count and digest of the events delivered ({@code docs/RECONCILIATION.md}). Fed by
 * {@link SinkChannel} at the one place a DELIVERED outcome is decided, so an event counts once per
 * sink however often it was sent; read by {@code EventTracker.ledger} from any thread; persisted, with
 * a disk journal, by the journal writer just before each checkpoint ({@link CheckpointHook}).
 *
 * <p><b>What is persisted.</b> A delivery belongs in the ledger file only once its event is below the
 * sink's checkpointed position: a restarted tracker re-sends the events at and after that position, and
 * counting them before would count their second delivery too. So each sink keeps, in delivery order,
 * its deliveries not yet below its commit position (few: those behind an event still being retried,
 * at most its in-flight window); the dispatcher drops them from that list as the commit passes them
 * ({@link #committed}), and the writer persists every bucket's total minus the deliveries still at or
 * after the positions it is about to checkpoint.
 *
 * <p><b>Cost.</b> Per delivered event one hash-map lookup (none while consecutive events share a
 * bucket) and two additions; the digest term is computed once per event when it is tracked. One lock
 * per completed call, not per event. Memory: one small object per bucket, at most
 * {@code retention / 1 h + 1} hours × destinations × event types per sink, and with a disk journal
 * 24 bytes per delivery not yet committed.
 */
public final class DeliveryLedgers implements CheckpointHook {
    private static final long HOUR_MILLIS = LedgerFile.HOUR_MILLIS;

    private final Clock clock;
    private final long retentionMillis;
    private final SinkLedger[] sinks;
    private final @Nullable LedgerFile file;
    /** With a disk journal: buckets changed since the last frame, or with deliveries still pending. */
    private final List<Bucket> dirty = new ArrayList<>();
    /** The hour {@link #firstKeptHourMillis} was computed in. */
    private long sweptHour = Long.MIN_VALUE;
    private long firstKeptHourMillis = Long.MIN_VALUE;

    /**
     * @param sinkNames the sinks, by index
     * @param clock the tracker's clock (its wall time decides which hours have expired)
     * @param retentionMillis how long an hour is kept after it ended, at least 1
     * @param file the disk journal's ledger file, as loaded at open; null with a memory journal
     */
    public DeliveryLedgers(String[] sinkNames, Clock clock, long retentionMillis, @Nullable LedgerFile file) {
        this.clock = clock;
        this.retentionMillis = retentionMillis;
        this.file = file;
        this.sinks = new SinkLedger[sinkNames.length];
        Map<String, Integer> index = new HashMap<>();
        for (int s = 0; s < sinkNames.length; s++) {
            sinks[s] = new SinkLedger(s, sinkNames[s]);
            index.put(sinkNames[s], s);
        }
        synchronized (this) {
            sweep(clock.epochMillis());
            if (file != null) {
                for (LedgerFile.Entry e : file.entries()) {
                    Integer s = index.get(e.key.sink);
                    if (s != null && e.key.hourMillis >= firstKeptHourMillis && e.count > 0) {
                        Bucket b = sinks[s].bucket(e.key.destination, e.key.eventType, e.key.hourMillis);
                        b.count = e.count;
                        b.digest = e.digest;
                        b.savedCount = e.count;
                        b.savedDigest = e.digest;
                    }
                }
            }
        }
    }

    /**
     * Counts delivered events: called on the dispatcher with the DELIVERED records of one completed
     * call, before the commit position moves past them.
     *
     * @param sink the sink's index
     * @param records the delivered records, {@code [0, count)}
     * @param destinations per record the destination its sink reported, or null for the sink's name
     * @param count how many
     * @return whether some of them wait for the commit position to pass them ({@link #committed})
     */
    public boolean delivered(int sink, LogRecord[] records, @Nullable String[] destinations, int count) {
        for (int i = 0; i < count; i++) {
            LogRecord r = records[i];
            if (r.ledgerTerm < 0) {
                r.ledgerTerm = LedgerDigest.term(r.eventId); // recovered or replayed: computed once, here
            }
        }
        long now = clock.epochMillis();
        synchronized (this) {
            if (Math.floorDiv(now, HOUR_MILLIS) != sweptHour) {
                sweep(now);
            }
            SinkLedger st = sinks[sink];
            boolean persistent = file != null;
            for (int i = 0; i < count; i++) {
                LogRecord r = records[i];
                long hour = Math.floorDiv(r.occurredAtMillis(), HOUR_MILLIS) * HOUR_MILLIS;
                if (hour < firstKeptHourMillis) {
                    continue; // an hour the ledger no longer keeps
                }
                String destination = destinations[i] != null ? destinations[i] : st.name;
                Bucket b = st.bucket(destination, r.eventType, hour);
                b.count++;
                b.digest += r.ledgerTerm;
                if (persistent) {
                    if (!b.dirty) {
                        b.dirty = true;
                        dirty.add(b);
                    }
                    st.pend(r.seq, b, r.ledgerTerm);
                }
            }
            return st.pending > 0;
        }
    }

    /**
     * The sink's commit position moved: its deliveries below it can be persisted from now on.
     * Called on the dispatcher after {@code EventLog.commit}, never before.
     *
     * @param sink the sink's index
     * @param position every record of the sink below it is final
     * @return whether none of its deliveries wait any more
     */
    public synchronized boolean committed(int sink, long position) {
        SinkLedger st = sinks[sink];
        if (position == st.scannedPosition && st.pending == st.scannedPending) {
            return st.pending == 0; // nothing moved, nothing new: most calls while one event is retried
        }
        int kept = 0;
        for (int i = 0; i < st.pending; i++) {
            if (st.seqs[i] >= position) {
                st.seqs[kept] = st.seqs[i];
                st.terms[kept] = st.terms[i];
                st.buckets[kept] = st.buckets[i];
                kept++;
            }
        }
        Arrays.fill(st.buckets, kept, st.pending, null);
        st.pending = kept;
        st.scannedPosition = position;
        st.scannedPending = kept;
        return kept == 0;
    }

    /**
     * The ledger of one sink now.
     *
     * @param sink the sink's index
     * @return a snapshot
     */
    public DeliveryLedger snapshot(int sink) {
        DeliveryLedger.Builder out = DeliveryLedger.builder();
        synchronized (this) {
            sweep(clock.epochMillis());
            for (Bucket b : sinks[sink].byKey.values()) {
                if (b.count > 0) {
                    out.add(LedgerBucket.of(b.destination, b.eventType, Instant.ofEpochMilli(b.hourMillis), b.count, b.digest));
                }
            }
        }
        return out.build();
    }

    /**
     * On the journal writer, before each checkpoint: reads the positions under this lock (so no
     * delivery below them can be missing: the dispatcher counts a delivery before it commits past it),
     * and appends to the ledger file the buckets whose persisted totals — everything delivered minus
     * the deliveries at or after the positions — changed.
     */
    @Override
    public Persisted beforeCheckpoint(Supplier<long[]> positions, long generation) {
        long[] read;
        List<LedgerFile.Entry> changed = new ArrayList<>();
        long keptFrom;
        synchronized (this) {
            read = positions.get();
            sweep(clock.epochMillis());
            keptFrom = firstKeptHourMillis;
            for (SinkLedger st : sinks) {
                long position = read[st.index];
                for (int i = 0; i < st.pending; i++) {
                    if (st.seqs[i] >= position) {
                        st.buckets[i].pendingCount++;
                        st.buckets[i].pendingDigest += st.terms[i];
                    }
                }
            }
            for (Iterator<Bucket> it = dirty.iterator(); it.hasNext(); ) {
                Bucket b = it.next();
                long count = b.count - b.pendingCount;
                long digest = b.digest - b.pendingDigest;
                boolean stillPending = b.pendingCount > 0;
                b.pendingCount = 0;
                b.pendingDigest = 0;
                if (b.expired) {
                    b.dirty = false;
                    it.remove();
                    continue;
                }
                if (count != b.savedCount || digest != b.savedDigest) {
                    changed.add(new LedgerFile.Entry(new LedgerFile.Key(sinks[b.sink].name, b.destination, b.eventType,
                            b.hourMillis), count, digest));
                    b.savedCount = count;
                    b.savedDigest = digest;
                }
                if (!stillPending) {
                    b.dirty = false;
                    it.remove();
                }
            }
        }
        // Outside the lock: the dispatcher goes on counting while the frame is written and forced.
        // Nothing changed means nothing was delivered below the new positions: the file's older
        // positions still describe its totals exactly, and the frame (and its fsync) is skipped.
        boolean written = file != null && (!changed.isEmpty() || file.needsWrite())
                && file.append(read, generation, changed, keptFrom);
        return new Persisted(read, written);
    }

    /** Drops the hours that ended at least the retention ago; under the lock. */
    private void sweep(long nowMillis) {
        long hour = Math.floorDiv(nowMillis, HOUR_MILLIS);
        if (hour == sweptHour) {
            return;
        }
        sweptHour = hour;
        firstKeptHourMillis = LedgerFile.firstKeptHourMillis(nowMillis, retentionMillis);
        for (SinkLedger st : sinks) {
            for (Iterator<Bucket> it = st.byKey.values().iterator(); it.hasNext(); ) {
                Bucket b = it.next();
                if (b.hourMillis < firstKeptHourMillis) {
                    b.expired = true; // pending deliveries and the dirty list still point at it
                    it.remove();
                    if (st.last == b) {
                        st.last = null;
                    }
                }
            }
        }
    }

    /** One destination, event type and hour of one sink. */
    private static final class Bucket {
        final int sink;
        final String destination;
        final String eventType;
        final long hourMillis;
        long count;
        long digest;
        /** What the ledger file holds for this bucket. */
        long savedCount;
        long savedDigest;
        /** Scratch of {@link #beforeCheckpoint}: deliveries at or after the checkpointed position. */
        long pendingCount;
        long pendingDigest;
        boolean dirty;
        boolean expired;

        Bucket(int sink, String destination, String eventType, long hourMillis) {
            this.sink = sink;
            this.destination = destination;
            this.eventType = eventType;
            this.hourMillis = hourMillis;
        }
    }

    /** A bucket's key; the sink's probe is reused for lookups, keys in the map never change. */
    private static final class Key {
        String destination;
        String eventType;
        long hourMillis;

        Key(String destination, String eventType, long hourMillis) {
            this.destination = destination;
            this.eventType = eventType;
            this.hourMillis = hourMillis;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hourMillis == k.hourMillis && eventType.equals(k.eventType) && destination.equals(k.destination);
        }

        @Override
        public int hashCode() {
            return (destination.hashCode() * 31 + eventType.hashCode()) * 31 + Long.hashCode(hourMillis);
        }
    }

    /** One sink's buckets and its deliveries not yet below its commit position. */
    private static final class SinkLedger {
        final int index;
        final String name;
        final Map<Key, Bucket> byKey = new HashMap<>();
        private final Key probe = new Key("", "", 0);
        /** The bucket of the previous delivery: consecutive events mostly share one. */
        @Nullable Bucket last;
        long[] seqs = new long[16];
        long[] terms = new long[16];
        Bucket[] buckets = new Bucket[16];
        int pending;
        /** The last {@link #committed} scan: its position and what it left, so an unchanged call skips the scan. */
        long scannedPosition = -1;
        int scannedPending;

        SinkLedger(int index, String name) {
            this.index = index;
            this.name = name;
        }

        Bucket bucket(String destination, String eventType, long hourMillis) {
            Bucket b = last;
            if (b != null && b.hourMillis == hourMillis && b.eventType.equals(eventType) && b.destination.equals(destination)) {
                return b;
            }
            probe.destination = destination;
            probe.eventType = eventType;
            probe.hourMillis = hourMillis;
            b = byKey.get(probe);
            if (b == null) {
                b = new Bucket(index, destination, eventType, hourMillis);
                byKey.put(new Key(destination, eventType, hourMillis), b);
            }
            last = b;
            return b;
        }

        void pend(long seq, Bucket b, long term) {
            if (pending == seqs.length) {
                int capacity = pending * 2;
                seqs = Arrays.copyOf(seqs, capacity);
                terms = Arrays.copyOf(terms, capacity);
                buckets = Arrays.copyOf(buckets, capacity);
            }
            seqs[pending] = seq;
            terms[pending] = term;
            buckets[pending] = b;
            pending++;
        }
    }
}
