package dev.twinstream.testkit.firehose;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.internal.FaultPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.DeleteDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DeleteDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamType;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsRequest;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.PutRecordRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordResponse;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/**
 * An in-memory Amazon Data Firehose that implements {@link FirehoseAsyncClient}: inject it where
 * the application passes a real client (for example into {@code FirehoseSink.builder(...)}).
 *
 * <p><b>Calls.</b> {@code createDeliveryStream} (ExtendedS3 or Redshift destinations; the
 * bucket, buffering hints, prefix and compression of the S3 configuration are used),
 * {@code describeDeliveryStream}, {@code listDeliveryStreams}, {@code deleteDeliveryStream},
 * {@code putRecord} and {@code putRecordBatch}. Every other operation keeps the interface's default
 * and throws {@link UnsupportedOperationException}. As with the real client, a failed call
 * completes its future exceptionally with a {@link CompletionException} whose cause is the SDK
 * exception.
 *
 * <p><b>Limits</b> (the real service's, with its exception types): at most
 * {@value #MAX_RECORDS_PER_REQUEST} records and {@value #MAX_BYTES_PER_REQUEST} bytes per
 * {@code PutRecordBatch}, at most {@value #MAX_BYTES_PER_RECORD} bytes per record, at least one
 * record — {@link InvalidArgumentException} otherwise, also counted in {@link #limitViolations()};
 * an unknown stream gives {@link ResourceNotFoundException}. Checked in this order: closed, outage,
 * limits, stream, injected call failures, per-entry failures.
 *
 * <p><b>Delivery.</b> Accepted records are buffered per stream and become a {@link DeliveredObject}
 * (an S3 object named as the service names them, in UTC:
 * {@code <prefix>YYYY/MM/dd/HH/<stream>-1-YYYY-MM-dd-HH-mm-ss-<uuid>[.gz]}, times of the oldest
 * record; the records concatenated, GZIP-compressed when the stream's compression format is
 * {@code GZIP}) when the buffer reaches the stream's size hint or its interval passes on the clock
 * (defaults {@value #DEFAULT_BUFFER_SIZE_MIB} MiB and {@value #DEFAULT_BUFFER_INTERVAL_SECONDS} s, as
 * the service's). The interval is evaluated lazily, at every call and read, at the virtual instant
 * it expired; {@link #flushBuffers()} and {@link #close()} deliver what is buffered at once. With
 * {@link Builder#s3Directory(Path)}, every object is also written to a local directory like S3 (and,
 * with a scheduler, each buffer's interval is kept on it, so that files appear on time).
 *
 * <p><b>Billing.</b> Per stream: accepted records, their bytes, and billed bytes — each record
 * rounded up to a multiple of {@value #BILLING_INCREMENT_BYTES} bytes (the pricing page's "5 KB
 * increments", with KB = 1,024 bytes as in the service's 1,000 KiB record limit).
 *
 * <p><b>Faults</b>, driven by a seeded {@link Random} and the clock: per-entry failures and
 * throttling ({@link #failFraction}, {@link #throttleFraction}), whole-call throttling
 * ({@link #throttleNextCalls}, {@link #throttleFor}), whole-call errors ({@link #failNextCalls}),
 * {@link #latency}, outages ({@link #downFor}) and resource-not-found (a stream that was never
 * created or was deleted). The same calls with the same seed give the same outcomes.
 *
 * <p><b>Time.</b> With a {@link Scheduler} every future completes from a task on it, after the
 * latency: with a {@link VirtualScheduler} nothing completes until the test advances it. Without a
 * scheduler, futures complete before the call returns and latency is not available. A call's
 * records are accepted (and visible to the read methods) when the call is made.
 *
 * <p>Thread-safe. {@link #close()} delivers the buffers and marks it closed; later calls fail with
 * {@link IllegalStateException}.
 */
public final class FakeFirehose implements FirehoseAsyncClient {

