package dev.twinstream.kinesis;

import dev.twinstream.aws.internal.AwsClientSettings;
import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.kinesis.internal.Aggregator;
import dev.twinstream.kinesis.internal.KinesisSender;
import dev.twinstream.kinesis.internal.OwnScheduler;
import dev.twinstream.kinesis.internal.ShardMapCache;
import dev.twinstream.kinesis.internal.StreamId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;

/**
 * A {@link Sink} that writes events to one Amazon Kinesis data stream with {@code PutRecords}.
 *
 * <ul>
 *   <li><b>Shard prediction.</b> Each event's shard is predicted from the MD5 of its partition key
 *       and the stream's open shards ({@code ListShards}, cached, reloaded every
 *       {@link Builder#shardMapRefreshInterval} and as soon as a put lands on an unexpected shard).
 *       The first send waits (asynchronously) for the first {@code ListShards}.
 *   <li><b>Aggregation</b> (on by default). Events for the same shard are packed into
 *       KPL-compatible aggregated records of at most {@link Builder#aggregatedRecordMaxBytes}
 *       bytes, each sent with an explicit hash key inside its shard; consumers de-aggregate with the
 *       KCL or the kinesis-aggregation libraries. A failure of an aggregated record applies to every
 *       event in it.
 *   <li><b>Buffering</b> ({@link Builder#maxBufferedTime}, 500 ms by default). A shard's record that
 *       is not full stays open for the events of the following batches until it is full or its
 *       oldest event has waited the buffering time since {@code track()}; the tracker's
 *       {@code flush()} and {@code close()} send it at once ({@link #sendHeld()}). A batch's result
 *       comes when its last record was sent, at most the buffering time after its oldest event was
 *       tracked (plus the call). A caller of {@link #send} other than the tracker gets its result
 *       after the buffering time unless it calls {@link #sendHeld()}.
 *   <li><b>Rate limiting</b> (on by default, at the service limits of 1,000 records/s and 1 MiB/s per
 *       shard). Records a shard cannot take yet are held by the sink and sent when its budget
 *       allows, so throttling is avoided instead of retried into; a throttled shard's budget is
 *       pushed back.
 *   <li><b>Errors.</b> Only failed entries are reported as failed. Kinesis' own codes come first
 *       ({@code ResourceNotFoundException}, {@code InvalidArgumentException} and {@code KMS*} errors
 *       except {@code KMSThrottlingException} are permanent), then the policy every Twinstream AWS
 *       sink shares: throttling, internal errors, expiring credentials and clock skew
 *       ({@code ExpiredTokenException}, {@code RequestExpired}, {@code InvalidSignatureException}),
 *       HTTP 429 and 5xx, timeouts and connection failures are retryable; denied access, other 4xx
 *       and programming errors (also a bug while planning a batch) are permanent (see
 *       docs/ARCHITECTURE.md, "AWS error policy").
 * </ul>
 *
 * <p>The {@link KinesisAsyncClient} belongs to the caller, who closes it after the tracker;
 * {@link #recommendedClientConfiguration()} turns the SDK's own retries off, since the tracker
 * retries only the failed records, and building the sink logs a warning when the client retries on
 * its own. Thread-safe. Build it with {@link #builder(KinesisAsyncClient, String)}.
 */
public final class KinesisSink implements Sink {

