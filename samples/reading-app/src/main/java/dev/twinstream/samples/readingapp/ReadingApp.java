package dev.twinstream.samples.readingapp;

import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Seed 000 end to end over the real Firehose wire protocol: a reading app writes every event twice
 * (a real-time Firehose for Redshift, backup Firehoses to S3 routed by category) through a disk
 * journal, and the run shows, phase by phase, what the seeds promise: invalid events rejected at
 * {@code track()}, a real-time outage that does not touch the backup, a {@code kill -9} that loses
 * no acknowledged event, permanent errors dead-lettered and replayed, and a reconciliation of the
 * two destinations that comes out clean.
 *
 * <p>{@code mvn -q -pl samples/reading-app -am compile exec:java} runs it against a local AWS
 * endpoint started in this process; {@code --help} lists the options.
 */
@Command(name = "reading-app", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Seed 000 \"write twice, query once\" over the Firehose wire protocol: normal traffic, a real-time",
                "outage, a kill -9 of the producer, permanent errors and their replay, and a reconciliation of",
                "real-time vs backup. By default against a local AWS endpoint started in this process.",
                "Exit status 0 only when every check of the run passes."})
public final class ReadingApp implements Callable<Integer> {

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "Use this Firehose endpoint instead of the embedded one (the standalone emulator, LocalStack); "
                    + "missing delivery streams are created. Fault phases and the S3 read-back need the embedded endpoint.")
    URI endpoint;

    @Option(names = "--aws", description = "Use real AWS (default credentials chain and region). The delivery streams "
            + "must exist; only normal traffic and the crash-free checks run.")
    boolean aws;

    @Option(names = "--realtime-stream", defaultValue = "reading-realtime", description = "Real-time delivery stream (default: ${DEFAULT-VALUE}).")
    String realtimeStream;

    @Option(names = "--backup-books-stream", defaultValue = "reading-backup-book-activity",
            description = "Backup delivery stream for book activity (default: ${DEFAULT-VALUE}).")
    String backupBooksStream;

    @Option(names = "--backup-other-stream", defaultValue = "reading-backup-other",
            description = "Backup delivery stream for every other category (default: ${DEFAULT-VALUE}).")
    String backupOtherStream;

    @Option(names = "--events", defaultValue = "20000", description = "Events of the normal-traffic phase (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--outage", defaultValue = "PT4S", description = "How long the real-time path fails, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration outage;

    @Option(names = "--crash-after", defaultValue = "2000", paramLabel = "ACKS",
            description = "Kill -9 the producer after this many acknowledged events (default: ${DEFAULT-VALUE}; 0 skips the crash).")
    int crashAfter;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Journals and the S3-like objects (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulated traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    private final PrintStream out;
    private Report report;

    ReadingApp(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        // Jetty and WireMock log their start and stop at INFO; the sample's output should be its own.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the sample as the command line would; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return command(out, err).execute(args);
    }

    static CommandLine command(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ReadingApp(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl;
    }

    /** {@return the report of the last run, for tests} */
    Report report() {
        return report;
    }

    @Override
    public Integer call() throws Exception {
        if (aws && endpoint != null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--aws and --endpoint exclude each other");
        }
        Pipeline.Streams streams = new Pipeline.Streams(realtimeStream, backupBooksStream, backupOtherStream);
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("reading-app-");
        report = new Report(out);
        Latencies latencies = new Latencies();
        try (Target target = aws ? Target.aws() : endpoint != null ? Target.endpoint(endpoint, streams)
                : Target.embedded(streams, work.resolve("s3"));
                EventTracker tracker = Pipeline.tracker(target.client(), streams, work.resolve("journal"), latencies)) {
            out.println("Twinstream reading app: seed 000 \"write twice, query once\" through " + target.description());
            out.println("  real-time: " + streams.realtime() + " (flat Redshift rows) | backup: " + streams.backupBooks()
                    + " (book activity), " + streams.backupOther() + " (everything else), JSON lines | journal: "
                    + work.resolve("journal"));
            Phases phases = new Phases(tracker, target, streams, latencies, report, out, seed);
            phases.normalTraffic(events);
            if (target.embedded() != null) {
                phases.realtimeOutage(outage);
            } else {
                report.skipped("real-time outage", "needs the embedded endpoint to inject faults");
            }
            if (crashAfter > 0 && target.endpoint() != null) {
                phases.crash(work.resolve("crash-journal"), crashAfter);
            } else {
                report.skipped("kill -9", target.endpoint() == null ? "needs an endpoint a child process can reach" : "--crash-after 0");
            }
            if (target.embedded() != null) {
                phases.permanentErrors();
                phases.reconcile(work.resolve("s3"));
            } else {
                report.skipped("permanent errors", "needs the embedded endpoint to inject them");
                report.skipped("reconciliation", "needs the S3 objects of the embedded endpoint");
            }
            report.metrics("All sinks at the end", tracker.metrics());
            report.check("conservation: accepted = delivered + dead-lettered + dropped + pending, per sink",
                    tracker.metrics().isConserved());
        }
        return report.print();
    }

    /** What the run printed and checked; the exit status comes from the checks. */
    static final class Report {
        private final PrintStream out;
        private final List<String> checks = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private int failed;

        Report(PrintStream out) {
            this.out = out;
        }

        void phase(String title) {
            out.println();
            out.println("== " + title);
        }

        void line(String text) {
            out.println("  " + text);
        }

        void check(String what, boolean passed) {
            checks.add((passed ? "PASS  " : "FAIL  ") + what);
            if (!passed) {
                failed++;
            }
        }

        void skipped(String phase, String why) {
            skipped.add(phase + ": " + why);
        }

        void metrics(String title, TrackerMetrics metrics) {
            out.println();
            out.println(title + ":");
            out.printf(Locale.ROOT, "  %-9s %9s %10s %8s %14s %8s %8s%n", "sink", "accepted", "delivered", "retried",
                    "dead-lettered", "dropped", "pending");
            for (SinkMetrics m : metrics.sinks().values()) {
                out.printf(Locale.ROOT, "  %-9s %,9d %,10d %,8d %,14d %,8d %,8d%n", m.sink(), m.accepted(), m.delivered(),
                        m.retried(), m.deadLettered(), m.dropped(), m.pendingRecords());
            }
        }

        List<String> failedChecks() {
            return checks.stream().filter(c -> c.startsWith("FAIL")).toList();
        }

        int checkCount() {
            return checks.size();
        }

        /** Prints the checks; {@return 0 if all passed, 1 otherwise} */
        int print() {
            out.println();
            out.println("Checks:");
            checks.forEach(c -> out.println("  " + c));
            skipped.forEach(s -> out.println("  SKIP  " + s));
            out.println(failed == 0 ? "All " + checks.size() + " checks passed." : failed + " of " + checks.size() + " checks FAILED.");
            return failed == 0 ? 0 : 1;
        }
    }

    /** Tracks one invalid event and returns the rejection's message. */
    static String rejection(EventTracker tracker, Object invalid) {
        try {
            tracker.track(invalid);
            return null;
        } catch (EventRejectedException e) {
            return e.getMessage();
        }
    }
}
