package dev.twinstream.samples.readingapp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.twinstream.samples.readingapp.Pipeline.BACKUP_SINK;
import static dev.twinstream.samples.readingapp.Pipeline.REALTIME_SINK;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.LedgerComparison;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.samples.readingapp.ReadingApp.Report;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/** The phases of the run, in order; each prints what it does and records its checks. */
final class Phases {
    private static final Duration FLUSH_WITHIN = Duration.ofSeconds(90);
    private static final String PUT_RECORD_BATCH = LocalAwsEndpoint.FIREHOSE_TARGET_PREFIX + ".PutRecordBatch";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventTracker tracker;
    private final Target target;
    private final Pipeline.Streams streams;
    private final Latencies latencies;
    private final Report report;
    private final PrintStream out;
    private final long seed;
    private final ReadingEvents traffic;
    /** Every event either producer had accepted: the reconciliation expects each in both destinations. */
    private final Set<String> expected = new HashSet<>();

    Phases(EventTracker tracker, Target target, Pipeline.Streams streams, Latencies latencies, Report report,
            PrintStream out, long seed) {
        this.tracker = tracker;
        this.target = target;
        this.streams = streams;
        this.latencies = latencies;
        this.report = report;
        this.out = out;
        this.seed = seed;
        this.traffic = new ReadingEvents(seed);
    }

    void normalTraffic(int events) {
        report.phase("1. Normal traffic: " + String.format(Locale.ROOT, "%,d", events)
                + " events, and invalid ones rejected at track()");
        Object[] invalid = ReadingEvents.invalid();
        int rejected = 0;
        for (Object event : invalid) {
            String message = ReadingApp.rejection(tracker, event);
            if (message != null) {
                rejected++;
                report.line("rejected: " + message);
            }
        }
        latencies.reset();
        boolean flushed;
        Progress progress = new Progress(tracker, out, "normal");
        try {
            for (int i = 0; i < events; i++) {
                expected.add(tracker.track(traffic.next()));
            }
            flushed = tracker.flush(FLUSH_WITHIN);
        } finally {
            progress.close();
        }
        report.line("latency track() to delivered: real-time " + latencies.summary(REALTIME_SINK) + "; backup "
                + latencies.summary(BACKUP_SINK));
        report.check("every invalid event rejected at track() with its reason (" + rejected + " of " + invalid.length + ")",
                rejected == invalid.length);
        report.check("normal traffic delivered to both sinks", flushed && everythingDelivered());
    }

    void realtimeOutage(Duration outage) {
        LocalAwsEndpoint endpoint = target.embedded();
        report.phase("2. The real-time path fails for " + outage.toMillis() + " ms (connection resets, then throttling); "
                + "the backup carries on");
        // A test's own WireMock stub on top of the fake: only the real-time stream's puts are reset.
        StubMapping resets = endpoint.wireMock().stubFor(putTo(streams.realtime())
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        latencies.reset();
        long start = System.nanoTime();
        long end = start + outage.toNanos();
        boolean throttling = false;
        long heldBack;
        Progress progress = new Progress(tracker, out, "outage");
        try {
            while (System.nanoTime() < end) {
                if (!throttling && System.nanoTime() - start > outage.toNanos() / 2) {
                    endpoint.wireMock().removeStub(resets);
                    endpoint.firehose().throttleFor(streams.realtime(), Duration.ofNanos(end - System.nanoTime()));
                    throttling = true;
                }
                for (int i = 0; i < 50; i++) {
                    expected.add(tracker.track(traffic.next()));
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // paces the simulated app at ~2,500 events/s
            }
            heldBack = sink(REALTIME_SINK).pendingRecords();
        } finally {
            progress.close();
        }
        long backupP99 = latencies.p99Millis(BACKUP_SINK);
        report.line("during the outage: backup latency " + latencies.summary(BACKUP_SINK) + "; real-time held back "
                + String.format(Locale.ROOT, "%,d", heldBack) + " events");
        report.check("the backup kept delivering during the real-time outage (p99 " + backupP99 + " ms <= 5000 ms)",
                backupP99 >= 0 && backupP99 <= 5_000);
        report.check("the real-time path was held back by the outage", heldBack > 0);
        long catchUp = System.nanoTime();
        boolean flushed = tracker.flush(FLUSH_WITHIN);
        report.line(String.format(Locale.ROOT, "real-time caught up %.1f s after the outage, %,d retries in all",
                (System.nanoTime() - catchUp) / 1e9, sink(REALTIME_SINK).retried()));
        report.check("real-time caught up: both sinks delivered everything", flushed && everythingDelivered());
    }

    void crash(java.nio.file.Path journal, int acksBeforeKill) throws IOException, InterruptedException {
        report.phase("3. kill -9: a producer process tracks with trackDurable (8 threads); it is killed after "
                + acksBeforeKill + " acknowledgements and restarted on the same journal");
        CrashRun run = CrashRun.run(target.endpoint(), journal, streams, seed + 1_000, acksBeforeKill, out);
        expected.addAll(run.acknowledged());
        report.line(String.format(Locale.ROOT, "acknowledged before the kill: %,d; the killed process exited with %d; "
                + "the restarted one: %s", run.acknowledged().size(), run.killedExitCode(), run.resumeSummary()));
        report.check("the producer was killed with SIGKILL (exit status 137)", run.killedExitCode() == 137);
        report.check("the restarted producer delivered what the killed one left", run.resumed());
        LocalAwsEndpoint endpoint = target.embedded();
        if (endpoint == null) {
            report.skipped("kill -9 delivery check by id", "needs the embedded endpoint to read what arrived");
            return;
        }
        Set<String> realtime = ids(endpoint.firehose().lines(streams.realtime()), "event_id");
        Set<String> backup = new HashSet<>(ids(endpoint.firehose().lines(streams.backupBooks()), "eventId"));
        backup.addAll(ids(endpoint.firehose().lines(streams.backupOther()), "eventId"));
        long lostRealtime = run.acknowledged().stream().filter(id -> !realtime.contains(id)).count();
        long lostBackup = run.acknowledged().stream().filter(id -> !backup.contains(id)).count();
        report.line("acknowledged events lost: real-time " + lostRealtime + ", backup " + lostBackup);
        report.check("kill -9: every acknowledged event delivered to both sinks", lostRealtime == 0 && lostBackup == 0);
    }

    void permanentErrors() {
        LocalAwsEndpoint endpoint = target.embedded();
        report.phase("4. Permanent errors: the '" + streams.backupOther() + "' stream is missing; its events are "
                + "dead-lettered with the AWS error code, then replayed after the fix");
        StubMapping missing = endpoint.wireMock().stubFor(putTo(streams.backupOther()).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"ResourceNotFoundException\",\"message\":\"Firehose " + streams.backupOther()
                        + " under account 123456789012 not found.\"}")));
        long deadBefore = sink(BACKUP_SINK).deadLettered();
        Progress progress = new Progress(tracker, out, "permanent errors");
        try {
            for (int i = 0; i < 2_000; i++) {
                expected.add(tracker.track(traffic.next()));
            }
            tracker.flush(FLUSH_WITHIN);
        } finally {
            progress.close();
        }
        List<DeadLetter> letters = tracker.deadLetterStore().snapshot().stream()
                .filter(d -> d.sink().equals(BACKUP_SINK)).toList();
        if (!letters.isEmpty()) {
            report.line(String.format(Locale.ROOT, "%,d dead letters, e.g. %s: %s", letters.size(),
                    letters.get(0).errorCode(), letters.get(0).errorMessage()));
        }
        report.check("the missing stream's events were dead-lettered with ResourceNotFoundException",
                !letters.isEmpty() && sink(BACKUP_SINK).deadLettered() - deadBefore == letters.size()
                        && letters.stream().allMatch(d -> "ResourceNotFoundException".equals(d.errorCode())));

        endpoint.wireMock().removeStub(missing); // the fix: the stream exists again
        int replayed = tracker.replay(letters);
        boolean flushed = tracker.flush(FLUSH_WITHIN);
        tracker.deadLetterStore().remove(letters);
        report.line(String.format(Locale.ROOT, "after the fix: %,d replayed", replayed));
        report.check("the replayed dead letters were delivered", flushed && replayed == letters.size()
                && sink(BACKUP_SINK).pendingRecords() == 0 && sink(BACKUP_SINK).deadLettered() - deadBefore == letters.size());
    }

