package dev.twinstream.firehose.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FlatRecordFormat;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.testkit.FakeFirehose;
import dev.twinstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.Random;

/**
 * The "write twice" pipeline of seed 000 on virtual time: a real-time Firehose (Redshift, a flat
 * projection with the original event as a JSON string) and a backup Firehose (S3, the full
 * envelope as JSON lines) routed by category into two delivery streams.
 */
final class WriteTwiceFixture {
    static final String REALTIME = "analytics-realtime-delivery";
    static final String BACKUP_BOOKS = "analytics-backup-s3-book-activity";
    static final String BACKUP_DYNAMIC = "analytics-backup-s3-dynamic";
    static final String BOOK_ACTIVITY = "book-activity";

    /** A reading-app ledger event, about 250 bytes once enveloped. */
    record LedgerEvent(String recordId, String ledgerCategory, String userId, String category, String bookId, int page) {
        static LedgerEvent number(int n) {
            return new LedgerEvent("rec-" + n, n % 3 == 0 ? "purchase" : "reading", "user-" + (n % 977),
                    n % 4 == 0 ? "dynamic" : BOOK_ACTIVITY, "book-" + (n % 113), n % 400);
        }
    }

    static final EventType<LedgerEvent> LEDGER = EventType.builder(LedgerEvent.class, "ledger_event")
            .partitionKey(LedgerEvent::userId)
            .routingKey(LedgerEvent::category)
            .requireFields("recordId", "ledgerCategory")
            .build();

    static final FlatRecordFormat REDSHIFT = RecordFormat.flat()
            .column("event_id", "eventId")
            .column("record_id", "recordId")
            .column("ledger_category", "ledgerCategory")
            .column("user_id", "userId")
            .column("processed_at", "occurredAt")
            .originalEventAs("event_data")
            .build();

    final VirtualScheduler time = new VirtualScheduler();
    final FakeFirehose firehose;

    WriteTwiceFixture(long seed) {
        firehose = FakeFirehose.builder().scheduler(time).seed(seed).build()
                .createStream(REALTIME).createStream(BACKUP_BOOKS).createStream(BACKUP_DYNAMIC);
        firehose.latency(Duration.ofMillis(30));
    }

    FirehoseSink realtime() {
        return FirehoseSink.builder(firehose).scheduler(time).deliveryStream(REALTIME).build();
    }

    FirehoseSink.Builder backup() {
        return FirehoseSink.builder(firehose).scheduler(time)
                .deliveryStream(BACKUP_DYNAMIC)
                .routeBy((type, category) -> BOOK_ACTIVITY.equals(category) ? BACKUP_BOOKS : null);
    }

    EventTracker.Builder tracker(long seed) {
        return EventTracker.builder()
                .register(LEDGER)
                .clock(time.clock())
                .scheduler(time)
                .random(new Random(seed));
    }

    /** Advances virtual time until nothing is pending in any sink, failing after {@code maxVirtual}. */
    void drain(EventTracker tracker, Duration maxVirtual) {
        boolean idle = time.advanceUntil(() -> isIdle(tracker), maxVirtual);
        assertThat(idle).as("tracker idle within %s of virtual time: %s", maxVirtual, tracker.metrics()).isTrue();
        time.runPending();
    }

    static boolean isIdle(EventTracker tracker) {
        for (SinkMetrics m : tracker.metrics().sinks().values()) {
            if (m.pendingRecords() != 0) {
                return false;
            }
        }
        return true;
    }
}