    /** Most records per {@code PutRecordBatch} (Amazon Data Firehose API Reference, PutRecordBatch). */
    public static final int MAX_RECORDS_PER_REQUEST = 500;
    /** Most record bytes per {@code PutRecordBatch}: 4 MiB (API Reference, PutRecordBatch). */
    public static final long MAX_BYTES_PER_REQUEST = 4L * 1024 * 1024;
    /** Largest record before base64: 1,000 KiB (API Reference, PutRecordBatch / Record). */
    public static final int MAX_BYTES_PER_RECORD = 1000 * 1024;
    /** Ingestion is billed per record in increments of 5 KB (Amazon Data Firehose pricing). */
    public static final int BILLING_INCREMENT_BYTES = 5 * 1024;
    /** Default S3 buffering size hint (API Reference, BufferingHints.SizeInMBs). */
    public static final int DEFAULT_BUFFER_SIZE_MIB = 5;
    /** Default S3 buffering interval hint (API Reference, BufferingHints.IntervalInSeconds). */
    public static final int DEFAULT_BUFFER_INTERVAL_SECONDS = 300;
    /** Delivery stream names (API Reference, CreateDeliveryStream). */
    public static final Pattern DELIVERY_STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");
    /** S3 bucket ARNs of a destination (API Reference, ExtendedS3DestinationConfiguration.BucketARN). */
    public static final Pattern BUCKET_ARN = Pattern.compile("arn:.*:s3:::([\\w.\\-]{1,255})");
    /** The bucket of the streams {@link #createStream(String)} creates, and of a destination without one. */
    public static final String DEFAULT_BUCKET_ARN = "arn:aws:s3:::twinstream-fake";
    /** The account id in ARNs and messages. */
    public static final String ACCOUNT_ID = "123456789012";
    /** The region in ARNs. */
    public static final String REGION = "us-east-1";

    private final Clock clock;
    private final long seed;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private final FirehoseFaults faults;
    private final @Nullable S3Directory directory;
    private final Random keys;
    private final TreeMap<String, DeliveryStream> streams = new TreeMap<>();
    private final FirehoseRequests requests = new FirehoseRequests();
    private long recordIds;
    private long calls;
    private boolean closed;

    private FakeFirehose(Builder b) {
        this.seed = b.seed;
        this.faults = new FirehoseFaults(b.scheduler, b.clock, seed);
        this.clock = faults.clock();
        this.keys = new Random(seed ^ 0x5DEECE66DL);
        this.directory = b.s3Directory == null ? null : new S3Directory(b.s3Directory);
    }

    /** {@return a builder: no scheduler, the system clock, seed 0, no local directory} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A fake on virtual time: futures complete on {@code time}, and its clock drives buffering and
     * fault windows.
     *
     * @param time the scheduler
     * @return the fake, seed 0
     */
    public static FakeFirehose create(VirtualScheduler time) {
        return builder().scheduler(time).build();
    }

    // ---- convenience setup ---------------------------------------------------------------------

    /**
     * Creates a delivery stream to {@value #DEFAULT_BUCKET_ARN} with the default buffering hints and
     * no compression, at once.
     *
     * @param name the delivery stream name
     * @return this fake
     * @throws InvalidArgumentException if the name is invalid
     * @throws ResourceInUseException if it exists
     */
    public FakeFirehose createStream(String name) {
        return createStream(name, DEFAULT_BUFFER_SIZE_MIB, Duration.ofSeconds(DEFAULT_BUFFER_INTERVAL_SECONDS),
                CompressionFormat.UNCOMPRESSED);
    }

