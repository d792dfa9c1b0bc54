package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import dev.twinstream.testkit.endpoint.LocalAwsExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The contract through the local AWS endpoint over AWS JSON 1.1: the client is built with
 * {@code aws.cborEnabled=false} (read when the client is built), as the AWS CLI and most other SDKs
 * speak to Kinesis.
 */
class LocalEndpointJsonContractTest extends KinesisContract {
    @RegisterExtension
    static final LocalAwsExtension AWS = LocalAwsExtension.with(LocalAwsEndpoint.builder());
    private static KinesisAsyncClient client;

    @BeforeAll
    static void buildJsonClient() {
        String before = System.getProperty("aws.cborEnabled");
        System.setProperty("aws.cborEnabled", "false");
        try {
            client = AWS.endpoint().kinesisClient();
        } finally {
            if (before == null) {
                System.clearProperty("aws.cborEnabled");
            } else {
                System.setProperty("aws.cborEnabled", before);
            }
        }
    }

    @Override
    protected KinesisAsyncClient client() {
        return client;
    }

    @AfterAll
    static void noRequestWasCbor() {
        assertThat(AWS.endpoint().requestCount()).isPositive();
        assertThat(AWS.endpoint().cborRequestCount()).isZero();
    }
}
