package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecordFormatTest {
    record BookRead(String userId, String bookId, String category, int pages) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = Instant.parse("2026-11-22T10:15:30.123Z").toEpochMilli();

    /** A fixed clock: the envelope's occurredAt must come from the injected clock. */
    private static final Clock FIXED = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long epochMillis() {
            return NOW;
        }
    };

    @Test
    void jsonLinesWritesTheDocumentedEnvelope() throws Exception {
        CollectingSink sink = new CollectingSink();
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(BookRead.class, "book_read").partitionKey(BookRead::userId).build())
                .sink("backup", sink)
                .context("app", "reader")
                .context("version", "1.2.3")
                .clock(FIXED)
                .build()) {
            String id = tracker.track(new BookRead("u1", "b\"7", "fiction", 12));
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();

            String line = sink.payloads().get(0);
            assertThat(line).endsWith("}\n").doesNotContain("\n{");
            assertThat(line).isEqualTo("{\"eventId\":\"" + id + "\",\"eventType\":\"book_read\","
                    + "\"occurredAt\":\"2026-11-22T10:15:30.123Z\",\"context\":{\"app\":\"reader\",\"version\":\"1.2.3\"},"
                    + "\"data\":{\"userId\":\"u1\",\"bookId\":\"b\\\"7\",\"category\":\"fiction\",\"pages\":12}}\n");
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.getMostSignificantBits() >>> 16).as("UUIDv7 timestamp").isEqualTo(NOW);
        }
    }

    @Test
    void everyLineIsIntactAcrossTheReplacementsOfTheThreadsLineBuffer() throws Exception {
        CollectingSink sink = new CollectingSink();
        int events = 3_000; // the per-thread line buffer (and its generator) is replaced every 1,024 events
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(BookRead.class, "book_read").build())
                .sink("s", sink)
                .build()) {
            for (int i = 0; i < events; i++) {
                tracker.track(new BookRead("u" + i, "b" + i, "fiction", i));
            }
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
        }
        List<String> lines = sink.payloads();
        assertThat(lines).hasSize(events);
        for (int i = 0; i < events; i++) {
            assertThat(lines.get(i)).endsWith("}\n").doesNotContain("\n{")
                    .endsWith("\"data\":{\"userId\":\"u" + i + "\",\"bookId\":\"b" + i + "\",\"category\":\"fiction\",\"pages\":"
                            + i + "}}\n");
        }
    }

    @Test
    void flatProjectionKeepsTheOriginalEventAsAJsonString() throws Exception {
        CollectingSink sink = new CollectingSink();
        RecordFormat flat = RecordFormat.flat()
                .column("event_id", "eventId")
                .column("event_type", "eventType")
                .column("occurred_at", "occurredAt")
                .column("app", "context.app")
                .column("user_id", "userId")
                .column("pages")
                .column("missing")
                .originalEventAs("raw_event")
                .build();
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(BookRead.class, "book_read").build())
                .sink("redshift", sink, SinkOptions.defaults().format(flat))
                .context("app", "reader")
                .clock(FIXED)
                .build()) {
            String id = tracker.track(new BookRead("u1", "b7", "fiction", 12));
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();

            String line = sink.payloads().get(0);
            assertThat(line).endsWith("}\n");
            JsonNode row = JSON.readTree(line);
            assertThat(row.fieldNames()).toIterable()
                    .containsExactly("event_id", "event_type", "occurred_at", "app", "user_id", "pages", "missing", "raw_event");
            assertThat(row.get("event_id").asText()).isEqualTo(id);
            assertThat(row.get("occurred_at").asText()).isEqualTo("2026-11-22T10:15:30.123Z");
            assertThat(row.get("app").asText()).isEqualTo("reader");
            assertThat(row.get("pages").isInt()).isTrue();
            assertThat(row.get("missing").isNull()).isTrue();
            assertThat(row.get("raw_event").isTextual()).isTrue();
            assertThat(JSON.readTree(row.get("raw_event").asText()))
                    .isEqualTo(JSON.readTree("{\"userId\":\"u1\",\"bookId\":\"b7\",\"category\":\"fiction\",\"pages\":12}"));
        }
    }

    @Test
    void eachEventIsEncodedOncePerDistinctFormat() {
        AtomicInteger encodings = new AtomicInteger();
        List<RecordFormat> equalFormats = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            equalFormats.add(new CountingFormat(encodings));
        }
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        CollectingSink c = new CollectingSink();
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(BookRead.class, "book_read").build())
                .sink("a", a, SinkOptions.defaults().format(equalFormats.get(0)))
                .sink("b", b, SinkOptions.defaults().format(equalFormats.get(1)))
                .sink("c", c)
                .build()) {
            for (int i = 0; i < 10; i++) {
                tracker.track(new BookRead("u" + i, "b", "c", i));
            }
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(encodings).hasValue(10);
        assertThat(a.payloads()).hasSize(10).isEqualTo(b.payloads());
        assertThat(c.payloads()).hasSize(10).allSatisfy(p -> assertThat(p).startsWith("{\"eventId\""));
    }

    /** An event whose serialization tracks another event: the JSON-lines buffer must cope with re-entry. */
    public static final class Nested {
        static EventTracker tracker;

        public String getName() {
            tracker.track(new BookRead("inner", "b", "c", 1));
            return "outer";
        }
    }

    @Test
    void aSerializerThatTracksAnotherEventStillYieldsTwoIntactLines() throws Exception {
        CollectingSink sink = new CollectingSink();
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(BookRead.class, "book_read").build())
                .register(EventType.builder(Nested.class, "nested").build())
                .sink("s", sink)
                .build()) {
            Nested.tracker = tracker;
            tracker.track(new Nested());
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(sink.payloads()).hasSize(2);
        for (String line : sink.payloads()) {
            JsonNode envelope = JSON.readTree(line);
            assertThat(line).endsWith("}\n");
            assertThat(envelope.get("eventType").asText()).isIn("book_read", "nested");
        }
        assertThat(sink.payloads()).anySatisfy(l -> assertThat(l).contains("\"data\":{\"name\":\"outer\"}"));
        assertThat(sink.payloads()).anySatisfy(l -> assertThat(l).contains("\"userId\":\"inner\""));
    }

    /** Equal to every other CountingFormat, so sinks using two instances share one encoding. */
    private static final class CountingFormat implements RecordFormat {
        private final AtomicInteger encodings;

        CountingFormat(AtomicInteger encodings) {
            this.encodings = encodings;
        }

        @Override
        public byte[] encode(Envelope envelope) {
            encodings.incrementAndGet();
            return (envelope.eventId() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CountingFormat;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }
}
