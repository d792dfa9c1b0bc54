package dev.twinstream.samples.clickstream;

import dev.twinstream.samples.clickstream.ClickEvent.KeyScheme;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Seed 001's client event tracking with seed 003's latency tiers, over the real AWS wire protocol:
 * simulated shoppers' page views, cart adds and purchases go to a Kinesis "fast lane" (short linger)
 * and a Firehose "scenic" archive (long linger) at once. By default both services are the testkit's
 * fakes behind an embedded local endpoint (no AWS account, no network); {@code --endpoint} and
 * {@code --aws} point the same real clients elsewhere. The run prints progress, a summary and the
 * checks it made; it exits 0 only if every check passed.
 *
 * <p>{@code mvn -q -pl samples/clickstream -am compile exec:java -Dexec.args="--help"}
 */
@Command(name = "clickstream", sortOptions = false, usageHelpWidth = 100,
        description = {
            "Tracks page_view, add_to_cart and purchase events of simulated users to two destinations with",
            "different latency budgets: a Kinesis data stream (the fast lane, short linger) and a Firehose",
            "delivery stream (the scenic archive, long linger: Firehose itself buffers 60-900 s before S3).",
            "Prints events per shard, the aggregation ratio, PUT payload units and calls against sending",
            "every event as its own record, the shard count the measured load needs and per-sink latency.",
            ""},
        footer = {"",
            "Checks (exit code 0 only if all pass, else 1; a bad option exits 2): every accepted event delivered",
            "to each sink; accepted = delivered + dead-lettered + dropped + pending; events per shard max/min",
            "<= " + Summary.MAX_SHARD_SKEW + " (checked with >= " + Summary.MIN_KEYS_PER_SHARD + " keys and >= "
                    + Summary.MIN_EVENTS_PER_SHARD + " events per shard); with aggregation >= "
                    + (int) Summary.MIN_AGGREGATION_RATIO + " events",
            "per Kinesis record; with the embedded endpoint, the sample's own counts equal the fake's.",
            "",
            "Examples:",
            "  clickstream                                                 embedded endpoint",
            "  clickstream --endpoint http://127.0.0.1:4567                the standalone emulator",
            "  clickstream --endpoint http://127.0.0.1:4568 --no-archive   kinesis-mock (no Firehose)",
            "  clickstream --aws --stream NAME --archive-stream NAME       real AWS (streams must exist)"})
