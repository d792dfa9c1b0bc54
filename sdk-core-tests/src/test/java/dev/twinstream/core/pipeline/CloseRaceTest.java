package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryFailedException;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.RecordResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The close race of issue #18, twenty seeded runs: 64 producer threads track (every fourth with
 * {@code trackWithReceipt}) into a small BLOCK journal feeding two {@link SlowSink}s whose calls
 * take 20–220 ms and refuse 5 % of records as retryable, and {@code close()} with a timeout of 0 to
 * 400 ms runs while they track — so it gives up on its flush with calls in flight, retries waiting,
 * records unread and producers blocked.
 *
 * <p>Every event must get exactly one final outcome per sink, and the listener, the metrics and the
 * receipts must tell the same story the moment {@code close()} returns: delivered counts equal,
 * drops by reason equal, every receipt completed, successfully iff both sinks delivered the event.
 * And what a destination stored is counted delivered — never {@code CLOSED_BEFORE_DELIVERY} — because
 * close waits (within its grace) for the calls in flight.
 */
class CloseRaceTest {
    private static final int RUNS = 20;
    private static final int PRODUCERS = 64;
    private static final int MIN_LATENCY_MILLIS = 20;
    private static final int MAX_LATENCY_MILLIS = 220;
    private static final double RETRYABLE_FRACTION = 0.05;
    /** About 15,000 events: the producers fill it within a few hundred milliseconds and block. */
    private static final long JOURNAL_BYTES = 4L * 1024 * 1024;
    /** Scheduling slack on a shared 2-CPU machine, beyond closeTimeout + CLOSE_GRACE_MILLIS. */
    private static final long MARGIN_MILLIS = 1_000;