    /**
     * Creates a delivery stream to {@value #DEFAULT_BUCKET_ARN} with the given buffering hints, at once.
     *
     * @param name the delivery stream name
     * @param bufferSizeMiB the size hint in MiB, 1 to 128
     * @param bufferInterval the interval hint, 0 to 900 seconds
     * @param compression {@code UNCOMPRESSED} or {@code GZIP}
     * @return this fake
     * @throws InvalidArgumentException if a setting is invalid
     * @throws ResourceInUseException if the stream exists
     */
    public FakeFirehose createStream(String name, int bufferSizeMiB, Duration bufferInterval, CompressionFormat compression) {
        CreateDeliveryStreamRequest request = CreateDeliveryStreamRequest.builder()
                .deliveryStreamName(name)
                .deliveryStreamType(DeliveryStreamType.DIRECT_PUT)
                .extendedS3DestinationConfiguration(ExtendedS3DestinationConfiguration.builder()
                        .bucketARN(DEFAULT_BUCKET_ARN)
                        .roleARN("arn:aws:iam::" + ACCOUNT_ID + ":role/firehose")
                        .bufferingHints(BufferingHints.builder().sizeInMBs(bufferSizeMiB)
                                .intervalInSeconds((int) bufferInterval.getSeconds()).build())
                        .compressionFormat(compression)
                        .build())
                .build();
        synchronized (lock) {
            create(request);
        }
        return this;
    }

    // ---- FirehoseAsyncClient ---------------------------------------------------------------------

    /** {@code "firehose"}, as the real client. */
    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    /**
     * Delivers every stream's buffered records as objects (and files, with a local directory), then
     * marks the fake closed; later calls fail with {@link IllegalStateException}.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                deliverAll();
            }
            closed = true;
        }
    }

    /**
     * Creates a delivery stream from an {@code ExtendedS3DestinationConfiguration}, a
     * {@code RedshiftDestinationConfiguration} (its intermediate S3 configuration gives the
     * bucket, buffering hints, prefix and compression) or the deprecated
     * {@code S3DestinationConfiguration}; with none of them, the defaults. Active at once.
     */
    @Override
    public CompletableFuture<CreateDeliveryStreamResponse> createDeliveryStream(CreateDeliveryStreamRequest request) {
        return call(() -> {
            String arn = create(request).arn;
            return CreateDeliveryStreamResponse.builder().deliveryStreamARN(arn).build();
        });
    }

    /** Describes an existing stream: ACTIVE, DirectPut, one S3 destination with its bucket and buffering hints. */
    @Override
    public CompletableFuture<DescribeDeliveryStreamResponse> describeDeliveryStream(DescribeDeliveryStreamRequest request) {
        return call(() -> DescribeDeliveryStreamResponse.builder()
                .deliveryStreamDescription(stream(request.deliveryStreamName()).describe()).build());
    }

    /** Lists stream names in alphabetical order, honouring {@code Limit} (default 10) and {@code ExclusiveStartDeliveryStreamName}. */
    @Override
    public CompletableFuture<ListDeliveryStreamsResponse> listDeliveryStreams(ListDeliveryStreamsRequest request) {
        return call(() -> {
            int limit = request.limit() == null ? 10 : request.limit();
            if (limit < 1 || limit > 10_000) {
                throw FirehoseExceptions.invalidArgument("1 validation error detected: Value '" + limit
                        + "' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000");
            }
            String after = request.exclusiveStartDeliveryStreamName();
            List<String> names = new ArrayList<>(after == null ? streams.keySet() : streams.tailMap(after, false).keySet());
            boolean more = names.size() > limit;
            return ListDeliveryStreamsResponse.builder()
                    .deliveryStreamNames(more ? names.subList(0, limit) : names)
                    .hasMoreDeliveryStreams(more)
                    .build();
        });
    }

    /** The first page of stream names, as {@link #listDeliveryStreams(ListDeliveryStreamsRequest)} with no options. */
    @Override
    public CompletableFuture<ListDeliveryStreamsResponse> listDeliveryStreams() {
        return listDeliveryStreams(ListDeliveryStreamsRequest.builder().build());
    }

