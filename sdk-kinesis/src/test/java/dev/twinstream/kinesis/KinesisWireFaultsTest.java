package dev.twinstream.kinesis;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.kinesis.KinesisPipelineTest.UserEvent;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import dev.twinstream.testkit.endpoint.WireFault;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The Kinesis sink through the local AWS endpoint, on wall time, under each {@link WireFault}: the
 * first calls that write fail on the wire, then the endpoint is healthy. Nothing is lost, the
 * outcomes are conserved, nothing is dead-lettered for a retryable fault, and events are delivered
 * twice only where the fault hit after the fake stored them.
 */
class KinesisWireFaultsTest {
    private static final String STREAM = KinesisPipelineTest.STREAM;
    private static final int EVENTS = 2_000;
    private static final int FAILED_CALLS = 3;
    /**
     * Long enough that a healthy call never times out, even on a loaded 2-core machine (a timeout
     * would resend a stored batch and fake a duplicate); short of {@code slowResponseDelay}, so
     * SLOW_RESPONSE does time out.
     */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

    private final LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().kinesisStream(STREAM, 2)
            .slowResponseDelay(Duration.ofSeconds(8)).start();

    @AfterEach
    void stop() {
        endpoint.close();
    }

    /**
     * The client over HTTP/1.1, one call per connection: a connection-level fault then fails only the
     * call it hits. Over HTTP/2, the Kinesis client's default, calls share a connection, and a reset
     * fails every call multiplexed on it, also those the fake already stored (see
     * {@link #overHttp2AResetAlsoFailsTheOtherCallsOnItsConnection}).
     */
    private KinesisAsyncClient client() {
        return client(Protocol.HTTP1_1);
    }

    private KinesisAsyncClient client(Protocol protocol) {
        // A short attempt timeout, so SLOW_RESPONSE makes the client give up.
        return endpoint.kinesisClientBuilder().httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(protocol))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(ATTEMPT_TIMEOUT.multipliedBy(2))).build();
    }

    private static EventTracker tracker(KinesisSink sink) {
        return EventTracker.builder().register(KinesisPipelineTest.BY_USER)
                .sink("kinesis", sink, SinkOptions.defaults().linger(Duration.ofMillis(5)))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(200)))
                .build();
    }

    @ParameterizedTest
    @EnumSource(WireFault.class)
    void nothingIsLostUnderAWireFault(WireFault fault) {
        endpoint.failNextCalls(FAILED_CALLS, fault);
        Set<String> tracked = new HashSet<>();
        try (KinesisAsyncClient client = client();
                EventTracker tracker = tracker(KinesisSink.builder(client, STREAM).build())) {
            for (int i = 0; i < EVENTS; i++) {
                tracked.add(tracker.track(UserEvent.number(i)));
                if (i % 200 == 199) {
                    assertThat(tracker.metrics()).isConserved();
                }
            }
            await(() -> tracker.metrics().sink("kinesis").pendingRecords() == 0, Duration.ofSeconds(60));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("kinesis", EVENTS, 0, 0);
            assertThat(tracker.metrics().sink("kinesis").retried()).as("the failed calls were retried").isPositive();
            assertThat(tracker.deadLetterStore().snapshot()).isEmpty();
        }
        assertThat(endpoint.wireFaultsInjected()).isEqualTo(FAILED_CALLS);
        Map<String, Integer> counts = KinesisPipelineTest.eventIdCounts(endpoint.kinesis());
        assertThat(counts.keySet()).isEqualTo(tracked);
        long duplicates = counts.values().stream().filter(n -> n > 1).count();
        if (fault.reachesFake()) {
            assertThat(duplicates).as("resent after the fake stored them").isPositive();
        } else {
            assertThat(duplicates).as("the fake never saw the failed calls").isZero();
        }
    }

    @Test
    void overHttp2AResetAlsoFailsTheOtherCallsOnItsConnection() {
        endpoint.failNextCalls(FAILED_CALLS, WireFault.CONNECTION_RESET);
        Set<String> tracked = new HashSet<>();
        try (KinesisAsyncClient client = client(Protocol.HTTP2);
                EventTracker tracker = tracker(KinesisSink.builder(client, STREAM).build())) {
            for (int i = 0; i < EVENTS; i++) {
                tracked.add(tracker.track(UserEvent.number(i)));
            }
            await(() -> tracker.metrics().sink("kinesis").pendingRecords() == 0, Duration.ofSeconds(60));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("kinesis", EVENTS, 0, 0);
            assertThat(tracker.deadLetterStore().snapshot()).isEmpty();
        }
        // Nothing lost. Calls in flight on a reset connection fail with it even if the fake stored
        // them, and are resent: duplicates are possible here, as against AWS over HTTP/2.
        assertThat(KinesisPipelineTest.eventIdCounts(endpoint.kinesis()).keySet()).isEqualTo(tracked);
    }

    @Test
    void aMissingStreamIsDeadLetteredWithItsAwsErrorCodeOverTheWire() {
        try (KinesisAsyncClient client = client();
                EventTracker tracker = tracker(KinesisSink.builder(client, "no-such-stream").build())) {
            for (int i = 0; i < 20; i++) {
                tracker.track(UserEvent.number(i));
            }
            await(() -> tracker.metrics().sink("kinesis").pendingRecords() == 0, Duration.ofSeconds(30));
            assertThat(tracker.metrics()).isConserved().hasOutcomes("kinesis", 0, 20, 0);
            await(() -> tracker.deadLetterStore().snapshot().size() >= 20, Duration.ofSeconds(5));
            assertThat(tracker.deadLetterStore().snapshot()).hasSize(20).allSatisfy(letter -> {
                assertThat(letter.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR);
                assertThat(letter.errorCode()).isEqualTo("ResourceNotFoundException");
            });
        }
    }

    /** Waits, in real time, until {@code condition} holds; fails after {@code max}. */
    static void await(BooleanSupplier condition, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within %s", max).isNegative();
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