    private static ScheduledThreadPoolExecutor completer;
    private static final AtomicLong totalNanos = new AtomicLong();
    private static final List<String> summaries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCompleter() {
        completer = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "slow-sink-answers");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void report() {
        completer.shutdownNow();
        System.out.printf("CloseRaceTest: %d runs in %d ms%n", summaries.size(), TimeUnit.NANOSECONDS.toMillis(totalNanos.get()));
        summaries.forEach(System.out::println);
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, RUNS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void producersRacingCloseGetOneOutcomePerSinkReportedAlikeByListenerMetricsAndReceipts(long seed) throws Exception {
        long runStart = System.nanoTime();
        Random random = new Random(seed * 0x9E3779B97F4A7C15L); // consecutive seeds of Random draw alike
        Duration closeTimeout = Duration.ofMillis(100L * random.nextInt(5));
        // Close once sink a delivered this many (0: as soon as the producers are under way).
        int closeAfterDelivered = 1_000 * random.nextInt(4);
        Map<String, SlowSink> sinks = Map.of(
                "a", new SlowSink(seed * 2 + 1, MIN_LATENCY_MILLIS, MAX_LATENCY_MILLIS, RETRYABLE_FRACTION, completer),
                "b", new SlowSink(seed * 2 + 2, MIN_LATENCY_MILLIS, MAX_LATENCY_MILLIS, RETRYABLE_FRACTION, completer));
        CountDownLatch enoughDelivered = new CountDownLatch(closeAfterDelivered == 0 ? 0 : 1);
        Heard heard = new Heard("a", closeAfterDelivered, enoughDelivered);
        CloseTest.RecordingThreadFactory threadFactory = new CloseTest.RecordingThreadFactory();
        EventTracker tracker = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("a", sinks.get("a"))
                .sink("b", sinks.get("b"))
                .journal(Journal.memory().maxBytes(JOURNAL_BYTES).overflow(OverflowPolicy.block(Duration.ofSeconds(30))))
                .listener(heard)
                .threadFactory(threadFactory)
                .random(new Random(seed))
                .closeTimeout(closeTimeout)
                .build();

        List<Producer> producers = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(PRODUCERS);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger tracked = new AtomicInteger();
        CountDownLatch underWay = new CountDownLatch(1);
        for (int p = 0; p < PRODUCERS; p++) {
            producers.add(new Producer(p, tracker, p % 4 == 0, ready, go, tracked, underWay));
        }
        producers.forEach(p -> p.thread.start());
        assertThat(ready.await(30, TimeUnit.SECONDS)).as("producers started").isTrue();
        go.countDown();
        assertThat(underWay.await(30, TimeUnit.SECONDS)).as("%d events tracked", Producer.UNDER_WAY).isTrue();
        assertThat(enoughDelivered.await(30, TimeUnit.SECONDS)).as("%d events delivered to a", closeAfterDelivered).isTrue();

        long closeStart = System.nanoTime();
        tracker.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);

        for (Producer p : producers) {
            p.thread.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(p.thread.isAlive()).as("%s stopped", p.thread.getName()).isFalse();
            assertThat(p.unexpected).as("%s failed", p.thread.getName()).isNull();
        }
        for (Thread t : threadFactory.threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(t.isAlive()).as("tracker thread %s stopped", t.getName()).isFalse();
        }
        assertThat(closeMillis).as("close returned within closeTimeout + CLOSE_GRACE_MILLIS (+ %d ms slack)", MARGIN_MILLIS)
                .isLessThanOrEqualTo(closeTimeout.toMillis() + EventTracker.Builder.CLOSE_GRACE_MILLIS + MARGIN_MILLIS);

        // Every id track() returned, and every receipt: all completed by the time close returned
        // (no tracker thread is left that could complete one later).
        Set<String> returned = new HashSet<>();
        Map<String, Boolean> receiptSucceeded = new ConcurrentHashMap<>();
        for (Producer p : producers) {
            returned.addAll(p.ids);
            for (CompletableFuture<TrackedEvent> receipt : p.receipts) {
                assertThat(receipt).as("receipt completed when close() returned").isDone();
                String id;
                boolean succeeded;
                try {
                    id = receipt.get().eventId();
                    succeeded = true;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(DeliveryFailedException.class);
                    id = ((DeliveryFailedException) e.getCause()).event().eventId();
                    succeeded = false;
                }
                assertThat(receiptSucceeded.put(id, succeeded)).as("one receipt per event").isNull();
                returned.add(id);
            }
        }
        TrackerMetrics metrics = tracker.metrics();
        assertThat(metrics).hasNothingPending().isConserved();
        assertThat(metrics.undeliveredNotifications()).as("notifications the listener never heard").isZero();

        long dropped = 0;
        for (Map.Entry<String, SlowSink> e : sinks.entrySet()) {
            String name = e.getKey();
            SinkMetrics m = metrics.sink(name);
            Heard.Outcomes o = heard.of(name);
            Set<String> stored = e.getValue().stored();
            assertThat(m.accepted()).as("%s: accepted = ids returned", name).isEqualTo(returned.size());

            // Listener == metrics, per outcome.
            assertThat((long) o.delivered.size()).as("%s: onDelivered = delivered", name).isEqualTo(m.delivered());
            assertThat(o.droppedByReason()).as("%s: onDropped by reason = dropped by reason", name)
                    .isEqualTo(nonZero(m.droppedByReason()));
            assertThat(o.deadLettered.get()).as("%s: onDeadLettered = dead-lettered", name).isEqualTo(m.deadLettered()).isZero();
            assertThat(o.retried.get()).as("%s: onRetried = retried", name).isEqualTo(m.retried());

            // Exactly one final outcome per returned id.
            Set<String> droppedIds = o.droppedIds();
            assertThat(o.delivered.size() + droppedIds.size()).as("%s: outcomes heard", name).isEqualTo(returned.size());
            Set<String> all = new HashSet<>(o.delivered);
            all.addAll(droppedIds);
            assertThat(all).as("%s: every returned id has one outcome, and only those", name).isEqualTo(returned);

            // What the destination stored is exactly what was counted delivered.
            Set<String> storedButDropped = new HashSet<>(stored);
            storedButDropped.retainAll(droppedIds);
            assertThat(storedButDropped).as("%s: ids the sink stored but close counted as dropped", name).isEmpty();
            assertThat(o.delivered).as("%s: delivered = stored", name).isEqualTo(stored);
            assertThat(e.getValue().isClosed()).isTrue();
            dropped += m.dropped();
        }

        // Receipts == the sinks' outcomes.
        Set<String> deliveredByBoth = new HashSet<>(heard.of("a").delivered);
        deliveredByBoth.retainAll(heard.of("b").delivered);
        for (Map.Entry<String, Boolean> r : receiptSucceeded.entrySet()) {
            assertThat(r.getValue()).as("receipt of %s succeeded iff both sinks delivered it", r.getKey())
                    .isEqualTo(deliveredByBoth.contains(r.getKey()));
        }

        long runNanos = System.nanoTime() - runStart;
        totalNanos.addAndGet(runNanos);
        summaries.add(String.format("  seed %2d: close after %d delivered, closeTimeout %3d ms, close %4d ms, accepted %6d, "
                        + "delivered a=%d b=%d, dropped %d, receipts %d, run %d ms", seed, closeAfterDelivered,
                closeTimeout.toMillis(), closeMillis, returned.size(),
                metrics.sink("a").delivered(), metrics.sink("b").delivered(), dropped, receiptSucceeded.size(),
                TimeUnit.NANOSECONDS.toMillis(runNanos)));
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

    /** Tracks from {@code go} until the tracker is closed; the one that tracks the {@link #UNDER_WAY}th event says so. */
    private static final class Producer {
        static final int UNDER_WAY = 1_000;
        final Thread thread;
        final List<String> ids = new ArrayList<>();
        final List<CompletableFuture<TrackedEvent>> receipts = new ArrayList<>();
        volatile Throwable unexpected;

        Producer(int index, EventTracker tracker, boolean withReceipts, CountDownLatch ready, CountDownLatch go,
                 AtomicInteger tracked, CountDownLatch underWay) {
            thread = new Thread(() -> {
                ready.countDown();
                try {
                    if (!go.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no go within 30 s");
                    }
                } catch (InterruptedException | RuntimeException e) {
                    unexpected = e;
                    return;
                }
                for (int i = 0; ; i++) {
                    try {
                        PipelineFixture.PageView event = PipelineFixture.PageView.number(index * 1_000_000 + i);
                        if (withReceipts) {
                            receipts.add(tracker.trackWithReceipt(event));
                        } else {
                            ids.add(tracker.track(event));
                        }
                    } catch (IllegalStateException e) {
                        if (!"EventTracker is closed".equals(e.getMessage())) {
                            unexpected = e;
                        }
                        return;
                    } catch (Throwable e) {
                        unexpected = e;
                        return;
                    }
                    if (tracked.incrementAndGet() == UNDER_WAY) {
                        underWay.countDown();
                    }
                }
            }, "producer-" + index);
        }
    }

    /** What the listener heard, per sink; counts {@code latch} down once {@code watched} delivered {@code threshold}. */
    static final class Heard implements DeliveryListener {
        static final class Outcomes {
            final Set<String> delivered = ConcurrentHashMap.newKeySet();
            final Map<DropReason, Set<String>> dropped = new ConcurrentHashMap<>();
            final AtomicLong deadLettered = new AtomicLong();
            final AtomicLong retried = new AtomicLong();

            Map<DropReason, Long> droppedByReason() {
                Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
                dropped.forEach((reason, ids) -> out.put(reason, (long) ids.size()));
                return out;
            }

            Set<String> droppedIds() {
                Set<String> all = new HashSet<>();
                dropped.values().forEach(all::addAll);
                return all;
            }
        }

        private final Map<String, Outcomes> bySink = new ConcurrentHashMap<>();
        private final String watched;
        private final int threshold;
        private final CountDownLatch latch;

        Heard(String watched, int threshold, CountDownLatch latch) {
            this.watched = watched;
            this.threshold = threshold;
            this.latch = latch;
        }

        Outcomes of(String sink) {
            return bySink.computeIfAbsent(sink, s -> new Outcomes());
        }

        @Override
        public void onDelivered(String sink, TrackedEvent event) {
            Set<String> delivered = of(sink).delivered;
            delivered.add(event.eventId());
            if (sink.equals(watched) && delivered.size() == threshold) {
                latch.countDown();
            }
        }

        @Override
        public void onRetried(String sink, TrackedEvent event, int nextAttempt, long backoffMillis, RecordResult cause) {
            of(sink).retried.incrementAndGet();
        }

        @Override
        public void onDeadLettered(String sink, DeadLetter deadLetter) {
            of(sink).deadLettered.incrementAndGet();
        }

        @Override
        public void onDropped(String sink, TrackedEvent event, DropReason reason) {
            of(sink).dropped.computeIfAbsent(reason, r -> ConcurrentHashMap.newKeySet()).add(event.eventId());
        }
    }
}