    /**
     * Deletes a stream with everything it buffered and delivered; later puts get
     * ResourceNotFoundException. Files already written to the local directory stay, as S3 objects do.
     */
    @Override
    public CompletableFuture<DeleteDeliveryStreamResponse> deleteDeliveryStream(DeleteDeliveryStreamRequest request) {
        return call(() -> {
            streams.remove(stream(request.deliveryStreamName()).name);
            return DeleteDeliveryStreamResponse.builder().build();
        });
    }

    /** Puts one record, with the same checks and faults as one entry of {@link #putRecordBatch}. */
    @Override
    public CompletableFuture<PutRecordResponse> putRecord(PutRecordRequest request) {
        return call(() -> {
            byte[] data = requests.checkRecord(request.record());
            DeliveryStream s = stream(request.deliveryStreamName());
            faults.beforePut(s);
            s.entriesReceived++;
            String failure = faults.entryFailure();
            if (failure != null) {
                s.entriesFailed++;
                throw FirehoseExceptions.forEntry(failure);
            }
            s.accept(data);
            return PutRecordResponse.builder().recordId(nextRecordId()).encrypted(false).build();
        });
    }

    /**
     * Puts a batch: checks the limits and the stream, applies the call and entry faults, accepts
     * the other entries and answers one entry per record, in order.
     */
    @Override
    public CompletableFuture<PutRecordBatchResponse> putRecordBatch(PutRecordBatchRequest request) {
        return call(() -> {
            List<byte[]> data = requests.checkRecords(request);
            DeliveryStream s = stream(request.deliveryStreamName());
            faults.beforePut(s);
            List<PutRecordBatchResponseEntry> entries = new ArrayList<>(data.size());
            int failed = 0;
            for (byte[] d : data) {
                s.entriesReceived++;
                String failure = faults.entryFailure();
                if (failure != null) {
                    failed++;
                    s.entriesFailed++;
                    entries.add(PutRecordBatchResponseEntry.builder().errorCode(failure)
                            .errorMessage(FirehoseExceptions.entryMessage(failure)).build());
                } else {
                    s.accept(d);
                    entries.add(PutRecordBatchResponseEntry.builder().recordId(nextRecordId()).build());
                }
            }
            return PutRecordBatchResponse.builder().failedPutCount(failed).encrypted(false)
                    .requestResponses(entries).build();
        });
    }

    // ---- fault controls ------------------------------------------------------------------------

    /**
     * Makes each later entry fail independently with probability {@code fraction}, with
     * {@code errorCode} (typically {@code ServiceUnavailableException} or {@code InternalFailure},
     * or a permanent code such as {@code KMS.AccessDeniedException}); drawn after
     * {@link #throttleFraction} spared the entry. For {@code putRecord} the failure is thrown as the
     * call's exception.
     *
     * @param fraction 0 (off) to 1 (always)
     * @param errorCode the entry's {@code ErrorCode}
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeFirehose failFraction(double fraction, String errorCode) {
        return withFaults(f -> f.failFraction(fraction, errorCode));
    }

    /**
     * As {@link #failFraction(double, String)}.
     *
     * @param fraction 0 (off) to 1 (always)
     * @param errorCode the entry's {@code ErrorCode}
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     * @deprecated use {@link #failFraction(double, String)}
     */
    @Deprecated(forRemoval = true, since = "0.1.0")
    public FakeFirehose failEntries(double fraction, String errorCode) {
        return failFraction(fraction, errorCode);
    }

