package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_BOOKS;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_DYNAMIC;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BOOK_ACTIVITY;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.REALTIME;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.FlatRecordFormat;
import dev.twinstream.core.LedgerBucket;
import dev.twinstream.core.LedgerComparison;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.firehose.DeliveredObject;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;

/**
 * The reconciliation SQL of {@code docs/RECONCILIATION.md}, run in DuckDB over what a real tracker
 * delivered through two {@link FirehoseSink}s — the backup's full envelopes routed into two GZIP
 * streams, the real-time flat projection into a third — with entries failing and responses lost
 * after the fake stored them (so the objects hold duplicates), returns exactly the tracker's ledger,
 * bucket for bucket. The SQL is read from the markdown itself, so the documented text is the tested
 * text. Then a line removed and an id changed in the objects show as the two kinds of difference.
 */
class LedgerSqlTest {
    private static final Path DOC = Paths.get("..", "docs", "RECONCILIATION.md");
    private static final Pattern NDJSON_PATH = Pattern.compile("read_ndjson\\('[^']*'");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 3_000;

    /** The real-time projection: WriteTwiceFixture's columns and the event type the ledger needs. */
    private static final FlatRecordFormat REDSHIFT = RecordFormat.flat()
            .column("event_id", "eventId")
            .column("event_type", "eventType")
            .column("record_id", "recordId")
            .column("ledger_category", "ledgerCategory")
            .column("user_id", "userId")
            .column("processed_at", "occurredAt")
            .originalEventAs("event_data")
            .build();

    @TempDir
    Path dir;

