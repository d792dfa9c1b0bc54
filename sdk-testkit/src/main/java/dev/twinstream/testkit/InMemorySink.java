package dev.twinstream.testkit;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.testkit.internal.FaultPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Sink} that keeps what it accepts in memory and fails on command: the destination for
 * application and engine tests.
 *
 * <p>Every decision is deterministic: per-record failures come from a {@link Random} seeded by
 * {@link Builder#seed(long)}, and latency and outage windows run on the injected {@link Scheduler}
 * and {@link Clock} (a {@link VirtualScheduler} makes them virtual time). The same sequence of
 * calls with the same seed gives the same results.
 *
 * <p>For each {@link #send} call, in this order:
 * <ol>
 *   <li>The batch is checked against {@link #limits()} and the {@link SinkBatch} contract. A batch
 *       that breaks them is a bug in the caller: the call completes exceptionally with an
 *       {@link IllegalArgumentException} naming the limit and the value, is counted in
 *       {@link #limitViolations()}, and is not recorded in {@link #calls()}.
 *   <li>While the sink is down ({@link #downFor}), every record gets
 *       {@code RETRYABLE(}{@value #UNAVAILABLE_CODE}{@code )}.
 *   <li>Otherwise, while {@link #failNextCalls} has calls left, every record gets that failure and
 *       one call is used up.
 *   <li>Otherwise each record fails with the probability set by {@link #failFraction}, independently.
 *   <li>Every other record is OK.
 * </ol>
 * The call is then recorded in {@link #calls()}. OK records are copied (the batch may be reused
 * once the call completes) and become visible in {@link #received()} at the moment the returned
 * stage completes: at once when {@link #latency} is zero, otherwise from a task on the scheduler
 * after the latency.
 *
 * <p>Thread-safe: the fault controls may be changed while calls are in flight, from any thread.
 * Build it with {@link #builder()}. {@link #close()} only marks the sink closed; a later
 * {@code send} completes exceptionally with an {@link IllegalStateException}.
 */
public final class InMemorySink implements Sink {

    /** Default most records per call, as for Firehose {@code PutRecordBatch}. */
    public static final int DEFAULT_MAX_RECORDS_PER_BATCH = 500;
    /** Default most payload bytes per call: 4 MiB, as for Firehose {@code PutRecordBatch}. */
    public static final long DEFAULT_MAX_BYTES_PER_BATCH = 4L * 1024 * 1024;
    /** Default largest payload of one record: 1,000 KiB, as for a Firehose record. */
    public static final int DEFAULT_MAX_BYTES_PER_RECORD = 1000 * 1024;
    /** The default limits, built from the three constants above. */
    public static final SinkLimits DEFAULT_LIMITS =
            SinkLimits.of(DEFAULT_MAX_RECORDS_PER_BATCH, DEFAULT_MAX_BYTES_PER_BATCH, DEFAULT_MAX_BYTES_PER_RECORD);
    /** The error code of every record sent while the sink is down. */
    public static final String UNAVAILABLE_CODE = "SinkUnavailable";

    private static final Logger LOG = LoggerFactory.getLogger(InMemorySink.class);
    private static final int MAX_PROBLEMS_NAMED = 5;

    private static final RecordResult UNAVAILABLE = RecordResult.retryable(UNAVAILABLE_CODE, "the sink is down");

    private final SinkLimits limits;
    private final Clock clock;
    private final boolean retainPayloads;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private final FaultPlan faults;
    private final FaultPlan.Window down;
    private final FaultPlan.Countdown<RecordResult> failNextCalls = new FaultPlan.Countdown<>();
    private final FaultPlan.Chance<RecordResult> failFraction;
    private boolean closed;

    private final List<ReceivedRecord> received = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<String> limitViolationMessages = new ArrayList<>();
    private long receivedCount;
    private long sentRecordCount;
    private long failedRecordCount;
    private int maxRecordsInOneCall;
    private long maxBytesInOneCall;
    private int inFlight;
    private int sendsAfterClose;

    private InMemorySink(Builder builder) {
        this.limits = builder.limits;
        this.faults = new FaultPlan(builder.scheduler, builder.clock, builder.seed);
        this.clock = faults.clock();
        this.down = faults.window();
        this.failFraction = faults.chance();
        this.retainPayloads = builder.retainPayloads;
    }

    /** {@return a builder with the defaults: {@link #DEFAULT_LIMITS}, seed 0, payloads retained, no scheduler} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a sink with every default: {@link #DEFAULT_LIMITS}, seed 0, no latency, never failing} */
    public static InMemorySink create() {
        return builder().build();
    }

    @Override
    public SinkLimits limits() {
        return limits;
    }

    /**
     * Checks the batch, decides each record's result and records the call (see the class comment).
     *
     * @return a stage completed with one result per record; already completed when the latency is
     *     zero, otherwise completed by a task on the scheduler. Completed exceptionally with an
     *     {@link IllegalArgumentException} if the batch breaks the limits or the batch contract, or
     *     an {@link IllegalStateException} after {@link #close()}
     */
    @Override
    public CompletionStage<BatchResult> send(SinkBatch batch) {
        Objects.requireNonNull(batch, "batch");
        int size = batch.size();
        long bytes = 0;
        List<String> problems = new ArrayList<>();
        if (size < 1) {
            problems.add("batch size must be at least 1 but was " + size);
        }
        if (size > limits.maxRecordsPerBatch()) {
            problems.add("batch size must be at most maxRecordsPerBatch (" + limits.maxRecordsPerBatch()
                    + ") but was " + size);
        }
        for (int i = 0; i < size; i++) {
            byte[] payload = batch.payload(i);
            if (payload == null) {
                problems.add("payload(" + i + ") must not be null");
                continue;
            }
            bytes += payload.length;
            if (payload.length > limits.maxBytesPerRecord()) {
                problems.add("payload(" + i + ") must be at most maxBytesPerRecord (" + limits.maxBytesPerRecord()
                        + " bytes) but was " + payload.length + " bytes");
            }
            if (batch.eventId(i) == null) {
                problems.add("eventId(" + i + ") must not be null");
            }
            if (batch.eventType(i) == null) {
                problems.add("eventType(" + i + ") must not be null");
            }
            if (batch.attempt(i) < 1) {
                problems.add("attempt(" + i + ") must be at least 1 but was " + batch.attempt(i));
            }
        }
        if (bytes > limits.maxBytesPerBatch()) {
            problems.add("batch bytes must be at most maxBytesPerBatch (" + limits.maxBytesPerBatch()
                    + ") but were " + bytes);
        }
        if (batch.totalBytes() != bytes) {
            problems.add("totalBytes() must equal the sum of the payload lengths (" + bytes + ") but was "
                    + batch.totalBytes());
        }

        List<ReceivedRecord> accepted;
        BatchResult result;
        long latency;
        int okCount;
        synchronized (lock) {
            maxRecordsInOneCall = Math.max(maxRecordsInOneCall, size);
            maxBytesInOneCall = Math.max(maxBytesInOneCall, bytes);
            if (closed) {
                sendsAfterClose++;
                LOG.error("InMemorySink.send called after close()");
                return CompletableFuture.failedFuture(new IllegalStateException("send called after close()"));
            }
            if (!problems.isEmpty()) {
                String message = describeProblems(problems);
                limitViolationMessages.add(message);
                LOG.error("InMemorySink received a batch that breaks its limits: {}", message);
                return CompletableFuture.failedFuture(new IllegalArgumentException(message));
            }
            RecordResult[] results = decide(size);
            accepted = retainPayloads ? new ArrayList<>() : Collections.emptyList();
            okCount = 0;
            int retryable = 0;
            int permanent = 0;
            for (int i = 0; i < size; i++) {
                switch (results[i].status()) {
                    case OK:
                        okCount++;
                        if (retainPayloads) {
                            accepted.add(new ReceivedRecord(batch.eventId(i), batch.eventType(i),
                                    batch.partitionKey(i), batch.routingKey(i), batch.payload(i), batch.attempt(i)));
                        }
                        break;
                    case RETRYABLE:
                        retryable++;
                        break;
                    default:
                        permanent++;
                        break;
                }
            }
            calls.add(new Call(calls.size(), size, bytes, okCount, retryable, permanent, clock.nanoTime()));
            sentRecordCount += size;
            failedRecordCount += size - okCount;
            latency = faults.latencyNanos();
            inFlight++;
            result = okCount == size ? BatchResult.allOk(size) : BatchResult.of(Arrays.asList(results));
        }

        if (latency == 0) {
            commit(accepted, okCount);
            return CompletableFuture.completedFuture(result);
        }
        CompletableFuture<BatchResult> future = new CompletableFuture<>();
        int committedCount = okCount;
        faults.scheduler().schedule(() -> {
            commit(accepted, committedCount);
            future.complete(result);
        }, latency);
        return future;
    }

    /** Decides every record's result; called under the lock. */
    private RecordResult[] decide(int size) {
        RecordResult[] results = new RecordResult[size];
        RecordResult wholeCall = down.isOpen() ? UNAVAILABLE : failNextCalls.take();
        if (wholeCall != null) {
            Arrays.fill(results, wholeCall);
            return results;
        }
        for (int i = 0; i < size; i++) {
            RecordResult failure = failFraction.draw();
            results[i] = failure != null ? failure : RecordResult.ok();
        }
        return results;
    }

    private void commit(List<ReceivedRecord> accepted, int okCount) {
        synchronized (lock) {
            received.addAll(accepted);
            receivedCount += okCount;
            inFlight--;
        }
    }

    private static String describeProblems(List<String> problems) {
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < problems.size() && i < MAX_PROBLEMS_NAMED; i++) {
            message.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (problems.size() > MAX_PROBLEMS_NAMED) {
            message.append("; and ").append(problems.size() - MAX_PROBLEMS_NAMED).append(" more");
        }
        return message.toString();
    }

    // ---- fault controls ----------------------------------------------------------------------

    /**
     * Makes the next {@code n} calls fail as a whole: every record of each gets {@code failure}.
     * Replaces any earlier count. Calls made while the sink is down do not use one up.
     *
     * @param n how many calls, 0 to stop
     * @param failure a RETRYABLE or PERMANENT result
     * @return this sink
     * @throws IllegalArgumentException if {@code n} is negative or {@code failure} is OK
     */
    public InMemorySink failNextCalls(int n, RecordResult failure) {
        FaultPlan.checkCount(n);
        requireFailure(failure);
        synchronized (lock) {
            failNextCalls.set(n, failure);
        }
        return this;
    }

    /**
     * Makes each record fail independently with probability {@code fraction}, drawn from the
     * seeded random generator.
     *
     * @param fraction between 0 (never, turns it off) and 1 (always)
     * @param failure a RETRYABLE or PERMANENT result
     * @return this sink
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] or {@code failure} is OK
     */
    public InMemorySink failFraction(double fraction, RecordResult failure) {
        FaultPlan.checkFraction(fraction);
        requireFailure(failure);
        synchronized (lock) {
            failFraction.set(fraction, failure);
        }
        return this;
    }

    /**
     * Sets how long each following call takes: its stage completes, and its records become
     * visible, after {@code latency} on the scheduler. Calls already in flight keep theirs.
     *
     * @param latency zero to complete synchronously, before {@code send} returns
     * @return this sink
     * @throws IllegalArgumentException if {@code latency} is negative
     * @throws IllegalStateException if it is not zero and the sink was built without a scheduler
     */
    public InMemorySink latency(Duration latency) {
        long nanos = faults.checkLatency(latency, "build the sink with InMemorySink.builder().scheduler(...)");
        synchronized (lock) {
            faults.latencyNanos(nanos);
        }
        return this;
    }

    /**
     * Takes the sink down for {@code duration} of the clock, starting now: every call in the window
     * gets {@code RETRYABLE(}{@value #UNAVAILABLE_CODE}{@code )} for all records.
     *
     * @param duration how long; zero brings it up
     * @return this sink
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public InMemorySink downFor(Duration duration) {
        long nanos = FaultPlan.checkNonNegative(duration, "duration");
        synchronized (lock) {
            down.openFor(nanos);
        }
        return this;
    }

    /**
     * Takes the sink down until the clock's {@link Clock#nanoTime()} reaches {@code nanoTime}.
     *
     * @param nanoTime the end of the outage, exclusive
     * @return this sink
     */
    public InMemorySink downUntilNanos(long nanoTime) {
        synchronized (lock) {
            down.openUntil(nanoTime);
        }
        return this;
    }

    /**
     * Ends any outage now.
     *
     * @return this sink
     */
    public InMemorySink up() {
        synchronized (lock) {
            down.close();
        }
        return this;
    }

    /** {@return whether a call made now would find the sink down} */
    public boolean isDown() {
        synchronized (lock) {
            return down.isOpen();
        }
    }

    private static void requireFailure(RecordResult failure) {
        Objects.requireNonNull(failure, "failure");
        if (failure.isOk()) {
            throw new IllegalArgumentException("failure must be RETRYABLE or PERMANENT but was OK");
        }
    }

    // ---- what happened -----------------------------------------------------------------------

    /**
     * The accepted records, in the order they became visible.
     *
     * @return a snapshot
     * @throws IllegalStateException if the sink was built with {@code retainPayloads(false)}
     */
    public List<ReceivedRecord> received() {
        requireRetained("received()");
        synchronized (lock) {
            return Collections.unmodifiableList(new ArrayList<>(received));
        }
    }

    /**
     * The event ids of the accepted records, in the order they became visible, duplicates included.
     *
     * @return a snapshot
     * @throws IllegalStateException if the sink was built with {@code retainPayloads(false)}
     */
    public List<String> receivedEventIds() {
        requireRetained("receivedEventIds()");
        synchronized (lock) {
            List<String> ids = new ArrayList<>(received.size());
            for (ReceivedRecord record : received) {
                ids.add(record.eventId());
            }
            return Collections.unmodifiableList(ids);
        }
    }

    /** {@return the number of accepted records visible so far (counted also when payloads are not retained)} */
    public long receivedCount() {
        synchronized (lock) {
            return receivedCount;
        }
    }

    /** {@return whether {@link #received()} keeps the records, or the sink only counts them} */
    public boolean retainsPayloads() {
        return retainPayloads;
    }

    /** {@return every accepted call so far, in the order {@code send} was called; excludes limit violations} */
    public List<Call> calls() {
        synchronized (lock) {
            return Collections.unmodifiableList(new ArrayList<>(calls));
        }
    }

    /** {@return the number of accepted calls, the size of {@link #calls()}} */
    public int callCount() {
        synchronized (lock) {
            return calls.size();
        }
    }

    /** {@return the number of records in all accepted calls, whatever their result} */
    public long sentRecordCount() {
        synchronized (lock) {
            return sentRecordCount;
        }
    }

    /** {@return the number of records that got a RETRYABLE or PERMANENT result, over all calls} */
    public long failedRecordCount() {
        synchronized (lock) {
            return failedRecordCount;
        }
    }

    /** {@return the most records seen in one {@code send} call, including calls that broke the limits} */
    public int maxRecordsInOneCall() {
        synchronized (lock) {
            return maxRecordsInOneCall;
        }
    }

    /** {@return the most payload bytes seen in one {@code send} call, including calls that broke the limits} */
    public long maxBytesInOneCall() {
        synchronized (lock) {
            return maxBytesInOneCall;
        }
    }

    /** {@return the number of calls rejected because the batch broke the limits or the batch contract} */
    public int limitViolations() {
        synchronized (lock) {
            return limitViolationMessages.size();
        }
    }

    /** {@return what was wrong with each rejected call, oldest first} */
    public List<String> limitViolationMessages() {
        synchronized (lock) {
            return Collections.unmodifiableList(new ArrayList<>(limitViolationMessages));
        }
    }

    /** {@return the number of calls whose stage has not completed yet (only non-zero with a latency)} */
    public int inFlightCount() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** {@return the number of {@code send} calls made after {@link #close()}} */
    public int sendsAfterClose() {
        synchronized (lock) {
            return sendsAfterClose;
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Forgets what was received and recorded (records, calls, counters, violations) and reseeds the
     * random generator; keeps the fault controls, the latency and the closed state. Calls in flight
     * still add their records when they complete.
     */
    public void clear() {
        synchronized (lock) {
            received.clear();
            calls.clear();
            limitViolationMessages.clear();
            receivedCount = 0;
            sentRecordCount = 0;
            failedRecordCount = 0;
            maxRecordsInOneCall = 0;
            maxBytesInOneCall = 0;
            sendsAfterClose = 0;
            faults.reseed();
        }
    }

    /** Marks the sink closed; it owns nothing to release. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    private void requireRetained(String method) {
        if (!retainPayloads) {
            throw new IllegalStateException(method + " is not available: this InMemorySink was built with "
                    + "retainPayloads(false) and only counts records (use receivedCount())");
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "InMemorySink{received=" + receivedCount + ", calls=" + calls.size() + ", failedRecords="
                    + failedRecordCount + ", limitViolations=" + limitViolationMessages.size() + ", " + limits + '}';
        }
    }

    /** One accepted {@link InMemorySink#send} call: its size and a summary of its results. Immutable. */
    public static final class Call {
        private final int index;
        private final int recordCount;
        private final long byteCount;
        private final int okCount;
        private final int retryableCount;
        private final int permanentCount;
        private final long sentAtNanos;

        Call(int index, int recordCount, long byteCount, int okCount, int retryableCount, int permanentCount,
                long sentAtNanos) {
            this.index = index;
            this.recordCount = recordCount;
            this.byteCount = byteCount;
            this.okCount = okCount;
            this.retryableCount = retryableCount;
            this.permanentCount = permanentCount;
            this.sentAtNanos = sentAtNanos;
        }

        /** {@return the position in {@link InMemorySink#calls()}, from 0} */
        public int index() {
            return index;
        }

        /** {@return the number of records in the batch} */
        public int recordCount() {
            return recordCount;
        }

        /** {@return the sum of the payload lengths} */
        public long byteCount() {
            return byteCount;
        }

        /** {@return the number of records accepted} */
        public int okCount() {
            return okCount;
        }

        /** {@return the number of records reported RETRYABLE} */
        public int retryableCount() {
            return retryableCount;
        }

        /** {@return the number of records reported PERMANENT} */
        public int permanentCount() {
            return permanentCount;
        }

        /** {@return whether every record was accepted} */
        public boolean allOk() {
            return okCount == recordCount;
        }

        /** {@return the sink clock's {@link Clock#nanoTime()} when {@code send} was called} */
        public long sentAtNanos() {
            return sentAtNanos;
        }

        @Override
        public String toString() {
            return "Call#" + index + "{records=" + recordCount + ", bytes=" + byteCount + ", ok=" + okCount
                    + ", retryable=" + retryableCount + ", permanent=" + permanentCount + '}';
        }
    }

    /** Builds an {@link InMemorySink}. Not thread-safe. */
    public static final class Builder {
        private SinkLimits limits = DEFAULT_LIMITS;
        private long seed;
        private @Nullable Scheduler scheduler;
        private @Nullable Clock clock;
        private boolean retainPayloads = true;

        private Builder() {}

        /**
         * The limits the sink declares and enforces.
         *
         * @param limits default {@link InMemorySink#DEFAULT_LIMITS}
         * @return this builder
         */
        public Builder limits(SinkLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * The seed of the generator behind {@link InMemorySink#failFraction}.
         *
         * @param seed default 0
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The scheduler that completes calls after a {@link InMemorySink#latency}; needed only for a
         * non-zero latency. The caller owns it. If it is a {@link VirtualScheduler} and no
         * {@link #clock} is set, its clock becomes the sink's clock.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The clock that outage windows and {@link Call#sentAtNanos()} use.
         *
         * @param clock default the virtual scheduler's clock if one is set, otherwise
         *     {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Whether to keep the accepted records; {@code false} only counts them, for benchmarks.
         *
         * @param retainPayloads default {@code true}
         * @return this builder
         */
        public Builder retainPayloads(boolean retainPayloads) {
            this.retainPayloads = retainPayloads;
            return this;
        }

        /**
         * Creates the sink.
         *
         * @return the new sink
         */
        public InMemorySink build() {
            return new InMemorySink(this);
        }
    }
}
