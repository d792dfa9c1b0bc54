package dev.twinstream.firehose.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FlatRecordFormat;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;

/**
 * The "write twice" pipeline of seed 000 on virtual time: a real-time Firehose (Redshift, a flat
 * projection with the original event as a JSON string) and a backup Firehose (S3, the full
 * envelope as JSON lines) routed by category into two delivery streams.
 *
 * <p>Each test runs twice, once per {@link Transport}: with the sinks calling {@code FakeFirehose}
 * in process, and with the sinks calling a real {@code FirehoseAsyncClient} that reaches the same
 * fake over HTTP through the local AWS endpoint. Over the wire, the fake reads the virtual clock (its
 * throttling windows and buffering intervals are virtual) but answers at once, and the tracker's
 * virtual time moves only once every call in flight has come back ({@link #advance}): real HTTP
 * takes real time, and virtual time must not run ahead of it.
 */
final class WriteTwiceFixture implements AutoCloseable {
    /** How the sinks reach the fake. */
    enum Transport {
        /** The sinks call {@code FakeFirehose} directly (it implements {@code FirehoseAsyncClient}). */
        IN_PROCESS,
        /** A real SDK client, JSON 1.1 over HTTP to the local AWS endpoint serving the fake. */
        LOCAL_ENDPOINT
    }

    /** How long, in real time, the calls in flight may take to come back before a test fails. */
    private static final Duration QUIET_WITHIN = Duration.ofSeconds(30);

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
    private final @Nullable LocalAwsEndpoint endpoint;
    private final FirehoseAsyncClient client;
    /** Over the wire, where the fake also writes its objects as files, as Firehose writes them to S3. */
    final @Nullable Path s3Directory;

    WriteTwiceFixture(long seed) {
        this(seed, Transport.IN_PROCESS);
    }

    WriteTwiceFixture(long seed, Transport transport) {
        if (transport == Transport.IN_PROCESS) {
            firehose = FakeFirehose.builder().scheduler(time).seed(seed).build();
            firehose.latency(Duration.ofMillis(30));
            endpoint = null;
            s3Directory = null;
            client = firehose;
        } else {
            try {
                s3Directory = Files.createTempDirectory("twinstream-s3-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            firehose = FakeFirehose.builder().clock(time.clock()).seed(seed).s3Directory(s3Directory).build();
            endpoint = LocalAwsEndpoint.builder().firehose(() -> firehose).start();
            client = endpoint.firehoseClient();
        }
        firehose.createStream(REALTIME).createStream(BACKUP_BOOKS).createStream(BACKUP_DYNAMIC);
    }

    FirehoseSink realtime() {
        return FirehoseSink.builder(client).scheduler(time).deliveryStream(REALTIME).build();
    }

    FirehoseSink.Builder backup() {
        return FirehoseSink.builder(client).scheduler(time)
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

    /**
     * Lets {@code duration} of virtual time pass; over the wire, first waits (in real time, bounded)
     * until every call in flight has come back and been handled.
     */
    void advance(EventTracker tracker, Duration duration) {
        awaitCallsBack(tracker);
        time.advance(duration);
        awaitCallsBack(tracker);
    }

    /** Advances virtual time until nothing is pending in any sink, failing after {@code maxVirtual}. */
    void drain(EventTracker tracker, Duration maxVirtual) {
        boolean idle;
        if (endpoint == null) {
            idle = time.advanceUntil(() -> isIdle(tracker), maxVirtual);
        } else {
            long deadline = time.clock().nanoTime() + maxVirtual.toNanos();
            awaitCallsBack(tracker);
            while (!isIdle(tracker) && time.clock().nanoTime() - deadline < 0) {
                advance(tracker, Duration.ofMillis(100));
            }
            idle = isIdle(tracker);
        }
        assertThat(idle).as("tracker idle within %s of virtual time: %s", maxVirtual, tracker.metrics()).isTrue();
        time.runPending();
    }

    /** Runs the scheduler's tasks until no sink of {@code tracker} has a call in flight. */
    private void awaitCallsBack(EventTracker tracker) {
        if (endpoint == null) {
            return;
        }
        long deadline = System.nanoTime() + QUIET_WITHIN.toNanos();
        while (true) {
            time.runPending();
            if (nothingInFlight(tracker)) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("calls in flight came back within %s", QUIET_WITHIN)
                    .isNegative();
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static boolean nothingInFlight(EventTracker tracker) {
        for (SinkMetrics m : tracker.metrics().sinks().values()) {
            if (m.inFlightRequests() != 0) {
                return false;
            }
        }
        return true;
    }

    /** The lines of every file under {@code <s3Directory>/<bucket>/} whose name starts with {@code stream}. */
    List<String> s3FileLines(String stream) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(s3Directory)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith(stream + "-1-")).sorted()
                    .collect(Collectors.toList())) {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (s3Directory != null) {
            try (Stream<Path> files = Files.walk(s3Directory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
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