    /** Most records in one {@code PutRecords} call (Kinesis Data Streams API reference, PutRecords). */
    public static final int MAX_RECORDS_PER_REQUEST = KinesisSender.MAX_RECORDS_PER_REQUEST;
    /** Most bytes in one {@code PutRecords} call, partition keys included: 10 MiB (PutRecords; older streams and docs: 5 MiB). */
    public static final long MAX_REQUEST_BYTES = 10L * 1024 * 1024;
    /** The smallest request limit accepted, the former service limit: 5 MiB (PutRecords). */
    public static final long MIN_REQUEST_BYTES = 5L * 1024 * 1024;
    /** Default record size limit, data plus partition key: 1 MiB (PutRecordsRequestEntry.Data; stream default). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    /** Largest record size a stream can be set to: 10 MiB (UpdateMaxRecordSize API reference). */
    public static final int LARGEST_MAX_RECORD_BYTES = 10 * 1024 * 1024;
    /** Most partition-key characters (PutRecordsRequestEntry.PartitionKey: 1 to 256). */
    public static final int MAX_PARTITION_KEY_CHARS = KinesisSender.MAX_PARTITION_KEY_CHARS;
    /** Bytes reserved in a record for its partition key: 256 characters of up to 4 UTF-8 bytes. */
    public static final int PARTITION_KEY_RESERVE_BYTES = MAX_PARTITION_KEY_CHARS * 4;
    /**
     * Default target size of an aggregated record, partition key included: one PUT payload unit
     * ({@link #PUT_PAYLOAD_UNIT_BYTES}), so a full record bills exactly one unit and the record a
     * shard sends before it is full wastes less than one. (The KPL's default is 50 KiB: two units,
     * where a record sent at 26 KB bills as much as a full one.)
     */
    public static final int DEFAULT_AGGREGATED_RECORD_MAX_BYTES = 25 * 1024;
    /** Default most events per {@code send} with aggregation (without: {@link #MAX_RECORDS_PER_REQUEST}). */
    public static final int DEFAULT_MAX_EVENTS_PER_BATCH = 20_000;
    /** Upper bound of {@link Builder#maxEventsPerBatch}. */
    public static final int MAX_EVENTS_PER_BATCH = 100_000;
    /** Per-shard write limit in records per second (Kinesis Data Streams quotas: 1,000 records/s per shard). */
    public static final int SHARD_RECORDS_PER_SECOND = 1000;
    /** Per-shard write limit in bytes per second (Kinesis Data Streams quotas: 1 MB/s per shard, taken as 1 MiB). */
    public static final long SHARD_BYTES_PER_SECOND = 1024L * 1024;
    /** Default interval after which the shard map is reloaded: 1 minute. */
    public static final Duration DEFAULT_SHARD_MAP_REFRESH_INTERVAL = Duration.ofMinutes(1);
    /** Default time a throttled shard's budget is pushed back: 1 second (the service's metering window). */
    public static final Duration DEFAULT_THROTTLE_BACKOFF = Duration.ofSeconds(1);

    /**
     * Provisioned streams bill PUT payload units of 25 KB per record (Amazon Kinesis Data Streams
     * pricing; ../shared/AWS-LIMITS.md, "billing"): taken as 25,600 bytes, the unit the testkit's
     * {@code FakeKinesis} bills. On-demand streams bill per record rounded up to 1 KB instead.
     */
    public static final int PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
    /**
     * The default latency budget with aggregation ({@link Builder#maxBufferedTime}): 500 ms from
     * {@code track()} to the {@code PutRecords} call. Kinesis is read within about a second (the KCL
     * polls a shard once per second by default), so half a second stays sub-second end to end, while
     * at 1,000 events/s of 250 bytes on 4 shards every aggregated record fills its PUT payload unit.
     */
    public static final Duration DEFAULT_MAX_BUFFERED_TIME = Duration.ofMillis(500);
    /**
     * The sink's default linger (the tracker's batching, {@code SinkOptions.SINK_DEFAULT_LINGER}) with
     * the default buffering time: 250 ms. While the sink buffers, its default linger is half the
     * buffering time: the tracker hands over a batch every half budget, so an open record takes
     * the next batch too, and a batch waiting for its records keeps only a few of the 4 calls in
     * flight. Without buffering (no aggregation, or {@code maxBufferedTime(Duration.ZERO)}) the
     * default linger is the whole budget, {@link #DEFAULT_MAX_BUFFERED_TIME}.
     */
    public static final Duration DEFAULT_LINGER = DEFAULT_MAX_BUFFERED_TIME.dividedBy(2);

    private static final Logger LOG = LoggerFactory.getLogger(KinesisSink.class);

    private final SinkLimits limits;
    private final KinesisSender sender;
    private final @Nullable OwnScheduler ownScheduler;
    private final int maxRecordBytes;