    /**
     * Throttles each later entry independently with probability {@code fraction}, as Firehose
     * throttles entries: {@code ErrorCode} {@code ServiceUnavailableException}, "Slow down." (for
     * {@code putRecord}, that exception, HTTP 503).
     *
     * @param fraction 0 (off) to 1 (always)
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeFirehose throttleFraction(double fraction) {
        return withFaults(f -> f.throttleFraction(fraction));
    }

    /**
     * Throttles the next {@code n} put calls as a whole: they fail with
     * {@link ServiceUnavailableException} ("Slow down.", HTTP 503) and accept nothing.
     *
     * @param n how many calls, 0 to stop
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FakeFirehose throttleNextCalls(int n) {
        return withFaults(f -> f.throttleNextCalls(n));
    }

    /**
     * Throttles every put call for {@code window} of the clock, starting now, like
     * {@link #throttleNextCalls}; it does not use those up.
     *
     * @param window how long; zero stops it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public FakeFirehose throttleFor(Duration window) {
        return withFaults(f -> f.throttleFor(window));
    }

    /**
     * Throttles put calls to {@code stream} only, for {@code window} of the clock, starting now:
     * one delivery stream over its quota while the others are fine.
     *
     * @param stream an existing delivery stream
     * @param window how long; zero stops it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative or the stream does not exist
     */
    public FakeFirehose throttleFor(String stream, Duration window) {
        synchronized (lock) {
            existing(stream).throttle.openFor(FaultPlan.checkNonNegative(window, "window"));
        }
        return this;
    }

    /**
     * Fails the next {@code n} put calls as a whole with the exception the service returns for
     * {@code errorCode}; they accept nothing. Firehose's own codes get their SDK class, all HTTP 400
     * ({@code InvalidKMSResourceException} → {@code InvalidKmsResourceException},
     * {@code ResourceNotFoundException}, {@code InvalidArgumentException}, {@code LimitExceededException},
     * {@code ResourceInUseException}, {@code InvalidSourceException},
     * {@code ConcurrentModificationException}) except {@code ServiceUnavailableException} (HTTP 503,
     * as {@link #throttleNextCalls}); any other code, such as {@code ExpiredTokenException}, a
     * {@link FirehoseException} with that code and HTTP 400.
     *
     * @param n how many calls, 0 to stop
     * @param errorCode the {@code awsErrorDetails().errorCode()} of the exception
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FakeFirehose failNextCalls(int n, String errorCode) {
        Objects.requireNonNull(errorCode, "errorCode");
        return withFaults(f -> f.failNextCalls(n, () -> FirehoseExceptions.forCode(errorCode)));
    }

    /**
     * Fails the next {@code n} put calls as a whole with the exception {@code error} supplies; they
     * accept nothing.
     *
     * @param n how many calls, 0 to stop
     * @param error creates the exception for each call
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     * @deprecated use {@link #failNextCalls(int, String)}, which builds the exception the service
     *     returns for an error code
     */
    @Deprecated(forRemoval = true, since = "0.1.0")
    public FakeFirehose failNextCalls(int n, Supplier<? extends FirehoseException> error) {
        return withFaults(f -> f.failNextCalls(n, error));
    }

    /**
     * Sets how long each later call takes before its future completes, on the scheduler.
     *
     * @param latency zero for none
     * @return this fake
     * @throws IllegalArgumentException if {@code latency} is negative
     * @throws IllegalStateException if not zero and the fake has no scheduler
     */
    public FakeFirehose latency(Duration latency) {
        return withFaults(f -> f.latency(latency));
    }

    /**
     * Makes the service unreachable for {@code window} of the clock, starting now: every call fails
     * with an {@link SdkClientException} (as when the connection fails) and nothing is accepted.
     *
     * @param window how long; zero ends it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public FakeFirehose downFor(Duration window) {
        return withFaults(f -> f.downFor(window));
    }

    /**
     * As {@link #downFor(Duration)}.
     *
     * @param window how long; zero ends it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     * @deprecated use {@link #downFor(Duration)}
     */
    @Deprecated(forRemoval = true, since = "0.1.0")
    public FakeFirehose outageFor(Duration window) {
        return downFor(window);
    }

    // ---- reading back --------------------------------------------------------------------------

    /** {@return the names of the existing delivery streams, in alphabetical order} */
    public List<String> streamNames() {
        synchronized (lock) {
            return new ArrayList<>(streams.keySet());
        }
    }

