package dev.twinstream.firehose;

import dev.twinstream.aws.internal.AwsClientSettings;
import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.DestinationMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.firehose.internal.FirehoseErrors;
import dev.twinstream.firehose.internal.PutPlan;
import dev.twinstream.firehose.internal.RecordPacker;
import dev.twinstream.firehose.internal.SendHandoff;
import dev.twinstream.firehose.internal.StreamCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;

/**
 * A {@link Sink} that delivers events to Amazon Data Firehose delivery streams with
 * {@code PutRecordBatch}.
 *
 * <pre>{@code
 * FirehoseAsyncClient client = FirehoseAsyncClient.builder()
 *         .overrideConfiguration(FirehoseSink.recommendedClientConfiguration())
 *         .build();
 * FirehoseSink backup = FirehoseSink.builder(client)
 *         .deliveryStream("analytics-backup-dynamic")
 *         .routeBy((type, category) -> "book-activity".equals(category) ? "analytics-backup-book-activity" : null)
 *         .build();
 * }</pre>
 *
 * <p><b>Routing.</b> Each event goes to the first delivery stream named by: the
 * {@link Builder#routeBy(StreamRouter) router} (from its event type and routing key), the
 * {@link Builder#route(String, String) route} of its event type, the
 * {@link Builder#deliveryStream(String) default stream}. An event with none of them is reported
 * PERMANENT with code {@value FirehoseErrors#NO_DELIVERY_STREAM}, one whose router throws with
 * {@value FirehoseErrors#ROUTER_FAILED}. One {@link #send} call issues one
 * {@code PutRecordBatch} request per delivery stream in the batch (more only when a stream's records
 * exceed {@value #MAX_RECORDS_PER_REQUEST} records or {@value #MAX_BYTES_PER_REQUEST} bytes), all at
 * once, and reassembles the per-event results in batch order.
 *
 * <p><b>Packing</b> (on by default). Firehose bills each record rounded up to 5 KB, so consecutive
 * events bound for the same stream whose payloads end with {@code '\n'} (both core formats do) are
 * concatenated into one record of at most {@link Builder#packingTargetBytes(int)} bytes. An event is
 * never split and the bytes are unchanged, so S3 objects and Redshift {@code COPY} of
 * newline-delimited JSON read the same lines as without packing. A packed record's result applies to
 * each event in it. Do not pack when the delivery stream transforms records with a Lambda function
 * or parses them for dynamic partitioning expecting one JSON document per record (unless
 * multi-record deaggregation is enabled): turn it off with {@link Builder#packing(boolean)}. With
 * packing on the sink declares a large {@link SinkLimits#maxRecordsPerBatch()} (it counts events)
 * so that a batch fills a whole request; raise the tracker's linger when traffic is low and billing
 * matters, since a batch cut short by linger yields smaller records.
 *
 * <p><b>Errors.</b> Only the failed entries of a partially failed {@code PutRecordBatch} are
 * reported RETRYABLE or PERMANENT; a call that fails as a whole gives each of its events the same
 * result, carrying the AWS error code and message, so dead letters show them. Firehose's own codes
 * come first ({@code ResourceNotFoundException}, {@code InvalidArgumentException},
 * {@code InvalidKMSResourceException}, {@code InvalidSourceException} and {@code KMS.*} errors
 * except {@code KMS.ThrottlingException} are permanent), then the policy every Twinstream AWS sink
 * shares: throttling, internal errors, expiring credentials and clock skew
 * ({@code ExpiredTokenException}, {@code RequestExpired}, {@code InvalidSignatureException}),
 * HTTP 429 and 5xx, timeouts and connection failures are retryable; denied access
 * ({@code AccessDeniedException}, {@code UnrecognizedClientException}), other 4xx and programming
 * errors are permanent (see docs/ARCHITECTURE.md, "AWS error policy"). The returned stage never
 * completes exceptionally.
 *
 * <p><b>Retries.</b> The tracker retries per event, with backoff, only what failed. Retries inside
 * the AWS SDK would resend whole requests (including entries that already succeeded on a partial
 * failure they do not see) and multiply with ours: with the SDK's default of 4 attempts (3 in its
 * standard mode) and a tracker limit of N attempts, a throttled request may be sent 4·N times.
 * Build the client with {@link #recommendedClientConfiguration()} (SDK retries off, call timeouts
 * on); {@link Builder#build()} logs a warning when the client it is given retries on its own. The
 * tracker's {@code RetryPolicy} then is the one budget.
 *
 * <p><b>Per-stream counts.</b> As {@link DestinationMetrics}, the sink counts per delivery stream the
 * events delivered and the event attempts failed, once per request when it completes (not per event
 * on the tracker's path). The default stream and the routed streams are listed from the start; a
 * stream only the router names is listed once it was sent to. Pass the sink to a metrics binder (for
 * example {@code TwinstreamMetrics.Builder.destinations} in {@code twinstream-micrometer}) to publish
 * them with a {@code destination} tag. Each delivered event's result names its delivery stream
 * ({@link RecordResult#ok(String)}), so the tracker's delivery ledger ({@code EventTracker.ledger})
 * counts it under the stream it went to.
 *
 * <p><b>Threads.</b> {@link #send} only hands the batch over and returns: routing, packing, building
 * each {@code PutRecordBatch} request and the client's own work inside {@code putRecordBatch}
 * (marshalling and signing up to 4 MiB, synchronously on the calling thread) run on the sink's own
 * daemon thread {@code twinstream-firehose-N}, started by the first send, or on the
 * {@link Builder#scheduler(Scheduler) scheduler} you inject, never on the tracker's dispatcher
 * thread, which serves every sink: a slow request build delays this sink's later sends, not the
 * other sinks. The calls then complete on the client's threads.
 *
 * <p><b>Ownership.</b> The client belongs to the caller: {@link #close()} does not close it. An
 * injected scheduler belongs to the caller too. Thread-safe as the {@link Sink} contract requires.
 */