    private KinesisSink(Builder b, int maxRecordBytes) {
        AwsClientSettings.warnIfSdkRetries(b.client, "KinesisAsyncClient", "KinesisSink.recommendedClientConfiguration()", LOG);
        this.maxRecordBytes = maxRecordBytes;
        this.ownScheduler = b.scheduler == null ? new OwnScheduler() : null;
        Scheduler scheduler = b.scheduler != null ? b.scheduler : ownScheduler;
        Clock clock = b.clock != null ? b.clock : Clock.system();
        StreamId stream = StreamId.of(b.stream);
        ShardMapCache maps = new ShardMapCache(b.client, stream, b.shardMapRefreshInterval, clock, scheduler);
        int aggregateTarget = Math.min(b.aggregatedRecordMaxBytes, maxRecordBytes);
        boolean buffering = b.aggregation && !b.maxBufferedTime.isZero();
        this.sender = new KinesisSender(b.client, stream, maps, b.aggregation, aggregateTarget, b.maxRequestBytes,
                b.rateLimiting, b.shardRecordsPerSecond, b.shardBytesPerSecond, b.throttleBackoff.toNanos(),
                b.maxBufferedTime.toNanos(), clock, scheduler);
        int events = b.maxEventsPerBatch != 0 ? b.maxEventsPerBatch
                : b.aggregation ? DEFAULT_MAX_EVENTS_PER_BATCH : MAX_RECORDS_PER_REQUEST;
        // A plain record is data + partition key; reserving the longest key keeps any event sendable
        // on its own, which is also the path for events too large to share an aggregated record.
        int perRecord = maxRecordBytes - PARTITION_KEY_RESERVE_BYTES;
        // Declaring the key limit makes track() reject keys Kinesis would refuse, with a clear error.
        this.limits = SinkLimits.of(events, b.maxRequestBytes, perRecord).withMaxPartitionKeyChars(MAX_PARTITION_KEY_CHARS)
                .withBillingUnitBytes(PUT_PAYLOAD_UNIT_BYTES)
                .withDefaultLinger(buffering ? b.maxBufferedTime.dividedBy(2) : DEFAULT_MAX_BUFFERED_TIME);
    }

    /**
     * Starts a builder.
     *
     * @param client the client to write with; owned by the caller, never closed by the sink
     * @param streamNameOrArn the stream's name, or its ARN (starting with {@code arn:})
     * @return the builder
     */
    public static Builder builder(KinesisAsyncClient client, String streamNameOrArn) {
        return new Builder(client, streamNameOrArn);
    }

    /**
     * Client settings for a client used by this sink, the same as the Firehose sink's: the SDK's
     * retries off ({@code AwsRetryStrategy.doNotRetry()}: the tracker retries only the records that
     * failed, with backoff, and counts them), each HTTP attempt bounded to 15 s
     * ({@code apiCallAttemptTimeout}: a healthy call answers in well under a second, and a 10 MiB
     * request still uploads in time on a slow link) and each call to 30 s ({@code apiCallTimeout}, the
     * backstop that also covers signing and credentials). A timed-out call is retryable, so a call that
     * hangs frees its in-flight slot instead of holding it. Apply with
     * {@code KinesisAsyncClient.builder().overrideConfiguration(...)}, or copy it with
     * {@code toBuilder()} to add your own settings.
     *
     * @return a new configuration
     */
    public static ClientOverrideConfiguration recommendedClientConfiguration() {
        return AwsClientSettings.recommendedClientConfiguration();
    }

    @Override
    public SinkLimits limits() {
        return limits;
    }

    /** {@return the record size limit this sink packs to: data plus partition key, in bytes} */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    @Override
    public CompletionStage<BatchResult> send(SinkBatch batch) {
        return sender.send(batch);
    }

    /** Sends the aggregated records held open for more events now (the tracker is flushing). */
    @Override
    public void sendHeld() {
        sender.sendHeld();
    }

    /**
     * Stops the sink's own timer thread, if it has one; batches not yet started and records still
     * held (rate-limited) fail as retryable with code {@code SinkClosed}, so every send's future
     * completes. The client stays open.
     */
    @Override
    public void close() {
        sender.close();
        if (ownScheduler != null) {
            ownScheduler.close();
        }
    }

