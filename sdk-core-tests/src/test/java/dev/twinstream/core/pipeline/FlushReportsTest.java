package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code flush} returns only once the listener and the dead-letter store have heard every outcome
 * the metrics count: an application that flushes and then reads its dead letters sees all of them.
 */
class FlushReportsTest {
    record Click(String userId) {}

    private static final EventType<Click> CLICK = EventType.builder(Click.class, "click").build();

    @Test
    void flushWaitsForTheListenerThatIsStillBusy() throws Exception {
        CountDownLatch listenerMayGo = new CountDownLatch(1);
        AtomicInteger heard = new AtomicInteger();
        InMemorySink sink = InMemorySink.builder().build();
        try (EventTracker tracker = EventTracker.builder().register(CLICK).sink("s", sink)
                .listener(new DeliveryListener() {
                    @Override
                    public void onDelivered(String s, dev.twinstream.core.TrackedEvent event) {
                        try {
                            listenerMayGo.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        heard.incrementAndGet();
                    }
                }).build()) {
            for (int i = 0; i < 10; i++) {
                tracker.track(new Click("u-" + i));
            }
            CompletableFuture<Boolean> flushed = CompletableFuture.supplyAsync(() -> tracker.flush(Duration.ofSeconds(30)));
            // Delivered, and the counters say so, while the listener is held: flush must still wait.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tracker.metrics().sink("s").delivered() < 10 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(tracker.metrics().sink("s").delivered()).isEqualTo(10);
            assertThat(flushed).as("flush returned before the listener heard").isNotDone();
            listenerMayGo.countDown();
            assertThat(flushed.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(heard).hasValue(10);
            assertThat(tracker.metrics()).isConserved();
        }
    }

    @Test
    void afterFlushTheDeadLetterStoreHoldsEveryDeadLetterTheMetricsCount() {
        for (int run = 0; run < 20; run++) {
            InMemorySink sink = InMemorySink.builder().seed(run).build()
                    .failFraction(0.5, RecordResult.permanent("InvalidArgumentException", "bad record"));
            try (EventTracker tracker = EventTracker.builder().register(CLICK).sink("s", sink).build()) {
                for (int i = 0; i < 2_000; i++) {
                    tracker.track(new Click("u-" + i));
                }
                assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
                long counted = tracker.metrics().sink("s").deadLettered();
                assertThat(counted).isPositive();
                assertThat(tracker.deadLetterStore().snapshot()).as("run %d", run).hasSize((int) counted)
                        .allSatisfy(d -> assertThat(d.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR));
                assertThat(tracker.metrics()).isConserved();
            }
        }
    }
}
