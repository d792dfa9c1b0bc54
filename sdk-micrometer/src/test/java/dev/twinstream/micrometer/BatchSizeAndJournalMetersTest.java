package dev.twinstream.micrometer;

import static dev.twinstream.micrometer.Fixture.counter;
import static dev.twinstream.micrometer.Fixture.gauge;
import static dev.twinstream.micrometer.Fixture.statistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSizeAndJournalMetersTest {
    private final Fixture f = new Fixture();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theHistogramCountsEachSendCallInItsPowerOfTwoBucket() {
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().maxBatchRecords(64).linger(Duration.ofMillis(100)))
                .build()) {
            TwinstreamMetrics.builder(tracker).snapshotTtl(Duration.ZERO).build().bindTo(registry);
            int n = 0;
            for (int size : new int[] {1, 2, 3, 4, 5, 8, 9, 100}) {
                for (int i = 0; i < size; i++) {
                    tracker.track(Fixture.PageView.number(n++));
                }
                f.time.advance(Duration.ofMillis(100)); // the linger ends: the partial batch goes
            }
            f.drain(tracker, Duration.ofSeconds(1));
            assertThat(sink.calls()).extracting(InMemorySink.Call::recordCount)
                    .containsExactly(1, 2, 3, 4, 5, 8, 9, 64, 36);

            SinkMetrics m = tracker.metrics().sink("s");
            List<Long> histogram = m.batchRecordsHistogram();
            assertThat(histogram).hasSize(SinkMetrics.BATCH_RECORDS_BUCKETS);
            //                     <=1 <=2 <=4 <=8 <=16 <=32 <=64
            assertThat(histogram.subList(0, 7)).containsExactly(1L, 1L, 2L, 2L, 1L, 0L, 2L);
            assertThat(histogram.subList(7, histogram.size())).containsOnly(0L);
            assertThat(histogram.stream().mapToLong(Long::longValue).sum()).isEqualTo(m.batchesSent()).isEqualTo(9);
            assertThat(m.batchRecordsSent()).isEqualTo(132);
            assertThat(m.batchBytesSent()).isEqualTo(sink.calls().stream().mapToLong(InMemorySink.Call::byteCount).sum());
            assertThatThrownBy(() -> histogram.set(0, 5L)).isInstanceOf(UnsupportedOperationException.class);

            String[][] expected = {{"1", "1"}, {"2", "2"}, {"4", "4"}, {"8", "6"}, {"16", "7"}, {"32", "7"}, {"64", "9"},
                                   {"128", "9"}, {"65536", "9"}, {"+Inf", "9"}};
            for (String[] bucket : expected) {
                assertThat(counter(registry, "twinstream.sink.batch.size.histogram", "sink", "s", "le", bucket[0]))
                        .as("le=%s", bucket[0]).isEqualTo(Double.parseDouble(bucket[1]));
            }
            // Every bucket also equals a count from the sink's own record of the calls.
            for (int bucket = 0; bucket <= 16; bucket++) {
                long bound = SinkMetrics.batchRecordsBucketUpperBound(bucket);
                long calls = sink.calls().stream().filter(c -> c.recordCount() <= bound).count();
                assertThat(counter(registry, "twinstream.sink.batch.size.histogram", "sink", "s", "le", Long.toString(bound)))
                        .as("le=%d", bound).isEqualTo(calls);
            }
            assertThat(statistic(registry, "twinstream.sink.batch.size", Statistic.COUNT, "sink", "s")).isEqualTo(9);
            assertThat(statistic(registry, "twinstream.sink.batch.size", Statistic.TOTAL, "sink", "s")).isEqualTo(132);
            assertThat(statistic(registry, "twinstream.sink.batch.bytes", Statistic.TOTAL, "sink", "s"))
                    .isEqualTo(m.batchBytesSent());
        }
    }

    @Test
    void bucketBoundsArePowersOfTwo() {
        assertThat(SinkMetrics.batchRecordsBucketUpperBound(0)).isEqualTo(1);
        assertThat(SinkMetrics.batchRecordsBucketUpperBound(3)).isEqualTo(8);
        assertThat(SinkMetrics.batchRecordsBucketUpperBound(31)).isEqualTo(1L << 31);
        assertThatThrownBy(() -> SinkMetrics.batchRecordsBucketUpperBound(32)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> SinkMetrics.batchRecordsBucketUpperBound(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theDiskJournalsFiguresAndWhatARestartRecovered(@TempDir Path dir) {
        Journal journal = Journal.disk(dir.resolve("journal")).fsync(FsyncPolicy.always());
        InMemorySink down = InMemorySink.builder().scheduler(f.time).build().downFor(Duration.ofHours(1));
        try (EventTracker first = f.tracker(2).sink("s", down).journal(journal).closeTimeout(Duration.ofMillis(100))
                .build()) {
            TwinstreamMetrics.builder(first).snapshotTtl(Duration.ZERO).build().bindTo(registry);
            for (int i = 0; i < 20; i++) {
                first.trackDurable(Fixture.PageView.number(i)); // returns once forced: no waiting needed
            }
            TrackerMetrics m = first.metrics();
            assertThat(m.durableRecords()).isEqualTo(20);
            assertThat(counter(registry, "twinstream.journal.durable")).isEqualTo(20);
            assertThat(counter(registry, "twinstream.journal.forces")).isEqualTo(m.journalForces()).isPositive();
            assertThat(counter(registry, "twinstream.journal.forced")).isEqualTo(m.journalForcedBytes()).isPositive();
            assertThat(counter(registry, "twinstream.journal.write.failures")).isZero();
            assertThat(gauge(registry, "twinstream.journal.used")).isEqualTo(m.journalBytes()).isPositive();
            assertThat(gauge(registry, "twinstream.journal.max")).isEqualTo(journal.maxBytes());
            assertThat(gauge(registry, "twinstream.sink.pending", "sink", "s")).isEqualTo(20);
            assertThat(gauge(registry, "twinstream.journal.recovery.recovered")).as("a new directory").isZero();
        } // the 20 pending events stay in the journal

        MeterRegistry second = new SimpleMeterRegistry();
        InMemorySink up = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(3).sink("s", up).journal(journal).build()) {
            TwinstreamMetrics.builder(tracker).snapshotTtl(Duration.ZERO).build().bindTo(second);
            JournalRecovery recovery = tracker.metrics().journalRecovery();
            assertThat(recovery.recordsReplayed()).isEqualTo(20);
            assertThat(gauge(second, "twinstream.journal.recovery.recovered")).isEqualTo(recovery.recordsRecovered())
                    .isEqualTo(20);
            assertThat(gauge(second, "twinstream.journal.recovery.replayed")).isEqualTo(20);
            assertThat(gauge(second, "twinstream.journal.recovery.segments")).isEqualTo(recovery.segments()).isPositive();
            assertThat(gauge(second, "twinstream.journal.recovery.scanned")).isEqualTo(recovery.bytesScanned()).isPositive();
            assertThat(gauge(second, "twinstream.journal.recovery.frames.skipped")).isZero();
            assertThat(gauge(second, "twinstream.journal.recovery.skipped")).isZero();
            assertThat(gauge(second, "twinstream.journal.recovery.truncated")).isEqualTo(recovery.bytesTruncated());
            assertThat(gauge(second, "twinstream.journal.recovery.checkpoint.damaged"))
                    .isEqualTo(recovery.checkpointDamaged() ? 1 : 0);
            f.drain(tracker, Duration.ofSeconds(5));
            assertThat(counter(second, "twinstream.sink.delivered", "sink", "s")).isEqualTo(20);
            assertThat(gauge(second, "twinstream.journal.recovery.replayed")).as("fixed once").isEqualTo(20);
        }
    }
}