    /**
     * Configures a {@link KinesisSink}. Every setter records its value; {@link #build()} checks them
     * all and throws one {@link ConfigurationException} naming every bad field.
     */
    public static final class Builder {
        private final KinesisAsyncClient client;
        private final String stream;
        private boolean aggregation = true;
        private int aggregatedRecordMaxBytes = DEFAULT_AGGREGATED_RECORD_MAX_BYTES;
        private int maxEventsPerBatch;
        private long maxRequestBytes = MAX_REQUEST_BYTES;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private boolean maxRecordBytesSet;
        private boolean rateLimiting = true;
        private int shardRecordsPerSecond = SHARD_RECORDS_PER_SECOND;
        private long shardBytesPerSecond = SHARD_BYTES_PER_SECOND;
        private Duration shardMapRefreshInterval = DEFAULT_SHARD_MAP_REFRESH_INTERVAL;
        private Duration throttleBackoff = DEFAULT_THROTTLE_BACKOFF;
        private Duration maxBufferedTime = DEFAULT_MAX_BUFFERED_TIME;
        private @Nullable Clock clock;
        private @Nullable Scheduler scheduler;

        private Builder(KinesisAsyncClient client, String stream) {
            this.client = client;
            this.stream = stream;
        }

        /**
         * KPL-compatible aggregation of events per shard; on by default.
         *
         * @param enabled whether to aggregate
         * @return this builder
         */
        public Builder aggregation(boolean enabled) {
            this.aggregation = enabled;
            return this;
        }

