package dev.twinstream.micrometer;

import static dev.twinstream.micrometer.Fixture.counter;
import static dev.twinstream.micrometer.Fixture.gauge;
import static dev.twinstream.micrometer.Fixture.statistic;
import static dev.twinstream.micrometer.Fixture.timeGaugeNanos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.DestinationMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TwinstreamMetricsTest {
    private static final Duration TTL = Duration.ofMillis(TwinstreamMetrics.DEFAULT_SNAPSHOT_TTL_MILLIS);

    private final Fixture f = new Fixture();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyMeterEqualsTheTrackersFiguresAfterFailuresDropsAndRejections() {
        InMemorySink ok = InMemorySink.builder().seed(1).scheduler(f.time).build();
        InMemorySink flaky = InMemorySink.builder().seed(2).scheduler(f.time).build()
                .failFraction(0.3, RecordResult.retryable("Throttled", "slow down"))
                .failNextCalls(1, RecordResult.permanent("Rejected", "no"));
        try (EventTracker tracker = f.tracker(3)
                .sink("ok", ok)
                .sink("flaky", flaky, SinkOptions.defaults().maxBatchRecords(20))
                .retry(RetryPolicy.defaults().maxAttempts(2))
                .journal(Journal.memory().maxBytes(Journal.MIN_MAX_BYTES).overflow(OverflowPolicy.dropNewest()))
                .build()) {
            TwinstreamMetrics.builder(tracker).clock(f.time.clock()).build().bindTo(registry);
            for (int i = 0; i < 100; i++) {
                tracker.track(Fixture.PageView.large(i)); // ~1 KiB each: the 64 KiB journal overflows
            }
            rejectSome(tracker);
            f.drain(tracker, Duration.ofMinutes(5));
            for (int i = 0; i < 300; i++) {
                tracker.track(Fixture.PageView.number(i));
                if (i % 50 == 0) {
                    f.time.advance(Duration.ofMillis(30)); // a few partial batches
                }
            }
            f.drain(tracker, Duration.ofMinutes(5));
            f.time.advance(TTL); // past the binder's snapshot

            TrackerMetrics m = tracker.metrics();
            assertThat(m.isConserved()).as("%s", m).isTrue();
            SinkMetrics flakyMetrics = m.sink("flaky");
            assertThat(flakyMetrics.retried()).isPositive();
            assertThat(flakyMetrics.deadLettered()).isPositive();
            assertThat(flakyMetrics.droppedByReason().get(DropReason.OVERFLOW_DROP_NEWEST)).isPositive();
            assertThat(m.sink("ok").delivered()).isPositive();
            assertMetersEqual(m);
            for (SinkMetrics s : m.sinks().values()) {
                double accepted = counter(registry, "twinstream.sink.accepted", "sink", s.sink());
                double finished = counter(registry, "twinstream.sink.delivered", "sink", s.sink())
                        + counter(registry, "twinstream.sink.dead.lettered", "sink", s.sink())
                        + registry.get("twinstream.sink.dropped").tags("sink", s.sink()).functionCounters().stream()
                                .mapToDouble(c -> c.count()).sum()
                        + gauge(registry, "twinstream.sink.pending", "sink", s.sink());
                assertThat(accepted).as("conservation in the meters of %s", s.sink()).isEqualTo(finished);
            }
        }
    }

    private static void rejectSome(EventTracker tracker) {
        assertThatThrownBy(() -> tracker.track("not a registered type")).isInstanceOf(EventRejectedException.class);
        assertThatThrownBy(() -> tracker.track(new Fixture.PageView(null, "/a", ""))).isInstanceOf(EventRejectedException.class);
        assertThatThrownBy(() -> tracker.track(new Fixture.PageView("u", "nope", ""))).isInstanceOf(EventRejectedException.class);
        assertThatThrownBy(() -> tracker.track(new Fixture.PageView("u", "also not", ""))).isInstanceOf(EventRejectedException.class);
    }

    /** Every meter of the binder against the snapshot {@code m} (the tracker is quiet, so both agree). */
    private void assertMetersEqual(TrackerMetrics m) {
        for (SinkMetrics s : m.sinks().values()) {
            String sink = s.sink();
            assertThat(counter(registry, "twinstream.sink.accepted", "sink", sink)).isEqualTo(s.accepted());
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", sink)).isEqualTo(s.delivered());
            assertThat(counter(registry, "twinstream.sink.retried", "sink", sink)).isEqualTo(s.retried());
            assertThat(counter(registry, "twinstream.sink.dead.lettered", "sink", sink)).isEqualTo(s.deadLettered());
            for (DropReason reason : DropReason.values()) {
                assertThat(counter(registry, "twinstream.sink.dropped", "sink", sink, "reason", tag(reason)))
                        .as("%s dropped %s", sink, reason).isEqualTo(s.droppedByReason().get(reason).doubleValue());
            }
            assertThat(gauge(registry, "twinstream.sink.pending", "sink", sink)).isEqualTo(s.pendingRecords());
            assertThat(gauge(registry, "twinstream.sink.pending.bytes", "sink", sink)).isEqualTo(s.pendingBytes());
            assertThat(gauge(registry, "twinstream.sink.in.flight", "sink", sink)).isEqualTo(s.inFlightRequests());
            assertThat(timeGaugeNanos(registry, "twinstream.sink.oldest.pending.age", "sink", sink))
                    .isEqualTo(s.oldestPendingAge().toNanos());
            assertThat(statistic(registry, "twinstream.sink.batch.size", Statistic.COUNT, "sink", sink)).isEqualTo(s.batchesSent());
            assertThat(statistic(registry, "twinstream.sink.batch.size", Statistic.TOTAL, "sink", sink))
                    .isEqualTo(s.batchRecordsSent());
            assertThat(statistic(registry, "twinstream.sink.batch.bytes", Statistic.COUNT, "sink", sink)).isEqualTo(s.batchesSent());
            assertThat(statistic(registry, "twinstream.sink.batch.bytes", Statistic.TOTAL, "sink", sink))
                    .isEqualTo(s.batchBytesSent());
            assertThat(counter(registry, "twinstream.sink.batch.size.histogram", "sink", sink, "le", "+Inf"))
                    .isEqualTo(s.batchesSent());
        }
        for (EventRejectedException.Reason reason : EventRejectedException.Reason.values()) {
            assertThat(counter(registry, "twinstream.tracker.rejected", "reason", tag(reason)))
                    .as("rejected %s", reason).isEqualTo(m.rejectedByReason().get(reason).doubleValue());
        }
        assertThat(counter(registry, "twinstream.tracker.buffer.full")).isEqualTo(m.bufferFullRejections());
        assertThat(gauge(registry, "twinstream.journal.used")).isEqualTo(m.journalBytes());
        assertThat(gauge(registry, "twinstream.journal.max")).isEqualTo(m.journalMaxBytes());
        assertThat(counter(registry, "twinstream.journal.durable")).isEqualTo(m.durableRecords());
        assertThat(counter(registry, "twinstream.journal.forces")).isEqualTo(m.journalForces());
        assertThat(counter(registry, "twinstream.journal.forced")).isEqualTo(m.journalForcedBytes());
        assertThat(counter(registry, "twinstream.journal.write.failures")).isEqualTo(m.journalWriteFailures());
        assertThat(gauge(registry, "twinstream.journal.recovery.segments")).isEqualTo(m.journalRecovery().segments());
        assertThat(gauge(registry, "twinstream.journal.recovery.scanned")).isEqualTo(m.journalRecovery().bytesScanned());
        assertThat(gauge(registry, "twinstream.journal.recovery.recovered")).isEqualTo(m.journalRecovery().recordsRecovered());
        assertThat(gauge(registry, "twinstream.journal.recovery.replayed")).isEqualTo(m.journalRecovery().recordsReplayed());
        assertThat(gauge(registry, "twinstream.journal.recovery.frames.skipped")).isEqualTo(m.journalRecovery().framesSkipped());
        assertThat(gauge(registry, "twinstream.journal.recovery.skipped")).isEqualTo(m.journalRecovery().bytesSkipped());
        assertThat(gauge(registry, "twinstream.journal.recovery.truncated")).isEqualTo(m.journalRecovery().bytesTruncated());
        assertThat(gauge(registry, "twinstream.journal.recovery.checkpoint.damaged"))
                .isEqualTo(m.journalRecovery().checkpointDamaged() ? 1 : 0);
    }

    private static String tag(Enum<?> reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Test
    void rejectionsAndBufferFullAreCountedTrackerWide() {
        InMemorySink down = InMemorySink.builder().scheduler(f.time).build().downFor(Duration.ofHours(1));
        try (EventTracker tracker = f.tracker(4).sink("s", down)
                .journal(Journal.memory().maxBytes(Journal.MIN_MAX_BYTES).overflow(OverflowPolicy.block(Duration.ZERO)))
                .closeTimeout(Duration.ofMillis(50))
                .build()) {
            rejectSome(tracker);
            int full = 0;
            for (int i = 0; i < 100; i++) {
                try {
                    tracker.track(Fixture.PageView.large(i));
                } catch (BufferFullException e) {
                    full++;
                }
            }
            assertThat(full).isPositive();
            TrackerMetrics m = tracker.metrics();
            // The default clock is the system's: a binder without a TTL reads the live figures.
            MeterRegistry live = new SimpleMeterRegistry();
            TwinstreamMetrics.builder(tracker).snapshotTtl(Duration.ZERO).build().bindTo(live);
            assertThat(counter(live, "twinstream.tracker.buffer.full")).isEqualTo(full).isEqualTo(m.bufferFullRejections());
            assertThat(counter(live, "twinstream.tracker.rejected", "reason", "unregistered-type")).isEqualTo(1);
            assertThat(counter(live, "twinstream.tracker.rejected", "reason", "missing-required-field")).isEqualTo(1);
            assertThat(counter(live, "twinstream.tracker.rejected", "reason", "validation-failed")).isEqualTo(2);
            assertThat(gauge(live, "twinstream.journal.used")).isEqualTo(m.journalBytes()).isPositive();
            assertThat(gauge(live, "twinstream.journal.max")).isEqualTo(Journal.MIN_MAX_BYTES);
        }
    }

    @Test
    void oneSnapshotServesAWholeScrapeUntilItIsOlderThanTheTtl() {
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker real = f.tracker(5).sink("a", sink).sink("b", InMemorySink.builder().scheduler(f.time).build())
                .build()) {
            Fixture.CountingTracker tracker = new Fixture.CountingTracker(real);
            TwinstreamMetrics.builder(tracker).clock(f.time.clock()).build().bindTo(registry);
            assertThat(registry.getMeters()).hasSizeGreaterThan(40);
            int atBind = tracker.metricsCalls.get();

            Fixture.scrape(registry);
            assertThat(tracker.metricsCalls.get() - atBind).as("one snapshot for every meter of the scrape").isEqualTo(1);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "a")).isZero();

            for (int i = 0; i < 10; i++) {
                tracker.track(Fixture.PageView.number(i));
            }
            tracker.flushAsync(Duration.ofSeconds(1));
            f.time.runPending(); // delivers without moving the clock
            assertThat(real.metrics().sink("a").delivered()).isEqualTo(10);
            Fixture.scrape(registry);
            assertThat(tracker.metricsCalls.get() - atBind).as("still within the TTL").isEqualTo(1);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "a")).as("the memoized value").isZero();

            f.time.advance(TTL);
            Fixture.scrape(registry);
            assertThat(tracker.metricsCalls.get() - atBind).isEqualTo(2);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "a")).isEqualTo(10);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "b")).isEqualTo(10);
        }
    }

    @Test
    void aZeroTtlReadsLiveFigures() {
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(6).sink("s", sink).build()) {
            TwinstreamMetrics.builder(tracker).clock(f.time.clock()).snapshotTtl(Duration.ZERO).build().bindTo(registry);
            tracker.track(Fixture.PageView.number(1));
            assertThat(gauge(registry, "twinstream.sink.pending", "sink", "s")).isEqualTo(1);
            f.time.advance(Duration.ofMillis(40));
            assertThat(timeGaugeNanos(registry, "twinstream.sink.oldest.pending.age", "sink", "s"))
                    .isEqualTo(Duration.ofMillis(40).toNanos());
            f.drain(tracker, Duration.ofSeconds(1));
            assertThat(gauge(registry, "twinstream.sink.pending", "sink", "s")).isZero();
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "s")).isEqualTo(1);
        }
    }

    @Test
    void metersKeepReadingTheFinalFiguresAfterClose() {
        InMemorySink up = InMemorySink.builder().scheduler(f.time).build();
        InMemorySink down = InMemorySink.builder().scheduler(f.time).build().downFor(Duration.ofHours(1));
        EventTracker tracker = f.tracker(7).sink("up", up).sink("down", down).closeTimeout(Duration.ofMillis(50)).build();
        TwinstreamMetrics.builder(tracker).clock(f.time.clock()).build().bindTo(registry);
        for (int i = 0; i < 25; i++) {
            tracker.track(Fixture.PageView.number(i));
        }
        f.time.advance(Duration.ofSeconds(1)); // "up" delivers, "down" keeps retrying
        tracker.close(); // what "down" still has is dropped as CLOSED_BEFORE_DELIVERY
        f.time.advance(TTL);

        Fixture.scrape(registry); // nothing throws
        TrackerMetrics m = tracker.metrics();
        assertThat(m.isConserved()).isTrue();
        assertThat(m.sink("down").droppedByReason().get(DropReason.CLOSED_BEFORE_DELIVERY)).isEqualTo(25);
        assertMetersEqual(m);
        assertThat(counter(registry, "twinstream.sink.dropped", "sink", "down", "reason", "closed-before-delivery"))
                .isEqualTo(25);
        assertThat(counter(registry, "twinstream.sink.delivered", "sink", "up")).isEqualTo(25);
        for (Meter meter : registry.getMeters()) {
            meter.measure().forEach(x -> assertThat(x.getValue()).as("%s", meter.getId()).isNotNaN());
        }
        tracker.close();
    }

    @Test
    void theMetersDoNotKeepADiscardedTrackerAlive() {
        FakeDestinations streams = new FakeDestinations().add("stream-a", 1, 0);
        WeakReference<EventTracker> tracker = bindAndDiscard(registry, streams);
        assertThat(counter(registry, "twinstream.sink.delivered", "sink", "s")).isEqualTo(3);
        for (int i = 0; i < 50 && tracker.get() != null; i++) {
            System.gc(); // bounded: at most 50 collections
        }
        assertThat(tracker.get()).as("collected although the registry still has its meters").isNull();
        assertThat(counter(registry, "twinstream.sink.delivered", "sink", "s")).as("Micrometer keeps a counter's last value")
                .isEqualTo(3);
        assertThat(gauge(registry, "twinstream.journal.used")).isNaN();
        assertThat(gauge(registry, "twinstream.sink.pending", "sink", "s")).isNaN();
        assertThat(statistic(registry, "twinstream.sink.batch.size", Statistic.COUNT, "sink", "s")).isNaN();
        Fixture.scrape(registry);
        assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "s", "destination", "stream-a"))
                .as("the destination sink is still referenced by the test").isEqualTo(1);
    }

    /** A tracker (with its own virtual time) bound and closed; nothing but the returned reference to it is kept. */
    private static WeakReference<EventTracker> bindAndDiscard(MeterRegistry registry, DestinationMetrics streams) {
        Fixture own = new Fixture();
        EventTracker tracker = own.tracker(13).sink("s", InMemorySink.builder().scheduler(own.time).build()).build();
        TwinstreamMetrics.builder(tracker).snapshotTtl(Duration.ZERO).destinations("s", streams).build().bindTo(registry);
        for (int i = 0; i < 3; i++) {
            tracker.track(Fixture.PageView.number(i));
        }
        own.drain(tracker, Duration.ofSeconds(1));
        tracker.close();
        return new WeakReference<>(tracker);
    }

    @Test
    void aSnapshotThatThrowsLeavesTheLastValuesInPlace() {
        try (EventTracker real = f.tracker(8).sink("s", InMemorySink.builder().scheduler(f.time).build()).build()) {
            boolean[] broken = {false};
            Fixture.CountingTracker tracker = new Fixture.CountingTracker(real) {
                @Override
                public TrackerMetrics metrics() {
                    if (broken[0]) {
                        throw new IllegalStateException("broken");
                    }
                    return super.metrics();
                }
            };
            TwinstreamMetrics.builder(tracker).clock(f.time.clock()).build().bindTo(registry);
            tracker.track(Fixture.PageView.number(1));
            f.drain(real, Duration.ofSeconds(1));
            f.time.advance(TTL);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "s")).isEqualTo(1);
            broken[0] = true;
            f.time.advance(TTL);
            assertThat(counter(registry, "twinstream.sink.delivered", "sink", "s")).isEqualTo(1);
            Fixture.scrape(registry);
        }
    }

    @Test
    void commonTagsGoOnEveryMeterAndBindingTwiceAddsNothing() {
        try (EventTracker tracker = f.tracker(9).sink("s", InMemorySink.builder().scheduler(f.time).build()).build()) {
            TwinstreamMetrics binder = new TwinstreamMetrics(tracker, Tags.of("tracker", "orders", "app", "shop"));
            binder.bindTo(registry);
            int meters = registry.getMeters().size();
            binder.bindTo(registry);
            assertThat(registry.getMeters()).hasSize(meters);
            for (Meter meter : registry.getMeters()) {
                assertThat(meter.getId().getTags()).as("%s", meter.getId())
                        .contains(Tag.of("tracker", "orders"), Tag.of("app", "shop"));
                assertThat(meter.getId().getName()).startsWith("twinstream.").matches("[a-z.]+");
            }
            assertThat(registry.find("twinstream.sink.delivered").tags("sink", "s", "tracker", "orders").functionCounter())
                    .isNotNull();
            // per sink: 4 counters, 5 drop reasons, 3 gauges, 1 time gauge, 2 summaries, 17 + 1 histogram buckets
            assertThat(registry.find("twinstream.sink.batch.size.histogram").functionCounters()).hasSize(18);
            assertThat(registry.getMeters().stream().filter(x -> "s".equals(x.getId().getTag("sink"))))
                    .hasSize(4 + DropReason.values().length + 3 + 1 + 2 + 18);
        }
    }

    @Test
    void batchSizeBucketsCanBeNarrowedOrTurnedOff() {
        try (EventTracker tracker = f.tracker(10).sink("s", InMemorySink.builder().scheduler(f.time).build()).build()) {
            TwinstreamMetrics.builder(tracker).batchSizeBuckets(500).build().bindTo(registry);
            assertThat(registry.find("twinstream.sink.batch.size.histogram").functionCounters())
                    .extracting(c -> c.getId().getTag("le"))
                    .containsExactlyInAnyOrder("1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "+Inf");
            MeterRegistry none = new SimpleMeterRegistry();
            TwinstreamMetrics.builder(tracker).batchSizeBuckets(0).build().bindTo(none);
            assertThat(none.find("twinstream.sink.batch.size.histogram").meters()).isEmpty();
            assertThat(none.find("twinstream.sink.batch.size").meters()).hasSize(1);
        }
    }

    @Test
    void builderChecksItsArguments() {
        try (EventTracker tracker = f.tracker(11).sink("s", InMemorySink.builder().scheduler(f.time).build()).build()) {
            TwinstreamMetrics.Builder b = TwinstreamMetrics.builder(tracker);
            assertThatThrownBy(() -> b.snapshotTtl(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.batchSizeBuckets(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.batchSizeBuckets((1 << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
            b.destinations("nope", new FakeDestinations());
            assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no sink named 'nope'").hasMessageContaining("[s]");
        }
    }

    /** A sink's per-destination counts, set by the test. */
    static final class FakeDestinations implements DestinationMetrics {
        final List<String> names = new CopyOnWriteArrayList<>();
        final Map<String, long[]> counts = new ConcurrentHashMap<>();

        FakeDestinations add(String destination, long delivered, long failed) {
            if (!counts.containsKey(destination)) {
                names.add(destination);
            }
            counts.put(destination, new long[] {delivered, failed});
            return this;
        }

        @Override
        public List<String> destinations() {
            return List.copyOf(names);
        }

        @Override
        public long deliveredRecords(String destination) {
            long[] c = counts.get(destination);
            return c == null ? 0 : c[0];
        }

        @Override
        public long failedRecords(String destination) {
            long[] c = counts.get(destination);
            return c == null ? 0 : c[1];
        }
    }

    @Test
    void destinationsArePublishedPerSinkAndNewOnesAppearWithTheNextSnapshot() {
        FakeDestinations streams = new FakeDestinations().add("stream-a", 5, 1).add("stream-b", 0, 0);
        try (EventTracker tracker = f.tracker(12).sink("fh", InMemorySink.builder().scheduler(f.time).build())
                .sink("other", InMemorySink.builder().scheduler(f.time).build()).build()) {
            TwinstreamMetrics.builder(tracker).clock(f.time.clock()).tags(Tags.of("app", "shop"))
                    .destinations("fh", streams).build().bindTo(registry);
            assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "fh", "destination", "stream-a"))
                    .isEqualTo(5);
            assertThat(counter(registry, "twinstream.sink.destination.failed", "sink", "fh", "destination", "stream-a"))
                    .isEqualTo(1);
            assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "fh", "destination", "stream-b"))
                    .isZero();
            assertThat(registry.find("twinstream.sink.destination.delivered").tag("sink", "other").meters()).isEmpty();
            assertThat(registry.get("twinstream.sink.destination.delivered").meters())
                    .allSatisfy(x -> assertThat(x.getId().getTag("app")).isEqualTo("shop"));

            streams.add("stream-a", 7, 1).add("stream-c", 3, 2); // the router chose a new stream
            assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "fh", "destination", "stream-a"))
                    .as("read from the sink directly, not memoized").isEqualTo(7);
            assertThat(registry.find("twinstream.sink.destination.delivered").tag("destination", "stream-c").meters())
                    .as("not yet: no snapshot was taken since").isEmpty();
            Fixture.scrape(registry); // takes the binder's first snapshot, then looks for new destinations
            assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "fh", "destination", "stream-c"))
                    .isEqualTo(3);
            assertThat(counter(registry, "twinstream.sink.destination.failed", "sink", "fh", "destination", "stream-c"))
                    .isEqualTo(2);
            List<String> destinations = new ArrayList<>();
            registry.get("twinstream.sink.destination.delivered").meters()
                    .forEach(x -> destinations.add(x.getId().getTag("destination")));
            assertThat(destinations).containsExactlyInAnyOrder("stream-a", "stream-b", "stream-c");

            streams.add("stream-d", 1, 0);
            Fixture.scrape(registry);
            assertThat(registry.find("twinstream.sink.destination.delivered").tag("destination", "stream-d").meters())
                    .as("within the TTL the snapshot is reused, so nothing is looked up").isEmpty();
            f.time.advance(TTL);
            Fixture.scrape(registry);
            assertThat(counter(registry, "twinstream.sink.destination.delivered", "sink", "fh", "destination", "stream-d"))
                    .isEqualTo(1);
        }
    }
}
