package dev.twinstream.samples.clickstream;

import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.samples.clickstream.ClickEvent.KeyScheme;
import dev.twinstream.samples.clickstream.Summary.Bill;
import dev.twinstream.samples.clickstream.Summary.Check;
import dev.twinstream.samples.clickstream.Summary.Latency;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** What the run prints: a header, a progress line a second, and the summary with its checks. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    /** {@code String.format} with the same grouping and decimal point on every machine. */
    static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    void header(Clickstream o, String backend, int shards) {
        String length = o.duration() != null ? "for " + o.duration().toString().substring(2).toLowerCase(Locale.ROOT)
                : format("%,d events", o.events());
        out.println(format("Twinstream clickstream: %s of %,d users at %s, keys %s, Kinesis aggregation %s", length,
                o.users, o.rate == 0 ? "full speed" : format("%,d events/s", o.rate),
                o.keys == KeyScheme.USER ? "= user id" : "= md5(user:type)", o.aggregation ? "on" : "off"));
        out.println("  to " + backend);
        out.println(format("  fast lane: Kinesis '%s' (%d shards), linger %s", o.stream, shards, millis(o.fastLinger))
                + (o.archive ? format(" | scenic archive: Firehose '%s', linger %s", o.archiveStream, millis(o.archiveLinger))
                : " | no archive"));
    }

    void progress(double seconds, long tracked, long lastSecond, TrackerMetrics metrics) {
        StringBuilder line = new StringBuilder(format("[%5.1fs] tracked %,d (%,d/s)", seconds, tracked, lastSecond));
        long retries = 0;
        long deadLetters = 0;
        for (SinkMetrics m : metrics.sinks().values()) {
            line.append(format(" | %s delivered %,d, pending %,d", m.sink(), m.delivered(), m.pendingRecords()));
            retries += m.retried();
            deadLetters += m.deadLettered();
        }
        out.println(line.append(format(" | retries %,d | dead letters %,d", retries, deadLetters)));
    }

    void summary(Summary s, Clickstream o) {
        out.println();
        out.println(format("Tracked %,d events in %.1f s (%,.0f events/s)%s; everything final after %.1f s.", s.tracked(),
                s.trackSeconds(), s.eventsPerSecond(), s.notAccepted() > 0
                        ? format(", %,d refused (journal full)", s.notAccepted()) : "", s.totalSeconds()));
        out.println(format("  %-10s %10s %8s %6s %8s %8s %8s %8s %8s", "sink", "delivered", "retried", "dead", "dropped",
                "pending", "p50 ms", "p99 ms", "max ms"));
        for (SinkMetrics m : s.metrics().sinks().values()) {
            Latency l = s.latency().get(m.sink());
            out.println(format("  %-10s %,10d %,8d %,6d %,8d %,8d %,8d %,8d %,8d", m.sink(), m.delivered(), m.retried(),
                    m.deadLettered(), m.dropped(), m.pendingRecords(), l.p50(), l.p99(), l.max()));
        }
        out.println("  (latency: from track() to delivered; each lane waits up to its linger to fill a batch.)");
        if (s.archiveStream() != null) {
            out.println("  Firehose buffers 60-900 s itself before it writes to S3: the archive's longer linger costs no"
                    + " visible freshness,");
            out.println("  and fills bigger requests and packed records.");
        }

        out.println();
        out.println("Events per shard (delivered; counted by the sample from ListShards + the MD5 of each key):");
        ShardChart.render(s.eventsPerShard()).forEach(out::println);

        Bill bill = s.kinesisBill();
        long events = s.sink(Summary.FAST_LANE).delivered();
        out.println(format("Kinesis (%s): %,d records for %,d events = %.1f events per record",
                s.fakeBilling() != null ? "FakeKinesis.billing" : "tallied from the PutRecords responses", bill.records(),
                events, s.aggregationRatio()));
        out.println(format("  PUT payload units %,9d used vs %,9d unaggregated (each event one record: sum of"
                + " ceil(size / 25 KiB), mean %.0f B)", bill.putPayloadUnits(), s.unaggregatedUnits(), s.meanRecordBytes()));
        out.println(format("  PutRecords calls  %,9d used vs %,9d unaggregated at the least (ceil(events / 500))",
                bill.putCalls(), s.unaggregatedCalls()));
        if (s.archiveRecords() >= 0) {
            out.println(format("Firehose (FakeFirehose.stats): %,d events in %,d records (packing), %,d bytes billed"
                    + " (5 KB increments)", s.sink(Summary.ARCHIVE).delivered(), s.archiveRecords(), s.archiveBilledBytes()));
        }

        out.println(format("Shards needed (seed 001: one shard takes 1 MiB/s or 1,000 records/s, whichever is reached"
                + " first), at %,.0f events/s:", s.eventsPerSecond()));
        out.println(format("  %d unaggregated (%,.0f records/s of %.0f B = %.2f MiB/s); %d with aggregation"
                + " (%,.0f records/s)", s.shardsNeeded(false), s.eventsPerSecond(), s.meanRecordBytes(),
                s.eventsPerSecond() * s.meanRecordBytes() / Summary.SHARD_BYTES_PER_SECOND, s.shardsNeeded(true),
                s.eventsPerSecond() / Math.max(1, s.aggregationRatio())));

        out.println("Checks:");
        for (Check c : s.checks()) {
            out.println(format("  %-11s %s: %s", c.status(), c.name(), c.detail()));
        }
        out.println(s.exitCode() == 0 ? "Exit code 0: every check passed." : "Exit code 1: a check failed (see above).");
    }

    private static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
