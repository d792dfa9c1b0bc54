package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The contract against kinesis-mock, a fresh instance for this class, reached by a real SDK client. */
class KinesisMockContractTest extends KinesisContract {
    private static KinesisMockServer server;
    private static KinesisAsyncClient client;

    @BeforeAll
    static void start() {
        server = KinesisMockServer.start(null);
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected KinesisAsyncClient client() {
        return client;
    }

    /** kinesis-mock 0.6.2 does not check the 500-records limit (see {@link KinesisContract}). */
    @Override
    protected boolean enforcesRecordsPerRequest() {
        return false;
    }

    @Test
    void kinesisMockListensOnLoopbackOnly() {
        assertThat(server.boundAddresses()).isNotEmpty().allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
        assertThat(server.reachableAt(InetAddress.getLoopbackAddress())).isTrue();
        for (InetAddress other : KinesisMockServer.nonLoopbackAddresses()) {
            assertThat(server.reachableAt(other)).as("reachable at %s", other).isFalse();
        }
    }
}
