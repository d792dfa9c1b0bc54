package dev.twinstream.testkit.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;

/**
 * Each operation the fakes implement, through a real client (Kinesis over CBOR, Firehose over
 * JSON), beyond the ones the Kinesis contract suite and the sinks' tests exercise: resharding,
 * deleting, and creating a delivery stream with its S3 destination and buffering hints.
 */
class EveryOperationTest {
    @RegisterExtension
    static final LocalAwsExtension AWS = LocalAwsExtension.with(LocalAwsEndpoint.builder()).resetBeforeEach();

    @Test
    void kinesisReshardsDescribesAndDeletes() {
        KinesisAsyncClient k = AWS.kinesisClient();
        k.createStream(r -> r.streamName("s").shardCount(2)).join();
        k.updateShardCount(r -> r.streamName("s").targetShardCount(4).scalingType(ScalingType.UNIFORM_SCALING)).join();
        assertThat(openShards(k)).hasSize(4);

        Shard first = openShards(k).get(0);
        BigInteger start = new BigInteger(first.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(first.hashKeyRange().endingHashKey());
        k.splitShard(r -> r.streamName("s").shardToSplit(first.shardId())
                .newStartingHashKey(start.add(end).shiftRight(1).toString())).join();
        assertThat(openShards(k)).hasSize(5);

        List<Shard> open = openShards(k);
        Shard a = open.get(open.size() - 2);
        Shard b = open.get(open.size() - 1);
        k.mergeShards(r -> r.streamName("s").shardToMerge(a.shardId()).adjacentShardToMerge(b.shardId())).join();
        assertThat(openShards(k)).hasSize(4);

        StreamDescription described = k.describeStream(r -> r.streamName("s")).join().streamDescription();
        assertThat(described.streamName()).isEqualTo("s");
        assertThat(described.shards()).hasSizeGreaterThan(4);
        assertThat(described.streamCreationTimestamp()).isNotNull();

        k.deleteStream(r -> r.streamName("s")).join();
        assertThat(k.listStreams().join().streamNames()).doesNotContain("s");
    }

    private static List<Shard> openShards(KinesisAsyncClient k) {
        return k.listShards(r -> r.streamName("s")).join().shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null).toList();
    }

    @Test
    void firehoseCreatesWithItsDestinationPutsListsAndDeletes() {
        FirehoseAsyncClient f = AWS.firehoseClient();
        f.createDeliveryStream(r -> r.deliveryStreamName("clicks").extendedS3DestinationConfiguration(s3 -> s3
                .bucketARN("arn:aws:s3:::analytics-raw").roleARN("arn:aws:iam::123456789012:role/firehose")
                .prefix("clicks/").compressionFormat(CompressionFormat.GZIP)
                .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(60)))).join();
        DeliveryStreamDescription d = f.describeDeliveryStream(r -> r.deliveryStreamName("clicks")).join()
                .deliveryStreamDescription();
        assertThat(d.deliveryStreamStatusAsString()).isEqualTo("ACTIVE");
        assertThat(d.destinations()).singleElement().satisfies(dest -> {
            assertThat(dest.extendedS3DestinationDescription().bucketARN()).isEqualTo("arn:aws:s3:::analytics-raw");
            assertThat(dest.extendedS3DestinationDescription().prefix()).isEqualTo("clicks/");
            assertThat(dest.extendedS3DestinationDescription().bufferingHints().intervalInSeconds()).isEqualTo(60);
        });
        assertThat(d.createTimestamp()).isNotNull();

        String recordId = f.putRecord(r -> r.deliveryStreamName("clicks")
                .record(rec -> rec.data(SdkBytes.fromUtf8String("{\"click\":1}\n")))).join().recordId();
        assertThat(recordId).isNotBlank();
        AWS.firehose().flushBuffers();
        assertThat(AWS.firehose().objects("clicks")).singleElement().satisfies(o -> {
            assertThat(o.key()).startsWith("clicks/").endsWith(".gz");
            assertThat(o.lines()).containsExactly("{\"click\":1}");
        });

        assertThat(f.listDeliveryStreams(r -> { }).join().deliveryStreamNames()).containsExactly("clicks");
        f.deleteDeliveryStream(r -> r.deliveryStreamName("clicks")).join();
        assertThatThrownBy(() -> f.describeDeliveryStream(r -> r.deliveryStreamName("clicks")).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(software.amazon.awssdk.services.firehose.model.ResourceNotFoundException.class);
    }
}