public final class FirehoseSink implements Sink, DestinationMetrics {

    /** Most records in one {@code PutRecordBatch} request (Amazon Data Firehose API Reference, PutRecordBatch). */
    public static final int MAX_RECORDS_PER_REQUEST = 500;
    /** Most bytes of record data in one {@code PutRecordBatch} request: 4 MiB (API Reference, PutRecordBatch). */
    public static final long MAX_BYTES_PER_REQUEST = 4L * 1024 * 1024;
    /**
     * Largest record, before base64 encoding: 1,000 KiB (API Reference, PutRecordBatch and
     * {@code Record.Data}). Also the largest single event this sink accepts.
     */
    public static final int MAX_BYTES_PER_RECORD = 1000 * 1024;
    /**
     * The default packing target: 256,000 bytes, 50 billing increments of 5 KB. A full packed
     * record then wastes at most one event's size of billing (0.1 % for 250-byte events), a 4 MiB
     * request still holds 16 records (so one failed entry re-sends a sixteenth of the request, not a
     * quarter), and records keep headroom below the 1,000 KiB limit for a transforming Lambda.
     */
    public static final int DEFAULT_PACKING_TARGET_BYTES = 256_000;
    /**
     * Most events per {@link #send} when packing is on: enough for a full 4 MiB request of events as
     * small as 84 bytes, so that the dispatcher's batches, not this count, bound how much is packed.
     */
    public static final int MAX_EVENTS_PER_SEND_WITH_PACKING = 50_000;
    /**
     * Firehose bills ingestion per record rounded up to 5 KB increments (Amazon Data Firehose
     * pricing; ../shared/AWS-LIMITS.md, "billing"): 5,120 bytes, the increment the testkit's
     * {@code FakeFirehose} bills.
     */
    public static final int BILLING_INCREMENT_BYTES = 5 * 1024;
    /**
     * The default latency budget (the linger of {@code SinkOptions.SINK_DEFAULT_LINGER}): 30 s.
     * Firehose itself buffers 60 to 900 s before it writes to S3 (Amazon Data Firehose developer
     * guide, buffering hints), so waiting up to half of its shortest buffer adds little to the time
     * until data is visible, while it lets events at low rates share records and calls: at 10
     * events/s one call carries 300 events instead of 1.
     */
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(30);
    /** Delivery stream names: 1 to 64 of these characters (API Reference, CreateDeliveryStream). */
    public static final Pattern DELIVERY_STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    private static final Logger LOG = LoggerFactory.getLogger(FirehoseSink.class);
    private static final String RECOMMENDED = "FirehoseSink.recommendedClientConfiguration()";

    private final FirehoseAsyncClient client;
    private final @Nullable String defaultStream;
    private final Map<String, String> routes;
    private final @Nullable StreamRouter router;
    private final boolean packing;
    private final int packingTargetBytes;
    private final SinkLimits limits;
    private final RecordPacker packer;
    private final StreamCounters streamCounters;
    private final AwsErrors errors = FirehoseErrors.newPolicy(LOG);
    private final SendHandoff handoff;

