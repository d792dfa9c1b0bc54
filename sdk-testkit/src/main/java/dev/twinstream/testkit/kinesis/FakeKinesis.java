package dev.twinstream.testkit.kinesis;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.VirtualScheduler;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.CreateStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsRequest;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.MergeShardsRequest;
import software.amazon.awssdk.services.kinesis.model.MergeShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.SplitShardRequest;
import software.amazon.awssdk.services.kinesis.model.SplitShardResponse;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountRequest;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;

/**
 * An in-memory Amazon Kinesis Data Streams that implements {@link KinesisAsyncClient}: pass it
 * wherever a client is expected ({@code KinesisSink.builder(fake, "events")}) and read back what
 * arrived.
 *
 * <p>Supported calls: {@code CreateStream}, {@code DeleteStream}, {@code DescribeStream}, {@code DescribeStreamSummary},
 * {@code ListStreams}, {@code ListShards}, {@code PutRecord}, {@code PutRecords},
 * {@code GetShardIterator}, {@code GetRecords}, {@code UpdateShardCount}, {@code SplitShard},
 * {@code MergeShards}; any other call throws {@link UnsupportedOperationException}. Streams are
 * ACTIVE as soon as they are created (the real service and kinesis-mock take a moment).
 *
 * <p>Like the service: shards own contiguous ranges of the 128-bit hash-key space (split evenly at
 * creation), a record goes to the shard whose range holds the MD5 of its partition key or its
 * explicit hash key, sequence numbers increase, closed shards keep their records, and the request
 * limits are enforced with the real exception types: at most {@value #MAX_RECORDS_PER_REQUEST}
 * records and {@link #DEFAULT_MAX_REQUEST_BYTES} per call, partition keys of 1 to 256 characters,
 * records (data plus key) of at most the stream's record size. With
 * {@link Builder#enforceThroughput(boolean)}, each shard meters writes with a token bucket holding one
 * second of its limits (1,000 records, 1 MiB) refilled continuously on the clock; entries over it
 * fail with {@code ProvisionedThroughputExceededException}. (The service's exact metering is not
 * documented; this model never throttles a writer that stays within the limit on average.)
 *
 * <p>Faults are deterministic: per-entry failures and throttling ({@link #failFraction(double, String)},
 * {@link #throttleFraction}) are drawn from a {@link Random} seeded by {@link Builder#seed(long)};
 * whole write calls fail by count ({@link #failNextCalls}, {@link #throttleNextCalls}) or for a
 * window of the clock ({@link #downFor}, {@link #throttleFor}); {@link #latency}, outage windows and
 * scheduled resharding run on the injected {@link Scheduler} and {@link Clock}. Without a scheduler,
 * futures complete before the call returns; with one, on the scheduler (after the latency).
 *
 * <p>For tests: {@link #events(String)} de-aggregates KPL aggregated records (and returns plain
 * ones as they are), {@link #billing(String)} counts records, bytes and 25 KB PUT payload units.
 * Thread-safe. The caller owns it; {@link #close()} does nothing.
 */
public final class FakeKinesis implements KinesisAsyncClient {

    /** Most records in one {@code PutRecords} call (Kinesis API reference, PutRecords). */
    public static final int MAX_RECORDS_PER_REQUEST = 500;
    /** Default most bytes per {@code PutRecords} call, partition keys included: 10 MiB (PutRecords). */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 10L * 1024 * 1024;
    /** Default record size limit, data plus partition key: 1 MiB (stream default, UpdateMaxRecordSize). */
    public static final int DEFAULT_MAX_RECORD_SIZE_KIB = 1024;
    /** Most partition-key characters (PutRecordsRequestEntry.PartitionKey). */
    public static final int MAX_PARTITION_KEY_CHARS = 256;
    /** Per-shard writes per second (Kinesis Data Streams quotas). */
    public static final int SHARD_RECORDS_PER_SECOND = 1000;
    /** Per-shard write bytes per second (Kinesis Data Streams quotas: 1 MB/s, taken as 1 MiB). */
    public static final long SHARD_BYTES_PER_SECOND = 1024L * 1024;
    /** Size of one PUT payload unit (Kinesis Data Streams pricing: 25 KB chunks, taken as 25 KiB). */
    public static final int PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
    /** Most records one {@code GetRecords} returns (GetRecords API reference). */
    public static final int MAX_GET_RECORDS = 10_000;

