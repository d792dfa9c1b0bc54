package dev.twinstream.aws.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * The AWS SDK client settings Twinstream's sinks recommend, and the check that warns when a sink is
 * given a client that retries on its own.
 *
 * <p><b>Why no SDK retries.</b> The tracker retries every failed event with its {@code RetryPolicy}
 * (backoff with jitter, attempt and delivery-timeout limits, metrics), and only the entries that
 * failed. An SDK retry resends the whole request, entries that had succeeded included, with its own
 * backoff that the tracker neither sees nor counts: with the SDK's default of 4 attempts per call
 * (its default legacy retry mode; 3 in standard mode) and a tracker limit of N attempts, one event
 * can go out 4·N times.
 *
 * <p><b>Why these timeouts.</b> Without them the SDK bounds a call only by the HTTP client's
 * read and write timeouts (30 s each with Netty, per read or write, so a slow trickle never ends
 * it), and a call that never completes holds one of the sink's in-flight slots for good. A timed-out
 * call is RETRYABLE ({@code ApiCallTimeoutException}, {@code ApiCallAttemptTimeoutException} are
 * {@code SdkClientException}s), so a timeout that is too short costs a resend (a possible duplicate,
 * as with any retry), never an event.
 */
public final class AwsClientSettings {

    /**
     * The most one HTTP attempt may take: 15 s. A healthy {@code PutRecords}/{@code PutRecordBatch}
     * answers in well under a second; the largest request (10 MiB to Kinesis, about 5.3 MiB on the
     * wire to Firehose after base64) still uploads in time at 6 Mbit/s. Half of Netty's 30 s read
     * timeout, so a connection that went silent frees its slot sooner.
     */
    public static final Duration API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);

    /**
     * The most a whole call may take, SDK retries included: 30 s. With SDK retries off (recommended)
     * the attempt timeout fires first, and this is the backstop for the time outside the HTTP
     * attempt (marshalling, signing, resolving credentials); if someone turns SDK retries back on,
     * it still bounds the call (room for one more attempt). The same bound the Kinesis sink
     * recommended before, now for both sinks.
     */
    public static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(30);

    private AwsClientSettings() {}

    /**
     * {@return a new configuration for a client used by a sink: the SDK's retries off
     * ({@link AwsRetryStrategy#doNotRetry()}), {@link #API_CALL_ATTEMPT_TIMEOUT} and {@link #API_CALL_TIMEOUT}}
     */
    public static ClientOverrideConfiguration recommendedClientConfiguration() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(API_CALL_ATTEMPT_TIMEOUT)
                .apiCallTimeout(API_CALL_TIMEOUT)
                .build();
    }

    /**
     * The most attempts the client makes per call, as its effective configuration reports it: the
     * legacy retry policy's retries plus one if one is set (it then wins), else the retry strategy's
     * maximum attempts.
     *
     * @param client a service client
     * @return the attempts; empty when the client does not report its configuration (a test double
     *     such as {@code FakeKinesis} or {@code FakeFirehose}, whose {@code serviceClientConfiguration()}
     *     throws {@link UnsupportedOperationException}, or a mock that returns {@code null})
     */
    @SuppressWarnings("deprecation") // the legacy RetryPolicy still takes effect when a user sets it
    public static OptionalInt sdkMaxAttempts(SdkClient client) {
        SdkServiceClientConfiguration config;
        try {
            config = client.serviceClientConfiguration();
        } catch (RuntimeException notReported) {
            return OptionalInt.empty();
        }
        ClientOverrideConfiguration override = config == null ? null : config.overrideConfiguration();
        if (override == null) {
            return OptionalInt.empty();
        }
        Optional<Integer> legacyRetries = override.retryPolicy().map(p -> p.numRetries());
        if (legacyRetries.isPresent() && legacyRetries.get() != null) {
            return OptionalInt.of(legacyRetries.get() + 1);
        }
        Optional<RetryStrategy> strategy = override.retryStrategy();
        return strategy.isPresent() ? OptionalInt.of(strategy.get().maxAttempts()) : OptionalInt.empty();
    }

    /**
     * The warning for a client whose SDK retries are on, or {@code null} when they are off or the
     * client does not report them.
     *
     * @param client the client given to the sink
     * @param clientType its interface's name, for example {@code FirehoseAsyncClient}
     * @param recommended how to build it right, for example {@code FirehoseSink.recommendedClientConfiguration()}
     * @return the message, naming the attempts and the recommended configuration
     */
    public static @Nullable String sdkRetryWarning(SdkClient client, String clientType, String recommended) {
        OptionalInt attempts = sdkMaxAttempts(client);
        if (!attempts.isPresent() || attempts.getAsInt() <= 1) {
            return null;
        }
        int n = attempts.getAsInt();
        return "The " + clientType + " has the AWS SDK's retries on (up to " + n + " attempts per call). The tracker"
                + " already retries each failed event with its RetryPolicy, so SDK retries multiply the attempts: each"
                + " tracker attempt can become up to " + n + " requests, resending entries that had succeeded. Build the"
                + " client with .overrideConfiguration(" + recommended + ") to turn them off.";
    }

    /**
     * Logs {@link #sdkRetryWarning} at WARN, if there is one.
     *
     * @param client the client given to the sink
     * @param clientType its interface's name
     * @param recommended how to build it right
     * @param log the sink's logger
     */
    public static void warnIfSdkRetries(SdkClient client, String clientType, String recommended, Logger log) {
        String warning = sdkRetryWarning(client, clientType, recommended);
        if (warning != null) {
            log.warn(warning);
        }
    }
}
