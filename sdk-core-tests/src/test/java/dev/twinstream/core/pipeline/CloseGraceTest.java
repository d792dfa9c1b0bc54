package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeliveryFailedException;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code close()} does after its flush gave up, on the tracker's real threads and clock: it
 * waits (within {@link EventTracker.Builder#CLOSE_GRACE_MILLIS}) for calls in flight and counts them
 * as what they were, waits for the listener to hear every outcome, never blocks on a full listener
 * queue, counts what the listener could not hear, and always completes receipts.
 */
class CloseGraceTest {
    /** Scheduling slack on a shared 2-CPU machine, beyond closeTimeout + CLOSE_GRACE_MILLIS. */
    private static final long MARGIN_MILLIS = 1_000;
    private static final long GRACE_MILLIS = EventTracker.Builder.CLOSE_GRACE_MILLIS;

    @TempDir
    Path dir;

    private final ScheduledThreadPoolExecutor completer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "slow-sink-answers");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopCompleter() {
        completer.shutdownNow();
    }

    /**
     * The scenario of issue #18's reproduction: 100,000 events for a sink that is down, a listener
     * that takes 5 µs per drop (0.5 s for all of them, well within the grace). Before, about a third
     * of the drops were never heard and a third of the receipts never completed.
     */
    @ParameterizedTest(name = "closeTimeout {0} ms")
    @ValueSource(longs = {0, 100, 1000})
    void aSlowListenerHearsEveryDropOfADownSinkAndEveryReceiptCompletes(long closeMillis) {
        int events = 100_000;
        InMemorySink down = InMemorySink.create().downFor(Duration.ofDays(1));
        AtomicLong heard = new AtomicLong();
        EventTracker tracker = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", down)
                .closeTimeout(Duration.ofMillis(closeMillis))
                .listener(new DeliveryListener() {
                    @Override
                    public void onDropped(String sink, TrackedEvent event, DropReason reason) {
                        long end = System.nanoTime() + 5_000; // a listener that takes 5 µs per callback
                        while (System.nanoTime() - end < 0) {
                            Thread.onSpinWait();
                        }
                        heard.incrementAndGet();
                    }
                })
                .build();
        List<CompletableFuture<TrackedEvent>> receipts = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            if (i % 1000 == 0) {
                receipts.add(tracker.trackWithReceipt(PipelineFixture.PageView.number(i)));
            } else {
                tracker.track(PipelineFixture.PageView.number(i));
            }
        }

        long closeNanos = timeClose(tracker);

        TrackerMetrics m = tracker.metrics();
        assertThat(m).hasNothingPending().hasDropped("s", DropReason.CLOSED_BEFORE_DELIVERY, events);
        assertThat(m.undeliveredNotifications()).as("notifications not heard").isZero();
        assertThat(heard).as("drops the listener heard before close returned").hasValue(events);
        assertThat(receipts).as("receipts completed when close returned").allSatisfy(r -> assertThat(r)
                .isCompletedExceptionally());
        assertThat(TimeUnit.NANOSECONDS.toMillis(closeNanos)).as("close took at most closeTimeout + grace (+ slack)")
                .isLessThanOrEqualTo(closeMillis + GRACE_MILLIS + MARGIN_MILLIS);
        System.out.printf("CloseGraceTest slow listener, closeTimeout %d ms: close took %d ms%n", closeMillis,
                TimeUnit.NANOSECONDS.toMillis(closeNanos));
    }

    /**
     * A listener that never returns: the dispatcher fills the listener's queue (65,536 notifications)
     * and waits for room. Close must not wait behind it: it flushes, gives the listener the grace,
     * then counts what it could not run, completes every receipt itself and returns in time.
     */
    @Test
    void aStuckListenerDoesNotHoldCloseAndWhatItMissedIsCountedWhileReceiptsComplete() throws Exception {
        int events = 80_000;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicLong heard = new AtomicLong();
        EventTracker tracker = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", InMemorySink.create())
                .closeTimeout(Duration.ofMillis(200))
                .listener(new DeliveryListener() {
                    @Override
                    public void onDelivered(String sink, TrackedEvent event) {
                        stuck.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        heard.incrementAndGet();
                    }
                })
                .build();
        List<CompletableFuture<TrackedEvent>> receipts = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            if (i % 1000 == 0) {
                receipts.add(tracker.trackWithReceipt(PipelineFixture.PageView.number(i)));
            } else {
                tracker.track(PipelineFixture.PageView.number(i));
            }
        }
        assertThat(stuck.await(10, TimeUnit.SECONDS)).as("the listener is stuck in its first callback").isTrue();

        long closeNanos = timeClose(tracker);

        TrackerMetrics m = tracker.metrics();
        assertThat(m).hasNothingPending();
        assertThat(m.sink("s").delivered() + m.sink("s").dropped()).as("one outcome per event").isEqualTo(events);
        assertThat(receipts).as("receipts completed when close returned, by the closing thread")
                .allSatisfy(r -> assertThat(r).isDone());
        // One notification per event (onDelivered or onDropped); the callback in progress is not
        // counted: it runs to its end once released.
        assertThat(m.undeliveredNotifications()).as("onDelivered calls never run").isEqualTo(events - 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(closeNanos)).as("close waited out the grace, and no more")
                .isBetween(GRACE_MILLIS, 200 + GRACE_MILLIS + MARGIN_MILLIS);
        release.countDown();
        assertThat(heard.get()).isLessThanOrEqualTo(1);
    }

    /**
     * A call still in flight when the flush gives up completes within the grace: its events are
     * delivered, for the metrics, the listener and the receipts alike — not dropped although the
     * destination stored them.
     */
    @Test
    void aCallCompletingAfterTheFlushDeadlineCountsAsDelivered() throws Exception {
        SlowSink sink = new SlowSink(1, 600, 600, 0, completer);
        CloseRaceTest.Heard heard = new CloseRaceTest.Heard("s", -1, new CountDownLatch(0));
        EventTracker tracker = trackerWithCloseTimeout100ms(sink, heard);
        List<CompletableFuture<TrackedEvent>> receipts = trackTenWithReceipts(tracker);

        long closeMillis = TimeUnit.NANOSECONDS.toMillis(timeClose(tracker));

        assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("s", 10, 0, 0);
        assertThat(heard.of("s").delivered).hasSize(10).isEqualTo(sink.stored());
        assertThat(heard.of("s").droppedIds()).isEmpty();
        for (CompletableFuture<TrackedEvent> r : receipts) {
            assertThat(r).isCompleted();
            assertThat(heard.of("s").delivered).contains(r.get().eventId());
        }
        assertThat(closeMillis).as("close waited for the call (600 ms), within timeout + half the grace")
                .isBetween(500L, 100 + GRACE_MILLIS / 2 + MARGIN_MILLIS);
    }

    /**
     * A call that never completes: close waits out the first half of the grace, then counts its
     * events as dropped — though the destination stored them, which close cannot know (its javadoc
     * says so) — and the listener, which has the second half, hears every drop.
     */
    @Test
    void aCallStillUnfinishedAfterTheGraceIsCountedDroppedAndCloseStaysBounded() {
        SlowSink sink = new SlowSink(1, SlowSink.NEVER, SlowSink.NEVER, 0, completer);
        CloseRaceTest.Heard heard = new CloseRaceTest.Heard("s", -1, new CountDownLatch(0));
        EventTracker tracker = trackerWithCloseTimeout100ms(sink, heard);
        List<CompletableFuture<TrackedEvent>> receipts = trackTenWithReceipts(tracker);

        long closeMillis = TimeUnit.NANOSECONDS.toMillis(timeClose(tracker));

        assertThat(tracker.metrics()).hasNothingPending().hasDropped("s", DropReason.CLOSED_BEFORE_DELIVERY, 10);
        assertThat(heard.of("s").droppedIds()).hasSize(10).isEqualTo(sink.stored());
        assertThat(receipts).allSatisfy(r -> assertThat(r).isCompletedExceptionally());
        assertThat(tracker.metrics().undeliveredNotifications()).isZero();
        assertThat(closeMillis).as("close waited out timeout + half the grace for the call, and no more than + grace")
                .isBetween(100 + GRACE_MILLIS / 2 - 50, 100 + GRACE_MILLIS + MARGIN_MILLIS);
    }

    /**
     * With the disk journal, a call completing within the grace is delivered and committed, so the
     * next tracker does not send its events again; what was never sent stays pending for the next
     * tracker, and its receipts fail (they cannot wait for another process).
     */
    @Test
    void diskJournalCountsLateCallsAsDeliveredAndKeepsTheRestForTheNextTracker() throws Exception {
        Path journalDir = dir.resolve("journal");
        SlowSink slow = new SlowSink(1, 600, 600, 0, completer);
        List<CompletableFuture<TrackedEvent>> receipts = new ArrayList<>();
        EventTracker first = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", slow, SinkOptions.defaults().maxBatchRecords(5).maxInFlightRequests(1))
                .journal(Journal.disk(journalDir))
                .closeTimeout(Duration.ofMillis(100))
                .build();
        for (int i = 0; i < 20; i++) {
            receipts.add(first.trackWithReceipt(PipelineFixture.PageView.number(i)));
        }

        timeClose(first);

        assertThat(first.metrics().sink("s").delivered()).as("the call in flight at the flush deadline").isEqualTo(5);
        assertThat(first.metrics().sink("s").pendingRecords()).isEqualTo(15);
        assertThat(first.metrics().sink("s").dropped()).isZero();
        Set<String> delivered = new HashSet<>();
        Set<String> pending = new HashSet<>();
        for (CompletableFuture<TrackedEvent> r : receipts) {
            assertThat(r).as("receipt completed when close returned").isDone();
            try {
                delivered.add(r.get().eventId());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(DeliveryFailedException.class)
                        .hasMessageContaining("still pending in the disk journal");
                pending.add(((DeliveryFailedException) e.getCause()).event().eventId());
            }
        }
        assertThat(delivered).hasSize(5).isEqualTo(slow.stored());
        assertThat(pending).hasSize(15);

        InMemorySink next = InMemorySink.create();
        Set<String> redelivered = ConcurrentHashMap.newKeySet();
        try (EventTracker second = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", next)
                .journal(Journal.disk(journalDir))
                .build()) {
            assertThat(second.flush(Duration.ofSeconds(10))).isTrue();
            redelivered.addAll(next.receivedEventIds());
        }
        assertThat(redelivered).as("the next tracker sends exactly what was pending").isEqualTo(pending);
    }

    private static long timeClose(EventTracker tracker) {
        long start = System.nanoTime();
        tracker.close();
        return System.nanoTime() - start;
    }

    /** A tracker on {@code sink} alone with a 100 ms close timeout, reporting to {@code heard}. */
    private static EventTracker trackerWithCloseTimeout100ms(SlowSink sink, CloseRaceTest.Heard heard) {
        return EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", sink)
                .closeTimeout(Duration.ofMillis(100))
                .listener(heard)
                .build();
    }

    private static List<CompletableFuture<TrackedEvent>> trackTenWithReceipts(EventTracker tracker) {
        List<CompletableFuture<TrackedEvent>> receipts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            receipts.add(tracker.trackWithReceipt(PipelineFixture.PageView.number(i)));
        }
        return receipts;
    }
}
