package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The contract against {@link FakeKinesis} (calls complete synchronously, no scheduler). */
class FakeKinesisContractTest extends KinesisContract {
    private final FakeKinesis fake = FakeKinesis.builder().build();

    @Override
    protected KinesisAsyncClient client() {
        return fake;
    }

    @Test
    void shardBoundariesAreMultiplesOf2To128OverNLikeTheService() {
        String stream = createStream(2);
        assertThat(shards(stream).get(1).hashKeyRange().startingHashKey())
                .isEqualTo(BigInteger.ONE.shiftLeft(127).toString());
    }
}
