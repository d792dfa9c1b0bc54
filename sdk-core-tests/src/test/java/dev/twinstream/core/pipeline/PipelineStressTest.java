package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeadLetterStore;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ReceivedRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight producer threads (on a 2-CPU machine) track 1,000,000 events through a tracker built with
 * the public API, on its real threads and clock, into two {@link InMemorySink}s with seeded random
 * failures, over a small memory journal whose BLOCK policy makes producers wait instead of dropping:
 *
 * <ul>
 *   <li>{@value #RETRYING}: 20 % of records fail RETRYABLE, retried without an attempt limit; every
 *       call takes 1 ms and completes on a thread of its own (as an HTTP client's would), so calls
 *       complete concurrently with the dispatcher.
 *   <li>{@value #PERMANENT}: 2 % of records fail PERMANENT and are dead-lettered; calls complete at once.
 * </ul>
 *
 * <p>One variant flushes after all 1,000,000 events; the other takes the retrying sink down and
 * closes the tracker while the producers are still tracking, so that close drops what it cannot
 * deliver and every later {@code track} must throw {@link IllegalStateException}.
 *
 * <p>Which event gets which failure depends on how the threads interleave, so the test asserts only
 * what every interleaving must satisfy: per sink, every id {@code track} returned reaches exactly one
 * final outcome (delivered or dead-lettered, or dropped when {@code close()} gave up), no id is
 * delivered twice or unknown, the listener, the dead-letter store, the sink and the metrics all agree,
 * every payload belongs to its id, and failure rates stay near the seeded fractions. After a flush
 * even the failure counts are exact: the seeds fix how many of a sink's draws fail, only not which
 * event gets which draw. The BLOCK
 * timeout is far longer than the test, so a {@link dev.twinstream.core.BufferFullException} fails it.
 *
 * <p>Waits are bounded and on conditions (latches, {@code flush(timeout)}, a monitor), never sleeps.
 * A summary line with timings goes to the test's output file.
 */
class PipelineStressTest {
    private static final long SEED = 20261202L;
    private static final int PRODUCERS = 8;
    private static final int EVENTS = 1_000_000;
    private static final int SHARE = EVENTS / PRODUCERS;
    /** A few tens of thousands of events, far fewer than 1,000,000: producers keep filling it and blocking. */
    private static final long JOURNAL_BYTES = 4L * 1024 * 1024;
    private static final double RETRYABLE_FRACTION = 0.20;
    private static final double PERMANENT_FRACTION = 0.02;
    private static final int MAX_IN_FLIGHT = 4;
    /** Backoff starts at 1 ms; the cap only matters during the close variant's outage. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    static final String RETRYING = "retrying";
    static final String PERMANENT = "permanent";
    private static final String RETRYABLE_CODE = "ServiceUnavailableException";
    private static final String PERMANENT_CODE = "InvalidArgumentException";
    /** The flush variant's close has nothing left to do; the close variant's waits out 90 % of this. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A small event: the test is about concurrency, not encoding. */
    record Tick(int producer, int seq) {}

    static final EventType<Tick> TICK = EventType.builder(Tick.class, "tick").build();

    @Test
    void eightProducersAMillionEventsTwoFailingSinksFlushAccountsForEveryId() throws Exception {
        try (Run run = new Run()) {
            run.startProducers(false);
            run.sampleWhileProducing(Long.MAX_VALUE);
            run.joinProducers();
            long flushStart = System.nanoTime();
            assertThat(run.tracker.flush(Duration.ofSeconds(30))).as(() -> "flushed within 30 s: " + run.tracker.metrics())
                    .isTrue();
            run.flushNanos = System.nanoTime() - flushStart;
            assertThat(run.tracker.metrics()).hasNothingPending();
            run.awaitListener(WAIT);
            run.verify(false);
            assertThat(run.returnedIds).isEqualTo(EVENTS);
            for (Producer p : run.producers) {
                assertThat(p.tracked).as("producer %d tracked its share", p.index).isEqualTo(SHARE);
            }
            // The interleaving decides which event gets which of a sink's seeded draws (one per record
            // sent), not how many failures there are: the permanent sink draws once per event, the
            // retrying one until its 1,000,000th success. So the counts are exact.
            TrackerMetrics m = run.tracker.metrics();
            assertThat(m.sink(PERMANENT).deadLettered()).as("permanent failures among the first %d draws", EVENTS)
                    .isEqualTo(failuresInDraws(SEED + 2, PERMANENT_FRACTION, EVENTS, false));
            assertThat(m.sink(RETRYING).retried()).as("retryable failures before the %dth success", EVENTS)
                    .isEqualTo(failuresInDraws(SEED + 1, RETRYABLE_FRACTION, EVENTS, true));
            run.closeTracker();
            assertThat(run.tracker.metrics()).hasNothingPending();
            assertThat(run.tracker.metrics().sink(RETRYING).dropped()).isZero();
            assertThat(run.tracker.metrics().sink(PERMANENT).dropped()).isZero();
            run.report("flush");
        }
    }

    /**
     * Closes with about 3/4 of the events still to come, just after the retrying sink went down: its
     * close-time flush cannot finish, so close waits out its flush budget and drops what that sink
     * still has (retrying, unread, or in calls in flight) as {@code CLOSED_BEFORE_DELIVERY}, while the other
     * sink is flushed. Every outcome kind occurs, and each returned id still gets exactly one.
     */
    @Test
    void closeWhileEightProducersTrackLosesNoReturnedIdAndRejectsLaterTracks() throws Exception {
        try (Run run = new Run()) {
            run.startProducers(true);
            run.sampleWhileProducing(EVENTS / 4);
            run.callsBeforeOutage = run.retrying.callCount();
            run.retrying.downFor(Duration.ofDays(1));
            run.awaitCallDuringOutage(run.retrying.callCount()); // counted after downFor: sent into the outage
            long closeStart = System.nanoTime();
            run.closeTracker();
            run.closeNanos = System.nanoTime() - closeStart;
            run.closed.countDown();
            run.joinProducers();
            assertThat(Duration.ofNanos(run.closeNanos))
                    .as("close waited out its flush budget and returned within its timeout plus the close grace")
                    .isBetween(CLOSE_TIMEOUT.multipliedBy(9).dividedBy(10),
                            CLOSE_TIMEOUT.plusMillis(EventTracker.Builder.CLOSE_GRACE_MILLIS));

            int stoppedMidStream = 0;
            for (Producer p : run.producers) {
                assertThat(p.closedMessage).as("producer %d got IllegalStateException", p.index)
                        .isEqualTo("EventTracker is closed");
                assertThat(p.laterCallsAccepted).as("producer %d: track calls after the first rejection", p.index)
                        .isZero();
                if (p.tracked < SHARE) {
                    stoppedMidStream++;
                }
            }
            assertThat(stoppedMidStream).as("producers still tracking when close() ran").isPositive();
            assertThat(run.returnedIds).isGreaterThanOrEqualTo(EVENTS / 4).isLessThan(EVENTS);
            assertThatThrownBy(() -> run.tracker.track(new Tick(0, 0))).isInstanceOf(IllegalStateException.class);

            assertThat(run.tracker.metrics()).hasNothingPending();
            for (String sink : List.of(RETRYING, PERMANENT)) {
                SinkMetrics m = run.tracker.metrics().sink(sink);
                assertThat(m.dropped()).as("%s: only close drops", sink)
                        .isEqualTo(m.droppedByReason().get(DropReason.CLOSED_BEFORE_DELIVERY));
            }
            assertThat(run.tracker.metrics().sink(RETRYING).dropped()).as("dropped by close: the sink is down").isPositive();
            // close() stopped the listener thread: whatever it was going to hear, it has heard.
            run.awaitListener(Duration.ofSeconds(1));
            run.awaitSinkCallsCompleted();
            run.verify(true);
            run.stoppedMidStream = stoppedMidStream;
            run.report("close");
        }
    }

    /**
     * Replays an {@link InMemorySink}'s failure draws for {@code seed} (one {@code nextDouble()} per
     * record sent, failing below {@code fraction}): the failures among the first {@code n} draws, or
     * before the {@code n}th success.
     */
    private static long failuresInDraws(long seed, double fraction, int n, boolean untilSuccesses) {
        Random random = new Random(seed);
        long failures = 0;
        for (long draws = 0, successes = 0; untilSuccesses ? successes < n : draws < n; draws++) {
            if (random.nextDouble() < fraction) {
                failures++;
            } else {
                successes++;
            }
        }
        return failures;
    }

    /** One tracker, its two sinks, the producers and what the listener heard. */
    static final class Run implements AutoCloseable {
        final long startNanos = System.nanoTime();
        final CloseTest.RecordingThreadFactory threadFactory = new CloseTest.RecordingThreadFactory();
        final ScheduledThreadPoolExecutor sinkThreads = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sink-completions");
            t.setDaemon(true);
            return t;
        });
        final Scheduler sinkScheduler = new Scheduler() {
            @Override
            public void execute(Runnable task) {
                sinkThreads.execute(task);
            }

            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> f = sinkThreads.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }
        };
        final InMemorySink retrying = InMemorySink.builder().seed(SEED + 1).scheduler(sinkScheduler).build()
                .latency(Duration.ofMillis(1))
                .failFraction(RETRYABLE_FRACTION, RecordResult.retryable(RETRYABLE_CODE, "Slow down."));
        final InMemorySink permanent = InMemorySink.builder().seed(SEED + 2).build()
                .failFraction(PERMANENT_FRACTION, RecordResult.permanent(PERMANENT_CODE, "Record is malformed"));
        final DeadLetterStore deadLetters = new DeadLetterStore(256L * 1024 * 1024, Clock.system());
        final Listener listener = new Listener();
        final EventTracker tracker = EventTracker.builder()
                .register(TICK)
                .sink(RETRYING, retrying, SinkOptions.defaults().maxInFlightRequests(MAX_IN_FLIGHT)
                        .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(1)).maxDelay(MAX_BACKOFF)))
                .sink(PERMANENT, permanent, SinkOptions.defaults().maxInFlightRequests(MAX_IN_FLIGHT))
                .journal(Journal.memory().maxBytes(JOURNAL_BYTES).overflow(OverflowPolicy.block(WAIT)))
                .deadLetterHandler(deadLetters)
                .listener(listener)
                .threadFactory(threadFactory)
                .random(new Random(SEED))
                .closeTimeout(CLOSE_TIMEOUT)
                .build();
        final List<Producer> producers = new ArrayList<>();
        final CountDownLatch ready = new CountDownLatch(PRODUCERS);
        final CountDownLatch go = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(PRODUCERS);
        /** Counted down once close() returned: a producer that finished its share then tracks once more. */
        final CountDownLatch closed = new CountDownLatch(1);
        long produceNanos;
        long flushNanos;
        long closeNanos;
        long returnedIds;
        long maxJournalBytes;
        int samples;
        /** Calls the retrying sink got before it went down (the failure rate is measured on those); -1: it never did. */
        int callsBeforeOutage = -1;
        int stoppedMidStream;
        private boolean trackerClosed;

        void startProducers(boolean trackAfterClose) throws InterruptedException {
            for (int p = 0; p < PRODUCERS; p++) {
                Producer producer = new Producer(p, this, trackAfterClose);
                producers.add(producer);
                producer.thread.start();
            }
            assertThat(ready.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("producers ready").isTrue();
            go.countDown();
        }

        /**
         * Until the producers are done (or {@code untilAccepted} events were accepted), checks every
         * 10 ms what must hold at any moment: conservation without negative pending, and a journal
         * within its bound.
         */
        void sampleWhileProducing(long untilAccepted) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long goNanos = System.nanoTime();
            while (!done.await(10, TimeUnit.MILLISECONDS)) {
                TrackerMetrics m = tracker.metrics();
                samples++;
                assertThat(m).isConserved();
                assertThat(m.journalBytes()).isLessThanOrEqualTo(JOURNAL_BYTES);
                maxJournalBytes = Math.max(maxJournalBytes, m.journalBytes());
                assertThat(m.bufferFullRejections()).isZero();
                if (m.sink(RETRYING).accepted() >= untilAccepted) {
                    return;
                }
                assertThat(System.nanoTime()).as("producers finished within %s: %s", WAIT, m).isLessThan(deadline);
            }
            produceNanos = System.nanoTime() - goNanos;
        }

        void joinProducers() throws InterruptedException {
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("producers done").isTrue();
            for (Producer p : producers) {
                p.thread.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(p.thread.isAlive()).isFalse();
                assertThat(p.unexpected).as("producer %d failed", p.index).isNull();
                returnedIds += p.tracked;
            }
        }

        void closeTracker() throws InterruptedException {
            if (trackerClosed) {
                return;
            }
            trackerClosed = true;
            tracker.close();
            for (Thread t : threadFactory.threads) {
                t.join(TimeUnit.SECONDS.toMillis(5));
                assertThat(t.isAlive()).as("tracker thread %s stopped", t.getName()).isFalse();
            }
        }

        /** Waits until the listener has heard every final outcome and retry the metrics count. */
        void awaitListener(Duration timeout) throws InterruptedException {
            TrackerMetrics m = tracker.metrics();
            Map<String, Long> expected = new HashMap<>();
            for (String sink : List.of(RETRYING, PERMANENT)) {
                SinkMetrics s = m.sink(sink);
                expected.put(sink, s.delivered() + s.deadLettered() + s.dropped() + s.retried());
            }
            assertThat(listener.awaitCounts(expected, timeout)).as("listener heard %s; metrics %s", listener, m).isTrue();
        }

        /**
         * Waits until the retrying sink got a call after its first {@code callsAtOutage}: all of that
         * call's records failed, so they are still pending when close runs.
         */
        void awaitCallDuringOutage(int callsAtOutage) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (retrying.callCount() <= callsAtOutage) {
                assertThat(System.nanoTime()).as("a call to the retrying sink during its outage").isLessThan(deadline);
                assertThat(done.await(1, TimeUnit.MILLISECONDS)).as("producers still running").isFalse();
            }
        }

        /** The retrying sink completes calls on its own thread: wait for those still running after close. */
        void awaitSinkCallsCompleted() throws InterruptedException {
            sinkThreads.shutdown();
            assertThat(sinkThreads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(retrying.inFlightCount()).isZero();
        }

        void verify(boolean closedWhileProducing) {
            // Every id track() returned, once, with its producer and sequence number.
            Map<String, Integer> index = new HashMap<>(2 * EVENTS);
            long returnedTwice = 0;
            for (Producer p : producers) {
                for (int s = 0; s < p.tracked; s++) {
                    if (index.put(p.ids[s], p.index * SHARE + s) != null) {
                        returnedTwice++;
                    }
                }
            }
            assertThat(returnedTwice).as("ids track() returned twice").isZero();
            assertThat(index).hasSize((int) returnedIds);

            TrackerMetrics m = tracker.metrics();
            assertThat(m.rejectedByReason().values()).as("rejections").allMatch(n -> n == 0);
            assertThat(m.bufferFullRejections()).isZero();
            assertThat(m.journalBytes()).isZero();

            Map<String, Integer> deadLetterPositions = new HashMap<>();
            for (String sinkName : List.of(RETRYING, PERMANENT)) {
                SinkMetrics sm = m.sink(sinkName);
                Listener.Outcomes heard = listener.outcomes(sinkName);
                InMemorySink sink = sinkName.equals(RETRYING) ? retrying : permanent;
                assertThat(sm.accepted()).as("%s: accepted = ids returned", sinkName).isEqualTo(returnedIds);
                assertThat(sm.isConserved()).isTrue();
                assertThat(sm.pendingRecords()).isZero();

                // The listener's outcomes agree with the metrics.
                assertThat(heard.delivered.size()).as("%s: onDelivered calls", sinkName).isEqualTo(sm.delivered());
                assertThat(heard.deadLettered.size()).as("%s: onDeadLettered calls", sinkName).isEqualTo(sm.deadLettered());
                assertThat(heard.dropped.size()).as("%s: onDropped calls", sinkName).isEqualTo(sm.dropped());
                assertThat(heard.droppedByReason).as("%s: drops by reason", sinkName)
                        .isEqualTo(nonZero(sm.droppedByReason()));
                assertThat(heard.retried).as("%s: onRetried calls", sinkName).isEqualTo(sm.retried());
                assertThat(heard.badRetries).as("%s: retries with a wrong cause or attempt", sinkName).isZero();

                // Exactly one final outcome per returned id, and only for returned ids.
                byte[] outcome = new byte[PRODUCERS * SHARE];
                long unknown = 0;
                long twice = 0;
                List<List<String>> byOutcome = List.of(heard.delivered, heard.deadLetteredIds(), heard.dropped);
                for (int o = 0; o < byOutcome.size(); o++) {
                    for (String id : byOutcome.get(o)) {
                        Integer at = index.get(id);
                        if (at == null) {
                            unknown++;
                        } else if (outcome[at] != 0) {
                            twice++;
                        } else {
                            outcome[at] = (byte) (o + 1);
                        }
                    }
                }
                assertThat(unknown).as("%s: outcomes for ids track() never returned", sinkName).isZero();
                assertThat(twice).as("%s: ids with two final outcomes", sinkName).isZero();
                long withoutOutcome = 0;
                for (int at : index.values()) {
                    if (outcome[at] == 0) {
                        withoutOutcome++;
                    }
                }
                assertThat(withoutOutcome).as("%s: returned ids without a final outcome", sinkName).isZero();

                // What the sink stored: each delivered id exactly once, with its own payload. A
                // retryable InMemorySink failure stores nothing, so no duplicate is legitimate.
                boolean[] received = new boolean[PRODUCERS * SHARE];
                long unknownReceived = 0;
                long duplicates = 0;
                long receivedButNotDelivered = 0;
                long badPayloads = 0;
                long attempts = 0;
                for (ReceivedRecord r : sink.received()) {
                    attempts += r.attempt();
                    Integer at = index.get(r.eventId());
                    if (at == null) {
                        unknownReceived++;
                        continue;
                    }
                    if (received[at]) {
                        duplicates++;
                    }
                    received[at] = true;
                    if (outcome[at] != 1) {
                        receivedButNotDelivered++;
                        assertThat(outcome[at]).as("%s: an id the sink stored was not delivered, so close() dropped it",
                                sinkName).isEqualTo((byte) 3);
                    }
                    if (!payloadMatches(r.payload(), r.eventId(), at)) {
                        badPayloads++;
                    }
                }
                assertThat(unknownReceived).as("%s: stored ids track() never returned", sinkName).isZero();
                assertThat(duplicates).as("%s: ids stored twice", sinkName).isZero();
                assertThat(badPayloads).as("%s: payloads not matching their id, producer and seq", sinkName).isZero();
                long deliveredNotReceived = 0;
                for (int at : index.values()) {
                    if (outcome[at] == 1 && !received[at]) {
                        deliveredNotReceived++;
                    }
                }
                assertThat(deliveredNotReceived).as("%s: delivered ids the sink does not have", sinkName).isZero();
                assertThat(sink).neverExceededItsLimits();
                assertThat(sink.isClosed() == trackerClosed).as("%s: closed by the tracker's close only", sinkName).isTrue();
                assertThat(sink.sendsAfterClose()).isZero();

                if (sinkName.equals(RETRYING)) {
                    // Unlimited retries: nothing dead-lettered; a failure is retried once, nothing else is resent.
                    assertThat(sm.deadLettered()).isZero();
                    List<InMemorySink.Call> calls = sink.calls();
                    long sentBeforeOutage = 0;
                    long failedBeforeOutage = 0;
                    for (InMemorySink.Call call : callsBeforeOutage < 0 ? calls : calls.subList(0, callsBeforeOutage)) {
                        sentBeforeOutage += call.recordCount();
                        failedBeforeOutage += call.retryableCount();
                    }
                    assertThat((double) failedBeforeOutage / sentBeforeOutage).as("retryable failures per record sent")
                            .isBetween(RETRYABLE_FRACTION - 0.02, RETRYABLE_FRACTION + 0.02);
                    if (!closedWhileProducing) {
                        assertThat(receivedButNotDelivered).isZero();
                        assertThat(sm.retried()).as("one retry per failed record").isEqualTo(sink.failedRecordCount());
                        assertThat(sink.sentRecordCount()).as("records sent = attempts of the delivered ones")
                                .isEqualTo(attempts).isEqualTo(sm.delivered() + sm.retried());
                    } else {
                        // Calls in flight when close() stopped the dispatcher completed later: their records
                        // may be stored (counted as dropped) and their failures never retried.
                        long unprocessed = sink.sentRecordCount() - sm.delivered() - sm.retried();
                        assertThat(unprocessed).as("records of calls close() abandoned in flight")
                                .isBetween(0L, (long) MAX_IN_FLIGHT * InMemorySink.DEFAULT_MAX_RECORDS_PER_BATCH);
                        assertThat(receivedButNotDelivered).isLessThanOrEqualTo(unprocessed);
                    }
                } else {
                    // Calls complete at once: every sent record's outcome is processed, each record sent once.
                    assertThat(sm.retried()).isZero();
                    assertThat(receivedButNotDelivered).isZero();
                    assertThat(sink.sentRecordCount()).isEqualTo(sm.delivered() + sm.deadLettered());
                    assertThat(sink.failedRecordCount()).isEqualTo(sm.deadLettered());
                    double deadFraction = (double) sm.deadLettered() / sink.sentRecordCount();
                    assertThat(deadFraction).as("permanent failures per record sent")
                            .isBetween(PERMANENT_FRACTION * 0.8, PERMANENT_FRACTION * 1.2);
                    for (DeadLetter dl : heard.deadLettered) {
                        deadLetterPositions.put(dl.eventId(), index.get(dl.eventId()));
                    }
                }
            }

            // The dead-letter store has exactly the dead letters the listener heard, intact.
            assertThat(deadLetters.evictedCount()).isZero();
            List<DeadLetter> stored = deadLetters.snapshot();
            assertThat(deadLetters.totalCount()).isEqualTo(stored.size())
                    .isEqualTo(m.sink(RETRYING).deadLettered() + m.sink(PERMANENT).deadLettered());
            Map<String, Integer> storedIds = new HashMap<>();
            for (DeadLetter dl : stored) {
                assertThat(storedIds.put(dl.eventId(), 1)).as("dead letter %s stored twice", dl.eventId()).isNull();
                assertThat(dl.sink()).isEqualTo(PERMANENT);
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR);
                assertThat(dl.attempts()).isEqualTo(1);
                assertThat(dl.errorCode()).isEqualTo(PERMANENT_CODE);
                Integer at = deadLetterPositions.get(dl.eventId());
                assertThat(at).as("dead letter %s was heard by the listener", dl.eventId()).isNotNull();
                assertThat(payloadMatches(dl.payload(), dl.eventId(), at)).as("payload of dead letter %s", dl.eventId())
                        .isTrue();
            }
            assertThat(storedIds.keySet()).isEqualTo(deadLetterPositions.keySet());
            assertThat(listener.threads).as("callbacks ran on the tracker's one listener thread").hasSize(1);
            assertThat(threadFactory.threads).contains(listener.threads.iterator().next());
        }

        /** {@code {"eventId":"<id>","eventType":"tick",...,"data":{"producer":P,"seq":S}}\n} */
        private static boolean payloadMatches(byte[] payload, String id, int at) {
            String line = new String(payload, StandardCharsets.UTF_8);
            return line.startsWith("{\"eventId\":\"" + id + "\",\"eventType\":\"tick\",")
                    && line.endsWith(",\"data\":{\"producer\":" + at / SHARE + ",\"seq\":" + at % SHARE + "}}\n");
        }

        private static Map<DropReason, Long> nonZero(Map<DropReason, Long> drops) {
            Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
            drops.forEach((reason, n) -> {
                if (n != 0) {
                    out.put(reason, n);
                }
            });
            return out;
        }

        void report(String variant) {
            TrackerMetrics m = tracker.metrics();
            System.out.printf("PipelineStressTest[%s]: %d ids from %d producers (%d stopped by close), produce %d ms, "
                            + "flush %d ms, close %d ms, total %d ms, max journal %d of %d bytes (%d samples)%n  %s%n  %s%n",
                    variant, returnedIds, PRODUCERS, stoppedMidStream, TimeUnit.NANOSECONDS.toMillis(produceNanos),
                    TimeUnit.NANOSECONDS.toMillis(flushNanos), TimeUnit.NANOSECONDS.toMillis(closeNanos),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), maxJournalBytes, JOURNAL_BYTES,
                    samples, m.sink(RETRYING), m.sink(PERMANENT));
        }

        @Override
        public void close() {
            go.countDown();
            closed.countDown();
            try {
                closeTracker();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sinkThreads.shutdownNow();
            }
        }
    }

    /** One producer thread: tracks its share and keeps every id {@code track} returned. */
    static final class Producer implements Runnable {
        final int index;
        final Run owner;
        final boolean trackAfterClose;
        final Thread thread;
        final String[] ids = new String[SHARE];
        int tracked;
        String closedMessage;
        int laterCallsAccepted;
        Throwable unexpected;

        Producer(int index, Run owner, boolean trackAfterClose) {
            this.index = index;
            this.owner = owner;
            this.trackAfterClose = trackAfterClose;
            this.thread = new Thread(this, "producer-" + index);
        }

        @Override
        public void run() {
            try {
                owner.ready.countDown();
                if (!owner.go.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("no start signal");
                }
                for (int i = 0; i < SHARE; i++) {
                    try {
                        ids[i] = owner.tracker.track(new Tick(index, i));
                    } catch (IllegalStateException e) {
                        rejected(e, i);
                        return;
                    }
                    tracked = i + 1;
                }
                if (trackAfterClose) {
                    // Finished before close(): a track after it must be refused all the same.
                    if (!owner.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new AssertionError("close() did not happen");
                    }
                    try {
                        owner.tracker.track(new Tick(index, SHARE));
                        laterCallsAccepted++;
                    } catch (IllegalStateException e) {
                        rejected(e, SHARE);
                    }
                }
            } catch (Throwable e) { // BufferFullException, EventRejectedException, an interrupt: all fail the test
                unexpected = e;
            } finally {
                owner.done.countDown();
            }
        }

        /** The first refusal; later calls must be refused too. */
        private void rejected(IllegalStateException e, int seq) {
            closedMessage = e.getMessage();
            for (int again = 0; again < 3; again++) {
                try {
                    owner.tracker.track(new Tick(index, seq));
                    laterCallsAccepted++;
                } catch (IllegalStateException expected) {
                    // refused, as it must be
                }
            }
        }
    }

    /** Counts every callback per sink; all run on the listener thread, which this checks. */
    static final class Listener implements DeliveryListener {
        final Map<String, Outcomes> sinks = Map.of(RETRYING, new Outcomes(), PERMANENT, new Outcomes());
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        private final Object lock = new Object();
        private Thread lastThread;
        private long total;
        private long awaited = Long.MAX_VALUE;

        static final class Outcomes {
            final List<String> delivered = new ArrayList<>();
            final List<DeadLetter> deadLettered = new ArrayList<>();
            final List<String> dropped = new ArrayList<>();
            final Map<DropReason, Long> droppedByReason = new EnumMap<>(DropReason.class);
            long retried;
            long badRetries;
            long count;

            Outcomes copy() {
                Outcomes c = new Outcomes();
                c.delivered.addAll(delivered);
                c.deadLettered.addAll(deadLettered);
                c.dropped.addAll(dropped);
                c.droppedByReason.putAll(droppedByReason);
                c.retried = retried;
                c.badRetries = badRetries;
                c.count = count;
                return c;
            }

            List<String> deadLetteredIds() {
                List<String> ids = new ArrayList<>(deadLettered.size());
                for (DeadLetter dl : deadLettered) {
                    ids.add(dl.eventId());
                }
                return ids;
            }
        }

        /** A copy of what the listener heard for {@code sink} so far. */
        Outcomes outcomes(String sink) {
            synchronized (lock) {
                return sinks.get(sink).copy();
            }
        }

        private void heard() {
            Thread t = Thread.currentThread();
            if (t != lastThread) {
                threads.add(t);
                lastThread = t;
            }
            total++;
            if (total >= awaited) {
                lock.notifyAll();
            }
        }

        @Override
        public void onDelivered(String sink, TrackedEvent event) {
            synchronized (lock) {
                Outcomes o = sinks.get(sink);
                o.delivered.add(event.eventId());
                o.count++;
                heard();
            }
        }

        @Override
        public void onRetried(String sink, TrackedEvent event, int nextAttempt, long backoffMillis, RecordResult cause) {
            synchronized (lock) {
                Outcomes o = sinks.get(sink);
                o.retried++;
                boolean knownCause = RETRYABLE_CODE.equals(cause.code()) // or the close variant's outage:
                        || InMemorySink.UNAVAILABLE_CODE.equals(cause.code());
                if (nextAttempt < 2 || backoffMillis < 0 || backoffMillis > MAX_BACKOFF.toMillis() || !knownCause) {
                    o.badRetries++;
                }
                o.count++;
                heard();
            }
        }

        @Override
        public void onDeadLettered(String sink, DeadLetter deadLetter) {
            synchronized (lock) {
                Outcomes o = sinks.get(sink);
                o.deadLettered.add(deadLetter);
                o.count++;
                heard();
            }
        }

        @Override
        public void onDropped(String sink, TrackedEvent event, DropReason reason) {
            synchronized (lock) {
                Outcomes o = sinks.get(sink);
                o.dropped.add(event.eventId());
                o.droppedByReason.merge(reason, 1L, Long::sum);
                o.count++;
                heard();
            }
        }

        /** Waits until each sink's callbacks number {@code expected} (outcomes plus retries); false on timeout. */
        boolean awaitCounts(Map<String, Long> expected, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                long sum = 0;
                for (long n : expected.values()) {
                    sum += n;
                }
                awaited = sum;
                try {
                    while (total < sum) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    }
                } finally {
                    awaited = Long.MAX_VALUE;
                }
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    if (sinks.get(e.getKey()).count != e.getValue()) {
                        return false;
                    }
                }
                return true;
            }
        }

        @Override
        public String toString() {
            synchronized (lock) {
                StringBuilder s = new StringBuilder();
                sinks.forEach((name, o) -> s.append(name).append(": delivered=").append(o.delivered.size())
                        .append(" deadLettered=").append(o.deadLettered.size()).append(" dropped=").append(o.dropped.size())
                        .append(" retried=").append(o.retried).append("; "));
                return s.toString();
            }
        }
    }
}