    /**
     * Copies of the records {@code stream} accepted, in arrival order.
     *
     * @param stream an existing delivery stream
     * @return new arrays, one per record
     * @throws IllegalArgumentException if the stream does not exist
     */
    public List<byte[]> records(String stream) {
        synchronized (lock) {
            List<byte[]> copies = new ArrayList<>();
            for (byte[] r : existing(stream).records) {
                copies.add(r.clone());
            }
            return copies;
        }
    }

    /**
     * Every line of every record {@code stream} accepted, in arrival order, decoded as UTF-8 and
     * without the {@code '\n'}: one line per event for newline-delimited data, packed or not.
     * Includes records still buffered.
     *
     * @param stream an existing delivery stream
     * @return the lines
     * @throws IllegalArgumentException if the stream does not exist
     */
    public List<String> lines(String stream) {
        synchronized (lock) {
            List<String> lines = new ArrayList<>();
            for (byte[] r : existing(stream).records) {
                DeliveredObject.splitLines(r, lines);
            }
            return lines;
        }
    }

    /**
     * The objects delivered so far for {@code stream}, oldest first, after delivering the buffer
     * if its interval has passed.
     *
     * @param stream an existing delivery stream
     * @return the objects
     * @throws IllegalArgumentException if the stream does not exist
     */
    public List<DeliveredObject> objects(String stream) {
        synchronized (lock) {
            DeliveryStream s = existing(stream);
            s.deliverIfDue();
            return new ArrayList<>(s.objects);
        }
    }

    /**
     * Delivers every stream's buffered records as objects now, as the service does at its interval
     * (with a local directory, their files too).
     */
    public void flushBuffers() {
        synchronized (lock) {
            deliverAll();
        }
    }

    /**
     * The counters of {@code stream}.
     *
     * @param stream an existing delivery stream
     * @return a snapshot of the counters
     * @throws IllegalArgumentException if the stream does not exist
     */
    public StreamStats stats(String stream) {
        synchronized (lock) {
            return existing(stream).stats();
        }
    }

    /**
     * {@return how many delivered objects could not be written to the local directory (each logged
     * at WARN; the object is still in {@link #objects(String)}); 0 without a directory}
     */
    public long s3WriteFailures() {
        synchronized (lock) {
            return directory == null ? 0 : directory.failures();
        }
    }

    /** {@return the messages of every call rejected for breaking a request or record limit, oldest first} */
    public List<String> limitViolations() {
        synchronized (lock) {
            return requests.limitViolations();
        }
    }

    /** {@return the number of calls made, of every kind, including rejected ones} */
    public long callCount() {
        synchronized (lock) {
            return calls;
        }
    }

    /** {@return the most records seen in one put call} */
    public int maxRecordsInOneCall() {
        synchronized (lock) {
            return requests.maxRecordsInOneCall();
        }
    }

    /** {@return the most record bytes seen in one put call} */
    public long maxBytesInOneCall() {
        synchronized (lock) {
            return requests.maxBytesInOneCall();
        }
    }

    /** {@return the size in bytes of the largest record seen in a put call} */
    public int maxRecordBytes() {
        synchronized (lock) {
            return requests.maxRecordBytes();
        }
    }

