package dev.twinstream.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/**
 * The recommended settings and the retry check for clients that do not report their configuration;
 * the sinks' tests check real clients built with and without the recommended settings.
 */
class AwsClientSettingsTest {

    @Test
    void recommendedConfigurationTurnsSdkRetriesOffAndBoundsEachCall() {
        ClientOverrideConfiguration c = AwsClientSettings.recommendedClientConfiguration();
        assertThat(c.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(1));
        assertThat(c.apiCallAttemptTimeout()).contains(Duration.ofSeconds(15));
        assertThat(c.apiCallTimeout()).contains(Duration.ofSeconds(30));
        assertThat(AwsClientSettings.API_CALL_ATTEMPT_TIMEOUT).isLessThan(AwsClientSettings.API_CALL_TIMEOUT);
    }

    @Test
    void aClientThatDoesNotReportItsConfigurationIsNotWarnedAbout() {
        SdkClient fake = new Stub(false);
        assertThat(AwsClientSettings.sdkMaxAttempts(fake)).isEmpty();
        assertThat(AwsClientSettings.sdkRetryWarning(fake, "FakeClient", "X.recommended()")).isNull();
        SdkClient mock = new Stub(true);
        assertThat(AwsClientSettings.sdkMaxAttempts(mock)).isEmpty();
        RecordingLogger log = new RecordingLogger();
        AwsClientSettings.warnIfSdkRetries(mock, "FakeClient", "X.recommended()", log);
        assertThat(log.entries()).isEmpty();
    }

    /** A test double: the SDK's default {@code serviceClientConfiguration()} throws, a mock's returns null. */
    private static final class Stub implements SdkClient {
        private final boolean returnsNull;

        Stub(boolean returnsNull) {
            this.returnsNull = returnsNull;
        }

        @Override
        public String serviceName() {
            return "stub";
        }

        @Override
        public SdkServiceClientConfiguration serviceClientConfiguration() {
            if (returnsNull) {
                return null;
            }
            return SdkClient.super.serviceClientConfiguration();
        }

        @Override
        public void close() {}
    }
}