    @Test
    void theDocumentedSqlOverTheDeliveredObjectsReturnsTheTrackersLedger() throws Exception {
        VirtualScheduler time = new VirtualScheduler();
        FakeFirehose firehose = FakeFirehose.builder().scheduler(time).seed(41).build()
                .createStream(REALTIME)
                .createStream(BACKUP_BOOKS, 5, Duration.ofSeconds(60), CompressionFormat.GZIP)
                .createStream(BACKUP_DYNAMIC, 5, Duration.ofSeconds(60), CompressionFormat.GZIP);
        firehose.latency(Duration.ofMillis(20)).failFraction(0.05, "ServiceUnavailableException");
        LosingResponses client = new LosingResponses(firehose, 4);
        FirehoseSink realtime = FirehoseSink.builder(client).scheduler(time).deliveryStream(REALTIME).build();
        FirehoseSink backup = FirehoseSink.builder(client).scheduler(time).deliveryStream(BACKUP_DYNAMIC)
                .routeBy((type, category) -> BOOK_ACTIVITY.equals(category) ? BACKUP_BOOKS : null).build();
        DeliveryLedger realtimeLedger;
        DeliveryLedger backupLedger;
        try (EventTracker tracker = EventTracker.builder().register(WriteTwiceFixture.LEDGER)
                .clock(time.clock()).scheduler(time).random(new Random(42))
                .sink("realtime", realtime, SinkOptions.defaults().format(REDSHIFT).linger(Duration.ofMillis(200)))
                .sink("backup", backup, SinkOptions.defaults().linger(Duration.ofMillis(200)))
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(LedgerEvent.number(i));
                if (i % 100 == 99) {
                    time.advance(Duration.ofMinutes(3)); // 90 minutes in all: two hour buckets at least
                }
            }
            assertThat(time.advanceUntil(() -> WriteTwiceFixture.isIdle(tracker), Duration.ofHours(1))).isTrue();
            assertThat(tracker.metrics()).isConserved().hasNothingPending()
                    .hasOutcomes("realtime", EVENTS, 0, 0).hasOutcomes("backup", EVENTS, 0, 0);
            realtimeLedger = tracker.ledger("realtime");
            backupLedger = tracker.ledger("backup");
        }
        firehose.flushBuffers();
        assertThat(client.lost.get()).as("responses lost after the fake stored the records").isPositive();
        assertThat(realtimeLedger.buckets()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(realtimeLedger.totalCount()).isEqualTo(EVENTS);
        assertThat(backupLedger.buckets()).extracting(LedgerBucket::destination).contains(BACKUP_BOOKS, BACKUP_DYNAMIC);

        long lines = 0;
        Set<String> distinct = new HashSet<>();
        for (String stream : List.of(REALTIME, BACKUP_BOOKS, BACKUP_DYNAMIC)) {
            for (DeliveredObject o : firehose.objects(stream)) {
                writeObject(stream, o);
                for (String line : o.lines()) {
                    lines++;
                    distinct.add(stream + " " + JSON.readTree(line).path(stream.equals(REALTIME) ? "event_id" : "eventId").asText());
                }
            }
        }
        assertThat(lines).as("the destinations hold duplicates").isGreaterThan(distinct.size());
        assertThat(distinct).hasSize(2 * EVENTS);

        Map<String, DeliveryLedger> fromSql = new HashMap<>();
        try (DuckDBConnection db = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
            for (String stream : List.of(REALTIME, BACKUP_BOOKS, BACKUP_DYNAMIC)) {
                fromSql.put(stream, bucketsOf(db, stream));
            }
            compareClean(realtimeLedger, fromSql.get(REALTIME));
            compareClean(backupLedger.filter(b -> b.destination().equals(BACKUP_BOOKS)), fromSql.get(BACKUP_BOOKS));
            compareClean(backupLedger.filter(b -> b.destination().equals(BACKUP_DYNAMIC)), fromSql.get(BACKUP_DYNAMIC));
            // Write twice, query once: the two sinks agree per type and hour.
            compareClean(realtimeLedger.mergeDestinations("all"), backupLedger.mergeDestinations("all"));

            // A line lost from one backup stream and an id changed in the other.
            String removed = mutateOneUniqueLine(BACKUP_BOOKS, null);
            String changed = mutateOneUniqueLine(BACKUP_DYNAMIC, "00000000-0000-7000-8000-000000000000");
            LedgerComparison books = DeliveryLedger.compare(backupLedger.filter(b -> b.destination().equals(BACKUP_BOOKS)),
                    bucketsOf(db, BACKUP_BOOKS));
            assertThat(books.differences()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(LedgerComparison.Kind.COUNT_DIFFERS);
                assertThat(d.countDifference()).isEqualTo(1);
                assertThat(d.hour()).isEqualTo(hourOf.get(removed));
            });
            LedgerComparison dynamic = DeliveryLedger.compare(backupLedger.filter(b -> b.destination().equals(BACKUP_DYNAMIC)),
                    bucketsOf(db, BACKUP_DYNAMIC));
            assertThat(dynamic.differences()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(LedgerComparison.Kind.DIGEST_DIFFERS);
                assertThat(d.first().digest() - d.second().digest()).isEqualTo(DeliveryLedger.digestTerm(changed)
                        - DeliveryLedger.digestTerm("00000000-0000-7000-8000-000000000000"));
            });
        }
    }

    private static void compareClean(DeliveryLedger tracker, DeliveryLedger destination) {
        LedgerComparison c = DeliveryLedger.compare(tracker, destination);
        assertThat(c.isClean()).as("%s", c).isTrue();
        assertThat(destination.buckets()).isNotEmpty();
    }

    /** The documented views and bucket query for one delivery stream's objects, as a ledger. */
    private DeliveryLedger bucketsOf(DuckDBConnection db, String stream) throws IOException, SQLException {
        String view = documentedSql(stream.equals(REALTIME) ? "duckdb-flat" : "duckdb-envelopes");
        Matcher path = NDJSON_PATH.matcher(view);
        assertThat(path.find()).as("a read_ndjson('…') path in the documented view").isTrue();
        String glob = dir.resolve(stream).toAbsolutePath() + "/*";
        view = path.replaceFirst(Matcher.quoteReplacement("read_ndjson('" + glob + "'"));
        DeliveryLedger.Builder out = DeliveryLedger.builder();
        try (Statement s = db.createStatement()) {
            s.execute(view);
            try (ResultSet rows = s.executeQuery(documentedSql("duckdb-buckets"))) {
                while (rows.next()) {
                    out.add(LedgerBucket.of(stream, rows.getString("event_type"),
                            rows.getObject("hour", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                            rows.getLong("event_count"), rows.getLong("digest")));
                }
            }
        }
        return out.build();
    }

    /** The fenced ```sql block of docs/RECONCILIATION.md whose first line is {@code -- ledger-sql: name}. */
    private static String documentedSql(String name) throws IOException {
        String doc = new String(Files.readAllBytes(DOC), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```sql\\n-- ledger-sql: " + Pattern.quote(name) + "\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("a block '-- ledger-sql: %s' in %s", name, DOC).isTrue();
        return m.group(1);
    }

    /** Writes an object as S3 would hold it: its stored bytes (GZIP for the backup streams) in the stream's folder. */
    private void writeObject(String stream, DeliveredObject o) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(stream));
        String name = o.key().replace('/', '_') + (o.isGzip() && !o.key().endsWith(".gz") ? ".gz" : "");
        Files.write(folder.resolve(name), o.storedBytes());
    }

    /**
     * Removes ({@code newId} null) or re-identifies one line of an event that appears once in the
     * stream's objects, rewriting its file.
     *
     * @return the event id of that line
     */
    private String mutateOneUniqueLine(String stream, String newId) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        List<Path> files = new ArrayList<>();
        try (var listing = Files.list(dir.resolve(stream))) {
            listing.sorted().forEach(files::add);
        }
        Map<Path, List<String>> content = new HashMap<>();
        for (Path file : files) {
            List<String> lines = linesOf(file);
            content.put(file, lines);
            for (String line : lines) {
                seen.merge(JSON.readTree(line).get("eventId").asText(), 1, Integer::sum);
            }
        }
        for (Path file : files) {
            List<String> lines = content.get(file);
            for (int i = 0; i < lines.size(); i++) {
                String original = lines.get(i);
                String id = JSON.readTree(original).get("eventId").asText();
                if (seen.get(id) == 1) {
                    hourOf.put(id, LedgerBucket.hourOf(Instant.parse(JSON.readTree(original).get("occurredAt").asText())));
                    if (newId == null) {
                        lines.remove(i);
                    } else {
                        lines.set(i, original.replace(id, newId));
                    }
                    rewrite(file, lines);
                    return id;
                }
            }
        }
        throw new AssertionError("no event appears once in " + stream);
    }

    /** The hour bucket of each mutated line's event. */
    private final Map<String, Instant> hourOf = new HashMap<>();

    private static List<String> linesOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (file.toString().endsWith(".gz")) {
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        List<String> lines = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static void rewrite(Path file, List<String> lines) throws IOException {
        StringBuilder s = new StringBuilder();
        for (String line : lines) {
            s.append(line).append('\n');
        }
        byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
        if (file.toString().endsWith(".gz")) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(bytes);
            }
            bytes = gz.toByteArray();
        }
        Files.write(file, bytes);
    }

    /**
     * A client whose every {@code n}-th {@code PutRecordBatch} reaches the fake, which stores the
     * records, but whose response is lost: the call fails as a connection error would, the sink
     * reports its events RETRYABLE, and they are sent again.
     */
    private static final class LosingResponses implements FirehoseAsyncClient {
        private final FakeFirehose fake;
        private final int n;
        private final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();

        LosingResponses(FakeFirehose fake, int n) {
            this.fake = fake;
            this.n = n;
        }

        @Override
        public CompletableFuture<PutRecordBatchResponse> putRecordBatch(PutRecordBatchRequest request) {
            CompletableFuture<PutRecordBatchResponse> call = fake.putRecordBatch(request);
            if (calls.incrementAndGet() % n != 0) {
                return call;
            }
            return call.thenApply(response -> {
                lost.incrementAndGet();
                throw SdkClientException.create("the connection was reset before the response arrived");
            });
        }

        @Override
        public String serviceName() {
            return fake.serviceName();
        }

        @Override
        public void close() {}
    }
}