        /**
         * How long an event may wait in all, from {@code track()} to its {@code PutRecords} call, while
         * its shard's aggregated record fills: 0 to 1 min, default {@link KinesisSink#DEFAULT_MAX_BUFFERED_TIME}
         * (500 ms). A shard's last record of a batch that is not full stays open for the events of
         * the next batches and is sent when full or when its oldest event has waited this long (a
         * flush of the tracker sends it at once). 0 sends each batch's records with it; then the
         * default linger is 500 ms. Applies only with aggregation.
         *
         * @param time the longest wait of an event, tracker linger included
         * @return this builder
         */
        public Builder maxBufferedTime(Duration time) {
            this.maxBufferedTime = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * Target size of an aggregated record, partition key included; 25 KiB (one PUT payload unit) by
         * default, at most the record limit.
         *
         * @param bytes the target size in bytes
         * @return this builder
         */
        public Builder aggregatedRecordMaxBytes(int bytes) {
            this.aggregatedRecordMaxBytes = bytes;
            return this;
        }

        /**
         * Most events per {@code send} (the tracker's batch). Default 20,000 with aggregation, 500
         * without (then at most 500). A batch larger than one request is split into several.
         *
         * @param events the most events per batch
         * @return this builder
         */
        public Builder maxEventsPerBatch(int events) {
            this.maxEventsPerBatch = events;
            return this;
        }

        /**
         * Most bytes per {@code PutRecords} request, partition keys included: 5 to 10 MiB; default 10 MiB.
         *
         * @param bytes the request limit in bytes
         * @return this builder
         */
        public Builder maxRequestBytes(long bytes) {
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * The stream's record size limit (data plus partition key): 1 to 10 MiB, default 1 MiB. Without
         * it, {@link #buildAsync()} reads it from {@code DescribeStreamSummary}.
         *
         * @param bytes the record size limit in bytes
         * @return this builder
         */
        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            this.maxRecordBytesSet = true;
            return this;
        }

        /**
         * Per-shard token buckets; on by default. Turn off only when something else meters the shards.
         *
         * @param enabled whether to rate-limit each shard
         * @return this builder
         */
        public Builder rateLimiting(boolean enabled) {
            this.rateLimiting = enabled;
            return this;
        }

        /**
         * Records per second per shard when rate limiting: 1 to 1,000, default 1,000.
         *
         * @param records the records per second
         * @return this builder
         */
        public Builder shardRecordsPerSecond(int records) {
            this.shardRecordsPerSecond = records;
            return this;
        }

        /**
         * Bytes per second per shard when rate limiting: 1 KiB to 1 MiB, default 1 MiB.
         *
         * @param bytes the bytes per second
         * @return this builder
         */
        public Builder shardBytesPerSecond(long bytes) {
            this.shardBytesPerSecond = bytes;
            return this;
        }

        /**
         * How old the shard map may get before it is reloaded: 1 s to 1 h, default 1 min.
         *
         * @param interval the refresh interval
         * @return this builder
         */
        public Builder shardMapRefreshInterval(Duration interval) {
            this.shardMapRefreshInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * How far a throttled shard's budget is pushed back: 0 to 1 min, default 1 s.
         *
         * @param backoff the push-back
         * @return this builder
         */
        public Builder throttleBackoff(Duration backoff) {
            this.throttleBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * The clock for rate limits and shard-map age; the tracker's clock in tests. Default: system.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Runs held sends and shard-map reloads; owned by the caller. Default: a daemon thread owned by
         * the sink and stopped by {@link KinesisSink#close()}.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the sink without calling Kinesis. Logs a warning when the client has the AWS SDK's
         * own retries on (see {@link KinesisSink#recommendedClientConfiguration()}).
         *
         * @return the sink
         * @throws ConfigurationException naming every invalid setting
         */
        public KinesisSink build() {
            validate(maxRecordBytes);
            return new KinesisSink(this, maxRecordBytes);
        }

        /**
         * Reads the stream's record size limit with {@code DescribeStreamSummary} (unless
         * {@link #maxRecordBytes} was set), then builds the sink. Where the API does not report the
         * limit, the default of 1 MiB applies.
         *
         * @return the sink, or a future failed with the {@code DescribeStreamSummary} error or a
         *     {@link ConfigurationException}
         * @throws ConfigurationException naming every invalid setting of the builder (checked before calling Kinesis)
         */
        public CompletableFuture<KinesisSink> buildAsync() {
            validate(maxRecordBytes);
            if (maxRecordBytesSet) {
                return CompletableFuture.completedFuture(build());
            }
            DescribeStreamSummaryRequest request = StreamId.of(stream).apply(DescribeStreamSummaryRequest.builder()).build();
            return client.describeStreamSummary(request).thenApply(response -> {
                Integer kib = response.streamDescriptionSummary().maxRecordSizeInKiB();
                int bytes = kib == null ? DEFAULT_MAX_RECORD_BYTES
                        : (int) Math.min(LARGEST_MAX_RECORD_BYTES, Math.max(DEFAULT_MAX_RECORD_BYTES, kib * 1024L));
                validate(bytes);
                return new KinesisSink(this, bytes);
            });
        }

        private void validate(int recordBytes) {
            List<String> v = new ArrayList<>();
            if (client == null) {
                v.add("client must not be null");
            }
            if (stream == null || stream.isEmpty()) {
                v.add("stream must be a stream name or ARN but was " + (stream == null ? "null" : "empty"));
            }
            range(v, "maxRecordBytes", recordBytes, DEFAULT_MAX_RECORD_BYTES, LARGEST_MAX_RECORD_BYTES);
            range(v, "maxRequestBytes", maxRequestBytes, Math.max(MIN_REQUEST_BYTES, recordBytes), MAX_REQUEST_BYTES);
            range(v, "aggregatedRecordMaxBytes", aggregatedRecordMaxBytes,
                    Aggregator.FRAMING_BYTES + PARTITION_KEY_RESERVE_BYTES, recordBytes);
            if (maxEventsPerBatch != 0) {
                range(v, "maxEventsPerBatch", maxEventsPerBatch, 1,
                        aggregation ? MAX_EVENTS_PER_BATCH : MAX_RECORDS_PER_REQUEST);
            }
            range(v, "shardRecordsPerSecond", shardRecordsPerSecond, 1, SHARD_RECORDS_PER_SECOND);
            range(v, "shardBytesPerSecond", shardBytesPerSecond, 1024, SHARD_BYTES_PER_SECOND);
            duration(v, "shardMapRefreshInterval", shardMapRefreshInterval, Duration.ofSeconds(1), Duration.ofHours(1));
            duration(v, "throttleBackoff", throttleBackoff, Duration.ZERO, Duration.ofMinutes(1));
            duration(v, "maxBufferedTime", maxBufferedTime, Duration.ZERO, Duration.ofMinutes(1));
            if (!v.isEmpty()) {
                List<String> named = new ArrayList<>();
                for (String s : v) {
                    named.add("KinesisSink." + s);
                }
                throw new ConfigurationException(named);
            }
        }

        private static void range(List<String> v, String field, long value, long min, long max) {
            if (value < min || value > max) {
                v.add(field + " must be between " + min + " and " + max + " but was " + value);
            }
        }

        private static void duration(List<String> v, String field, Duration value, Duration min, Duration max) {
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                v.add(field + " must be between " + min + " and " + max + " but was " + value);
            }
        }
    }
}
