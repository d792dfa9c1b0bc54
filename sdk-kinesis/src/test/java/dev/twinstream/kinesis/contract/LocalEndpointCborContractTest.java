package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import dev.twinstream.testkit.endpoint.LocalAwsExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The contract through the local AWS endpoint: {@code FakeKinesis} behind WireMock, reached by a
 * real {@link KinesisAsyncClient} with its defaults, so over CBOR (proved after the class).
 */
class LocalEndpointCborContractTest extends KinesisContract {
    @RegisterExtension
    static final LocalAwsExtension AWS = LocalAwsExtension.with(LocalAwsEndpoint.builder());

    @Override
    protected KinesisAsyncClient client() {
        return AWS.kinesisClient();
    }

    @AfterAll
    static void everyRequestWasCbor() {
        LocalAwsEndpoint endpoint = AWS.endpoint();
        assertThat(endpoint.requestCount()).isPositive();
        assertThat(endpoint.cborRequestCount()).isEqualTo(endpoint.requestCount());
    }
}
