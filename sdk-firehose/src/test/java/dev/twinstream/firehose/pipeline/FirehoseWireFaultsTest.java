package dev.twinstream.firehose.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import dev.twinstream.testkit.endpoint.WireFault;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;

/**
 * The Firehose sink through the local AWS endpoint, on wall time, under each {@link WireFault}, with
 * and without packing: the first calls that write fail on the wire, then the endpoint is healthy.
 * Nothing is lost, the outcomes are conserved, nothing is dead-lettered, and lines arrive twice only
 * where the fault hit after the fake stored them.
 */
class FirehoseWireFaultsTest {
    private static final String STREAM = WriteTwiceFixture.BACKUP_DYNAMIC;
    private static final int EVENTS = 2_000;
    private static final int FAILED_CALLS = 3;
    /**
     * Long enough that a healthy call never times out, even on a loaded 2-core machine (a timeout
     * would resend a stored batch and fake a duplicate); short of {@code slowResponseDelay}, so
     * SLOW_RESPONSE does time out.
     */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().firehoseStream(STREAM)
            .slowResponseDelay(Duration.ofSeconds(8)).start();

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @ParameterizedTest(name = "{0}, packing {1}")
    @CsvSource({"CONNECTION_RESET, false", "EMPTY_RESPONSE, false", "MALFORMED_RESPONSE_CHUNK, false",
            "RANDOM_DATA_THEN_CLOSE, false", "SLOW_RESPONSE, false", "HTML_500, false",
            "CONNECTION_RESET, true", "SLOW_RESPONSE, true", "HTML_500, true"})
    void nothingIsLostUnderAWireFault(WireFault fault, boolean packing) throws IOException {
        endpoint.failNextCalls(FAILED_CALLS, fault);
        Set<String> tracked = new HashSet<>();
        try (FirehoseAsyncClient client = endpoint.firehoseClientBuilder()
                        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
                                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(ATTEMPT_TIMEOUT.multipliedBy(2)))
                        .build();
                EventTracker tracker = EventTracker.builder().register(WriteTwiceFixture.LEDGER)
                        .sink("backup", FirehoseSink.builder(client).deliveryStream(STREAM).packing(packing).build(),
                                SinkOptions.defaults().linger(Duration.ofMillis(5)))
                        .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(200)))
                        .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracked.add(tracker.track(LedgerEvent.number(i)));
                if (i % 200 == 199) {
                    assertThat(tracker.metrics()).isConserved();
                }
            }
            await(() -> tracker.metrics().sink("backup").pendingRecords() == 0, Duration.ofSeconds(60));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("backup", EVENTS, 0, 0);
            assertThat(tracker.metrics().sink("backup").retried()).as("the failed calls were retried").isPositive();
            assertThat(tracker.deadLetterStore().snapshot()).isEmpty();
        }
        assertThat(endpoint.wireFaultsInjected()).isEqualTo(FAILED_CALLS);
        Map<String, Integer> counts = new HashMap<>();
        for (String line : endpoint.firehose().lines(STREAM)) {
            counts.merge(JSON.readTree(line).get("eventId").asText(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).isEqualTo(tracked);
        long duplicates = counts.values().stream().filter(n -> n > 1).count();
        if (fault.reachesFake()) {
            assertThat(duplicates).as("resent after the fake stored them").isPositive();
        } else {
            assertThat(duplicates).as("the fake never saw the failed calls").isZero();
        }
        assertThat(endpoint.firehose()).neverExceededItsLimits();
    }

    /** Waits, in real time, until {@code condition} holds; fails after {@code max}. */
    private static void await(BooleanSupplier condition, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within %s", max).isNegative();
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
