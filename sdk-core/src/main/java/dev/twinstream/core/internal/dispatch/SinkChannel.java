package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.internal.journal.EventLog;
import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the dispatcher knows about one sink: its cursor over the log, the records it has read
 * and not finished, its retry queue and its in-flight calls. Confined to the dispatcher (one thread
 * at a time), except {@link #completed}, which only hands a batch back.
 */
public final class SinkChannel {
    private static final Logger LOG = LoggerFactory.getLogger(SinkChannel.class);
    final int index;
    public final String name;
    public final Sink sink;
    public final int slot;
    final int maxBatchRecords;
    /**
     * Whether the last {@link #sendReady} sent a batch of fresh records that was ready before its
     * linger ended (full, or a quarter of the journal: {@code EventLog.Unread.batchReady}): traffic
     * is sustained, so the dispatcher polls instead of waiting to be woken (see {@link Dispatcher}).
     * Only a send counts, so a sink that cannot send (calls or window used up) never makes the
     * dispatcher poll: its completions wake it.
     */
    boolean sawReadyBatch;
    final long maxBatchBytes;
    public final SinkCounters counters;

    final long lingerNanos;
    private final int maxInFlight;
    /** Most records read from the log and not finished: bounds what a failing sink holds. */
    private final int windowRecords;
    private final int maxAttempts;
    private final long deliveryTimeoutNanos;
    private final Backoff backoff;
    private final EventLog log;
    private final Notifier notifier;
    private final Dispatcher dispatcher;
    private final int bit;
    /** The tracker's delivery ledger, or null when it keeps none. */
    private final @Nullable DeliveryLedgers ledger;
    /** The DELIVERED records of the completion being applied, and the destinations their sink reported. */
    private final LogRecord @Nullable [] delivered;
    private final @Nullable String @Nullable [] deliveredTo;
    /** Some deliveries the ledger holds still wait for the commit position to pass them. */
    private boolean ledgerWaits;

    /**
     * What each {@link EventLog#read} returned, in log order, until every record in it is final; the
     * first unfinished record bounds the sink's commit position. One entry per read, not one per
     * record, and no copy: a chunk is a range of the new array the batch was read into.
     */
    private final ArrayDeque<ReadChunk> unfinished = new ArrayDeque<>();
    /** Records in {@link #unfinished} from each chunk's {@code next} on. */
    private int unfinishedRecords;
    private final PriorityQueue<RetryEntry> retries = new PriorityQueue<>();
    private final EventLog.Unread unread = new EventLog.Unread();
    private int inFlight;
    private long retryOrder;
    /** False once the tracker is closing ({@link #stopSending}): no new calls, in-flight ones still count. */
    private boolean sending = true;
    /** While closing: what a record that would be retried becomes (null: it stays pending in the disk journal). */
    private @Nullable DropReason closeReason;

    /**
     * @param index the sink's position (its bit in record masks)
     * @param name the sink's registered name
     * @param slot the sink's format slot (which payload of a record it sends)
     * @param maxBatchRecords the effective records limit per send (the options' or the sink's)
     * @param maxBatchBytes the effective bytes limit per send (the options' or the sink's)
     * @param lingerNanos the effective linger (the options' or the sink's default)
     * @param options the sink's options (in-flight limit)
     * @param retry the sink's retry policy (its own or the tracker's)
     * @param ledger the tracker's delivery ledger, or null when it keeps none
     */
    public SinkChannel(int index, String name, Sink sink, int slot, int maxBatchRecords, long maxBatchBytes,
                       long lingerNanos, SinkOptions options, RetryPolicy retry, EventLog log, Notifier notifier,
                       Dispatcher dispatcher, @Nullable DeliveryLedgers ledger) {
        this.index = index;
        this.name = name;
        this.sink = sink;
        this.slot = slot;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerNanos = lingerNanos;
        this.maxInFlight = options.maxInFlightRequests();
        this.windowRecords = maxInFlight * maxBatchRecords;
        this.maxAttempts = retry.maxAttempts();
        this.deliveryTimeoutNanos = retry.deliveryTimeout().map(Duration::toNanos).orElse(0L);
        this.backoff = new Backoff(retry.baseDelay().toNanos(), retry.maxDelay().toNanos());
        this.log = log;
        this.notifier = notifier;
        this.dispatcher = dispatcher;
        this.bit = 1 << index;
        this.counters = new SinkCounters(name, index, log);
        this.ledger = ledger;
        this.delivered = ledger == null ? null : new LogRecord[maxBatchRecords];
        this.deliveredTo = ledger == null ? null : new String[maxBatchRecords];
    }

    /**
     * Sends every batch that is ready — retries that are due, full batches, or batches whose oldest
     * record has lingered long enough (or any batch when flushing) — while calls are available.
     *
     * @return when this sink next needs the dispatcher (linger or backoff end), or Long.MAX_VALUE
     */
    long sendReady(long now, boolean flushing) {
        long wakeAt = Long.MAX_VALUE;
        sawReadyBatch = false;
        if (!sending) {
            advanceCommit();
            return wakeAt;
        }
        while (inFlight < maxInFlight) {
            RetryEntry nextRetry = retries.peek();
            boolean retryDue = nextRetry != null && nextRetry.dueNanos <= now;
            log.peek(index, unread);
            boolean canRead = unread.count > 0 && unfinishedRecords < windowRecords;
            if (!retryDue && !canRead) {
                break;
            }
            if (!retryDue && !flushing && !unread.batchReady) {
                long lingerEnd = unread.oldestNanos + lingerNanos;
                if (lingerEnd > now) {
                    wakeAt = Math.min(wakeAt, lingerEnd);
                    break;
                }
            }
            InFlightBatch batch = new InFlightBatch(this, maxBatchRecords, slot, now);
            boolean progressed = takeDueRetries(batch, now);
            progressed |= readFresh(batch, now);
            if (batch.size > 0) {
                sawReadyBatch |= unread.batchReady && canRead;
                send(batch);
            } else if (!progressed) {
                break; // defensive: nothing fits, do not spin
            }
        }
        if (flushing && inFlight > 0) {
            sendHeld();
        }
        advanceCommit();
        // A retry already due is waiting for a free call; the completion that frees it wakes us.
        RetryEntry nextRetry = retries.peek();
        return nextRetry == null || nextRetry.dueNanos <= now ? wakeAt : Math.min(wakeAt, nextRetry.dueNanos);
    }

    /**
     * Moves due retries into the batch. Retries due within one linger from now ride along: with
     * full jitter every failed record has its own due time, and sending each alone would multiply
     * the requests a throttled destination receives.
     */
    private boolean takeDueRetries(InFlightBatch batch, long now) {
        boolean progressed = false;
        long horizon = now + lingerNanos;
        RetryEntry e;
        while (!batch.isFull(maxBatchRecords) && (e = retries.peek()) != null && e.dueNanos <= horizon
                && batch.bytes + payloadSize(e.record) <= maxBatchBytes) {
            retries.poll();
            progressed = true;
            if (e.record.evicted) {
                drop(e.record, DropReason.OVERFLOW_DROP_OLDEST);
            } else if (FailureClassifier.isExpired(now - e.record.acceptedNanos, deliveryTimeoutNanos)) {
                deadLetter(e.record, DeadLetter.Reason.DELIVERY_TIMEOUT, e.attempt - 1, e.cause);
            } else {
                batch.add(e.record, e.attempt);
            }
        }
        return progressed;
    }

    /**
     * Reads fresh records straight into the batch's arrays (no intermediate list to copy from) and
     * remembers them, in log order, as one chunk of {@link #unfinished}.
     */
    private boolean readFresh(InFlightBatch batch, long now) {
        int room = Math.min(maxBatchRecords - batch.size, windowRecords - unfinishedRecords);
        if (room <= 0 || unread.count == 0) {
            return false;
        }
        int from = batch.size;
        long readBytes = log.read(index, room, maxBatchBytes - batch.bytes, batch.freshRecords());
        if (batch.size == from) {
            return false;
        }
        if (deliveryTimeoutNanos > 0) {
            readBytes -= deadLetterExpired(batch, from, now);
        }
        batch.bytes += readBytes; // the log's count: no need to load each record
        if (batch.size > from) {
            unfinished.addLast(new ReadChunk(batch.records, from, batch.size));
            unfinishedRecords += batch.size - from;
        }
        return true;
    }

    /**
     * Dead-letters the records from {@code from} on that outlived the delivery timeout before their
     * first attempt, and closes the gaps they leave in the batch.
     *
     * @return their payload bytes
     */
    private long deadLetterExpired(InFlightBatch batch, int from, long now) {
        long expiredBytes = 0;
        int kept = from;
        for (int i = from; i < batch.size; i++) {
            LogRecord r = batch.records[i];
            if (FailureClassifier.isExpired(now - r.acceptedNanos, deliveryTimeoutNanos)) {
                deadLetter(r, DeadLetter.Reason.DELIVERY_TIMEOUT, 0, null);
                expiredBytes += payloadSize(r);
            } else {
                batch.records[kept++] = r;
            }
        }
        Arrays.fill(batch.records, kept, batch.size, null);
        batch.size = kept;
        return expiredBytes;
    }

    private void send(InFlightBatch batch) {
        inFlight++;
        counters.inFlightRequests = inFlight;
        counters.batchSent(batch.size, batch.bytes);
        CompletionStage<BatchResult> stage;
        try {
            stage = sink.send(batch);
            if (stage == null) {
                stage = failed(new NullPointerException("Sink.send returned null"));
            }
        } catch (RuntimeException e) {
            stage = failed(e);
        }
        stage.whenComplete(batch);
    }

    /** A flush must not wait out what the sink holds back to fill its records: ask it to send now. */
    private void sendHeld() {
        try {
            sink.sendHeld();
        } catch (RuntimeException e) {
            // The held records still complete when the sink's own wait ends; only the flush is slower.
            LOG.warn("Sink {} failed to send its held records on flush", name, e);
        }
    }

    private static CompletionStage<BatchResult> failed(Throwable error) {
        CompletableFuture<BatchResult> f = new CompletableFuture<>();
        f.completeExceptionally(error);
        return f;
    }

    /** Called on whatever thread completed the sink's stage: hand the batch back to the dispatcher. */
    void completed(InFlightBatch batch) {
        dispatcher.completed(batch);
    }

    /** Applies the outcome of one call, on the dispatcher. */
    void onCompletion(InFlightBatch batch, long now, Random random) {
        inFlight--;
        counters.inFlightRequests = inFlight;
        BatchResult result = batch.result;
        RecordResult whole = null;
        if (batch.error != null) {
            whole = FailureClassifier.classify(batch.error);
        } else if (result == null || result.size() != batch.size) {
            whole = FailureClassifier.contractViolation(batch.size, result == null ? 0 : result.size());
        }
        long deliveredRecords = 0;
        long deliveredBytes = 0;
        long retried = 0;
        int ledgered = 0;
        for (int i = 0; i < batch.size; i++) {
            LogRecord r = batch.records[i];
            int attempt = batch.attempts[i];
            RecordResult outcome = whole != null ? whole : result.get(i);
            switch (FailureClassifier.decide(outcome, attempt, maxAttempts, now - r.acceptedNanos, deliveryTimeoutNanos)) {
                case DELIVERED:
                    r.terminalMask |= bit;
                    deliveredRecords++;
                    deliveredBytes += payloadSize(r);
                    notifier.delivered(name, r);
                    if (delivered != null) {
                        delivered[ledgered] = r;
                        deliveredTo[ledgered] = outcome.destination();
                        ledgered++;
                    }
                    break;
                case RETRY:
                    if (r.evicted) {
                        drop(r, DropReason.OVERFLOW_DROP_OLDEST);
                    } else if (!sending) {
                        // Closing: there is no next attempt. With the disk journal the record stays
                        // unfinished, so pending for the next tracker.
                        if (closeReason != null) {
                            drop(r, closeReason);
                        }
                    } else {
                        long delay = backoff.delayNanos(attempt, random);
                        retries.add(new RetryEntry(r, attempt + 1, now + delay, outcome, retryOrder++));
                        retried++;
                        notifier.retried(name, r, attempt + 1, TimeUnit.NANOSECONDS.toMillis(delay), outcome);
                    }
                    break;
                case DEAD_LETTER_PERMANENT:
                    deadLetter(r, DeadLetter.Reason.PERMANENT_ERROR, attempt, outcome);
                    break;
                case DEAD_LETTER_MAX_ATTEMPTS:
                    deadLetter(r, DeadLetter.Reason.MAX_ATTEMPTS, attempt, outcome);
                    break;
                default:
                    deadLetter(r, DeadLetter.Reason.DELIVERY_TIMEOUT, attempt, outcome);
            }
        }
        counters.delivered(deliveredRecords, deliveredBytes);
        counters.retried(retried);
        if (ledgered > 0) {
            // Before advanceCommit: the journal writer must never see a commit position past a
            // delivery the ledger has not counted (it would persist the position without it).
            ledgerWaits |= ledger.delivered(index, delivered, deliveredTo, ledgered);
            Arrays.fill(delivered, 0, ledgered, null);
            Arrays.fill(deliveredTo, 0, ledgered, null);
        }
        advanceCommit();
    }

    private void deadLetter(LogRecord r, DeadLetter.Reason reason, int attempts, RecordResult cause) {
        r.terminalMask |= bit;
        byte[] payload = r.payloads[slot];
        counters.deadLettered(payload.length);
        String code = cause == null ? null : cause.code();
        String message = cause == null
                ? "not delivered within the delivery timeout of " + TimeUnit.NANOSECONDS.toMillis(deliveryTimeoutNanos) + " ms"
                : cause.message();
        notifier.deadLettered(name, r, new DeadLetter(name, r, payload, reason, attempts, code, message));
    }

    private void drop(LogRecord r, DropReason reason) {
        r.terminalMask |= bit;
        counters.dropped(reason, payloadSize(r));
        notifier.dropped(name, r, reason);
    }

    private int payloadSize(LogRecord r) {
        return r.payloads[slot].length;
    }

    private void advanceCommit() {
        ReadChunk head;
        while ((head = unfinished.peekFirst()) != null) {
            while (head.next < head.end && (head.records[head.next].terminalMask & bit) != 0) {
                head.next++;
                unfinishedRecords--;
            }
            if (head.next < head.end) {
                break;
            }
            unfinished.pollFirst();
        }
        LogRecord oldest = oldestUnfinished();
        counters.oldestUnfinishedNanos = oldest == null ? Long.MAX_VALUE : oldest.acceptedNanos;
        log.commit(index, oldest == null ? EventLog.ALL_READ : oldest.seq);
        if (ledgerWaits) {
            // After the commit, never before: see DeliveryLedgers.
            ledgerWaits = !ledger.committed(index, oldest == null ? Long.MAX_VALUE : oldest.seq);
        }
    }

    /** Whether every record of this sink below {@code seq} is finished. */
    boolean hasFinishedBelow(long seq) {
        LogRecord oldest = oldestUnfinished();
        if (oldest != null && oldest.seq < seq) {
            return false;
        }
        log.peek(index, unread);
        return unread.count == 0 || unread.readPosition >= seq;
    }

    /** Whether a {@code send} call of this sink has not completed (or its completion is not applied yet). */
    boolean hasCallsInFlight() {
        return inFlight > 0;
    }

    /**
     * On close, once the flush is over: sends nothing more, neither fresh records nor retries.
     * Completions of calls in flight are still applied and count as what they were; a record that
     * would be retried is dropped with {@code reason} instead (null: with the disk journal it stays
     * pending for the next tracker).
     */
    void stopSending(@Nullable DropReason reason) {
        sending = false;
        closeReason = reason;
    }

    /**
     * On close, last: everything still pending for this sink is dropped with {@code reason},
     * including the records of calls still in flight (their outcome will never be applied: the
     * destination may have stored them). A null reason (disk journal) forgets the sink's state without
     * dropping or committing anything: the records stay pending in the journal for the next tracker,
     * and only their receipts are completed (as not delivered).
     *
     * @return the calls that were still in flight
     */
    int abandon(@Nullable DropReason reason) {
        int abandonedCalls = inFlight;
        LogRecord oldest = oldestUnfinished();
        List<LogRecord> rest = new ArrayList<>();
        if (reason != null) {
            log.read(index, Integer.MAX_VALUE, Long.MAX_VALUE, rest); // no limits: everything unread
        } else {
            log.unreadWithReceipts(index, rest); // the rest stays in the journal: only receipts need an answer
        }
        if (oldest == null && !rest.isEmpty()) {
            oldest = rest.get(0);
        }
        for (ReadChunk chunk : unfinished) {
            for (int i = chunk.next; i < chunk.end; i++) {
                LogRecord r = chunk.records[i];
                if ((r.terminalMask & bit) == 0) {
                    finishAtClose(r, reason);
                }
            }
        }
        for (LogRecord r : rest) {
            finishAtClose(r, reason);
        }
        unfinished.clear();
        unfinishedRecords = 0;
        retries.clear();
        inFlight = 0;
        counters.inFlightRequests = 0;
        if (reason != null) {
            advanceCommit();
        } else {
            // Still pending (in the journal): the age metric keeps showing the oldest of them.
            counters.oldestUnfinishedNanos = oldest == null ? Long.MAX_VALUE : oldest.acceptedNanos;
        }
        return abandonedCalls;
    }

    private void finishAtClose(LogRecord r, @Nullable DropReason reason) {
        if (reason != null) {
            drop(r, reason);
        } else if (r.receipt != null) {
            notifier.pendingAtClose(name, r);
        }
    }

    private LogRecord oldestUnfinished() {
        ReadChunk head = unfinished.peekFirst();
        return head == null ? null : head.records[head.next];
    }

    /**
     * The records of one read from the log, {@code records[from..end)} of the batch that first sent
     * them (never changed after the send); those before {@code next} are final for this sink.
     */
    private static final class ReadChunk {
        final LogRecord[] records;
        final int end;
        int next;

        ReadChunk(LogRecord[] records, int from, int end) {
            this.records = records;
            this.next = from;
            this.end = end;
        }
    }

    /** A record waiting for its next attempt. */
    private static final class RetryEntry implements Comparable<RetryEntry> {
        final LogRecord record;
        final int attempt;
        final long dueNanos;
        final RecordResult cause;
        final long order;

        RetryEntry(LogRecord record, int attempt, long dueNanos, RecordResult cause, long order) {
            this.record = record;
            this.attempt = attempt;
            this.dueNanos = dueNanos;
            this.cause = cause;
            this.order = order;
        }

        @Override
        public int compareTo(RetryEntry o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
