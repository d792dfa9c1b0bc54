package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CloseTest {

    /** Remembers every thread it creates, so the test can check none is left running. */
    static final class RecordingThreadFactory implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "twinstream-test-" + n.incrementAndGet());
            t.setDaemon(true);
            threads.add(t);
            return t;
        }
    }

    @Test
    void sixtyFourThreadsTrackingWhileCloseRacesLoseNothingAndLeaveNothingRunning() throws Exception {
        InMemorySink sink = InMemorySink.builder().seed(64).build();
        RecordingThreadFactory threadFactory = new RecordingThreadFactory();
        Duration closeTimeout = Duration.ofSeconds(10);
        EventTracker tracker = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", sink)
                .journal(Journal.memory().maxBytes(8L * 1024 * 1024).overflow(OverflowPolicy.block(Duration.ofSeconds(30))))
                .threadFactory(threadFactory)
                .closeTimeout(closeTimeout)
                .build();
        int producers = 64;
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicInteger illegalState = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(producers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                started.countDown();
                for (int i = 0; ; i++) {
                    try {
                        accepted.add(tracker.track(PipelineFixture.PageView.number(producer * 1_000_000 + i)));
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().equals("EventTracker is closed")) {
                            unexpected.add(e);
                        }
                        illegalState.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        unexpected.add(e);
                        return;
                    }
                }
            }, "producer-" + p);
            threads.add(t);
            t.start();
        }
        started.await(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (tracker.metrics().sink("s").accepted() < 20_000 && System.nanoTime() < deadline) {
            Thread.yield();
        }

        long closeStart = System.nanoTime();
        tracker.close();
        long closeNanos = System.nanoTime() - closeStart;

        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
        }
        assertThat(unexpected).isEmpty();
        assertThat(illegalState).as("every producer ended with IllegalStateException").hasValue(producers);
        assertThat(Duration.ofNanos(closeNanos)).as("close returned within its timeout").isLessThan(closeTimeout);
        for (Thread t : threadFactory.threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(t.isAlive()).as("tracker thread %s stopped", t.getName()).isFalse();
        }
        assertThat(threadFactory.threads).isNotEmpty();

        SinkMetrics m = tracker.metrics().sink("s");
        assertThat(m.accepted()).isEqualTo(accepted.size()).isGreaterThanOrEqualTo(20_000);
        assertThat(tracker.metrics()).hasNothingPending();
        assertThat(m.delivered() + m.droppedByReason().get(DropReason.CLOSED_BEFORE_DELIVERY)).isEqualTo(accepted.size());
        Set<String> received = new HashSet<>(sink.receivedEventIds());
        assertThat(received).hasSize((int) m.delivered());
        assertThat(accepted.containsAll(received)).as("every delivered event was accepted").isTrue(); // O(n), unlike isSubsetOf
        assertThatThrownBy(() -> tracker.track(PipelineFixture.PageView.number(0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeCountsWhatItCouldNotDeliverAsDroppedAndReportsIt() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink down = InMemorySink.builder().scheduler(f.time).build().downFor(Duration.ofDays(1));
        List<String> dropped = new CopyOnWriteArrayList<>();
        EventTracker tracker = f.tracker(3)
                .sink("s", down)
                .closeTimeout(Duration.ofMillis(200))
                .listener(new DeliveryListener() {
                    @Override
                    public void onDropped(String sink, TrackedEvent event, DropReason reason) {
                        dropped.add(event.eventId() + ":" + reason);
                    }
                })
                .build();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(tracker.track(PipelineFixture.PageView.number(i)));
        }
        f.time.advance(Duration.ofSeconds(5));
        tracker.close(); // nobody drives virtual time now: the flush gives up after 200 ms of real time
        f.time.runPending(); // deliver the listener callbacks

        assertThat(tracker.metrics()).hasNothingPending().hasDropped("s", DropReason.CLOSED_BEFORE_DELIVERY, 10);
        assertThat(dropped).containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> id + ":CLOSED_BEFORE_DELIVERY").toList());
        assertThat(down.isClosed()).as("the tracker closes its sinks").isTrue();
    }

    @Test
    void listenerCallbacksRunOnTheTrackersListenerThreadNotTheCaller() throws Exception {
        InMemorySink sink = InMemorySink.create();
        List<String> threadNames = new CopyOnWriteArrayList<>();
        CountDownLatch delivered = new CountDownLatch(100);
        try (EventTracker tracker = EventTracker.builder()
                .register(PipelineFixture.PAGE_VIEW)
                .sink("s", sink)
                .listener(new DeliveryListener() {
                    @Override
                    public void onDelivered(String s, TrackedEvent event) {
                        threadNames.add(Thread.currentThread().getName());
                        delivered.countDown();
                    }
                })
                .build()) {
            for (int i = 0; i < 100; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(threadNames).hasSize(100).allSatisfy(name -> assertThat(name).matches("twinstream-listener-\\d+"));
    }
}