    void reconcile(java.nio.file.Path s3Directory) {
        report.phase("5. Reconciliation: per category and hour, real-time vs backup, read back from the S3 objects");
        target.embedded().firehose().flushBuffers(); // deliver what Firehose still buffers, as its interval would
        Reconciliation r = Reconciliation.of(s3Directory, streams);
        out.print(r.table());
        report.line(String.format(Locale.ROOT, "missing in real-time: %,d; missing in backup: %,d; second copies stored: "
                + "%,d (resends, and the restart's replay after kill -9: same eventId)", r.missingInRealtime().size(),
                r.missingInBackup().size(), r.duplicates()));
        report.check("reconciliation is clean: no id missing on either side", r.isClean());
        // The cheap daily check: the two sinks' delivery ledgers (count and id digest per event type
        // and hour), compared without listing any id; the same figures come from SQL over the
        // destinations' event_id columns (docs/RECONCILIATION.md).
        DeliveryLedger realtimeLedger = tracker.ledger(REALTIME_SINK).mergeDestinations("all");
        DeliveryLedger backupLedger = tracker.ledger(BACKUP_SINK).mergeDestinations("all");
        LedgerComparison ledgers = DeliveryLedger.compare(realtimeLedger, backupLedger);
        report.line(String.format(Locale.ROOT, "delivery ledgers: real-time %,d events, backup %,d events in %d buckets "
                + "(type x hour); %s", realtimeLedger.totalCount(), backupLedger.totalCount(),
                backupLedger.buckets().size(), ledgers.isClean() ? "identical counts and digests" : ledgers));
        report.check("the delivery ledgers of real-time and backup agree (count and digest per type and hour)",
                ledgers.isClean() && realtimeLedger.totalCount() > 0);
        Set<String> absent = new HashSet<>(expected);
        absent.removeAll(r.allIds());
        report.check("every event the app tracked or had acknowledged is in the S3 objects (" + absent.size() + " absent)",
                absent.isEmpty());
    }

    private static MappingBuilder putTo(String stream) {
        return post("/").withHeader("X-Amz-Target", equalTo(PUT_RECORD_BATCH))
                .withRequestBody(containing("\"DeliveryStreamName\":\"" + stream + "\""));
    }

    private SinkMetrics sink(String name) {
        return tracker.metrics().sinks().get(name);
    }

    private boolean everythingDelivered() {
        return tracker.metrics().sinks().values().stream()
                .allMatch(m -> m.pendingRecords() == 0 && m.delivered() + m.deadLettered() == m.accepted());
    }

    private static Set<String> ids(List<String> lines, String field) {
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            try {
                ids.add(JSON.readTree(line).get(field).asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ids;
    }
}
