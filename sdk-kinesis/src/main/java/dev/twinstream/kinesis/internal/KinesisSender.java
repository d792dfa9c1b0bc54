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
 *       to share a record, or alone in its record, goes as a plain record with its own key);
 *   <li>per shard, reserve the records and bytes from the shard's {@link TokenBucket} (which lets
 *       {@link #SHARD_BURST_NANOS} of shard time go at once); entries that
 *       must wait are held on the scheduler (never reported as failures, which would use up
 *       attempts);
 *   <li>pack the entries into requests of at most 500 entries and the request byte limit, send;
 *   <li>map each entry's outcome to the events in it through the sink's {@link AwsErrors} policy
 *       ({@link KinesisErrors} first, then the rules shared by the AWS sinks).
 * </ol>
 * The returned future completes when every request of the batch has completed.
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
     * @param clock the clock of the pacing
     * @param scheduler runs the sends, held or not
     */
    public KinesisSender(KinesisAsyncClient client, StreamId stream, ShardMapCache shardMaps, boolean aggregation,
                         int aggregatedRecordMaxBytes, long maxRequestBytes, boolean rateLimiting,
                         double shardRecordsPerSecond, double shardBytesPerSecond, long throttlePenaltyNanos,
                         Clock clock, Scheduler scheduler) {
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
        Operation op = new Operation(batch.size(), delivered);
        try {
            scheduler.execute(() -> start(batch, op));
        } catch (RuntimeException rejected) { // the sink's own scheduler after close()
            op.failAll(RecordResult.retryable("SinkClosed", "the Kinesis sink was closed"));
        }
        return op.future;
    }

    private void start(SinkBatch batch, Operation op) {
        if (closed) {
            op.failAll(RecordResult.retryable("SinkClosed", "the Kinesis sink was closed"));
            return;
        }
        if (!aggregation && !rateLimiting) {
            planSafely(batch, null, op);
            return;
        }
        shardMaps.get().whenComplete((map, error) -> {
            if (error != null) {
                op.failAll(errors.forException(error));
            } else {
                planSafely(batch, map, op);
            }
        });
    }

    private void planSafely(SinkBatch batch, @Nullable ShardMap map, Operation op) {
        try {
            plan(batch, map, op);
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
     * tasks on close for that.
     */
    public void close() {
        closed = true;
    }

    private void plan(SinkBatch batch, @Nullable ShardMap map, Operation op) {
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
        Aggregator aggregator = new Aggregator();
        for (int s = 0; s <= shards; s++) {
            int[] events = byShard[s];
            if (events.length == 0) {
                continue;
            }
            boolean predicted = s < shards;
            if (!aggregation || !predicted) {
                for (int e : events) {
                    entries.add(plain(batch, e, keys[e], predicted ? s : -1));
                }
                continue;
            }
            aggregator.reset();
            int[] members = new int[events.length];
            int memberCount = 0;
            for (int e : events) {
                String key = batch.partitionKey(e);
                byte[] payload = batch.payload(e);
                if (Aggregator.sizeAlone(keys[e].length, payload.length) + keys[e].length > aggregatedRecordMaxBytes) {
                    entries.add(plain(batch, e, keys[e], s)); // too large to share a record
                    continue;
                }
                if (memberCount > 0 && aggregator.sizeWith(key, keys[e].length, payload.length) + keys[members[0]].length
                        > aggregatedRecordMaxBytes) {
                    entries.add(flush(batch, aggregator, members, memberCount, keys, map, s));
                    aggregator.reset();
                    memberCount = 0;
                }
                aggregator.add(key, keys[e], payload);
                members[memberCount++] = e;
            }
            if (memberCount > 0) {
                entries.add(flush(batch, aggregator, members, memberCount, keys, map, s));
            }
        }
        if (entries.isEmpty()) {
            op.complete();
            return;
        }
        dispatch(entries, map, op);
    }

    private static boolean isValidKey(@Nullable String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        return key.length() <= MAX_PARTITION_KEY_CHARS || key.codePointCount(0, key.length()) <= MAX_PARTITION_KEY_CHARS;
    }

    private static Entry plain(SinkBatch batch, int event, byte[] key, int shard) {
        return new Entry(shard, new int[] {event}, batch.payload(event), batch.partitionKey(event), null,
                batch.payload(event).length + key.length, false);
    }

    private static Entry flush(SinkBatch batch, Aggregator aggregator, int[] members, int count, byte[][] keys,
                               ShardMap map, int shard) {
        if (count == 1) {
            return plain(batch, members[0], keys[members[0]], shard);
        }
        byte[] data = aggregator.toBytes();
        int first = members[0];
        // The record's partition key is its first event's; the explicit hash key (the shard's start)
        // puts it on the shard every event in it was predicted for.
        return new Entry(shard, Arrays.copyOf(members, count), data, batch.partitionKey(first),
                map.startingHashKey(shard), data.length + keys[first].length, true);
    }

    /** Reserves tokens, groups entries by release time, packs requests, and sends or holds them. */
    private void dispatch(List<Entry> entries, @Nullable ShardMap map, Operation op) {
        long now = clock.nanoTime();
        // Group by release time: "now" (-1), then 50 ms slots; a slot is sent at the latest wait of
        // its records, so none goes early and a tiny wait costs only itself.
        TreeMap<Long, List<Entry>> bySlot = new TreeMap<>();
        Map<Long, Long> slotDelay = new java.util.HashMap<>();
        for (Entry e : entries) {
            long slot = -1;
            if (rateLimiting && e.shard >= 0) {
                long wait = bucket(map.shardId(e.shard), now).reserve(1, e.size, now);
                if (wait > 0) {
                    slot = wait / HOLD_SLOT_NANOS;
                    slotDelay.merge(slot, wait, Math::max);
                }
            }
            bySlot.computeIfAbsent(slot, k -> new ArrayList<>()).add(e);
        }
        List<long[]> delays = new ArrayList<>();
        List<List<Entry>> requests = new ArrayList<>();
        for (Map.Entry<Long, List<Entry>> slot : bySlot.entrySet()) {
            long delay = slotDelay.getOrDefault(slot.getKey(), 0L);
            List<Entry> current = new ArrayList<>();
            long bytes = 0;
            for (Entry e : slot.getValue()) {
                if (!current.isEmpty() && (current.size() == MAX_RECORDS_PER_REQUEST || bytes + e.size > maxRequestBytes)) {
                    requests.add(current);
                    delays.add(new long[] {delay});
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(e);
                bytes += e.size;
            }
            requests.add(current);
            delays.add(new long[] {delay});
        }
        op.remaining.set(requests.size());
        for (int r = 0; r < requests.size(); r++) {
            List<Entry> request = requests.get(r);
            long delay = delays.get(r)[0];
            if (delay == 0) {
                put(request, map, op);
            } else {
                LOG.trace("Holding {} Kinesis records for {} ns (shard rate limit)", request.size(), delay);
                try {
                    scheduler.schedule(() -> put(request, map, op), delay);
                } catch (java.util.concurrent.RejectedExecutionException closing) { // own scheduler closed meanwhile
                    op.finish(request, RecordResult.retryable("SinkClosed", "the Kinesis sink was closed"));
                }
            }
        }
    }

    private TokenBucket bucket(String shardId, long now) {
        return buckets.computeIfAbsent(shardId, id -> new TokenBucket(shardRecordsPerSecond, shardBytesPerSecond,
                SHARD_BURST_NANOS, now));
    }

    private void put(List<Entry> request, @Nullable ShardMap map, Operation op) {
        if (closed) {
            op.finish(request, RecordResult.retryable("SinkClosed", "the Kinesis sink was closed"));
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
                    onCallFailed(request, map, op, error);
                } else {
                    onResponse(request, map, op, response);
                }
            } catch (RuntimeException e) {
                RecordResult result = errors.forException(e);
                if (result.status() == RecordResult.Status.RETRYABLE) {
                    LOG.warn("Could not apply a PutRecords response; its records will be retried", e);
                }
                op.finish(request, result);
            }
        });
    }

    private void onCallFailed(List<Entry> request, @Nullable ShardMap map, Operation op, Throwable error) {
        RecordResult result = errors.forException(error);
        LOG.debug("PutRecords of {} records failed as a whole: {}", request.size(), result);
        if (KinesisErrors.THROUGHPUT_EXCEEDED.equals(result.code())) {
            for (Entry e : request) {
                penalize(map, e.shard);
            }
        }
        if (map != null && KinesisErrors.suggestsStaleShardMap(result)) {
            shardMaps.refresh();
        }
        op.finish(request, result);
    }

    private void onResponse(List<Entry> request, @Nullable ShardMap map, Operation op, PutRecordsResponse response) {
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != request.size()) {
            op.finish(request, RecordResult.retryable(KinesisErrors.INVALID_RESPONSE, "PutRecords returned " + results.size()
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
                    penalize(map, e.shard);
                }
            } else if (map != null && e.shard >= 0 && !map.shardId(e.shard).equals(r.shardId())) {
                stale = true;
                // A plain record is where its own key sends it. An aggregated record's events may
                // now belong to several shards; consumers that check hash ranges would drop some,
                // so they are sent again, re-predicted (duplicates are possible, as with any retry).
                outcome = e.aggregated
                        ? RecordResult.retryable(KinesisErrors.WRONG_SHARD, "predicted shard " + map.shardId(e.shard)
                                + " but the record went to " + r.shardId() + " (the stream was resharded)")
                        : delivered;
            } else {
                outcome = delivered;
            }
            for (int event : e.events) {
                op.results[event] = outcome;
            }
        }
        if (stale) {
            LOG.info("Kinesis stream {} was resharded: reloading its shard map", stream);
            shardMaps.refresh();
        }
        op.requestDone();
    }

    private void penalize(@Nullable ShardMap map, int shard) {
        if (rateLimiting && map != null && shard >= 0) {
            long now = clock.nanoTime();
            bucket(map.shardId(shard), now).penalize(throttlePenaltyNanos, now);
        }
    }

    /** One Kinesis record to put: a plain event or an aggregate of several. */
    private static final class Entry {
        final int shard;
        final int[] events;
        final byte[] data;
        final String partitionKey;
        final @Nullable String explicitHashKey;
        final long size;
        final boolean aggregated;

        Entry(int shard, int[] events, byte[] data, String partitionKey, @Nullable String explicitHashKey, long size,
              boolean aggregated) {
            this.shard = shard;
            this.events = events;
            this.data = data;
            this.partitionKey = partitionKey;
            this.explicitHashKey = explicitHashKey;
            this.size = size;
            this.aggregated = aggregated;
        }
    }

    /** The results of one send; each event's slot is written by exactly one request's completion. */
    private static final class Operation {
        final @Nullable RecordResult[] results;
        final AtomicInteger remaining = new AtomicInteger();
        final CompletableFuture<BatchResult> future = new CompletableFuture<>();
        /** The stream every success names. */
        private final String destination;

        Operation(int size, RecordResult delivered) {
            results = new RecordResult[size];
            this.destination = java.util.Objects.requireNonNull(delivered.destination());
        }

        void failAll(RecordResult result) {
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = result;
                }
            }
            complete();
        }

        void finish(List<Entry> request, RecordResult result) {
            for (Entry e : request) {
                for (int event : e.events) {
                    results[event] = result;
                }
            }
            requestDone();
        }

        void requestDone() {
            if (remaining.decrementAndGet() == 0) {
                complete();
            }
        }

        void complete() {
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
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = RecordResult.retryable("InternalError", "no result was recorded for this event");
                }
            }
            future.complete(BatchResult.of(Arrays.asList(results)));
        }
    }
}
