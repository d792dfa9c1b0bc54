package dev.twinstream.samples.clickstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.SinkMetrics;
import dev.twinstream.samples.clickstream.Clickstream.Outcome;
import dev.twinstream.samples.clickstream.Summary.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs the sample through the entry point the command line uses, in process, against the embedded
 * endpoint (real SDK clients over HTTP to the fakes), and checks the figures it reports.
 */
class ClickstreamSampleTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Outcome run(String... args) {
        return Clickstream.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void twentyThousandEventsReachBothLanesEvenlySpreadAndAggregated() {
        Outcome outcome = run("--events", "20000", "--rate", "0");

        assertThat(outcome.exitCode()).as(out() + err()).isZero();
        Summary s = outcome.summary();
        assertThat(s).isNotNull();
        assertThat(s.tracked()).isEqualTo(20_000);
        for (String sink : List.of(Summary.FAST_LANE, Summary.ARCHIVE)) {
            SinkMetrics m = s.sink(sink);
            assertThat(m.accepted()).as(sink).isEqualTo(20_000);
            assertThat(m.delivered()).as(sink).isEqualTo(20_000);
            assertThat(m.deadLettered() + m.dropped() + m.pendingRecords()).as(sink).isZero();
        }
        assertThat(s.metrics().isConserved()).isTrue();

        // 1,000 random users on 4 shards: within Summary.MAX_SHARD_SKEW (1.3) of uniform.
        assertThat(s.eventsPerShard()).hasSize(4);
        assertThat(s.eventsPerShard().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20_000);
        assertThat(s.shardSkew()).isLessThanOrEqualTo(Summary.MAX_SHARD_SKEW);
        assertThat(s.eventsPerShard()).isEqualTo(s.fakeEventsPerShard());

        // Aggregation: many events per record, far fewer PUT payload units than one record per event.
        assertThat(s.aggregationRatio()).isGreaterThanOrEqualTo(Summary.MIN_AGGREGATION_RATIO);
        assertThat(s.unaggregatedUnits()).isEqualTo(20_000); // every event is far below 25 KiB
        assertThat(s.kinesisBill().putPayloadUnits()).isLessThan(s.unaggregatedUnits() / 10);
        assertThat(s.counted()).isEqualTo(s.fakeBilling());
        assertThat(s.shardsNeeded(false)).isGreaterThanOrEqualTo(s.shardsNeeded(true));

        assertThat(s.latency().get(Summary.FAST_LANE).p50()).isBetween(0L, s.latency().get(Summary.FAST_LANE).p99());
        assertThat(s.checks()).extracting(Summary.Check::status).containsOnly(Status.PASSED);
        assertThat(out())
                .contains("Events per shard")
                .containsPattern("shardId-000000000000 \\|#+ *\\| +[0-9,]+ ")
                .contains("Shards needed (seed 001: one shard takes 1 MiB/s or 1,000 records/s")
                .contains("Exit code 0: every check passed.");
    }

    @Test
    void withoutAggregationEveryEventIsItsOwnRecord() {
        Outcome outcome = run("--events", "4000", "--rate", "0", "--no-aggregation", "--no-archive");

        assertThat(outcome.exitCode()).as(out() + err()).isZero();
        Summary s = outcome.summary();
        assertThat(s.aggregationRatio()).isEqualTo(1.0);
        assertThat(s.kinesisBill().records()).isEqualTo(4_000);
        assertThat(s.kinesisBill().putPayloadUnits()).isEqualTo(s.unaggregatedUnits()).isEqualTo(4_000);
        assertThat(s.metrics().sinks()).containsOnlyKeys(Summary.FAST_LANE);
        assertThat(s.sink(Summary.FAST_LANE).delivered()).isEqualTo(4_000);
    }

    @Test
    void helpExplainsEveryOption() {
        Outcome outcome = run("--help");

        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.summary()).isNull();
        String help = out();
        List<OptionSpec> options = new CommandLine(new Clickstream()).getCommandSpec().options();
        assertThat(options).hasSize(17);
        for (OptionSpec option : options) {
            String name = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
            assertThat(help).as(name).contains(name);
            assertThat(String.join(" ", option.description())).as(name).hasSizeGreaterThan(20);
        }
        assertThat(help).contains("--endpoint=URL", "--aws", "--no-aggregation", "kinesis-mock", "exit code 0");
    }

    @Test
    void aBadOptionExitsWith2AndNamesIt() {
        assertThat(run("--bogus").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--bogus").contains("--help");

        assertThat(run("--users", "0").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--users must be at least 1 but was 0");

        assertThat(run("--keys", "session").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--keys").contains("expected user or user-type but was 'session'");

        assertThat(run("--events", "5", "--duration", "1s").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--events").contains("--duration").contains("mutually exclusive");

        assertThat(run("--duration", "soon").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--duration").contains("'soon' is not a time");
        assertThat(out()).isEmpty();
    }
}
