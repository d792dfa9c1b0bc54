package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_BOOKS;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_DYNAMIC;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.Transport;
import dev.twinstream.testkit.firehose.StreamStats;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 30 % of entries fail retryably (ServiceUnavailableException and InternalFailure) and one delivery
 * stream is throttled as a whole for a minute: nothing is lost, nothing is duplicated, and only what
 * failed is sent again.
 */
class FirehoseFailureStormTest {
    private static final long SEED = 20261122L;
    private static final int EVENTS = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "packing {0}, {1}")
    @CsvSource({"false, IN_PROCESS", "true, IN_PROCESS", "false, LOCAL_ENDPOINT", "true, LOCAL_ENDPOINT"})
    void nothingIsLostAndOnlyFailedEntriesAreResent(boolean packing, Transport transport) throws Exception {
        try (WriteTwiceFixture f = new WriteTwiceFixture(SEED, transport)) {
            storm(f, packing);
        }
    }

    private static void storm(WriteTwiceFixture f, boolean packing) throws Exception {
        f.firehose.failFraction(0.30, packing ? "InternalFailure" : "ServiceUnavailableException");
        Set<String> tracked = new HashSet<>();
        try (EventTracker tracker = f.tracker(SEED)
                .sink("backup", f.backup().packingTargetBytes(2_560).packing(packing).build(),
                        SinkOptions.defaults().linger(Duration.ofMillis(50)))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(5)))
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracked.add(tracker.track(LedgerEvent.number(i)));
                if (i == EVENTS / 2) {
                    f.firehose.throttleFor(BACKUP_DYNAMIC, Duration.ofMinutes(1));
                }
                if (i % 20 == 19) {
                    f.advance(tracker, Duration.ofMillis(100));
                    assertThat(tracker.metrics()).isConserved();
                }
            }
            f.drain(tracker, Duration.ofHours(1));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("backup", EVENTS, 0, 0);
            assertThat(tracker.metrics().sink("backup").retried()).isPositive();
        }

        StreamStats books = f.firehose.stats(BACKUP_BOOKS);
        StreamStats dynamic = f.firehose.stats(BACKUP_DYNAMIC);
        assertThat(dynamic.failedCalls()).as("calls throttled as a whole").isPositive();
        Set<String> delivered = new HashSet<>();
        for (String stream : List.of(BACKUP_BOOKS, BACKUP_DYNAMIC)) {
            for (String line : f.firehose.lines(stream)) {
                delivered.add(JSON.readTree(line).get("eventId").asText());
            }
        }
        // 0 loss, and no event accepted twice: an entry that succeeded was never sent again.
        assertThat(delivered).isEqualTo(tracked);
        assertThat(f.firehose).neverExceededItsLimits().hasNoDuplicateLines(BACKUP_BOOKS).hasNoDuplicateLines(BACKUP_DYNAMIC)
                .hasReceivedLines(BACKUP_BOOKS, EVENTS - EVENTS / 4).hasReceivedLines(BACKUP_DYNAMIC, EVENTS / 4);
        long received = books.entriesReceived() + dynamic.entriesReceived();
        long failed = books.entriesFailed() + dynamic.entriesFailed();
        long accepted = books.records() + dynamic.records();
        // Every entry the fake saw either was accepted once or failed and was resent.
        assertThat(received).isEqualTo(accepted + failed);
        assertThat((double) failed / received).isBetween(0.27, 0.33);
        if (!packing) {
            // One event per entry: exactly the events plus one resend per failed entry reached the streams.
            assertThat(accepted).isEqualTo(EVENTS);
            assertThat(received).isEqualTo(EVENTS + failed);
        } else {
            assertThat(accepted).as("packed records").isLessThan(EVENTS / 2);
        }
    }
}
