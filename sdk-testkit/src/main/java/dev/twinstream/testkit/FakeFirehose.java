package dev.twinstream.testkit;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.DeleteDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DeleteDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamType;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.DestinationDescription;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationDescription;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsRequest;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.PutRecordRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.RedshiftDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.S3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/**
 * An in-memory Amazon Data Firehose that implements {@link FirehoseAsyncClient}: inject it where
 * the application passes a real client (for example into {@code FirehoseSink.builder(...)}).
 *
 * <p><b>Calls.</b> {@code createDeliveryStream} (ExtendedS3 or Redshift destinations; the
 * buffering hints and compression of the S3 configuration are used), {@code describeDeliveryStream},
 * {@code listDeliveryStreams}, {@code deleteDeliveryStream}, {@code putRecord} and
 * {@code putRecordBatch}. Every other operation keeps the interface's default and throws
 * {@link UnsupportedOperationException}. As with the real client, a failed call completes its
 * future exceptionally with a {@link CompletionException} whose cause is the SDK exception.
 *
 * <p><b>Limits</b> (the real service's, with its exception types): at most
 * {@value #MAX_RECORDS_PER_REQUEST} records and {@value #MAX_BYTES_PER_REQUEST} bytes per
 * {@code PutRecordBatch}, at most {@value #MAX_BYTES_PER_RECORD} bytes per record, at least one
 * record — {@link InvalidArgumentException} otherwise, also counted in {@link #limitViolations()};
 * an unknown stream gives {@link ResourceNotFoundException}. Checked in this order: closed, outage,
 * limits, stream, injected call failures, per-entry failures.
 *
 * <p><b>Delivery.</b> Accepted records are buffered per stream and become an {@link DeliveredObject}
 * (an S3-like object: key {@code <prefix>yyyy/MM/dd/HH/<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>[.gz]},
 * the records concatenated, GZIP-compressed when the stream's compression format is {@code GZIP})
 * when the buffer reaches the stream's size hint or its interval passes on the clock (defaults
 * {@value #DEFAULT_BUFFER_SIZE_MIB} MiB and {@value #DEFAULT_BUFFER_INTERVAL_SECONDS} s, as the
 * service's). The interval is evaluated lazily, at every call and read, at the virtual instant it
 * expired; {@link #flushBuffers()} delivers what is buffered at once.
 *
 * <p><b>Billing.</b> Per stream: accepted records, their bytes, and billed bytes — each record
 * rounded up to a multiple of {@value #BILLING_INCREMENT_BYTES} bytes (the pricing page's "5 KB
 * increments", with KB = 1,024 bytes as in the service's 1,000 KiB record limit).
 *
 * <p><b>Faults</b>, driven by a seeded {@link Random} and the clock: per-entry failures
 * ({@link #failEntries}), whole-call throttling ({@link #throttleNextCalls}, {@link #throttleFor}),
 * arbitrary whole-call errors ({@link #failNextCalls}), {@link #latency}, {@link #outageFor} and
 * resource-not-found (a stream that was never created or was deleted). The same calls with the same
 * seed give the same outcomes.
 *
 * <p><b>Time.</b> With a {@link Scheduler} every future completes from a task on it, after the
 * latency: with a {@link VirtualScheduler} nothing completes until the test advances it. Without a
 * scheduler, futures complete before the call returns and latency is not available. A call's
 * records are accepted (and visible to the read methods) when the call is made.
 *
 * <p>Thread-safe. {@link #close()} marks it closed; later calls fail with
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
    /** The account id in ARNs and messages. */
    public static final String ACCOUNT_ID = "123456789012";
    /** The region in ARNs. */
    public static final String REGION = "us-east-1";

    private static final String SERVICE = "Firehose";
    private static final DateTimeFormatter DATE_PREFIX =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HH/", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OBJECT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Whole-call throttling: the service's "Slow down." */
    private static final Supplier<ServiceUnavailableException> THROTTLED = FakeFirehose::serviceUnavailable;

    private final Clock clock;
    private final long seed;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private final FaultPlan faults;
    private final FaultPlan.Chance<String> entryFailures;
    private final FaultPlan.Window throttleWindow;
    private final FaultPlan.Countdown<Supplier<? extends FirehoseException>> throttleCalls = new FaultPlan.Countdown<>();
    private final FaultPlan.Countdown<Supplier<? extends FirehoseException>> failCalls = new FaultPlan.Countdown<>();
    private final FaultPlan.Window outage;
    private final Random keys;
    private final TreeMap<String, Stream> streams = new TreeMap<>();
    private final List<String> limitViolations = new ArrayList<>();
    private long recordIds;
    private long calls;
    private int maxRecordsInOneCall;
    private long maxBytesInOneCall;
    private int maxRecordBytes;
    private boolean closed;

    private FakeFirehose(Builder b) {
        this.seed = b.seed;
        this.faults = new FaultPlan(b.scheduler, b.clock, seed);
        this.clock = faults.clock();
        this.entryFailures = faults.chance();
        this.throttleWindow = faults.window();
        this.outage = faults.window();
        this.keys = new Random(seed ^ 0x5DEECE66DL);
    }

    /** {@return a builder: no scheduler, the system clock, seed 0} */
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
     * Creates a delivery stream with the default buffering hints and no compression, at once.
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
     * Creates a delivery stream with the given buffering hints, at once.
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
                        .bucketARN("arn:aws:s3:::twinstream-fake")
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

    /** Marks the fake closed; later calls fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    /**
     * Creates a delivery stream from an {@code ExtendedS3DestinationConfiguration}, a
     * {@code RedshiftDestinationConfiguration} (its intermediate S3 configuration gives the
     * buffering hints and compression) or the deprecated {@code S3DestinationConfiguration}; with
     * none of them, the defaults. Active at once.
     */
    @Override
    public CompletableFuture<CreateDeliveryStreamResponse> createDeliveryStream(CreateDeliveryStreamRequest request) {
        return call(() -> {
            String arn = create(request).arn;
            return CreateDeliveryStreamResponse.builder().deliveryStreamARN(arn).build();
        });
    }

    /** Describes an existing stream: ACTIVE, DirectPut, one S3 destination with its buffering hints. */
    @Override
    public CompletableFuture<DescribeDeliveryStreamResponse> describeDeliveryStream(DescribeDeliveryStreamRequest request) {
        return call(() -> {
            Stream s = stream(request.deliveryStreamName());
            DeliveryStreamDescription description = DeliveryStreamDescription.builder()
                    .deliveryStreamName(s.name)
                    .deliveryStreamARN(s.arn)
                    .deliveryStreamStatus(DeliveryStreamStatus.ACTIVE)
                    .deliveryStreamType(DeliveryStreamType.DIRECT_PUT)
                    .versionId("1")
                    .createTimestamp(Instant.ofEpochMilli(s.createdMillis))
                    .destinations(DestinationDescription.builder()
                            .destinationId("destinationId-000000000001")
                            .extendedS3DestinationDescription(ExtendedS3DestinationDescription.builder()
                                    .bucketARN("arn:aws:s3:::twinstream-fake")
                                    .roleARN("arn:aws:iam::" + ACCOUNT_ID + ":role/firehose")
                                    .prefix(s.prefix)
                                    .bufferingHints(BufferingHints.builder().sizeInMBs(s.bufferSizeMiB)
                                            .intervalInSeconds(s.bufferIntervalSeconds).build())
                                    .compressionFormat(s.gzip ? CompressionFormat.GZIP : CompressionFormat.UNCOMPRESSED)
                                    .build())
                            .build())
                    .hasMoreDestinations(false)
                    .build();
            return DescribeDeliveryStreamResponse.builder().deliveryStreamDescription(description).build();
        });
    }

    /** Lists stream names in alphabetical order, honouring {@code Limit} (default 10) and {@code ExclusiveStartDeliveryStreamName}. */
    @Override
    public CompletableFuture<ListDeliveryStreamsResponse> listDeliveryStreams(ListDeliveryStreamsRequest request) {
        return call(() -> {
            int limit = request.limit() == null ? 10 : request.limit();
            if (limit < 1 || limit > 10_000) {
                throw invalidArgument("1 validation error detected: Value '" + limit
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

    /** Deletes a stream with everything it buffered and delivered; later puts get ResourceNotFoundException. */
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
            Record record = request.record();
            if (record == null || record.data() == null) {
                throw invalidArgument("1 validation error detected: Value null at 'record' failed to satisfy constraint: "
                        + "Member must not be null");
            }
            byte[] data = record.data().asByteArray();
            checkRecords(Collections.singletonList(data));
            Stream s = stream(request.deliveryStreamName());
            callFaults(s);
            s.entriesReceived++;
            String failure = entryFailures.draw();
            if (failure != null) {
                s.entriesFailed++;
                throw entryException(failure);
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
            List<byte @Nullable []> data = new ArrayList<>(request.hasRecords() ? request.records().size() : 0);
            if (request.hasRecords()) {
                for (Record r : request.records()) {
                    data.add(r == null || r.data() == null ? null : r.data().asByteArray());
                }
            }
            checkRecords(data);
            Stream s = stream(request.deliveryStreamName());
            callFaults(s);
            List<PutRecordBatchResponseEntry> entries = new ArrayList<>(data.size());
            int failed = 0;
            for (byte[] d : data) {
                s.entriesReceived++;
                String failure = entryFailures.draw();
                if (failure != null) {
                    failed++;
                    s.entriesFailed++;
                    entries.add(PutRecordBatchResponseEntry.builder().errorCode(failure)
                            .errorMessage(entryMessage(failure)).build());
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
     * or a permanent code such as {@code KMS.AccessDeniedException}). For {@code putRecord} the
     * failure is thrown as the call's exception.
     *
     * @param fraction 0 (off) to 1 (always)
     * @param errorCode the entry's {@code ErrorCode}
     * @return this fake
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public FakeFirehose failEntries(double fraction, String errorCode) {
        FaultPlan.checkFraction(fraction);
        Objects.requireNonNull(errorCode, "errorCode");
        synchronized (lock) {
            entryFailures.set(fraction, errorCode);
        }
        return this;
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
        FaultPlan.checkCount(n);
        synchronized (lock) {
            throttleCalls.set(n, THROTTLED);
        }
        return this;
    }

    /**
     * Throttles every put call for {@code window} of the clock, starting now, like
     * {@link #throttleNextCalls}.
     *
     * @param window how long; zero stops it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public FakeFirehose throttleFor(Duration window) {
        long nanos = FaultPlan.checkNonNegative(window, "window");
        synchronized (lock) {
            throttleWindow.openFor(nanos);
        }
        return this;
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
        long nanos = FaultPlan.checkNonNegative(window, "window");
        synchronized (lock) {
            existing(stream).throttle.openFor(nanos);
        }
        return this;
    }

    /**
     * Fails the next {@code n} put calls as a whole with the exception {@code error} supplies (for
     * example an {@code InvalidKmsResourceException}); they accept nothing.
     *
     * @param n how many calls, 0 to stop
     * @param error creates the exception for each call
     * @return this fake
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FakeFirehose failNextCalls(int n, Supplier<? extends FirehoseException> error) {
        FaultPlan.checkCount(n);
        Objects.requireNonNull(error, "error");
        synchronized (lock) {
            failCalls.set(n, error);
        }
        return this;
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
        long nanos = faults.checkLatency(latency, "build with FakeFirehose.builder().scheduler(...)");
        synchronized (lock) {
            faults.latencyNanos(nanos);
        }
        return this;
    }

    /**
     * Makes the service unreachable for {@code window} of the clock, starting now: every call fails
     * with an {@link SdkClientException} (as when the connection fails) and nothing is accepted.
     *
     * @param window how long; zero ends it
     * @return this fake
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public FakeFirehose outageFor(Duration window) {
        long nanos = FaultPlan.checkNonNegative(window, "window");
        synchronized (lock) {
            outage.openFor(nanos);
        }
        return this;
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
                splitLines(r, lines);
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
            Stream s = existing(stream);
            s.deliverIfDue();
            return new ArrayList<>(s.objects);
        }
    }

    /** Delivers every stream's buffered records as objects now, as the service does at its interval. */
    public void flushBuffers() {
        synchronized (lock) {
            for (Stream s : streams.values()) {
                s.deliver(clock.epochMillis());
            }
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
            Stream s = existing(stream);
            return new StreamStats(s.name, s.records.size(), s.bytes, s.billedBytes, s.entriesReceived, s.entriesFailed,
                    s.putCalls, s.failedCalls);
        }
    }

    /** {@return the messages of every call rejected for breaking a request or record limit, oldest first} */
    public List<String> limitViolations() {
        synchronized (lock) {
            return new ArrayList<>(limitViolations);
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
            return maxRecordsInOneCall;
        }
    }

    /** {@return the most record bytes seen in one put call} */
    public long maxBytesInOneCall() {
        synchronized (lock) {
            return maxBytesInOneCall;
        }
    }

    /** {@return the size in bytes of the largest record seen in a put call} */
    public int maxRecordBytes() {
        synchronized (lock) {
            return maxRecordBytes;
        }
    }

    /** {@return the seed of the fault decisions} */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "FakeFirehose{streams=" + streams.keySet() + ", calls=" + calls + ", seed=" + seed + '}';
        }
    }

    // ---- internals -----------------------------------------------------------------------------

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
                if (outage.isOpen()) {
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

    private Stream create(CreateDeliveryStreamRequest request) {
        String name = request.deliveryStreamName();
        if (name == null || !DELIVERY_STREAM_NAME.matcher(name).matches()) {
            throw invalidArgument("1 validation error detected: Value '" + name + "' at 'deliveryStreamName' failed to "
                    + "satisfy constraint: Member must satisfy regular expression pattern: " + DELIVERY_STREAM_NAME.pattern());
        }
        if (streams.containsKey(name)) {
            throw ResourceInUseException.builder().statusCode(400)
                    .awsErrorDetails(details("ResourceInUseException", "Firehose " + name + " under accountId "
                            + ACCOUNT_ID + " already exists"))
                    .build();
        }
        BufferingHints hints = null;
        CompressionFormat compression = null;
        String prefix = null;
        ExtendedS3DestinationConfiguration s3 = request.extendedS3DestinationConfiguration();
        RedshiftDestinationConfiguration redshift = request.redshiftDestinationConfiguration();
        if (s3 != null) {
            hints = s3.bufferingHints();
            compression = s3.compressionFormat();
            prefix = s3.prefix();
        } else {
            S3DestinationConfiguration plain = redshift != null ? redshift.s3Configuration() : legacyS3(request);
            if (plain != null) {
                hints = plain.bufferingHints();
                compression = plain.compressionFormat();
                prefix = plain.prefix();
            }
        }
        int sizeMiB = hints == null || hints.sizeInMBs() == null ? DEFAULT_BUFFER_SIZE_MIB : hints.sizeInMBs();
        int intervalSeconds = hints == null || hints.intervalInSeconds() == null
                ? DEFAULT_BUFFER_INTERVAL_SECONDS : hints.intervalInSeconds();
        if (sizeMiB < 1 || sizeMiB > 128) {
            throw invalidArgument("BufferingHints.SizeInMBs must be between 1 and 128 but was " + sizeMiB);
        }
        if (intervalSeconds < 0 || intervalSeconds > 900) {
            throw invalidArgument("BufferingHints.IntervalInSeconds must be between 0 and 900 but was " + intervalSeconds);
        }
        boolean gzip;
        if (compression == null || compression == CompressionFormat.UNCOMPRESSED) {
            gzip = false;
        } else if (compression == CompressionFormat.GZIP) {
            gzip = true;
        } else {
            throw new UnsupportedOperationException("FakeFirehose models UNCOMPRESSED and GZIP only, not " + compression);
        }
        Stream s = new Stream(name, sizeMiB, intervalSeconds, gzip, prefix == null ? "" : prefix, clock.epochMillis());
        streams.put(name, s);
        return s;
    }

    /** The deprecated plain S3 destination, still accepted by the service. */
    @SuppressWarnings("deprecation")
    private static @Nullable S3DestinationConfiguration legacyS3(CreateDeliveryStreamRequest request) {
        return request.s3DestinationConfiguration();
    }

    /** The stream named in a request, or ResourceNotFoundException as the service answers. */
    private Stream stream(@Nullable String name) {
        Stream s = name == null ? null : streams.get(name);
        if (s == null) {
            throw ResourceNotFoundException.builder().statusCode(400)
                    .awsErrorDetails(details("ResourceNotFoundException",
                            "Firehose " + name + " under account " + ACCOUNT_ID + " not found."))
                    .build();
        }
        s.deliverIfDue();
        return s;
    }

    private Stream existing(String name) {
        Stream s = streams.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no delivery stream '" + name + "'; existing: " + streams.keySet());
        }
        return s;
    }

    private void checkRecords(List<byte @Nullable []> data) {
        long bytes = 0;
        int largest = 0;
        for (byte[] d : data) {
            if (d != null) {
                bytes += d.length;
                largest = Math.max(largest, d.length);
            }
        }
        maxRecordsInOneCall = Math.max(maxRecordsInOneCall, data.size());
        maxBytesInOneCall = Math.max(maxBytesInOneCall, bytes);
        maxRecordBytes = Math.max(maxRecordBytes, largest);
        String problem = null;
        if (data.isEmpty()) {
            problem = "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1";
        } else if (data.size() > MAX_RECORDS_PER_REQUEST) {
            problem = "1 validation error detected: Value at 'records' failed to satisfy constraint: "
                    + "Member must have length less than or equal to " + MAX_RECORDS_PER_REQUEST + " (was " + data.size() + ")";
        } else {
            for (int i = 0; i < data.size() && problem == null; i++) {
                byte[] d = data.get(i);
                if (d == null) {
                    problem = "1 validation error detected: Value null at 'records." + (i + 1)
                            + ".member.data' failed to satisfy constraint: Member must not be null";
                } else if (d.length > MAX_BYTES_PER_RECORD) {
                    problem = "1 validation error detected: Value at 'records." + (i + 1) + ".member.data' failed to "
                            + "satisfy constraint: Member must have length less than or equal to " + MAX_BYTES_PER_RECORD
                            + " (was " + d.length + ")";
                }
            }
            if (problem == null && bytes > MAX_BYTES_PER_REQUEST) {
                problem = "Records size exceeds " + MAX_BYTES_PER_REQUEST + " bytes limit of PutRecordBatch (was "
                        + bytes + " bytes)";
            }
        }
        if (problem != null) {
            limitViolations.add(problem);
            throw invalidArgument(problem);
        }
    }

    /** Whole-call faults for a put to {@code s}, after the request was found valid. */
    private void callFaults(Stream s) {
        s.putCalls++;
        // A throttling window does not use up a throttled call; a throttled call does not use up a failed one.
        Supplier<? extends FirehoseException> failure =
                throttleWindow.isOpen() || s.throttle.isOpen() ? THROTTLED : throttleCalls.take();
        if (failure == null) {
            failure = failCalls.take();
        }
        if (failure != null) {
            s.failedCalls++;
            throw failure.get();
        }
    }

    private static String entryMessage(String code) {
        switch (code) {
            case "ServiceUnavailableException":
                return "Slow down.";
            case "InternalFailure":
                return "Internal service failure.";
            default:
                return "Injected failure " + code + " (FakeFirehose)";
        }
    }

    private static FirehoseException entryException(String code) {
        if ("ServiceUnavailableException".equals(code)) {
            return serviceUnavailable();
        }
        int status = "InternalFailure".equals(code) ? 500 : 400;
        return (FirehoseException) FirehoseException.builder().statusCode(status)
                .awsErrorDetails(details(code, entryMessage(code))).build();
    }

    private static ServiceUnavailableException serviceUnavailable() {
        return ServiceUnavailableException.builder().statusCode(503)
                .awsErrorDetails(details("ServiceUnavailableException", "Slow down.")).build();
    }

    private static InvalidArgumentException invalidArgument(String message) {
        return InvalidArgumentException.builder().statusCode(400)
                .awsErrorDetails(details("InvalidArgumentException", message)).build();
    }

    private static AwsErrorDetails details(String code, String message) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName(SERVICE).build();
    }

    private String nextRecordId() {
        return String.format(Locale.ROOT, "%016x%016x", seed, ++recordIds);
    }

    private static void splitLines(byte[] data, List<String> into) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                into.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < data.length) {
            into.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
        }
    }

    /** One delivery stream's state; guarded by the fake's lock. */
    private final class Stream {
        final String name;
        final String arn;
        final int bufferSizeMiB;
        final int bufferIntervalSeconds;
        final boolean gzip;
        final String prefix;
        final long createdMillis;
        final List<byte[]> records = new ArrayList<>();
        final List<DeliveredObject> objects = new ArrayList<>();
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int bufferedRecords;
        /** Throttling of this stream only ({@link #throttleFor(String, Duration)}). */
        final FaultPlan.Window throttle = faults.window();
        long bufferOpenedNanos;
        long bufferOpenedMillis;
        long bytes;
        long billedBytes;
        long entriesReceived;
        long entriesFailed;
        long putCalls;
        long failedCalls;

        Stream(String name, int bufferSizeMiB, int bufferIntervalSeconds, boolean gzip, String prefix, long createdMillis) {
            this.name = name;
            this.arn = "arn:aws:firehose:" + REGION + ":" + ACCOUNT_ID + ":deliverystream/" + name;
            this.bufferSizeMiB = bufferSizeMiB;
            this.bufferIntervalSeconds = bufferIntervalSeconds;
            this.gzip = gzip;
            this.prefix = prefix;
            this.createdMillis = createdMillis;
        }

        void accept(byte[] data) {
            deliverIfDue();
            byte[] copy = data.clone();
            records.add(copy);
            bytes += copy.length;
            billedBytes += (copy.length + BILLING_INCREMENT_BYTES - 1L) / BILLING_INCREMENT_BYTES * BILLING_INCREMENT_BYTES;
            if (bufferedRecords == 0) {
                bufferOpenedNanos = clock.nanoTime();
                bufferOpenedMillis = clock.epochMillis();
            }
            buffer.write(copy, 0, copy.length);
            bufferedRecords++;
            if (buffer.size() >= (long) bufferSizeMiB * 1024 * 1024) {
                deliver(clock.epochMillis());
            }
        }

        /** Delivers the buffer if its interval has passed, as of the instant it passed. */
        void deliverIfDue() {
            long intervalNanos = bufferIntervalSeconds * 1_000_000_000L;
            if (bufferedRecords > 0 && clock.nanoTime() - bufferOpenedNanos >= intervalNanos) {
                deliver(bufferOpenedMillis + bufferIntervalSeconds * 1000L);
            }
        }

        void deliver(long deliveredAtMillis) {
            if (bufferedRecords == 0) {
                return;
            }
            byte[] data = buffer.toByteArray();
            Instant opened = Instant.ofEpochMilli(bufferOpenedMillis);
            String key = prefix + DATE_PREFIX.format(opened) + name + "-1-" + OBJECT_TIME.format(opened) + "-"
                    + new UUID(keys.nextLong(), keys.nextLong()) + (gzip ? ".gz" : "");
            objects.add(new DeliveredObject(key, gzip ? gzip(data) : data, gzip, bufferedRecords, deliveredAtMillis));
            buffer.reset();
            bufferedRecords = 0;
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One object written to the destination bucket: what Firehose delivers per buffer flush. Immutable. */
    public static final class DeliveredObject {
        private final String key;
        private final byte[] stored;
        private final boolean gzip;
        private final int recordCount;
        private final long deliveredAtMillis;

        DeliveredObject(String key, byte[] stored, boolean gzip, int recordCount, long deliveredAtMillis) {
            this.key = key;
            this.stored = stored;
            this.gzip = gzip;
            this.recordCount = recordCount;
            this.deliveredAtMillis = deliveredAtMillis;
        }

        /** {@return the S3 key} */
        public String key() {
            return key;
        }

        /** {@return a copy of the object's bytes as stored (GZIP-compressed when the stream compresses)} */
        public byte[] storedBytes() {
            return stored.clone();
        }

        /** {@return whether the object is GZIP-compressed} */
        public boolean isGzip() {
            return gzip;
        }

        /** {@return the object's content, decompressed} */
        public byte[] content() {
            if (!gzip) {
                return stored.clone();
            }
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("object " + key + " is not valid GZIP", e);
            }
        }

        /** {@return the content's lines, decoded as UTF-8, without their {@code '\n'}} */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            splitLines(content(), lines);
            return lines;
        }

        /** {@return the number of Firehose records concatenated into this object} */
        public int recordCount() {
            return recordCount;
        }

        /** {@return when the object was delivered, in epoch milliseconds of the fake's clock} */
        public long deliveredAtMillis() {
            return deliveredAtMillis;
        }

        @Override
        public String toString() {
            return "DeliveredObject{" + key + ", " + stored.length + " bytes, " + recordCount + " records}";
        }
    }

    /** A snapshot of one delivery stream's counters. Immutable. */
    public static final class StreamStats {
        private final String stream;
        private final long records;
        private final long bytes;
        private final long billedBytes;
        private final long entriesReceived;
        private final long entriesFailed;
        private final long putCalls;
        private final long failedCalls;

        StreamStats(String stream, long records, long bytes, long billedBytes, long entriesReceived, long entriesFailed,
                    long putCalls, long failedCalls) {
            this.stream = stream;
            this.records = records;
            this.bytes = bytes;
            this.billedBytes = billedBytes;
            this.entriesReceived = entriesReceived;
            this.entriesFailed = entriesFailed;
            this.putCalls = putCalls;
            this.failedCalls = failedCalls;
        }

        /** {@return the delivery stream} */
        public String stream() {
            return stream;
        }

        /** {@return the number of records accepted (billed)} */
        public long records() {
            return records;
        }

        /** {@return the bytes of the records accepted} */
        public long bytes() {
            return bytes;
        }

        /**
         * {@return the billed ingestion bytes: each accepted record rounded up to
         * {@value FakeFirehose#BILLING_INCREMENT_BYTES}}
         */
        public long billedBytes() {
            return billedBytes;
        }

        /** {@return the entries received in valid put calls that were not failed as a whole, accepted or failed} */
        public long entriesReceived() {
            return entriesReceived;
        }

        /** {@return the entries that failed (injected per-entry failures)} */
        public long entriesFailed() {
            return entriesFailed;
        }

        /** {@return the valid put calls to this stream, including those failed as a whole} */
        public long putCalls() {
            return putCalls;
        }

        /** {@return the put calls failed as a whole (throttling, injected errors)} */
        public long failedCalls() {
            return failedCalls;
        }

        @Override
        public String toString() {
            return "StreamStats{" + stream + ": records=" + records + ", bytes=" + bytes + ", billedBytes=" + billedBytes
                    + ", entriesReceived=" + entriesReceived + ", entriesFailed=" + entriesFailed + ", putCalls=" + putCalls
                    + ", failedCalls=" + failedCalls + '}';
        }
    }

    /** Configures a {@link FakeFirehose}. */
    public static final class Builder {
        private @Nullable Scheduler scheduler;
        private @Nullable Clock clock;
        private long seed;

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
         * Creates the fake.
         *
         * @return the new fake
         */
        public FakeFirehose build() {
            return new FakeFirehose(this);
        }
    }
}