    private final Clock clock;
    private final boolean enforceThroughput;
    private final long maxRequestBytes;
    private final String arnPrefix;

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, KinesisStream> streams = new LinkedHashMap<>();
    private final KinesisFaults faults;
    private long putRecordsCalls;

    private FakeKinesis(Builder b) {
        this.faults = new KinesisFaults(b.scheduler, b.clock, b.seed);
        this.clock = faults.clock();
        this.enforceThroughput = b.enforceThroughput;
        this.maxRequestBytes = b.maxRequestBytes;
        this.arnPrefix = "arn:aws:kinesis:" + b.region + ":" + b.accountId + ":stream/";
    }

    /** {@return a builder: no scheduler, system clock, seed 0, no throughput enforcement, 10 MiB requests} */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link FakeKinesis}. */
    public static final class Builder {
        private @Nullable Scheduler scheduler;
        private @Nullable Clock clock;
        private long seed;
        private boolean enforceThroughput;
        private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private String region = "us-east-1";
        private String accountId = "000000000000";

        private Builder() {}

        /**
         * Completes futures and runs latency, outages and resharding on this scheduler (a
         * {@link VirtualScheduler} in tests).
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The clock for throughput windows, outages and arrival times.
         *
         * @param clock default: the VirtualScheduler's or the system's
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Seed of the per-entry fault draws.
         *
         * @param seed default 0
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Enforce 1,000 records/s and 1 MiB/s per shard (token bucket on the clock). Off by default.
         *
         * @param enforce whether to enforce the per-shard limits
         * @return this builder
         */
        public Builder enforceThroughput(boolean enforce) {
            this.enforceThroughput = enforce;
            return this;
        }

        /**
         * Request limit: 10 MiB by default; 5 MiB imitates the former limit.
         *
         * @param bytes most bytes per {@code PutRecords} call, partition keys included
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 1
         */
        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1 but was " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * Region and account used in stream ARNs.
         *
         * @param region default {@code us-east-1}
         * @param accountId default {@code 000000000000}
         * @return this builder
         */
        public Builder arn(String region, String accountId) {
            this.region = Objects.requireNonNull(region, "region");
            this.accountId = Objects.requireNonNull(accountId, "accountId");
            return this;
        }

        /**
         * Builds the fake with no streams.
         *
         * @return the new fake
         */
        public FakeKinesis build() {
            return new FakeKinesis(this);
        }
    }

    // ---- test-side API -------------------------------------------------------------------------

    /**
     * Creates an ACTIVE stream with {@code shards} shards of equal hash-key ranges.
     *
     * @param name the stream name
     * @param shards the number of shards, 1 to 10,000
     * @return this fake
     * @throws IllegalArgumentException if the name is taken or {@code shards} is not 1 to 10,000
     */
    public FakeKinesis createStream(String name, int shards) {
        synchronized (lock) {
            if (streams.containsKey(name)) {
                throw new IllegalArgumentException("stream " + name + " already exists");
            }
            if (shards < 1 || shards > 10_000) {
                throw new IllegalArgumentException("shards must be between 1 and 10000 but was " + shards);
            }
            streams.put(name, new KinesisStream(name, arnPrefix + name, clock.epochMillis(), shards));
        }
        return this;
    }

    /**
     * Sets a stream's record size limit (data plus key), as {@code UpdateMaxRecordSize} does.
     *
     * @param stream an existing stream
     * @param kib the limit in KiB
     * @return this fake
     * @throws IllegalArgumentException if the stream does not exist
     */
    public FakeKinesis maxRecordSizeKiB(String stream, int kib) {
        synchronized (lock) {
            streamOrThrow(stream).maxRecordSizeKiB = kib;
        }
        return this;
    }

    /**
     * Every event stored in {@code stream}, de-aggregated, shard by shard in sequence order.
     *
     * @param stream an existing stream
     * @return the events
     * @throws IllegalArgumentException if the stream does not exist
     */
    public List<StoredEvent> events(String stream) {
        synchronized (lock) {
            return streamOrThrow(stream).events();
        }
    }

    /**
     * Number of events stored in {@code stream} after de-aggregation.
     *
     * @param stream an existing stream
     * @return the number of events
     * @throws IllegalArgumentException if the stream does not exist
     */
    public int eventCount(String stream) {
        return events(stream).size();
    }

    /**
     * Number of Kinesis records stored in {@code stream} (an aggregated record counts once).
     *
     * @param stream an existing stream
     * @return the number of records
     * @throws IllegalArgumentException if the stream does not exist
     */
    public long recordCount(String stream) {
        synchronized (lock) {
            return streamOrThrow(stream).recordCount();
        }
    }

    /**
     * Events stored per shard id, open and closed shards, in shard order.
     *
     * @param stream an existing stream
     * @return the number of events by shard id
     * @throws IllegalArgumentException if the stream does not exist
     */
    public Map<String, Integer> eventsPerShard(String stream) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        synchronized (lock) {
            for (KinesisShard shard : streamOrThrow(stream).shards) {
                counts.put(shard.id, 0);
            }
        }
        for (StoredEvent e : events(stream)) {
            counts.merge(e.shardId(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The hash-key range {start, end} of a shard.
     *
     * @param stream an existing stream
     * @param shardId a shard of the stream, open or closed
     * @return a new array of the first and the last hash key, inclusive
     * @throws IllegalArgumentException if the stream or the shard does not exist
     */
    public BigInteger[] hashKeyRange(String stream, String shardId) {
        synchronized (lock) {
            for (KinesisShard shard : streamOrThrow(stream).shards) {
                if (shard.id.equals(shardId)) {
                    return new BigInteger[] {shard.start, shard.end};
                }
            }
        }
        throw new IllegalArgumentException("no shard " + shardId + " in " + stream);
    }

    /**
     * What {@code stream} would be billed for so far.
     *
     * @param stream an existing stream
     * @return a snapshot of the billing counters
     * @throws IllegalArgumentException if the stream does not exist
     */
    public Billing billing(String stream) {
        synchronized (lock) {
            return streamOrThrow(stream).billing(putRecordsCalls);
        }
    }

    /**
     * After {@code delay} on the scheduler, reshards {@code stream} to {@code shards} shards (as
     * UpdateShardCount), as {@link #reshard} does.
     *
     * @param delay how long to wait on the scheduler
     * @param stream the stream
     * @param shards the new number of shards
     * @return this fake
     * @throws IllegalStateException if the fake has no scheduler
     */
    public FakeKinesis reshardAfter(Duration delay, String stream, int shards) {
        Scheduler scheduler = faults.scheduler();
        if (scheduler == null) {
            throw new IllegalStateException("reshardAfter needs a scheduler: FakeKinesis.builder().scheduler(...)");
        }
        scheduler.schedule(() -> reshard(stream, shards), delay.toNanos());
        return this;
    }

    /**
     * Reshards {@code stream} to {@code shards} shards of equal ranges now: open shards close, new
     * ones open.
     *
     * @param stream an existing stream
     * @param shards the new number of shards
     * @return this fake
     * @throws IllegalArgumentException if the stream does not exist
     */
    public FakeKinesis reshard(String stream, int shards) {
        synchronized (lock) {
            streamOrThrow(stream).reshard(shards);
        }
        return this;
    }

    // ---- fault injection -----------------------------------------------------------------------

    /**
     * Each later {@code PutRecords} entry fails with {@code errorCode} (the entry's {@code ErrorCode},
     * such as {@code InternalFailure} or {@code KMSAccessDeniedException}) with this probability,
     * drawn after {@link #throttleFraction} and the shard's throughput budget spared it.
     *
     * @param fraction 0 (off) to 1 (always)
     * @param errorCode the entry's error code
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeKinesis failFraction(double fraction, String errorCode) {
        return withFaults(f -> f.failFraction(fraction, errorCode));
    }

    /**
     * Each later {@code PutRecords} entry fails with {@code InternalFailure} with this probability.
     *
     * @param fraction 0 (off) to 1 (always)
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     * @deprecated use {@link #failFraction(double, String) failFraction(fraction, "InternalFailure")}
     */
    @Deprecated(forRemoval = true, since = "0.1.0")
    public FakeKinesis failFraction(double fraction) {
        return failFraction(fraction, KinesisExceptions.INTERNAL_FAILURE);
    }

    /**
     * Each later entry fails with {@code ProvisionedThroughputExceededException} with this probability.
     *
     * @param fraction 0 (off) to 1 (always)
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeKinesis throttleFraction(double fraction) {
        return withFaults(f -> f.throttleFraction(fraction));
    }

    /**
     * The next {@code n} write calls ({@code PutRecord}, {@code PutRecords}) fail as a whole with
     * {@code ProvisionedThroughputExceededException} (HTTP 400), as the service throttles a caller;
     * they store nothing.
     *
     * @param n how many calls, 0 to stop
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FakeKinesis throttleNextCalls(int n) {
        return withFaults(f -> f.throttleNextCalls(n));
    }

    /**
     * For {@code window} of the clock from now, every write call fails as a whole like
     * {@link #throttleNextCalls}; it does not use those up.
     *
     * @param window how long; zero stops it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public FakeKinesis throttleFor(Duration window) {
        return withFaults(f -> f.throttleFor(window));
    }

    /**
     * The next {@code n} calls that write ({@code PutRecord}, {@code PutRecords}) fail as a whole with
     * the exception of {@code errorCode} ({@code ResourceNotFoundException}, {@code AccessDeniedException},
     * {@code KMSDisabledException}, {@code InternalFailureException}, ... ).
     *
     * @param n how many calls, 0 to stop
     * @param errorCode the error code of the exception
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FakeKinesis failNextCalls(int n, String errorCode) {
        return withFaults(f -> f.failNextCalls(n, errorCode));
    }

    /**
     * Every later call completes after {@code latency} on the scheduler.
     *
     * @param latency zero for none
     * @return this fake
     * @throws IllegalArgumentException if {@code latency} is negative
     * @throws IllegalStateException if not zero and the fake has no scheduler
     */
    public FakeKinesis latency(Duration latency) {
        return withFaults(f -> f.latency(latency));
    }

    /**
     * For {@code duration} from now, every write call fails as a whole with
     * {@code InternalFailureException} (HTTP 500).
     *
     * @param duration how long; zero or negative leaves the stream up (and ends an earlier outage)
     * @return this fake
     */
    public FakeKinesis downFor(Duration duration) {
        return withFaults(f -> f.downFor(duration));
    }

    // ---- KinesisAsyncClient --------------------------------------------------------------------

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        // The caller owns the fake; there is nothing to release.
    }

    @Override
    public CompletableFuture<CreateStreamResponse> createStream(CreateStreamRequest request) {
        return respond(() -> {
            synchronized (lock) {
                if (streams.containsKey(request.streamName())) {
                    throw KinesisExceptions.error(ResourceInUseException.builder(), "ResourceInUseException", 400,
                            "Stream " + request.streamName() + " under account already exists.");
                }
            }
            createStream(request.streamName(), request.shardCount() == null ? 4 : request.shardCount());
            return CreateStreamResponse.builder().build();
        });
    }

    /** Deletes the stream at once (the service takes a while in DELETING); its records go with it. */
    @Override
    public CompletableFuture<DeleteStreamResponse> deleteStream(DeleteStreamRequest request) {
        return respond(() -> {
            synchronized (lock) {
                streams.remove(find(request.streamName(), request.streamARN()).name);
            }
            return DeleteStreamResponse.builder().build();
        });
    }

    @Override
    public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest request) {
        return respond(() -> {
            synchronized (lock) {
                return DescribeStreamSummaryResponse.builder()
                        .streamDescriptionSummary(find(request.streamName(), request.streamARN()).summary()).build();
            }
        });
    }

    @Override
    public CompletableFuture<DescribeStreamResponse> describeStream(DescribeStreamRequest request) {
        return respond(() -> {
            synchronized (lock) {
                return DescribeStreamResponse.builder()
                        .streamDescription(find(request.streamName(), request.streamARN()).description()).build();
            }
        });
    }

    @Override
    public CompletableFuture<ListStreamsResponse> listStreams(ListStreamsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                List<String> names = new ArrayList<>();
                List<StreamSummary> summaries = new ArrayList<>();
                for (KinesisStream s : streams.values()) {
                    names.add(s.name);
                    summaries.add(s.streamSummary());
                }
                return ListStreamsResponse.builder().streamNames(names).streamSummaries(summaries).hasMoreStreams(false)
                        .build();
            }
        });
    }

    @Override
    public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                if (request.nextToken() != null) {
                    throw KinesisExceptions.invalidArgument(
                            "NextToken is not issued by this fake (it lists every shard in one page)");
                }
                return ListShardsResponse.builder().shards(find(request.streamName(), request.streamARN()).shardList()).build();
            }
        });
    }

    @Override
    public CompletableFuture<PutRecordResponse> putRecord(PutRecordRequest request) {
        return respond(() -> {
            synchronized (lock) {
                KinesisStream s = find(request.streamName(), request.streamARN());
                faults.beforeWrite(s.name);
                KinesisRequests.checkEntry(s, request.partitionKey(), request.explicitHashKey(), request.data(), 0);
                putRecordsCalls++;
                KinesisShard shard = s.shardFor(KinesisStream.hashKeyOf(request.partitionKey(), request.explicitHashKey()));
                if (enforceThroughput && !shard.admit(1, KinesisRequests.sizeOf(request.data(), request.partitionKey()), clock.nanoTime())) {
                    throw KinesisExceptions.throughputExceeded("Rate exceeded for shard " + shard.id + " in stream " + s.name);
                }
                StoredRecord r = s.store(shard, request.partitionKey(), request.explicitHashKey(),
                        request.data().asByteArray(), clock.epochMillis());
                return PutRecordResponse.builder().shardId(shard.id).sequenceNumber(r.sequenceNumber)
                        .encryptionType("NONE").build();
            }
        });
    }

    @Override
    public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                KinesisStream s = find(request.streamName(), request.streamARN());
                faults.beforeWrite(s.name);
                List<PutRecordsRequestEntry> entries = request.records();
                KinesisRequests.checkEntries(s, entries, maxRequestBytes);
                putRecordsCalls++;
                List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
                int failed = 0;
                long now = clock.nanoTime();
                for (PutRecordsRequestEntry e : entries) {
                    KinesisShard shard = s.shardFor(KinesisStream.hashKeyOf(e.partitionKey(), e.explicitHashKey()));
                    long size = KinesisRequests.sizeOf(e.data(), e.partitionKey());
                    String code = faults.entryFailure(() -> !enforceThroughput || shard.admit(1, size, now));
                    if (code != null) {
                        failed++;
                        results.add(PutRecordsResultEntry.builder().errorCode(code)
                                .errorMessage(entryMessage(code, shard, s)).build());
                    } else {
                        StoredRecord r = s.store(shard, e.partitionKey(), e.explicitHashKey(), e.data().asByteArray(),
                                clock.epochMillis());
                        results.add(PutRecordsResultEntry.builder().shardId(shard.id).sequenceNumber(r.sequenceNumber)
                                .build());
                    }
                }
                return PutRecordsResponse.builder().failedRecordCount(failed).records(results).encryptionType("NONE")
                        .build();
            }
        });
    }

    @Override
    public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
        return respond(() -> {
            synchronized (lock) {
                KinesisStream s = find(request.streamName(), request.streamARN());
                KinesisShard shard = s.shard(request.shardId());
                int position = shard.iteratorPosition(request);
                return GetShardIteratorResponse.builder().shardIterator(iterator(s.name, shard.id, position)).build();
            }
        });
    }

    @Override
    public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                String[] parts = request.shardIterator().split("\\|");
                if (parts.length != 4 || !"fake".equals(parts[0])) {
                    throw KinesisExceptions.invalidArgument("Invalid ShardIterator " + request.shardIterator());
                }
                KinesisStream s = find(parts[1], null);
                KinesisShard shard = s.shard(parts[2]);
                int position = Integer.parseInt(parts[3]);
                int limit = request.limit() == null ? MAX_GET_RECORDS : Math.min(request.limit(), MAX_GET_RECORDS);
                int end = Math.min(shard.records.size(), position + limit);
                List<Record> records = shard.read(position, end);
                String next = shard.closed && end == shard.records.size() ? null : iterator(s.name, shard.id, end);
                return GetRecordsResponse.builder().records(records).nextShardIterator(next).millisBehindLatest(0L).build();
            }
        });
    }

    @Override
    public CompletableFuture<UpdateShardCountResponse> updateShardCount(UpdateShardCountRequest request) {
        return respond(() -> {
            KinesisStream s;
            int current;
            synchronized (lock) {
                s = find(request.streamName(), request.streamARN());
                current = s.openShards().size();
            }
            reshard(s.name, request.targetShardCount());
            return UpdateShardCountResponse.builder().streamName(s.name).streamARN(s.arn).currentShardCount(current)
                    .targetShardCount(request.targetShardCount()).build();
        });
    }

    @Override
    public CompletableFuture<SplitShardResponse> splitShard(SplitShardRequest request) {
        return respond(() -> {
            synchronized (lock) {
                KinesisStream s = find(request.streamName(), request.streamARN());
                s.split(request.shardToSplit(), request.newStartingHashKey());
                return SplitShardResponse.builder().build();
            }
        });
    }

    @Override
    public CompletableFuture<MergeShardsResponse> mergeShards(MergeShardsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                find(request.streamName(), request.streamARN()).merge(request.shardToMerge(), request.adjacentShardToMerge());
                return MergeShardsResponse.builder().build();
            }
        });
    }

    // ---- internals -----------------------------------------------------------------------------

    private FakeKinesis withFaults(Consumer<KinesisFaults> change) {
        synchronized (lock) {
            change.accept(faults);
        }
        return this;
    }

    /** Runs {@code call} now and completes its future as the faults say: at once, or on the scheduler after the latency. */
    private <T> CompletableFuture<T> respond(Supplier<T> call) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Runnable complete;
        try {
            T value = call.get();
            complete = () -> future.complete(value);
        } catch (RuntimeException e) {
            complete = () -> future.completeExceptionally(e);
        }
        long latency;
        synchronized (lock) {
            latency = faults.latencyNanos();
        }
        faults.complete(complete, latency);
        return future;
    }

    private String entryMessage(String code, KinesisShard shard, KinesisStream s) {
        switch (code) {
            case KinesisExceptions.THROUGHPUT_EXCEEDED:
                return "Rate exceeded for shard " + shard.id + " in stream " + s.name + " under account " + arnPrefix + ".";
            case KinesisExceptions.INTERNAL_FAILURE:
                return "Internal service failure.";
            default:
                return "Injected failure " + code + " (FakeKinesis)";
        }
    }

    private static String iterator(String stream, String shardId, int position) {
        return "fake|" + stream + "|" + shardId + "|" + position;
    }

    private KinesisStream streamOrThrow(String name) {
        KinesisStream s = streams.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no stream " + name + "; streams: " + streams.keySet());
        }
        return s;
    }

    /** The stream a request names by name or ARN, or ResourceNotFoundException as the service answers. */
    private KinesisStream find(@Nullable String name, @Nullable String arn) {
        KinesisStream s = null;
        if (name != null) {
            s = streams.get(name);
        } else if (arn != null) {
            for (KinesisStream candidate : streams.values()) {
                if (candidate.arn.equals(arn)) {
                    s = candidate;
                }
            }
        }
        if (s == null) {
            throw KinesisExceptions.resourceNotFound(
                    "Stream " + (name != null ? name : arn) + " under account 000000000000 not found.");
        }
        return s;
    }
}