    private FirehoseSink(Builder b) {
        this.client = b.client;
        this.defaultStream = b.defaultStream;
        this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(b.routes));
        this.router = b.router;
        this.packing = b.packing;
        this.packingTargetBytes = b.packingTargetBytes;
        this.limits = SinkLimits.of(packing ? MAX_EVENTS_PER_SEND_WITH_PACKING : MAX_RECORDS_PER_REQUEST,
                MAX_BYTES_PER_REQUEST, MAX_BYTES_PER_RECORD).withBillingUnitBytes(BILLING_INCREMENT_BYTES)
                .withDefaultLinger(DEFAULT_LINGER);
        this.packer = new RecordPacker(packing, packingTargetBytes, MAX_RECORDS_PER_REQUEST, MAX_BYTES_PER_REQUEST);
        LinkedHashSet<String> known = new LinkedHashSet<>();
        if (defaultStream != null) {
            known.add(defaultStream);
        }
        known.addAll(routes.values());
        this.streamCounters = new StreamCounters(known);
        this.handoff = new SendHandoff(b.scheduler);
    }

    /**
     * A builder for a sink that sends through {@code client}.
     *
     * @param client the Firehose client; owned by the caller, who closes it after the tracker
     * @return the builder
     */
    public static Builder builder(FirehoseAsyncClient client) {
        return new Builder(Objects.requireNonNull(client, "client"));
    }

    /**
     * Client settings for a client used by this sink, the same as the Kinesis sink's: the SDK's
     * retries off ({@code AwsRetryStrategy.doNotRetry()}: the tracker retries only the records that
     * failed, with backoff, and counts them), each HTTP attempt bounded to 15 s
     * ({@code apiCallAttemptTimeout}: a healthy call answers in well under a second, and the largest
     * request still uploads in time on a slow link) and each call to 30 s ({@code apiCallTimeout}, the
     * backstop that also covers signing and credentials). A timed-out call is retryable, so a call that
     * hangs frees its in-flight slot instead of holding it. Use it as
     * {@code FirehoseAsyncClient.builder().overrideConfiguration(FirehoseSink.recommendedClientConfiguration())},
     * or copy it with {@code toBuilder()} to add your own settings.
     *
     * @return a new configuration
     */
    public static ClientOverrideConfiguration recommendedClientConfiguration() {
        return AwsClientSettings.recommendedClientConfiguration();
    }

    /**
     * {@value #MAX_BYTES_PER_REQUEST} bytes and {@value #MAX_BYTES_PER_RECORD} bytes per event; at
     * most {@value #MAX_RECORDS_PER_REQUEST} events per call without packing, at most
     * {@value #MAX_EVENTS_PER_SEND_WITH_PACKING} with it; billed in {@value #BILLING_INCREMENT_BYTES}-byte
     * increments; {@link #DEFAULT_LINGER} as the default latency budget.
     */
    @Override
    public SinkLimits limits() {
        return limits;
    }

    /**
     * Hands the batch to the sink's sender thread (or scheduler) and returns; there it is routed,
     * packed and sent (see the class comment). After {@link #close()} the batch is sent from the
     * calling thread.
     *
     * @return a stage completed with one result per event, in batch order; never completed
     *     exceptionally. A send that had not started when the sink closed completes with every
     *     event RETRYABLE ({@value FirehoseErrors#SINK_CLOSED}).
     */
    @Override
    public CompletionStage<BatchResult> send(SinkBatch batch) {
        CompletableFuture<BatchResult> done = new CompletableFuture<>();
        handoff.submit(() -> sendNow(batch, done), abandoned -> done.complete(BatchResult.allFailed(batch.size(), abandoned)));
        return done;
    }

    /** Routes, packs and sends {@code batch}, completing {@code done}; on the sender thread. Never throws past {@code done}. */
    private void sendNow(SinkBatch batch, CompletableFuture<BatchResult> done) {
        RecordResult[] results = new RecordResult[batch.size()];
        List<PutPlan> plans;
        try {
            plans = plan(batch, results);
        } catch (RuntimeException | Error bug) {
            // Never leave the stage incomplete: the dispatcher would wait for it forever. A
            // programming error is PERMANENT and logged once per exception class (AwsErrors).
            RecordResult failed = errors.forException(bug);
            if (failed.status() == RecordResult.Status.RETRYABLE) {
                LOG.warn("Could not plan a Firehose batch of {} events; it will be retried", results.length, bug);
            }
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = failed;
                }
            }
            done.complete(assemble(results));
            if (bug instanceof Error) {
                throw (Error) bug;
            }
            return;
        }
        if (plans.isEmpty()) {
            done.complete(BatchResult.of(Arrays.asList(results)));
            return;
        }
        AtomicInteger outstanding = new AtomicInteger(plans.size());
        for (PutPlan plan : plans) {
            put(batch, plan).whenComplete((outcome, error) -> {
                try {
                    apply(plan, outcome, error, results);
                } catch (RuntimeException bug) {
                    // Never leave the stage incomplete: the dispatcher would wait for it forever. A
                    // programming error is PERMANENT and logged once per exception class (AwsErrors).
                    RecordResult failed = errors.forException(bug);
                    if (failed.status() == RecordResult.Status.RETRYABLE) {
                        LOG.warn("Could not apply the outcome of PutRecordBatch to {}; its events will be retried",
                                plan.stream(), bug);
                    }
                    fill(plan, 0, plan.eventCount(), failed, results);
                }
                streamCounters.record(plan, results);
                if (outstanding.decrementAndGet() == 0) {
                    done.complete(assemble(results));
                }
            });
        }
    }

    /**
     * Routes every event (writing the results of those that reach no stream) and plans the requests.
     * A stream's name is checked, and its group looked up, once per run of events routed to it, not
     * per event: most batches go to one stream.
     */
    private List<PutPlan> plan(SinkBatch batch, RecordResult[] results) {
        int size = results.length;
        Map<String, StreamEvents> byStream = new LinkedHashMap<>();
        @Nullable StreamEvents last = null;
        for (int i = 0; i < size; i++) {
            String stream;
            try {
                stream = streamOf(batch, i);
            } catch (RuntimeException e) {
                // A bug in the application's router: dead-letter the event (it can be replayed once
                // fixed) rather than fail the whole batch again and again.
                results[i] = RecordResult.permanent(FirehoseErrors.ROUTER_FAILED,
                        "the StreamRouter threw " + e + " for event type '" + batch.eventType(i) + "'");
                continue;
            }
            if (stream == null) {
                results[i] = RecordResult.permanent(FirehoseErrors.NO_DELIVERY_STREAM,
                        "no delivery stream for event type '" + batch.eventType(i) + "' with routing key '"
                                + batch.routingKey(i) + "': set deliveryStream(...), route(...) or routeBy(...)");
                continue;
            }
            StreamEvents group = last != null && last.stream.equals(stream) ? last : byStream.get(stream);
            if (group == null) {
                if (!DELIVERY_STREAM_NAME.matcher(stream).matches()) {
                    results[i] = RecordResult.permanent(FirehoseErrors.INVALID_DELIVERY_STREAM_NAME,
                            "the router chose delivery stream '" + stream + "', which does not match "
                                    + DELIVERY_STREAM_NAME.pattern());
                    continue;
                }
                group = new StreamEvents(stream, size);
                byStream.put(stream, group);
            }
            group.add(i);
            last = group;
        }
        List<PutPlan> plans = new ArrayList<>(byStream.size());
        for (StreamEvents group : byStream.values()) {
            plans.addAll(packer.plan(batch, group.stream, group.events, group.count));
        }
        return plans;
    }

    /** The indexes, in batch order, of the events routed to one stream. */
    private static final class StreamEvents {
        final String stream;
        private final int batchSize;
        int[] events;
        int count;

        StreamEvents(String stream, int batchSize) {
            this.stream = stream;
            this.batchSize = batchSize;
            this.events = new int[Math.min(batchSize, 16)];
        }

        void add(int event) {
            if (count == events.length) {
                events = Arrays.copyOf(events, Math.min(batchSize, count * 2));
            }
            events[count++] = event;
        }
    }

    private CompletableFuture<PutRecordBatchResponse> put(SinkBatch batch, PutPlan plan) {
        try {
            PutRecordBatchRequest request = PutRecordBatchRequest.builder()
                    .deliveryStreamName(plan.stream())
                    .records(plan.toRecords(batch))
                    .build();
            CompletableFuture<PutRecordBatchResponse> call = client.putRecordBatch(request);
            return call != null ? call
                    : CompletableFuture.failedFuture(new NullPointerException("putRecordBatch returned null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Writes the result of each event of {@code plan} into {@code results}; each index is written by one plan only. */
    private void apply(PutPlan plan, PutRecordBatchResponse response, Throwable error, RecordResult[] results) {
        if (error == null && response == null) {
            error = new NullPointerException("putRecordBatch completed with null");
        }
        if (error == null && (!response.hasRequestResponses() || response.requestResponses().size() != plan.recordCount())) {
            int got = response.hasRequestResponses() ? response.requestResponses().size() : 0;
            fill(plan, 0, plan.eventCount(), RecordResult.retryable(FirehoseErrors.INVALID_RESPONSE,
                    "PutRecordBatch returned " + got + " entries for " + plan.recordCount() + " records"), results);
            return;
        }
        if (error != null) {
            RecordResult whole = errors.forException(error);
            LOG.debug("PutRecordBatch to {} failed as a whole ({} records, {} events): {}", plan.stream(),
                    plan.recordCount(), plan.eventCount(), whole);
            fill(plan, 0, plan.eventCount(), withStream(whole, plan.stream()), results);
            return;
        }
        List<PutRecordBatchResponseEntry> entries = response.requestResponses();
        // One result per request for its successes: it names the stream, for the tracker's delivery ledger.
        RecordResult delivered = RecordResult.ok(plan.stream());
        for (int r = 0; r < plan.recordCount(); r++) {
            PutRecordBatchResponseEntry entry = entries.get(r);
            RecordResult result = errors.forEntry(entry.errorCode(), entry.errorMessage());
            fill(plan, plan.recordStart(r), plan.recordEnd(r), result.isOk() ? delivered : withStream(result, plan.stream()),
                    results);
        }
    }

    private static RecordResult withStream(RecordResult failure, String stream) {
        String message = (failure.message() == null ? "" : failure.message() + " ") + "(delivery stream " + stream + ")";
        return failure.status() == RecordResult.Status.PERMANENT
                ? RecordResult.permanent(failure.code(), message)
                : RecordResult.retryable(failure.code(), message);
    }

    private static void fill(PutPlan plan, int from, int to, RecordResult result, RecordResult[] results) {
        for (int k = from; k < to; k++) {
            results[plan.event(k)] = result;
        }
    }

    /** Per event, as decided: successes name their delivery stream, so even an all-OK batch keeps them apart. */
    private static BatchResult assemble(RecordResult[] results) {
        return BatchResult.of(Arrays.asList(results));
    }

    private @Nullable String streamOf(SinkBatch batch, int i) {
        if (router != null) {
            String chosen = router.deliveryStream(batch.eventType(i), batch.routingKey(i));
            if (chosen != null) {
                return chosen;
            }
        }
        String routed = routes.get(batch.eventType(i));
        return routed != null ? routed : defaultStream;
    }

    /** {@return whether newline-terminated events are packed into shared records} */
    public boolean packing() {
        return packing;
    }

    /** {@return the most bytes of a packed record} */
    public int packingTargetBytes() {
        return packingTargetBytes;
    }

    /**
     * The delivery streams counted: the default stream and the routed streams from the start, then
     * each stream the router chose, once sent to.
     *
     * @return the stream names in the order first known; unmodifiable
     */
    @Override
    public List<String> destinations() {
        return streamCounters.streams();
    }

    /**
     * Events {@code PutRecordBatch} accepted for a delivery stream (each event of a packed record
     * counts).
     *
     * @param destination a delivery stream name
     * @return the count; 0 for a stream not in {@link #destinations()}
     */
    @Override
    public long deliveredRecords(String destination) {
        return streamCounters.delivered(destination);
    }

    /**
     * Event attempts that failed for a delivery stream: failed entries, failed or invalid responses.
     * Events that never reached a stream (no stream, an invalid name, a throwing router) are not
     * counted here.
     *
     * @param destination a delivery stream name
     * @return the count; 0 for a stream not in {@link #destinations()}
     */
    @Override
    public long failedRecords(String destination) {
        return streamCounters.failed(destination);
    }

    /**
     * Stops the sink's own sender thread, if it has one, without waiting: the send it is running
     * still hands its requests to the client, and requests already sent complete as usual. A send
     * accepted but not started yet completes at once with every event RETRYABLE
     * ({@value FirehoseErrors#SINK_CLOSED}); none is left incomplete. Later sends run on the calling
     * thread. The client and an injected scheduler stay open: they belong to the caller. Idempotent.
     */
    @Override
    public void close() {
        handoff.close();
    }

    @Override
    public String toString() {
        return "FirehoseSink{defaultStream=" + defaultStream + ", routes=" + routes + ", router=" + (router != null)
                + ", packing=" + packing + ", packingTargetBytes=" + packingTargetBytes + '}';
    }

    /** Configures a {@link FirehoseSink}; {@link #build()} validates everything at once. Not thread-safe. */
    public static final class Builder {
        private final FirehoseAsyncClient client;
        private @Nullable String defaultStream;
        private final Map<String, String> routes = new LinkedHashMap<>();
        private @Nullable StreamRouter router;
        private boolean packing = true;
        private int packingTargetBytes = DEFAULT_PACKING_TARGET_BYTES;
        private @Nullable Scheduler scheduler;

        private Builder(FirehoseAsyncClient client) {
            this.client = client;
        }

        /**
         * The delivery stream of events that no router or route names.
         *
         * @param deliveryStream a delivery stream name
         * @return this builder
         */
        public Builder deliveryStream(String deliveryStream) {
            this.defaultStream = Objects.requireNonNull(deliveryStream, "deliveryStream");
            return this;
        }

        /**
         * Sends events of type {@code eventType} to {@code deliveryStream} (unless the router
         * chooses). Replaces an earlier route for the same type.
         *
         * @param eventType a registered event type name
         * @param deliveryStream a delivery stream name
         * @return this builder
         */
        public Builder route(String eventType, String deliveryStream) {
            routes.put(Objects.requireNonNull(eventType, "eventType"), Objects.requireNonNull(deliveryStream, "deliveryStream"));
            return this;
        }

        /**
         * Chooses the delivery stream per event from its type and routing key; a {@code null}
         * answer falls back to the routes and the default stream.
         *
         * @param router the function
         * @return this builder
         */
        public Builder routeBy(StreamRouter router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /**
         * Whether to pack newline-terminated events into shared records (default {@code true}).
         *
         * @param packing {@code false} to send one event per record
         * @return this builder
         */
        public Builder packing(boolean packing) {
            this.packing = packing;
            return this;
        }

        /**
         * The most bytes of a packed record (default {@value FirehoseSink#DEFAULT_PACKING_TARGET_BYTES}).
         * A multiple of 5,120 wastes least billing.
         *
         * @param packingTargetBytes between 1 and {@value FirehoseSink#MAX_BYTES_PER_RECORD}
         * @return this builder
         */
        public Builder packingTargetBytes(int packingTargetBytes) {
            this.packingTargetBytes = packingTargetBytes;
            return this;
        }

        /**
         * Where the sink builds and sends its requests (routing, packing, the client's marshalling
         * and signing inside {@code putRecordBatch}), off the tracker's dispatcher thread; owned by
         * the caller and never shut down by the sink. Tests pass a virtual scheduler
         * ({@code VirtualScheduler} in {@code twinstream-testkit}), so sends run when the test
         * advances it. A scheduler that runs tasks concurrently runs sends concurrently, which the
         * sink allows. Default: a daemon thread {@code twinstream-firehose-N} owned by the sink,
         * started by the first send and stopped by {@link FirehoseSink#close()}.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Creates the sink. Logs a warning when the client has the AWS SDK's own retries on (see
         * {@link FirehoseSink#recommendedClientConfiguration()}).
         *
         * @return the sink
         * @throws ConfigurationException naming every invalid setting, its allowed range and its value
         */
        public FirehoseSink build() {
            List<String> violations = new ArrayList<>();
            if (defaultStream == null && routes.isEmpty() && router == null) {
                violations.add("deliveryStream: a default delivery stream, a route or a router is required but none was set");
            }
            if (defaultStream != null) {
                checkName("deliveryStream", defaultStream, violations);
            }
            for (Map.Entry<String, String> e : routes.entrySet()) {
                if (e.getKey().isEmpty()) {
                    violations.add("routes: the event type must not be empty");
                }
                checkName("routes." + e.getKey(), e.getValue(), violations);
            }
            if (packingTargetBytes < 1 || packingTargetBytes > MAX_BYTES_PER_RECORD) {
                violations.add("packingTargetBytes must be between 1 and " + MAX_BYTES_PER_RECORD + " but was "
                        + packingTargetBytes);
            }
            if (!violations.isEmpty()) {
                throw new ConfigurationException(violations);
            }
            AwsClientSettings.warnIfSdkRetries(client, "FirehoseAsyncClient", RECOMMENDED, LOG);
            return new FirehoseSink(this);
        }

        private static void checkName(String field, String name, List<String> violations) {
            if (!DELIVERY_STREAM_NAME.matcher(name).matches()) {
                violations.add(field + " must match " + DELIVERY_STREAM_NAME.pattern() + " but was '" + name + "'");
            }
        }
    }
}