public final class Clickstream {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--users", paramLabel = "N", defaultValue = "1000",
            description = "Distinct simulated users, chosen at random for each event (default: ${DEFAULT-VALUE}).")
    int users;

    @ArgGroup(exclusive = true)
    @Nullable Length length;

    /** How long the run is: a number of events or a time. */
    static final class Length {
        @Option(names = "--events", paramLabel = "N", required = true,
                description = "Events to track (default: " + DEFAULT_EVENTS + ").")
        long events;

        @Option(names = "--duration", paramLabel = "TIME", required = true,
                converter = OptionConverters.DurationConverter.class,
                description = "Track for this long instead of a number of events: 30s, 2m, 500ms, PT1H.")
        @Nullable Duration duration;
    }

    @Option(names = "--rate", paramLabel = "EVENTS/S", defaultValue = "2000",
            description = "Events tracked per second; 0 = as fast as the tracker takes them (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--keys", paramLabel = "user|user-type", defaultValue = "user",
            converter = OptionConverters.KeyConverter.class,
            description = "Partition key: the user id, or md5(userId:eventType) (default: ${DEFAULT-VALUE}).")
    KeyScheme keys = KeyScheme.USER;

    @Option(names = "--aggregation", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "KPL aggregation: pack a shard's events into 50 KiB Kinesis records (default: on;"
                    + " --no-aggregation sends every event as its own record, to compare).")
    boolean aggregation;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "4",
            description = "Shards of the embedded stream, or of the stream created at --endpoint if missing"
                    + " (default: ${DEFAULT-VALUE}). With --aws the stream's own count applies.")
    int shards;

    @Option(names = "--enforce-throughput", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Embedded endpoint only: the fake Kinesis enforces 1,000 records/s and 1 MiB/s per shard"
                    + " as AWS does, and throttles beyond (default: on; the sink paces itself to stay within).")
    boolean enforceThroughput;

    @ArgGroup(exclusive = true)
    @Nullable Target target;

    /** Where the streams are: the embedded endpoint (neither option), another endpoint, or AWS. */
    static final class Target {
        @Option(names = "--endpoint", paramLabel = "URL", required = true,
                description = "Another endpoint speaking the AWS protocols (the standalone emulator"
                        + " http://127.0.0.1:4567, kinesis-mock, LocalStack); creates the streams if missing.")
        @Nullable URI endpoint;

        @Option(names = "--aws", required = true,
                description = "Real AWS: default credentials chain and region; the streams must exist.")
        boolean aws;
    }

    @Option(names = "--stream", paramLabel = "NAME", defaultValue = "clickstream",
            description = "The Kinesis data stream, the fast lane (default: ${DEFAULT-VALUE}).")
    String stream = "clickstream";

    @Option(names = "--archive-stream", paramLabel = "NAME", defaultValue = "clickstream-archive",
            description = "The Firehose delivery stream, the scenic archive (default: ${DEFAULT-VALUE}).")
    String archiveStream = "clickstream-archive";

    @Option(names = "--archive", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Write the Firehose archive too (default: on; --no-archive for an endpoint without"
                    + " Firehose, such as kinesis-mock).")
    boolean archive;

    @Option(names = "--fast-linger", paramLabel = "TIME", defaultValue = "50ms",
            converter = OptionConverters.DurationConverter.class,
            description = "Latency budget of the Kinesis fast lane: the longest an event waits for its batch"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration fastLinger = Duration.ofMillis(50);

    @Option(names = "--archive-linger", paramLabel = "TIME", defaultValue = "5s",
            converter = OptionConverters.DurationConverter.class,
            description = "Latency budget of the Firehose archive (default: ${DEFAULT-VALUE}; the sink's own"
                    + " default is 30s).")
    Duration archiveLinger = Duration.ofSeconds(5);

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the simulated users' choices (default: ${DEFAULT-VALUE}).")
    long seed;

    static final long DEFAULT_EVENTS = 20_000;

    /**
     * Runs the sample from the command line and exits with its exit code.
     *
     * @param args the options; {@code --help} lists them
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err).exitCode();
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The outcome of {@link #run}: the exit code and, if the sample ran, its summary. */
    public record Outcome(int exitCode, @Nullable Summary summary) {}

    /**
     * Parses {@code args}, runs the sample and prints to {@code out} (errors to {@code err}); what
     * {@link #main} and the test call.
     *
     * @param args the command line
     * @param out where the progress, the summary and {@code --help} go
     * @param err where a bad option or a failure is reported
     * @return exit code 0 (every check passed, or help), 1 (a check failed or the run could not
     *     complete) or 2 (bad options), and the summary when the sample ran
     */
    public static Outcome run(String[] args, PrintStream out, PrintStream err) {
        Clickstream options = new Clickstream();
        CommandLine cli = new CommandLine(options).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        try {
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(out);
                return new Outcome(0, null);
            }
            options.validate(cli);
        } catch (ParameterException e) {
            err.println(e.getMessage());
            err.println("Try 'clickstream --help' for the options.");
            return new Outcome(2, null);
        }
        try {
            Summary summary = new ClickstreamRun(options, out).call();
            return new Outcome(summary.exitCode(), summary);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            err.println("clickstream failed: " + cause);
            return new Outcome(1, null);
        }
    }

    private void validate(CommandLine cli) {
        atLeast(cli, "--users", users, 1);
        atLeast(cli, "--shards", shards, 1);
        atLeast(cli, "--rate", rate, 0);
        if (length != null && length.duration == null) {
            atLeast(cli, "--events", length.events, 1);
        }
        if (length != null && length.duration != null && (length.duration.isZero() || length.duration.isNegative())) {
            throw new ParameterException(cli, "--duration must be positive but was " + length.duration);
        }
        if (fastLinger.isNegative() || archiveLinger.isNegative()) {
            throw new ParameterException(cli, "--fast-linger and --archive-linger must not be negative");
        }
        if (target != null && target.endpoint != null && target.endpoint.getScheme() == null) {
            throw new ParameterException(cli, "--endpoint must be a URL such as http://127.0.0.1:4567 but was "
                    + target.endpoint);
        }
    }

    private static void atLeast(CommandLine cli, String option, long value, long min) {
        if (value < min) {
            throw new ParameterException(cli, option + " must be at least " + min + " but was " + value);
        }
    }

    /** {@return the number of events to track, or 0 when {@code --duration} bounds the run} */
    long events() {
        return length == null ? DEFAULT_EVENTS : length.duration != null ? 0 : length.events;
    }

    /** {@return how long to track, or null when a number of events bounds the run} */
    @Nullable Duration duration() {
        return length == null ? null : length.duration;
    }
}
