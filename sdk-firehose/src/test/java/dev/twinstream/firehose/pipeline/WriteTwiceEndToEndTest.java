package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_BOOKS;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_DYNAMIC;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BOOK_ACTIVITY;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.REALTIME;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.testkit.firehose.DeliveredObject;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seed 000 end to end: tracker → real-time FirehoseSink (flat Redshift format, one stream) and
 * backup FirehoseSink (JSON lines, routed by category into two streams) → FakeFirehose. Every event
 * lands in both, in the right streams and formats, and an outage of the real-time path does not
 * delay the backup.
 */
class WriteTwiceEndToEndTest {
    private static final long SEED = 3000L;
    private static final int EVENTS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyEventLandsInBothSinksInTheRightStreamsAndFormats(Transport transport) throws Exception {
        try (WriteTwiceFixture f = new WriteTwiceFixture(SEED, transport)) {
            everyEventLandsInBothSinks(f);
        }
    }

    private static void everyEventLandsInBothSinks(WriteTwiceFixture f) throws Exception {
        Map<String, LedgerEvent> tracked = new HashMap<>();
        try (EventTracker tracker = f.tracker(SEED)
                .sink("realtime", f.realtime(), SinkOptions.defaults().format(WriteTwiceFixture.REDSHIFT))
                // The isolation check below needs the backup's batches sent within 5 s: a short linger
                // instead of the Firehose sink's 30 s default latency budget.
                .sink("backup", f.backup().build(), SinkOptions.defaults().linger(Duration.ofMillis(100)))
                .build()) {
            // The Redshift path is throttled for the first two virtual minutes; the backup is not.
            f.firehose.throttleFor(REALTIME, Duration.ofMinutes(2));
            for (int i = 0; i < EVENTS; i++) {
                LedgerEvent e = LedgerEvent.number(i);
                tracked.put(tracker.track(e), e);
                if (i % 100 == 99) {
                    f.advance(tracker, Duration.ofMillis(500));
                    assertThat(tracker.metrics()).isConserved();
                }
            }
            f.advance(tracker, Duration.ofSeconds(5));
            // Isolation: the backup is complete while the real-time sink is still being throttled.
            assertThat(tracker.metrics().sink("backup").pendingRecords()).isZero();
            assertThat(tracker.metrics().sink("realtime").delivered()).isZero();

            f.drain(tracker, Duration.ofHours(1));
            assertThat(tracker.metrics()).isConserved().hasNothingPending()
                    .hasOutcomes("realtime", EVENTS, 0, 0).hasOutcomes("backup", EVENTS, 0, 0);
        }

        long books = tracked.values().stream().filter(e -> BOOK_ACTIVITY.equals(e.category())).count();
        assertThat(books).isBetween(1L, EVENTS - 1L);
        assertThat(f.firehose).neverExceededItsLimits()
                .hasReceivedLines(REALTIME, EVENTS).hasNoDuplicateLines(REALTIME)
                .hasReceivedEventsOfType(BACKUP_BOOKS, "ledger_event", books)
                .hasReceivedEventsOfType(BACKUP_DYNAMIC, "ledger_event", EVENTS - books)
                .hasNoDuplicateLines(BACKUP_BOOKS).hasNoDuplicateLines(BACKUP_DYNAMIC);
        assertThat(f.firehose.stats(REALTIME).failedCalls()).as("throttled calls").isPositive();

        // Backup: full envelopes, each in the stream of its category.
        Set<String> backupIds = new HashSet<>();
        for (String stream : List.of(BACKUP_BOOKS, BACKUP_DYNAMIC)) {
            for (String line : f.firehose.lines(stream)) {
                JsonNode envelope = JSON.readTree(line);
                LedgerEvent original = tracked.get(envelope.get("eventId").asText());
                assertThat(original).as("event of line %s", line).isNotNull();
                assertThat(JSON.treeToValue(envelope.get("data"), LedgerEvent.class)).isEqualTo(original);
                assertThat(stream).isEqualTo(BOOK_ACTIVITY.equals(original.category()) ? BACKUP_BOOKS : BACKUP_DYNAMIC);
                backupIds.add(envelope.get("eventId").asText());
            }
        }
        assertThat(backupIds).isEqualTo(tracked.keySet());

        // Real time: the flat projection, the original event kept whole as a JSON string.
        Set<String> realtimeIds = new HashSet<>();
        for (String line : f.firehose.lines(REALTIME)) {
            JsonNode row = JSON.readTree(line);
            LedgerEvent original = tracked.get(row.get("event_id").asText());
            assertThat(original).isNotNull();
            assertThat(row.get("record_id").asText()).isEqualTo(original.recordId());
            assertThat(row.get("ledger_category").asText()).isEqualTo(original.ledgerCategory());
            assertThat(row.get("user_id").asText()).isEqualTo(original.userId());
            assertThat(row.get("processed_at").asText()).endsWith("Z");
            assertThat(JSON.readValue(row.get("event_data").asText(), LedgerEvent.class)).isEqualTo(original);
            realtimeIds.add(row.get("event_id").asText());
        }
        assertThat(realtimeIds).isEqualTo(tracked.keySet());

        // What Firehose writes to S3: the same lines, read back from the delivered objects.
        f.firehose.flushBuffers();
        List<String> objectLines = new ArrayList<>();
        for (DeliveredObject o : f.firehose.objects(BACKUP_BOOKS)) {
            assertThat(o.key()).startsWith("2026/01/01/00/" + BACKUP_BOOKS + "-1-");
            objectLines.addAll(o.lines());
        }
        assertThat(objectLines).hasSize((int) books);
        if (f.s3Directory != null) {
            // Over the wire the fake also wrote each object as a file, named as Firehose names S3 objects.
            assertThat(f.s3FileLines(BACKUP_BOOKS)).containsExactlyInAnyOrderElementsOf(objectLines);
            Set<String> s3Ids = new HashSet<>();
            for (String stream : List.of(BACKUP_BOOKS, BACKUP_DYNAMIC)) {
                for (String line : f.s3FileLines(stream)) {
                    assertThat(s3Ids.add(JSON.readTree(line).get("eventId").asText())).as("once: %s", line).isTrue();
                }
            }
            assertThat(s3Ids).as("the backup's S3 files hold every tracked event").isEqualTo(tracked.keySet());
            assertThat(f.firehose.s3WriteFailures()).isZero();
        }
        assertThat(f.firehose).hasDeliveredEverythingToObjects(BACKUP_BOOKS)
                .hasDeliveredEverythingToObjects(BACKUP_DYNAMIC).hasDeliveredEverythingToObjects(REALTIME)
                .hasObjectsContainingLines(BACKUP_BOOKS, objectLines.get(0), objectLines.get(objectLines.size() - 1));
    }
}
