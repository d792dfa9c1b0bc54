package dev.twinstream.samples.quickstart;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * "Write twice, query once" in one process, with no AWS account and no network: every reading
 * event goes to a real-time sink (a flat projection, as Redshift COPY wants it) and to a backup
 * sink (the full JSON envelope, as S3 keeps it). Both sinks are in-memory stand-ins that fail on
 * purpose — the real-time one throttles 20% of records, the backup one rejects a few records
 * permanently — so the run shows retries, dead letters and their replay.
 *
 * <p>Run it with {@code mvn -q -pl samples/quickstart -am compile exec:java}.
 */
public final class Quickstart {

    /** What the reading app tracks. */
    public record BookActivity(String userId, String sessionId, String bookId, String category, String action, int page) {}

    private static final int EVENTS = 10_000;

    private Quickstart() {}

    public static void main(String[] args) {
        InMemorySink realtime = InMemorySink.builder().seed(42).build()
                .failFraction(0.20, RecordResult.retryable("ServiceUnavailableException", "Slow down."));
        InMemorySink backup = InMemorySink.builder().seed(7).build()
                .failFraction(0.002, RecordResult.permanent("InvalidArgumentException", "Record is malformed."));

        EventType<BookActivity> bookActivity = EventType.builder(BookActivity.class, "book_activity")
                .partitionKey(BookActivity::userId)
                .requireFields("userId", "bookId", "action")
                .rule("page >= 0", e -> e.page() >= 0)
                .build();
        RecordFormat redshiftRow = RecordFormat.flat()
                .column("event_id", "eventId")
                .column("occurred_at", "occurredAt")
                .column("user_id", "userId")
                .column("book_id", "bookId")
                .column("action")
                .originalEventAs("raw_event")
                .build();

        try (EventTracker tracker = EventTracker.builder()
                .register(bookActivity)
                .sink("realtime", realtime, SinkOptions.defaults().format(redshiftRow).linger(Duration.ofMillis(20)))
                .sink("backup", backup, SinkOptions.defaults().format(RecordFormat.jsonLines()))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(500)))
                .context("app", "reader")
                .context("version", "2.4.1")
                .build()) {

            for (int i = 0; i < EVENTS; i++) {
                tracker.track(new BookActivity("user-" + (i % 250), "session-" + (i % 40), "book-" + (i % 60),
                        i % 3 == 0 ? "fiction" : "science", i % 5 == 0 ? "open" : "turn_page", i % 300));
            }
            boolean flushed = tracker.flush(Duration.ofSeconds(30));
            TrackerMetrics afterFirstRun = tracker.metrics();

            // The backup destination was "fixed": replay what it dead-lettered.
            backup.failFraction(0, RecordResult.permanent("InvalidArgumentException", "unused"));
            List<DeadLetter> deadLetters = tracker.deadLetterStore().drain();
            int replayed = tracker.replay(deadLetters);
            tracker.flush(Duration.ofSeconds(30));
            TrackerMetrics afterReplay = tracker.metrics();

            print("Twinstream quickstart: " + EVENTS + " events to two in-memory sinks (no AWS account, no network)");
            print(flushed ? "All events reached a final outcome." : "Flush timed out; see pending below.");
            print("");
            print(table("After the first run", afterFirstRun));
            print("Dead letters replayed into 'backup' after the fix: " + replayed + " (first: "
                    + (deadLetters.isEmpty() ? "none" : deadLetters.get(0).errorCode() + " - " + deadLetters.get(0).errorMessage()) + ")");
            print("");
            print(table("After replaying the dead letters", afterReplay));
            print("Conservation (accepted = delivered + dead-lettered + dropped + pending) holds: " + afterReplay.isConserved());
            print("Unique events stored: realtime=" + realtime.receivedEventIds().stream().distinct().count()
                    + ", backup=" + backup.receivedEventIds().stream().distinct().count());
            print("");
            print("A real-time row (flat projection for Redshift COPY):");
            print("  " + realtime.received().get(0).payloadAsString().trim());
            print("A backup record (full envelope, JSON lines for S3):");
            print("  " + backup.received().get(0).payloadAsString().trim());
        }
    }

    private static String table(String title, TrackerMetrics metrics) {
        StringBuilder sb = new StringBuilder(title).append(":\n");
        sb.append(String.format(Locale.ROOT, "  %-9s %9s %10s %8s %14s %8s %8s %8s %11s%n", "sink", "accepted",
                "delivered", "retried", "dead-lettered", "dropped", "pending", "batches", "mean batch"));
        for (SinkMetrics m : metrics.sinks().values()) {
            sb.append(String.format(Locale.ROOT, "  %-9s %9d %10d %8d %14d %8d %8d %8d %11.1f%n", m.sink(), m.accepted(),
                    m.delivered(), m.retried(), m.deadLettered(), m.dropped(), m.pendingRecords(), m.batchesSent(),
                    m.meanBatchRecords()));
        }
        return sb.toString();
    }

    @SuppressWarnings("SystemOut") // a sample's job is to print its result
    private static void print(String line) {
        System.out.println(line);
    }
}
