package dev.twinstream.benchmarks.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Smoke mode of {@link ComparisonBenchmark}: every contender once, in its own JVM, with 20,000 events
 * and no warm-up, against a null endpoint the run starts and stops itself. Checks the harness, not
 * performance: each contender JVM already fails unless its library acknowledged every event; here
 * the endpoint's counts must agree, CPU must have been measured, and the KPL must have aggregated.
 * Linux only, like the benchmark (it reads {@code /proc}).
 */
@EnabledOnOs(OS.LINUX)
class ComparisonSmokeTest {
    private static final int EVENTS = 20_000;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyContenderDeliversEveryEvent() throws Exception {
        BenchOptions options = BenchOptions.parse("--warmup-seconds", "0", "--rounds", "1", "--events", String.valueOf(EVENTS),
                "--heap", "256m");

        Map<ContenderKind, List<RunResult>> results = ComparisonBenchmark.run(options, System.out);
        System.out.println(Report.markdown(options, results));

        assertThat(results).containsOnlyKeys(ContenderKind.values());
        for (ContenderKind kind : ContenderKind.values()) {
            assertThat(results.get(kind)).as(kind.id()).hasSize(1);
            RunResult r = results.get(kind).get(0);
            assertThat(r.events()).as(kind.id()).isEqualTo(EVENTS);
            assertThat(r.cpuNanos()).as(kind.id() + " CPU").isPositive();
            assertThat(r.wallNanos()).as(kind.id() + " wall time").isPositive();
            assertThat(r.allocatedBytes()).as(kind.id() + " allocation").isPositive();
            assertThat(r.peakRssKib()).as(kind.id() + " peak RSS").isPositive();
            assertThat(r.p50Nanos()).as(kind.id() + " p50").isPositive().isLessThanOrEqualTo(r.p999Nanos());
            assertThat(r.requestBytes()).as(kind.id() + " wire bytes").isPositive();
            assertThat(r.endpointCpuNanos()).as(kind.id() + " endpoint CPU").isNotNegative();
        }
        // One record per event: the endpoint saw each one.
        for (ContenderKind kind : List.of(ContenderKind.TWINSTREAM_PLAIN, ContenderKind.RAW_4, ContenderKind.RAW_16)) {
            RunResult r = results.get(kind).get(0);
            assertThat(r.kinesisRecords()).as(kind.id()).isEqualTo(EVENTS);
            assertThat(r.aggregatedRecords()).as(kind.id()).isZero();
        }
        assertThat(results.get(ContenderKind.RAW_FIREHOSE_4).get(0).firehoseRecords()).isEqualTo(EVENTS);
        // Aggregated: far fewer records than events, nearly all of them KPL aggregates (the KPL sends
        // a record that ended up holding one event as a plain record).
        for (ContenderKind kind : List.of(ContenderKind.KPL, ContenderKind.TWINSTREAM_AGGREGATION)) {
            RunResult r = results.get(kind).get(0);
            assertThat(r.recordsPerEvent()).as(kind.id() + " records/event").isLessThan(0.05);
            assertThat(r.aggregatedRecords()).as(kind.id() + " aggregated records").isGreaterThan(r.kinesisRecords() * 9 / 10);
        }
        RunResult kpl = results.get(ContenderKind.KPL).get(0);
        assertThat(kpl.childCpuNanos()).as("the KPL's native process is measured").isPositive();
        RunResult packed = results.get(ContenderKind.TWINSTREAM_FIREHOSE).get(0);
        assertThat(packed.firehoseRecords()).isPositive().isLessThan(EVENTS / 10);
        assertThat(Report.markdown(options, results)).contains("### Kinesis", "### Firehose", ContenderKind.KPL.label());
    }
}
