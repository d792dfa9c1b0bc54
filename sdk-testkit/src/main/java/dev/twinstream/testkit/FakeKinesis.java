package dev.twinstream.testkit;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.internal.KinesisDeaggregator;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.CreateStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsRequest;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.MergeShardsRequest;
import software.amazon.awssdk.services.kinesis.model.MergeShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SplitShardRequest;
import software.amazon.awssdk.services.kinesis.model.SplitShardResponse;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountRequest;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

/**
 * An in-memory Amazon Kinesis Data Streams that implements {@link KinesisAsyncClient}: pass it
 * wherever a client is expected ({@code KinesisSink.builder(fake, "events")}) and read back what
 * arrived.
 *
 * <p>Supported calls: {@code CreateStream}, {@code DescribeStream}, {@code DescribeStreamSummary},
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
 * <p>Faults are deterministic: per-entry failures and throttling are drawn from a {@link Random}
 * seeded by {@link Builder#seed(long)}; latency, outage windows and scheduled resharding run on the
 * injected {@link Scheduler} and {@link Clock}. Without a scheduler, futures complete before the
 * call returns; with one, on the scheduler (after the latency).
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

    private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);
    private static final BigInteger MAX_HASH_KEY = HASH_SPACE.subtract(BigInteger.ONE);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";
    private static final String INTERNAL_FAILURE = "InternalFailure";

    private final Clock clock;
    private final boolean enforceThroughput;
    private final long maxRequestBytes;
    private final String arnPrefix;

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private final FaultPlan faults;
    /** Drawn before {@link #failures} for each entry, from the same generator. */
    private final FaultPlan.Chance<String> throttles;
    private final FaultPlan.Chance<String> failures;
    private final FaultPlan.Window down;
    private final FaultPlan.Countdown<String> failNextCalls = new FaultPlan.Countdown<>();
    private long putRecordsCalls;

    private FakeKinesis(Builder b) {
        this.faults = new FaultPlan(b.scheduler, b.clock, b.seed);
        this.clock = faults.clock();
        this.throttles = faults.chance();
        this.failures = faults.chance();
        this.down = faults.window();
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
            Stream s = new Stream(name, arnPrefix + name, clock.epochMillis());
            for (int i = 0; i < shards; i++) {
                BigInteger start = HASH_SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(shards));
                BigInteger end = HASH_SPACE.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(shards))
                        .subtract(BigInteger.ONE);
                s.addShard(start, end, null, null);
            }
            streams.put(name, s);
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
            List<StoredEvent> out = new ArrayList<>();
            for (FakeShard shard : streamOrThrow(stream).shards) {
                for (StoredRecord r : shard.records) {
                    KinesisDeaggregator.Result result =
                            KinesisDeaggregator.deaggregate(r.partitionKey, r.explicitHashKey, r.data);
                    int sub = 0;
                    for (KinesisDeaggregator.SubRecord s : result.records) {
                        out.add(new StoredEvent(shard.id, r.sequenceNumber, sub++, s.partitionKey, s.data,
                                result.aggregated));
                    }
                }
            }
            return out;
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
            long n = 0;
            for (FakeShard shard : streamOrThrow(stream).shards) {
                n += shard.records.size();
            }
            return n;
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
            for (FakeShard shard : streamOrThrow(stream).shards) {
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
            for (FakeShard shard : streamOrThrow(stream).shards) {
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
            Stream s = streamOrThrow(stream);
            return new Billing(s.billedRecords, s.billedBytes, s.putPayloadUnits, putRecordsCalls);
        }
    }

    // ---- fault injection -----------------------------------------------------------------------

    /**
     * Each later {@code PutRecords} entry fails with {@code InternalFailure} with this probability.
     *
     * @param fraction 0 (off) to 1 (always)
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeKinesis failFraction(double fraction) {
        FaultPlan.checkFraction(fraction);
        synchronized (lock) {
            failures.set(fraction, INTERNAL_FAILURE);
        }
        return this;
    }

    /**
     * Each later entry fails with {@code ProvisionedThroughputExceededException} with this probability.
     *
     * @param fraction 0 (off) to 1 (always)
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeKinesis throttleFraction(double fraction) {
        FaultPlan.checkFraction(fraction);
        synchronized (lock) {
            throttles.set(fraction, THROUGHPUT_EXCEEDED);
        }
        return this;
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
        FaultPlan.checkCount(n);
        Objects.requireNonNull(errorCode, "errorCode");
        synchronized (lock) {
            failNextCalls.set(n, errorCode);
        }
        return this;
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
        long nanos = faults.checkLatency(latency, "FakeKinesis.builder().scheduler(...)");
        synchronized (lock) {
            faults.latencyNanos(nanos);
        }
        return this;
    }

    /**
     * For {@code duration} from now, every write call fails as a whole with
     * {@code InternalFailureException} (HTTP 500).
     *
     * @param duration how long; zero or negative leaves the stream up (and ends an earlier outage)
     * @return this fake
     */
    public FakeKinesis downFor(Duration duration) {
        // Deliberately not validated (FakeKinesis never did): a negative duration leaves the stream up.
        long nanos = duration.toNanos();
        synchronized (lock) {
            down.openFor(nanos);
        }
        return this;
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
        if (faults.scheduler() == null) {
            throw new IllegalStateException("reshardAfter needs a scheduler: FakeKinesis.builder().scheduler(...)");
        }
        faults.scheduler().schedule(() -> reshard(stream, shards), delay.toNanos());
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
            Stream s = streamOrThrow(stream);
            List<FakeShard> parents = s.openShards();
            for (FakeShard p : parents) {
                p.close(s.lastSequence());
            }
            for (int i = 0; i < shards; i++) {
                BigInteger start = HASH_SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(shards));
                BigInteger end = HASH_SPACE.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(shards))
                        .subtract(BigInteger.ONE);
                FakeShard parent = null;
                for (FakeShard p : parents) {
                    if (p.contains(start)) {
                        parent = p;
                    }
                }
                s.addShard(start, end, parent == null ? null : parent.id, null);
            }
        }
        return this;
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
                    throw error(ResourceInUseException.builder(), "ResourceInUseException", 400,
                            "Stream " + request.streamName() + " under account already exists.");
                }
            }
            createStream(request.streamName(), request.shardCount() == null ? 4 : request.shardCount());
            return CreateStreamResponse.builder().build();
        });
    }

    @Override
    public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest request) {
        return respond(() -> {
            synchronized (lock) {
                Stream s = find(request.streamName(), request.streamARN());
                return DescribeStreamSummaryResponse.builder().streamDescriptionSummary(StreamDescriptionSummary.builder()
                        .streamName(s.name).streamARN(s.arn).streamStatus(StreamStatus.ACTIVE)
                        .retentionPeriodHours(24).streamCreationTimestamp(Instant.ofEpochMilli(s.createdMillis))
                        .encryptionType("NONE").openShardCount(s.openShards().size()).consumerCount(0)
                        .maxRecordSizeInKiB(s.maxRecordSizeKiB).enhancedMonitoring(Collections.emptyList())
                        .build()).build();
            }
        });
    }

    @Override
    public CompletableFuture<DescribeStreamResponse> describeStream(DescribeStreamRequest request) {
        return respond(() -> {
            synchronized (lock) {
                Stream s = find(request.streamName(), request.streamARN());
                List<Shard> shards = new ArrayList<>();
                for (FakeShard f : s.shards) {
                    shards.add(f.toShard());
                }
                return DescribeStreamResponse.builder().streamDescription(StreamDescription.builder()
                        .streamName(s.name).streamARN(s.arn).streamStatus(StreamStatus.ACTIVE).shards(shards)
                        .hasMoreShards(false).retentionPeriodHours(24)
                        .streamCreationTimestamp(Instant.ofEpochMilli(s.createdMillis)).encryptionType("NONE")
                        .enhancedMonitoring(Collections.emptyList()).build()).build();
            }
        });
    }

    @Override
    public CompletableFuture<ListStreamsResponse> listStreams(ListStreamsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                List<String> names = new ArrayList<>();
                List<StreamSummary> summaries = new ArrayList<>();
                for (Stream s : streams.values()) {
                    names.add(s.name);
                    summaries.add(StreamSummary.builder().streamName(s.name).streamARN(s.arn)
                            .streamStatus(StreamStatus.ACTIVE).streamCreationTimestamp(Instant.ofEpochMilli(s.createdMillis))
                            .build());
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
                    throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                            "NextToken is not issued by this fake (it lists every shard in one page)");
                }
                Stream s = find(request.streamName(), request.streamARN());
                List<Shard> shards = new ArrayList<>();
                for (FakeShard f : s.shards) {
                    shards.add(f.toShard());
                }
                return ListShardsResponse.builder().shards(shards).build();
            }
        });
    }

    @Override
    public CompletableFuture<PutRecordResponse> putRecord(PutRecordRequest request) {
        return respond(() -> {
            synchronized (lock) {
                Stream s = find(request.streamName(), request.streamARN());
                writeFaults();
                validateEntry(s, request.partitionKey(), request.explicitHashKey(), request.data(), 0);
                putRecordsCalls++;
                FakeShard shard = s.shardFor(hashKeyOf(request.partitionKey(), request.explicitHashKey()));
                if (enforceThroughput && !shard.admit(1, sizeOf(request.data(), request.partitionKey()), clock.nanoTime())) {
                    throw error(ProvisionedThroughputExceededException.builder(), "ProvisionedThroughputExceededException",
                            400, "Rate exceeded for shard " + shard.id + " in stream " + s.name);
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
                Stream s = find(request.streamName(), request.streamARN());
                writeFaults();
                List<PutRecordsRequestEntry> entries = request.records();
                if (entries.isEmpty() || entries.size() > MAX_RECORDS_PER_REQUEST) {
                    throw error(ValidationException.builder(), "ValidationException", 400,
                            "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have"
                                    + " length between 1 and " + MAX_RECORDS_PER_REQUEST + " but had " + entries.size());
                }
                long total = 0;
                for (int i = 0; i < entries.size(); i++) {
                    PutRecordsRequestEntry e = entries.get(i);
                    validateEntry(s, e.partitionKey(), e.explicitHashKey(), e.data(), i);
                    total += sizeOf(e.data(), e.partitionKey());
                }
                if (total > maxRequestBytes) {
                    throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                            "Records size exceeds " + maxRequestBytes + " bytes limit: " + total);
                }
                putRecordsCalls++;
                List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
                int failed = 0;
                long now = clock.nanoTime();
                for (PutRecordsRequestEntry e : entries) {
                    FakeShard shard = s.shardFor(hashKeyOf(e.partitionKey(), e.explicitHashKey()));
                    long size = sizeOf(e.data(), e.partitionKey());
                    if (throttles.draw() != null || enforceThroughput && !shard.admit(1, size, now)) {
                        failed++;
                        results.add(PutRecordsResultEntry.builder().errorCode(THROUGHPUT_EXCEEDED)
                                .errorMessage("Rate exceeded for shard " + shard.id + " in stream " + s.name
                                        + " under account " + arnPrefix + ".").build());
                    } else if (failures.draw() != null) {
                        failed++;
                        results.add(PutRecordsResultEntry.builder().errorCode(INTERNAL_FAILURE)
                                .errorMessage("Internal service failure.").build());
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
                Stream s = find(request.streamName(), request.streamARN());
                FakeShard shard = s.shard(request.shardId());
                int position;
                switch (request.shardIteratorType()) {
                    case TRIM_HORIZON:
                        position = 0;
                        break;
                    case LATEST:
                        position = shard.records.size();
                        break;
                    case AT_SEQUENCE_NUMBER:
                    case AFTER_SEQUENCE_NUMBER:
                        position = shard.positionOf(request.startingSequenceNumber())
                                + (request.shardIteratorType().toString().startsWith("AFTER") ? 1 : 0);
                        break;
                    default:
                        throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                                "FakeKinesis does not support iterator type " + request.shardIteratorTypeAsString());
                }
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
                    throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                            "Invalid ShardIterator " + request.shardIterator());
                }
                Stream s = find(parts[1], null);
                FakeShard shard = s.shard(parts[2]);
                int position = Integer.parseInt(parts[3]);
                int limit = request.limit() == null ? MAX_GET_RECORDS : Math.min(request.limit(), MAX_GET_RECORDS);
                List<Record> records = new ArrayList<>();
                int end = Math.min(shard.records.size(), position + limit);
                for (int i = position; i < end; i++) {
                    StoredRecord r = shard.records.get(i);
                    records.add(Record.builder().sequenceNumber(r.sequenceNumber).partitionKey(r.partitionKey)
                            .data(SdkBytes.fromByteArray(r.data)).approximateArrivalTimestamp(Instant.ofEpochMilli(r.arrivalMillis))
                            .encryptionType("NONE").build());
                }
                String next = shard.closed && end == shard.records.size() ? null : iterator(s.name, shard.id, end);
                return GetRecordsResponse.builder().records(records).nextShardIterator(next).millisBehindLatest(0L).build();
            }
        });
    }

    @Override
    public CompletableFuture<UpdateShardCountResponse> updateShardCount(UpdateShardCountRequest request) {
        return respond(() -> {
            Stream s;
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
                Stream s = find(request.streamName(), request.streamARN());
                FakeShard parent = s.shard(request.shardToSplit());
                BigInteger at = new BigInteger(request.newStartingHashKey());
                if (parent.closed || at.compareTo(parent.start) <= 0 || at.compareTo(parent.end) > 0) {
                    throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                            "NewStartingHashKey " + at + " is not inside open shard " + parent.id);
                }
                parent.close(s.lastSequence());
                s.addShard(parent.start, at.subtract(BigInteger.ONE), parent.id, null);
                s.addShard(at, parent.end, parent.id, null);
                return SplitShardResponse.builder().build();
            }
        });
    }

    @Override
    public CompletableFuture<MergeShardsResponse> mergeShards(MergeShardsRequest request) {
        return respond(() -> {
            synchronized (lock) {
                Stream s = find(request.streamName(), request.streamARN());
                FakeShard a = s.shard(request.shardToMerge());
                FakeShard b = s.shard(request.adjacentShardToMerge());
                FakeShard low = a.start.compareTo(b.start) < 0 ? a : b;
                FakeShard high = low == a ? b : a;
                if (a.closed || b.closed || !low.end.add(BigInteger.ONE).equals(high.start)) {
                    throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                            "Shards " + a.id + " and " + b.id + " are not adjacent open shards");
                }
                a.close(s.lastSequence());
                b.close(s.lastSequence());
                s.addShard(low.start, high.end, a.id, b.id);
                return MergeShardsResponse.builder().build();
            }
        });
    }

    // ---- internals -----------------------------------------------------------------------------

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

    /** Whole-call faults for write calls; called under the lock. */
    private void writeFaults() {
        if (down.isOpen()) {
            throw error(InternalFailureException.builder(), "InternalFailureException", 500, "Internal service failure (outage).");
        }
        String code = failNextCalls.take();
        if (code != null) {
            throw exceptionFor(code);
        }
    }

    /** A service exception of the type the SDK would unmarshal for {@code code}. */
    static AwsServiceException exceptionFor(String code) {
        String message = "injected " + code;
        switch (code) {
            case "ResourceNotFoundException":
                return error(ResourceNotFoundException.builder(), code, 400, message);
            case "InvalidArgumentException":
                return error(InvalidArgumentException.builder(), code, 400, message);
            case "ProvisionedThroughputExceededException":
                return error(ProvisionedThroughputExceededException.builder(), code, 400, message);
            case "InternalFailureException":
                return error(InternalFailureException.builder(), code, 500, message);
            case "AccessDeniedException":
                return error(software.amazon.awssdk.services.kinesis.model.AccessDeniedException.builder(), code, 400, message);
            case "KMSDisabledException":
                return error(software.amazon.awssdk.services.kinesis.model.KmsDisabledException.builder(), code, 400, message);
            case "LimitExceededException":
                return error(software.amazon.awssdk.services.kinesis.model.LimitExceededException.builder(), code, 400, message);
            default:
                return error(KinesisException.builder(), code, 400, message);
        }
    }

    private static AwsServiceException error(AwsServiceException.Builder builder, String code, int status, String message) {
        return builder.message(message).statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Kinesis").build())
                .build();
    }

    private void validateEntry(Stream s, @Nullable String partitionKey, @Nullable String explicitHashKey,
                               @Nullable SdkBytes data, int index) {
        if (partitionKey == null || partitionKey.isEmpty()
                || partitionKey.codePointCount(0, partitionKey.length()) > MAX_PARTITION_KEY_CHARS) {
            throw error(ValidationException.builder(), "ValidationException", 400, "1 validation error detected: Value at"
                    + " 'records." + (index + 1) + ".member.partitionKey' failed to satisfy constraint: Member must have length"
                    + " between 1 and " + MAX_PARTITION_KEY_CHARS);
        }
        if (data == null) {
            throw error(ValidationException.builder(), "ValidationException", 400, "records." + (index + 1) + ".data is required");
        }
        long size = sizeOf(data, partitionKey);
        if (size > s.maxRecordSizeKiB * 1024L) {
            throw error(ValidationException.builder(), "ValidationException", 400, "Record " + index + " is " + size
                    + " bytes (data plus partition key), over the stream's limit of " + s.maxRecordSizeKiB + " KiB");
        }
        if (explicitHashKey != null) {
            BigInteger h;
            try {
                h = new BigInteger(explicitHashKey);
            } catch (NumberFormatException e) {
                h = BigInteger.valueOf(-1);
            }
            if (h.signum() < 0 || h.compareTo(MAX_HASH_KEY) > 0) {
                throw error(InvalidArgumentException.builder(), "InvalidArgumentException", 400,
                        "ExplicitHashKey " + explicitHashKey + " is not a decimal between 0 and 2^128-1");
            }
        }
    }

    private static long sizeOf(SdkBytes data, String partitionKey) {
        return data.asByteBuffer().remaining() + partitionKey.getBytes(StandardCharsets.UTF_8).length;
    }

    private static BigInteger hashKeyOf(String partitionKey, @Nullable String explicitHashKey) {
        if (explicitHashKey != null) {
            return new BigInteger(explicitHashKey);
        }
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return new BigInteger(1, md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String iterator(String stream, String shardId, int position) {
        return "fake|" + stream + "|" + shardId + "|" + position;
    }

    private Stream streamOrThrow(String name) {
        Stream s = streams.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no stream " + name + "; streams: " + streams.keySet());
        }
        return s;
    }

    private Stream find(@Nullable String name, @Nullable String arn) {
        Stream s = null;
        if (name != null) {
            s = streams.get(name);
        } else if (arn != null) {
            for (Stream candidate : streams.values()) {
                if (candidate.arn.equals(arn)) {
                    s = candidate;
                }
            }
        }
        if (s == null) {
            throw error(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400,
                    "Stream " + (name != null ? name : arn) + " under account 000000000000 not found.");
        }
        return s;
    }

    // ---- model ---------------------------------------------------------------------------------

    /** One event as stored, after de-aggregation. */
    public static final class StoredEvent {
        private final String shardId;
        private final String sequenceNumber;
        private final int subSequence;
        private final String partitionKey;
        private final byte[] data;
        private final boolean aggregated;

        StoredEvent(String shardId, String sequenceNumber, int subSequence, String partitionKey, byte[] data,
                    boolean aggregated) {
            this.shardId = shardId;
            this.sequenceNumber = sequenceNumber;
            this.subSequence = subSequence;
            this.partitionKey = partitionKey;
            this.data = data;
            this.aggregated = aggregated;
        }

        /** {@return the id of the shard that stores it} */
        public String shardId() {
            return shardId;
        }

        /** {@return the sequence number of its Kinesis record} */
        public String sequenceNumber() {
            return sequenceNumber;
        }

        /** {@return its index inside an aggregated record (0 for a plain one)} */
        public int subSequence() {
            return subSequence;
        }

        /** {@return its own partition key} */
        public String partitionKey() {
            return partitionKey;
        }

        /** {@return a copy of its payload} */
        public byte[] data() {
            return data.clone();
        }

        /** {@return its payload as UTF-8 text} */
        public String dataAsUtf8() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** {@return whether it arrived inside an aggregated record} */
        public boolean aggregated() {
            return aggregated;
        }

        @Override
        public String toString() {
            return "StoredEvent{" + shardId + ", seq=" + sequenceNumber + "/" + subSequence + ", key=" + partitionKey
                    + ", " + data.length + " bytes}";
        }
    }

    /** Billing counters of one stream. */
    public static final class Billing {
        private final long records;
        private final long bytes;
        private final long putPayloadUnits;
        private final long putCalls;

        Billing(long records, long bytes, long putPayloadUnits, long putCalls) {
            this.records = records;
            this.bytes = bytes;
            this.putPayloadUnits = putPayloadUnits;
            this.putCalls = putCalls;
        }

        /** {@return the Kinesis records accepted (an aggregated record counts once)} */
        public long records() {
            return records;
        }

        /** {@return the bytes accepted, data plus partition keys} */
        public long bytes() {
            return bytes;
        }

        /** {@return the PUT payload units: each record rounded up to 25 KiB chunks} */
        public long putPayloadUnits() {
            return putPayloadUnits;
        }

        /** {@return the accepted write calls ({@code PutRecord} and {@code PutRecords}) across all streams} */
        public long putCalls() {
            return putCalls;
        }

        @Override
        public String toString() {
            return "Billing{records=" + records + ", bytes=" + bytes + ", putPayloadUnits=" + putPayloadUnits
                    + ", putCalls=" + putCalls + '}';
        }
    }

    private static final class StoredRecord {
        final String sequenceNumber;
        final String partitionKey;
        final @Nullable String explicitHashKey;
        final byte[] data;
        final long arrivalMillis;

        StoredRecord(String sequenceNumber, String partitionKey, @Nullable String explicitHashKey, byte[] data,
                     long arrivalMillis) {
            this.sequenceNumber = sequenceNumber;
            this.partitionKey = partitionKey;
            this.explicitHashKey = explicitHashKey;
            this.data = data;
            this.arrivalMillis = arrivalMillis;
        }
    }

    private final class Stream {
        final String name;
        final String arn;
        final long createdMillis;
        final List<FakeShard> shards = new ArrayList<>();
        int maxRecordSizeKiB = DEFAULT_MAX_RECORD_SIZE_KIB;
        long sequence;
        long billedRecords;
        long billedBytes;
        long putPayloadUnits;

        Stream(String name, String arn, long createdMillis) {
            this.name = name;
            this.arn = arn;
            this.createdMillis = createdMillis;
        }

        void addShard(BigInteger start, BigInteger end, @Nullable String parent, @Nullable String adjacentParent) {
            shards.add(new FakeShard(String.format("shardId-%012d", shards.size()), start, end, parent, adjacentParent,
                    nextSequence()));
        }

        String nextSequence() {
            // Fixed width, so string order is numeric order, like the service's sequence numbers.
            return "49" + String.format("%054d", ++sequence);
        }

        String lastSequence() {
            return "49" + String.format("%054d", sequence);
        }

        List<FakeShard> openShards() {
            List<FakeShard> open = new ArrayList<>();
            for (FakeShard s : shards) {
                if (!s.closed) {
                    open.add(s);
                }
            }
            return open;
        }

        FakeShard shardFor(BigInteger hashKey) {
            for (FakeShard s : shards) {
                if (!s.closed && s.contains(hashKey)) {
                    return s;
                }
            }
            throw new IllegalStateException("no open shard covers hash key " + hashKey);
        }

        FakeShard shard(String id) {
            for (FakeShard s : shards) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw error(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400,
                    "Shard " + id + " in stream " + name + " under account 000000000000 does not exist");
        }

        StoredRecord store(FakeShard shard, String key, @Nullable String explicitHashKey, byte[] data, long nowMillis) {
            StoredRecord r = new StoredRecord(nextSequence(), key, explicitHashKey, data, nowMillis);
            shard.records.add(r);
            long size = data.length + key.getBytes(StandardCharsets.UTF_8).length;
            billedRecords++;
            billedBytes += size;
            putPayloadUnits += Math.max(1, (size + PUT_PAYLOAD_UNIT_BYTES - 1) / PUT_PAYLOAD_UNIT_BYTES);
            return r;
        }
    }

    private static final class FakeShard {
        final String id;
        final BigInteger start;
        final BigInteger end;
        final @Nullable String parent;
        final @Nullable String adjacentParent;
        final String startingSequence;
        final List<StoredRecord> records = new ArrayList<>();
        boolean closed;
        @Nullable String endingSequence;
        /** Throughput budget: a token bucket of one second's limit, refilled continuously. */
        double recordTokens = SHARD_RECORDS_PER_SECOND;
        double byteTokens = SHARD_BYTES_PER_SECOND;
        long tokensAtNanos = Long.MIN_VALUE;

        FakeShard(String id, BigInteger start, BigInteger end, @Nullable String parent, @Nullable String adjacentParent,
                  String startingSequence) {
            this.id = id;
            this.start = start;
            this.end = end;
            this.parent = parent;
            this.adjacentParent = adjacentParent;
            this.startingSequence = startingSequence;
        }

        boolean contains(BigInteger hashKey) {
            return hashKey.compareTo(start) >= 0 && hashKey.compareTo(end) <= 0;
        }

        void close(String lastSequence) {
            closed = true;
            endingSequence = lastSequence;
        }

        /**
         * Meters writes with a token bucket holding one second of the shard limits, refilled
         * continuously: a steady rate within the limit is never throttled, bursts up to one second's
         * budget pass.
         */
        boolean admit(int n, long bytes, long nowNanos) {
            if (tokensAtNanos != Long.MIN_VALUE && nowNanos > tokensAtNanos) {
                double seconds = (nowNanos - tokensAtNanos) / (double) NANOS_PER_SECOND;
                recordTokens = Math.min(SHARD_RECORDS_PER_SECOND, recordTokens + seconds * SHARD_RECORDS_PER_SECOND);
                byteTokens = Math.min(SHARD_BYTES_PER_SECOND, byteTokens + seconds * SHARD_BYTES_PER_SECOND);
            }
            tokensAtNanos = Math.max(nowNanos, tokensAtNanos);
            if (recordTokens < n || byteTokens < bytes) {
                return false;
            }
            recordTokens -= n;
            byteTokens -= bytes;
            return true;
        }

        int positionOf(String sequenceNumber) {
            for (int i = 0; i < records.size(); i++) {
                if (records.get(i).sequenceNumber.compareTo(sequenceNumber) >= 0) {
                    return i;
                }
            }
            return records.size();
        }

        Shard toShard() {
            return Shard.builder().shardId(id).parentShardId(parent).adjacentParentShardId(adjacentParent)
                    .hashKeyRange(HashKeyRange.builder().startingHashKey(start.toString()).endingHashKey(end.toString()).build())
                    .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber(startingSequence)
                            .endingSequenceNumber(endingSequence).build())
                    .build();
        }
    }
}
