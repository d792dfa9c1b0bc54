package dev.twinstream.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetterStore;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.ManualClock;
import dev.twinstream.testkit.VirtualScheduler;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import java.time.Duration;
import java.util.Collection;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An event type, a virtual-time tracker builder and meter readers shared by the binder's tests. */
final class Fixture {
    /** A page view; {@code padding} makes events large enough to fill a small journal. */
    record PageView(String userId, String page, String padding) {
        static PageView number(int n) {
            return new PageView("user-" + (n % 17), "/books/" + n, "");
        }

        static PageView large(int n) {
            return new PageView("user-" + (n % 17), "/books/" + n, "x".repeat(1000));
        }
    }

    static final EventType<PageView> PAGE_VIEW = EventType.builder(PageView.class, "page_view")
            .partitionKey(PageView::userId)
            .requireFields("userId")
            .rule("page starts with /", e -> e.page().startsWith("/"))
            .build();

    final VirtualScheduler time = new VirtualScheduler(new ManualClock());

    EventTracker.Builder tracker(long seed) {
        return EventTracker.builder()
                .register(PAGE_VIEW)
                .clock(time.clock())
                .scheduler(time)
                .random(new Random(seed));
    }

    /** Advances virtual time until nothing is pending in any sink, failing after {@code maxVirtual}. */
    void drain(EventTracker tracker, Duration maxVirtual) {
        boolean idle = time.advanceUntil(() -> nothingPending(tracker.metrics()), maxVirtual);
        assertThat(idle).as("idle within %s of virtual time: %s", maxVirtual, tracker.metrics()).isTrue();
        time.runPending();
    }

    static boolean nothingPending(TrackerMetrics m) {
        for (SinkMetrics s : m.sinks().values()) {
            if (s.pendingRecords() != 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------ meter readers

    static double counter(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    static double gauge(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    static double timeGaugeNanos(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).timeGauge().value(TimeUnit.NANOSECONDS);
    }

    static double statistic(MeterRegistry registry, String name, Statistic statistic, String... tags) {
        Meter meter = registry.get(name).tags(tags).meter();
        for (io.micrometer.core.instrument.Measurement m : meter.measure()) {
            if (m.getStatistic() == statistic) {
                return m.getValue();
            }
        }
        throw new AssertionError(name + " has no " + statistic);
    }

    /** Reads every meter of the registry, as a scrape does. */
    static void scrape(MeterRegistry registry) {
        for (Meter meter : registry.getMeters()) {
            for (io.micrometer.core.instrument.Measurement m : meter.measure()) {
                m.getValue();
            }
        }
    }

    /** A tracker that counts its {@link #metrics()} calls and forwards everything. */
    static class CountingTracker implements EventTracker {
        final EventTracker delegate;
        final AtomicInteger metricsCalls = new AtomicInteger();

        CountingTracker(EventTracker delegate) {
            this.delegate = delegate;
        }

        @Override
        public String track(Object event) {
            return delegate.track(event);
        }

        @Override
        public String trackDurable(Object event) {
            return delegate.trackDurable(event);
        }

        @Override
        public dev.twinstream.core.DeliveryLedger ledger(String sink) {
            return delegate.ledger(sink);
        }

        @Override
        public CompletableFuture<TrackedEvent> trackWithReceipt(Object event) {
            return delegate.trackWithReceipt(event);
        }

        @Override
        public boolean flush(Duration timeout) {
            return delegate.flush(timeout);
        }

        @Override
        public CompletableFuture<Boolean> flushAsync(Duration timeout) {
            return delegate.flushAsync(timeout);
        }

        @Override
        public TrackerMetrics metrics() {
            metricsCalls.incrementAndGet();
            return delegate.metrics();
        }

        @Override
        public DeadLetterStore deadLetterStore() {
            return delegate.deadLetterStore();
        }

        @Override
        public int replay(Collection<DeadLetter> deadLetters) {
            return delegate.replay(deadLetters);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

}
