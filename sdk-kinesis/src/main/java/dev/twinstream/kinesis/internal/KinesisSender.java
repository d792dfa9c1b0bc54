package dev.twinstream.kinesis.internal;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Turns one {@link SinkBatch} into {@code PutRecords} calls and their results back into one result
 * per event:
 * <ol>
 *   <li>predict each event's shard (MD5 of its partition key against the {@link ShardMap});
 *   <li>per shard, pack events into aggregated records up to the target size (an event too large
 *       to share a record, or alone in its record, goes as a plain record with its own key). With a
 *       buffering time, a shard's last record that is not full stays open for the events of later
 *       batches until it is full or its oldest event has waited the buffering time in all (tracker
 *       and sink: {@link SinkBatch#waitedNanos}); a timer sends it then. A full record bills its
 *       PUT payload units completely, so buffering turns many partial records into few full ones;
 *   <li>per shard, reserve the records and bytes from the shard's {@link TokenBucket} (which lets
 *       {@link #SHARD_BURST_NANOS} of shard time go at once); entries that
 *       must wait are held on the scheduler (never reported as failures, which would use up
 *       attempts);
 *   <li>pack the entries into requests of at most 500 entries and the request byte limit, send;
 *   <li>map each entry's outcome to the events in it through the sink's {@link AwsErrors} policy
 *       ({@link KinesisErrors} first, then the rules shared by the AWS sinks).
 * </ol>
 * The returned future completes when every event of the batch has its result: when the requests
 * carrying them completed, which for an event in an open record is after a later batch or the timer
 * sent it.
 */
public final class KinesisSender {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisSender.class);

    /** Most records in one {@code PutRecords} request (Kinesis Data Streams API reference, PutRecords). */
    public static final int MAX_RECORDS_PER_REQUEST = 500;
    /** Most partition-key characters (Kinesis Data Streams API reference, PutRecordsRequestEntry.PartitionKey). */
    public static final int MAX_PARTITION_KEY_CHARS = 256;
    /**
     * How much shard time a shard's pacer lets go at once: 500 ms, the Kinesis sink's default
     * latency budget, so a shard within its limits takes one linger window's records in one call.
     * Kinesis meters each shard's 1 MB/s and 1,000 records/s per second (Kinesis Data Streams
     * quotas; ../shared/AWS-LIMITS.md, "per-shard writes"), and a bucket holding one second admits
     * a burst of half a second on top of the steady limit.
     */
    public static final long SHARD_BURST_NANOS = 500_000_000L;
    /** The result of what a closed sink will not send: retryable, so a disk journal keeps it for the next start. */
    private static final RecordResult CLOSED = RecordResult.retryable("SinkClosed", "the Kinesis sink was closed");
    /** Held entries released within one slot share a request. */
    static final long HOLD_SLOT_NANOS = 50_000_000L;

    private final KinesisAsyncClient client;
    private final StreamId stream;
    private final ShardMapCache shardMaps;
    private final boolean aggregation;
    private final int aggregatedRecordMaxBytes;
    private final long maxRequestBytes;
    private final boolean rateLimiting;
    private final double shardRecordsPerSecond;
    private final double shardBytesPerSecond;
    private final long throttlePenaltyNanos;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AwsErrors errors = KinesisErrors.newPolicy(LOG);
    /** How long an event may wait in all before its open record is sent; 0: records are never held. */
    private final long maxBufferedNanos;
    /** The records held open, by shard index of {@link #openMap}; guarded by {@code this}. */
    private final Map<Integer, OpenRecord> open = new HashMap<>();
    /** The shard map the open records were planned with; guarded by {@code this}. */
    private @Nullable ShardMap openMap;
    /** Numbers the sends, so a flush covers the batches handed over before it. */
    private final java.util.concurrent.atomic.AtomicLong sends = new java.util.concurrent.atomic.AtomicLong();
    /** The last send a flush covers: its records, and those of every send before it, are not held. */
    private volatile long flushedThrough = -1;
    /** When the timer that sends due records fires, or Long.MAX_VALUE; guarded by {@code this}. */
    private long timerDueNanos = Long.MAX_VALUE;
    /** Every success names the stream, for the tracker's delivery ledger; one instance for all. */
    private final RecordResult delivered;
    private volatile boolean closed;

    /**
     * Creates the sender; all values were validated by the sink's builder.
     *
     * @param client the client to write with
     * @param stream the stream
     * @param shardMaps the stream's shard map
     * @param aggregation whether to aggregate events per shard
     * @param aggregatedRecordMaxBytes the target size of an aggregated record
     * @param maxRequestBytes the most bytes per request
     * @param rateLimiting whether to pace each shard
     * @param shardRecordsPerSecond the per-shard record rate
     * @param shardBytesPerSecond the per-shard byte rate
     * @param throttlePenaltyNanos how far a throttled shard is pushed back
     * @param maxBufferedNanos how long an event may wait in all (tracker and sink) before the
     *     aggregated record holding it is sent although not full; 0 sends every record with its batch
     *     (used only with aggregation)
     * @param clock the clock of the pacing and of the buffering
     * @param scheduler runs the sends, held or not
     */
    public KinesisSender(KinesisAsyncClient client, StreamId stream, ShardMapCache shardMaps, boolean aggregation,
                         int aggregatedRecordMaxBytes, long maxRequestBytes, boolean rateLimiting,
                         double shardRecordsPerSecond, double shardBytesPerSecond, long throttlePenaltyNanos,
                         long maxBufferedNanos, Clock clock, Scheduler scheduler) {
        this.maxBufferedNanos = maxBufferedNanos;
        this.client = client;
        this.stream = stream;
        this.delivered = RecordResult.ok(stream.name());
        this.shardMaps = shardMaps;
        this.aggregation = aggregation;
        this.aggregatedRecordMaxBytes = aggregatedRecordMaxBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.rateLimiting = rateLimiting;
        this.shardRecordsPerSecond = shardRecordsPerSecond;
        this.shardBytesPerSecond = shardBytesPerSecond;
        this.throttlePenaltyNanos = throttlePenaltyNanos;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /**
     * Sends the batch; see the class comment. Everything after this call (prediction, packing, the
     * SDK's marshalling and signing of up to 10 MiB) runs on the sink's scheduler, not on the
     * caller's thread: the caller is the tracker's dispatcher, which serves every sink.
     *
     * @param batch the events
     * @return a future completed with one result per event
     */
    public CompletableFuture<BatchResult> send(SinkBatch batch) {
        Operation op = new Operation(batch.size(), delivered, sends.getAndIncrement());
        long arrivedNanos = clock.nanoTime();
        try {
            scheduler.execute(() -> start(batch, op, arrivedNanos));
        } catch (RuntimeException rejected) { // the sink's own scheduler after close()
            op.failAll(CLOSED);
        }
        return op.future;
    }

    private void start(SinkBatch batch, Operation op, long arrivedNanos) {
        if (closed) {
            op.failAll(CLOSED);
            return;
        }
        if (!aggregation && !rateLimiting) {
            planSafely(batch, null, op, arrivedNanos);
            return;
        }
        shardMaps.get().whenComplete((map, error) -> {
            if (error != null) {
                op.failAll(errors.forException(error));
            } else {
                planSafely(batch, map, op, arrivedNanos);
            }
        });
    }

    private void planSafely(SinkBatch batch, @Nullable ShardMap map, Operation op, long arrivedNanos) {
        try {
            plan(batch, map, op, arrivedNanos);
        } catch (RuntimeException e) {
            // A programming error (IllegalArgumentException, NullPointerException, ...) is PERMANENT and
            // logged once per exception class by the policy: retried, it would fail the same way forever.
            RecordResult result = errors.forException(e);
            if (result.status() == RecordResult.Status.RETRYABLE) {
                LOG.warn("Could not plan a Kinesis batch of {} events; it will be retried", batch.size(), e);
            }
            op.failAll(result);
        }
    }

    /**
     * Marks the sender closed: batches not yet started and held entries still waiting are failed as
     * retryable ({@code SinkClosed}) when their task runs; the sink's own scheduler runs its queued
     * tasks on close for that. Open records fail the same way, now.
     */
    public void close() {
        closed = true;
        List<Entry> held = new ArrayList<>();
        synchronized (this) {
            collectDue(Long.MAX_VALUE, held);
        }
        finish(held, CLOSED);
    }

    /**
     * Sends every held record now (the tracker is flushing), and does not hold the records of the
     * batches already handed over but not yet planned (they wait on the scheduler or the shard map).
     */
    public void sendHeld() {
        flushedThrough = sends.get() - 1;
        List<Entry> due = new ArrayList<>();
        synchronized (this) {
            collectDue(Long.MAX_VALUE, due);
        }
        if (!due.isEmpty()) {
            dispatch(due);
        }
    }

    /** Seals the open records due by {@code horizonNanos} into {@code out}; called with the monitor held. */
    private void collectDue(long horizonNanos, List<Entry> out) {
        for (Iterator<OpenRecord> it = open.values().iterator(); it.hasNext(); ) {
            OpenRecord r = it.next();
            if (r.dueNanos <= horizonNanos) {
                out.add(r.seal());
                it.remove();
            }
        }
    }

    /** The timer: sends the records that are due (or nearly: within one hold slot) together. */
    private void sendDue() {
        List<Entry> due = new ArrayList<>();
        synchronized (this) {
            timerDueNanos = Long.MAX_VALUE;
            collectDue(clock.nanoTime() + HOLD_SLOT_NANOS, due);
            armTimer();
        }
        if (closed) {
            finish(due, CLOSED);
        } else if (!due.isEmpty()) {
            dispatch(due);
        }
    }

    /** Arms the timer for the earliest open record, unless it is armed for that time already; monitor held. */
    private void armTimer() {
        long earliest = Long.MAX_VALUE;
        for (OpenRecord r : open.values()) {
            earliest = Math.min(earliest, r.dueNanos);
        }
        if (earliest == Long.MAX_VALUE || earliest >= timerDueNanos) {
            return;
        }
        timerDueNanos = earliest;
        try {
            scheduler.schedule(this::sendDue, Math.max(0, earliest - clock.nanoTime()));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            timerDueNanos = Long.MAX_VALUE; // close() fails what is held
        }
    }

    private void plan(SinkBatch batch, @Nullable ShardMap map, Operation op, long arrivedNanos) {
        int n = batch.size();
        byte[][] keys = new byte[n][];
        int shards = map == null ? 0 : map.size();
        // Events per predicted shard; the extra last list holds events with no shard prediction.
        int[][] byShard = new int[shards + 1][];
        int[] counts = new int[shards + 1];
        int[] shardOf = new int[n];
        for (int i = 0; i < n; i++) {
            String key = batch.partitionKey(i);
            if (!isValidKey(key)) {
                op.results[i] = RecordResult.permanent(KinesisErrors.INVALID_PARTITION_KEY,
                        "partition key must have 1 to " + MAX_PARTITION_KEY_CHARS + " characters but had "
                                + (key == null ? "none" : key.codePointCount(0, key.length())));
                shardOf[i] = -2;
                continue;
            }
            keys[i] = key.getBytes(StandardCharsets.UTF_8);
            int shard = map == null ? -1 : map.indexOf(HashKeys.md5(keys[i]));
            int slot = shard < 0 ? shards : shard;
            shardOf[i] = slot;
            counts[slot]++;
        }
        for (int s = 0; s <= shards; s++) {
            byShard[s] = new int[counts[s]];
            counts[s] = 0;
        }
        for (int i = 0; i < n; i++) {
            if (shardOf[i] >= 0) {
                byShard[shardOf[i]][counts[shardOf[i]]++] = i;
            }
        }

        List<Entry> entries = new ArrayList<>();
        for (int e : byShard[shards]) { // no prediction: each event goes where its own key sends it
            entries.add(plain(op, batch, e, keys[e], null));
        }
        if (map != null) {
            if (aggregation) {
                aggregate(batch, map, op, keys, byShard, arrivedNanos, entries);
            } else {
                for (int s = 0; s < shards; s++) {
                    for (int e : byShard[s]) {
                        entries.add(plain(op, batch, e, keys[e], map.shardId(s)));
                    }
                }
            }
        }
        if (!entries.isEmpty()) {
            dispatch(entries);
        }
        op.pieceDone(); // the planning's own piece: the batch completes once every event has its result
    }

    /**
     * Adds each shard's events to its open record; records that fill go now, with the open records
     * that are due (see {@link #collectDue}). Every event of the batch is due when the batch's oldest
     * has waited {@link #maxBufferedNanos}: the batch's result, and so each event's receipt, comes
     * with its last record.
     */
    private void aggregate(SinkBatch batch, ShardMap map, Operation op, byte[][] keys, int[][] byShard,
                           long arrivedNanos, List<Entry> entries) {
        long oldestWaitNanos = 0;
        for (int i = 0; i < batch.size(); i++) {
            oldestWaitNanos = Math.max(oldestWaitNanos, batch.waitedNanos(i));
        }
        long dueNanos = arrivedNanos + maxBufferedNanos - oldestWaitNanos;
        synchronized (this) {
            if (openMap != map) { // records planned against an older map go now, as they were planned
                collectDue(Long.MAX_VALUE, entries);
                openMap = map;
            }
            for (int s = 0; s < byShard.length - 1; s++) {
                int[] events = byShard[s];
                if (events.length == 0) {
                    continue;
                }
                OpenRecord record = open.remove(s);
                for (int e : events) {
                    String key = batch.partitionKey(e);
                    byte[] payload = batch.payload(e);
                    if (Aggregator.sizeAlone(keys[e].length, payload.length) + keys[e].length > aggregatedRecordMaxBytes) {
                        entries.add(plain(op, batch, e, keys[e], map.shardId(s))); // too large to share a record
                        continue;
                    }
                    if (record != null && record.sizeWith(key, keys[e].length, payload.length) > aggregatedRecordMaxBytes) {
                        entries.add(record.seal());
                        record = null;
                    }
                    if (record == null) {
                        record = new OpenRecord(map.shardId(s), map.startingHashKey(s));
                    }
                    record.add(op, e, key, keys[e], payload, dueNanos);
                }
                if (record != null) {
                    open.put(s, record);
                }
            }
            // Closed meanwhile: nothing may stay open (put() fails what it is given as SinkClosed).
            collectDue(closed || op.sequence <= flushedThrough ? Long.MAX_VALUE : clock.nanoTime(), entries);
            armTimer();
        }
    }

    private static boolean isValidKey(@Nullable String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        return key.length() <= MAX_PARTITION_KEY_CHARS || key.codePointCount(0, key.length()) <= MAX_PARTITION_KEY_CHARS;
    }

    private static Entry plain(Operation op, SinkBatch batch, int event, byte[] key, @Nullable String shardId) {
        Run run = new Run(op, 1);
        run.add(event);
        byte[] payload = batch.payload(event);
        return new Entry(shardId, new Run[] {run}, payload, batch.partitionKey(event), null, payload.length + key.length,
                false);
    }

    /** Reserves tokens, groups entries by release time, packs requests, and sends or holds them. */
    private void dispatch(List<Entry> entries) {
        long now = clock.nanoTime();
        // Group by release time: "now" (-1), then 50 ms slots; a slot is sent at the latest wait of
        // its records, so none goes early and a tiny wait costs only itself.
        TreeMap<Long, List<Entry>> bySlot = new TreeMap<>();
        Map<Long, Long> slotDelay = new HashMap<>();
        for (Entry e : entries) {
            long slot = -1;
            if (rateLimiting && e.shardId != null) {
                long wait = bucket(e.shardId, now).reserve(1, e.size, now);
                if (wait > 0) {
                    slot = wait / HOLD_SLOT_NANOS;
                    slotDelay.merge(slot, wait, Math::max);
                }
            }
            bySlot.computeIfAbsent(slot, k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<Long, List<Entry>> slot : bySlot.entrySet()) {
            long delay = slotDelay.getOrDefault(slot.getKey(), 0L);
            List<Entry> current = new ArrayList<>();
            long bytes = 0;
            for (Entry e : slot.getValue()) {
                if (!current.isEmpty() && (current.size() == MAX_RECORDS_PER_REQUEST || bytes + e.size > maxRequestBytes)) {
                    putAfter(current, delay);
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(e);
                bytes += e.size;
            }
            putAfter(current, delay);
        }
    }

    private void putAfter(List<Entry> request, long delayNanos) {
        if (delayNanos == 0) {
            put(request);
            return;
        }
        LOG.trace("Holding {} Kinesis records for {} ns (shard rate limit)", request.size(), delayNanos);
        try {
            scheduler.schedule(() -> put(request), delayNanos);
        } catch (java.util.concurrent.RejectedExecutionException closing) { // own scheduler closed meanwhile
            finish(request, CLOSED);
        }
    }

    private TokenBucket bucket(String shardId, long now) {
        return buckets.computeIfAbsent(shardId, id -> new TokenBucket(shardRecordsPerSecond, shardBytesPerSecond,
                SHARD_BURST_NANOS, now));
    }

    private void put(List<Entry> request) {
        if (closed) {
            finish(request, CLOSED);
            return;
        }
        List<PutRecordsRequestEntry> records = new ArrayList<>(request.size());
        for (Entry e : request) {
            PutRecordsRequestEntry.Builder b = PutRecordsRequestEntry.builder()
                    .data(SdkBytes.fromByteArrayUnsafe(e.data))
                    .partitionKey(e.partitionKey);
            if (e.explicitHashKey != null) {
                b.explicitHashKey(e.explicitHashKey);
            }
            records.add(b.build());
        }
        PutRecordsRequest putRecords = stream.apply(PutRecordsRequest.builder()).records(records).build();
        CompletableFuture<PutRecordsResponse> call;
        try {
            call = client.putRecords(putRecords);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            try {
                if (error != null) {
                    onCallFailed(request, error);
                } else {
                    onResponse(request, response);
                }
            } catch (RuntimeException e) {
                RecordResult result = errors.forException(e);
                if (result.status() == RecordResult.Status.RETRYABLE) {
                    LOG.warn("Could not apply a PutRecords response; its records will be retried", e);
                }
                finish(request, result);
            }
        });
    }

    private static void finish(List<Entry> request, RecordResult result) {
        for (Entry e : request) {
            e.finish(result);
        }
    }

    private void onCallFailed(List<Entry> request, Throwable error) {
        RecordResult result = errors.forException(error);
        LOG.debug("PutRecords of {} records failed as a whole: {}", request.size(), result);
        if (KinesisErrors.THROUGHPUT_EXCEEDED.equals(result.code())) {
            for (Entry e : request) {
                penalize(e.shardId);
            }
        }
        if ((aggregation || rateLimiting) && KinesisErrors.suggestsStaleShardMap(result)) {
            shardMaps.refresh();
        }
        finish(request, result);
    }

    private void onResponse(List<Entry> request, PutRecordsResponse response) {
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != request.size()) {
            finish(request, RecordResult.retryable(KinesisErrors.INVALID_RESPONSE, "PutRecords returned " + results.size()
                    + " results for " + request.size() + " records"));
            return;
        }
        boolean stale = false;
        for (int k = 0; k < request.size(); k++) {
            Entry e = request.get(k);
            PutRecordsResultEntry r = results.get(k);
            RecordResult outcome;
            if (r.errorCode() != null) {
                outcome = errors.forEntry(r.errorCode(), r.errorMessage());
                if (KinesisErrors.THROUGHPUT_EXCEEDED.equals(r.errorCode())) {
                    penalize(e.shardId);
                }
            } else if (e.shardId != null && !e.shardId.equals(r.shardId())) {
                stale = true;
                // A plain record is where its own key sends it. An aggregated record's events may
                // now belong to several shards; consumers that check hash ranges would drop some,
                // so they are sent again, re-predicted (duplicates are possible, as with any retry).
                outcome = e.aggregated
                        ? RecordResult.retryable(KinesisErrors.WRONG_SHARD, "predicted shard " + e.shardId
                                + " but the record went to " + r.shardId() + " (the stream was resharded)")
                        : delivered;
            } else {
                outcome = delivered;
            }
            e.finish(outcome);
        }
        if (stale) {
            LOG.info("Kinesis stream {} was resharded: reloading its shard map", stream);
            shardMaps.refresh();
        }
    }

    private void penalize(@Nullable String shardId) {
        if (rateLimiting && shardId != null) {
            long now = clock.nanoTime();
            bucket(shardId, now).penalize(throttlePenaltyNanos, now);
        }
    }

    /** A shard's aggregated record still taking events; guarded by the sender's monitor. */
    private static final class OpenRecord {
        final String shardId;
        final String explicitHashKey;
        final Aggregator aggregator = new Aggregator();
        final List<Run> runs = new ArrayList<>(2);
        /** When the record must go: its oldest event's wait reaches the buffering time. */
        long dueNanos = Long.MAX_VALUE;
        private @Nullable String firstKey;
        private int firstKeyBytes;
        private byte @Nullable [] firstPayload;

        OpenRecord(String shardId, String explicitHashKey) {
            this.shardId = shardId;
            this.explicitHashKey = explicitHashKey;
        }

        /** The record's size as sent (aggregate plus its partition key) with this event added. */
        long sizeWith(String key, int keyBytes, int dataLength) {
            return aggregator.sizeWith(key, keyBytes, dataLength) + (firstKey == null ? keyBytes : firstKeyBytes);
        }

        void add(Operation op, int event, String key, byte[] keyUtf8, byte[] payload, long eventDueNanos) {
            if (firstKey == null) {
                firstKey = key;
                firstKeyBytes = keyUtf8.length;
                firstPayload = payload;
            }
            aggregator.add(key, keyUtf8, payload);
            Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last == null || last.op != op) {
                last = new Run(op, 8);
                runs.add(last);
            }
            last.add(event);
            dueNanos = Math.min(dueNanos, eventDueNanos);
        }

        Entry seal() {
            Run[] parts = runs.toArray(new Run[0]);
            String key = java.util.Objects.requireNonNull(firstKey);
            if (aggregator.count() == 1) { // alone: a plain record with its own key
                byte[] payload = java.util.Objects.requireNonNull(firstPayload);
                return new Entry(shardId, parts, payload, key, null, payload.length + firstKeyBytes, false);
            }
            byte[] data = aggregator.toBytes();
            // The record's partition key is its first event's; the explicit hash key (the shard's start)
            // puts it on the shard every event in it was predicted for.
            return new Entry(shardId, parts, data, key, explicitHashKey, data.length + firstKeyBytes, true);
        }
    }

    /** Consecutive events of one batch inside one Kinesis record: one piece of that batch's result. */
    private static final class Run {
        final Operation op;
        int[] events;
        int count;

        Run(Operation op, int capacity) {
            this.op = op;
            this.events = new int[capacity];
            op.addPiece();
        }

        void add(int event) {
            if (count == events.length) {
                events = Arrays.copyOf(events, count * 2);
            }
            events[count++] = event;
        }
    }

    /** One Kinesis record to put: a plain event or an aggregate of several, perhaps of several batches. */
    private static final class Entry {
        final @Nullable String shardId;
        final Run[] runs;
        final byte[] data;
        final String partitionKey;
        final @Nullable String explicitHashKey;
        final long size;
        final boolean aggregated;

        Entry(@Nullable String shardId, Run[] runs, byte[] data, String partitionKey, @Nullable String explicitHashKey,
              long size, boolean aggregated) {
            this.shardId = shardId;
            this.runs = runs;
            this.data = data;
            this.partitionKey = partitionKey;
            this.explicitHashKey = explicitHashKey;
            this.size = size;
            this.aggregated = aggregated;
        }

        /** Gives every event in the record this outcome. */
        void finish(RecordResult outcome) {
            for (Run run : runs) {
                RecordResult[] results = run.op.results;
                for (int i = 0; i < run.count; i++) {
                    results[run.events[i]] = outcome;
                }
                run.op.pieceDone();
            }
        }
    }

    /**
     * The results of one send. Pieces: the planning itself plus one per {@link Run}; the batch
     * completes when the last piece is done. Each event's slot is written by exactly one piece.
     */
    private static final class Operation {
        final @Nullable RecordResult[] results;
        private final AtomicInteger pieces = new AtomicInteger(1);
        private final java.util.concurrent.atomic.AtomicBoolean completed = new java.util.concurrent.atomic.AtomicBoolean();
        final CompletableFuture<BatchResult> future = new CompletableFuture<>();
        /** The stream every success names. */
        private final String destination;

        /** The send's number, in the order the sends were handed over. */
        final long sequence;

        Operation(int size, RecordResult delivered, long sequence) {
            results = new RecordResult[size];
            this.sequence = sequence;
            this.destination = java.util.Objects.requireNonNull(delivered.destination());
        }

        void addPiece() {
            pieces.incrementAndGet();
        }

        void pieceDone() {
            if (pieces.decrementAndGet() == 0) {
                complete();
            }
        }

        /** Gives every event without a result this one and completes (before or instead of planning). */
        void failAll(RecordResult result) {
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = result;
                }
            }
            complete();
        }

        private void complete() {
            if (!completed.compareAndSet(false, true)) {
                return; // failAll after a planning bug; pieces still open complete into nothing
            }
            boolean allOk = true;
            for (RecordResult r : results) {
                if (r == null || !r.isOk()) {
                    allOk = false;
                    break;
                }
            }
            if (allOk) {
                future.complete(BatchResult.allOk(results.length, destination));
                return;
            }
            RecordResult[] copy = results.clone();
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] == null) {
                    copy[i] = RecordResult.retryable("InternalError", "no result was recorded for this event");
                }
            }
            future.complete(BatchResult.of(Arrays.asList(copy)));
        }
    }
}