    /** {@return the seed of the fault decisions} */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "FakeFirehose{streams=" + streams.keySet() + ", calls=" + calls + ", seed=" + seed
                    + (directory == null ? "" : ", s3Directory=" + directory) + '}';
        }
    }

    /** Configures a {@link FakeFirehose}. */
    public static final class Builder {
        private @Nullable Scheduler scheduler;
        private @Nullable Clock clock;
        private long seed;
        private @Nullable Path s3Directory;

        private Builder() {}

        /**
         * Completes futures on {@code scheduler} (after the latency); its clock is used too when it
         * is a {@link VirtualScheduler} and no clock is set.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The clock for buffering intervals, fault windows and object keys.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Seeds the fault decisions and object key ids.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Also writes every delivered object to {@code dir} as S3 would store it: the file
         * {@code <dir>/<bucket>/<key>}, where the bucket is the one of the stream's destination
         * ({@code arn:aws:s3:::<bucket>}) and the content the stored bytes (GZIP when the stream
         * compresses). Each file appears atomically (written beside it, then moved into place).
         * Directories are created as needed, when an object is delivered. With a scheduler, a
         * buffer is also delivered when its interval passes (not only at the next call or read), so
         * that files appear on time. A write that fails is logged at WARN and counted in
         * {@link #s3WriteFailures()}; the object stays in {@link #objects(String)}. Files are
         * written under the fake's lock, by whichever call, read or scheduler task delivers.
         *
         * @param dir the root directory; the fake never deletes anything in it
         * @return this builder
         */
        public Builder s3Directory(Path dir) {
            this.s3Directory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Creates the fake.
         *
         * @return the new fake
         */
        public FakeFirehose build() {
            return new FakeFirehose(this);
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private FakeFirehose withFaults(Consumer<FirehoseFaults> change) {
        synchronized (lock) {
            change.accept(faults);
        }
        return this;
    }

    /** Runs {@code work} under the lock now and completes the future on the scheduler after the latency. */
    private <T> CompletableFuture<T> call(Supplier<T> work) {
        T value = null;
        RuntimeException error = null;
        long delay;
        synchronized (lock) {
            calls++;
            delay = faults.latencyNanos();
            try {
                if (closed) {
                    throw new IllegalStateException("FakeFirehose was closed");
                }
                if (faults.isDown()) {
                    throw SdkClientException.create("Unable to execute HTTP request: Connect to firehose." + REGION
                            + ".amazonaws.com:443 failed: connection refused (FakeFirehose outage)");
                }
                value = work.get();
            } catch (RuntimeException e) {
                error = e;
            }
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        T result = value;
        RuntimeException failure = error;
        Runnable complete = () -> {
            if (failure != null) {
                future.completeExceptionally(failure instanceof CompletionException ? failure : new CompletionException(failure));
            } else {
                future.complete(result);
            }
        };
        faults.complete(complete, delay);
        return future;
    }

    private void deliverAll() {
        for (DeliveryStream s : streams.values()) {
            s.deliver(clock.epochMillis());
        }
    }

    private DeliveryStream create(CreateDeliveryStreamRequest request) {
        String name = FirehoseRequests.checkName(request.deliveryStreamName());
        if (streams.containsKey(name)) {
            throw FirehoseExceptions.resourceInUse("Firehose " + name + " under accountId " + ACCOUNT_ID + " already exists");
        }
        DeliveryStream s = new DeliveryStream(name, FirehoseRequests.destinationOf(request), faults.streamThrottle(), clock, keys, directory,
                directory != null && faults.scheduler() != null ? this::deliverWhenDue : null);
        streams.put(name, s);
        return s;
    }

    /** Keeps a buffer's interval on the scheduler, so that its object (and file) appears on time. */
    private void deliverWhenDue(DeliveryStream stream, long intervalNanos) {
        Scheduler scheduler = Objects.requireNonNull(faults.scheduler());
        scheduler.schedule(() -> {
            synchronized (lock) {
                if (streams.get(stream.name) == stream) {
                    stream.deliverIfDue();
                }
            }
        }, intervalNanos);
    }

    /** The stream named in a request, or ResourceNotFoundException as the service answers. */
    private DeliveryStream stream(@Nullable String name) {
        DeliveryStream s = name == null ? null : streams.get(name);
        if (s == null) {
            throw FirehoseExceptions.resourceNotFound("Firehose " + name + " under account " + ACCOUNT_ID + " not found.");
        }
        s.deliverIfDue();
        return s;
    }

    private DeliveryStream existing(String name) {
        DeliveryStream s = streams.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no delivery stream '" + name + "'; existing: " + streams.keySet());
        }
        return s;
    }

    private String nextRecordId() {
        return String.format(Locale.ROOT, "%016x%016x", seed, ++recordIds);
    }
}
