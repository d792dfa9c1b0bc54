package dev.twinstream.testkit.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Real SDK clients against the endpoint: both services, CBOR and JSON, requests that AWS refuses. */
class LocalAwsEndpointTest {
    @RegisterExtension
    static final LocalAwsExtension AWS = LocalAwsExtension.with(
            LocalAwsEndpoint.builder().kinesisStream("events", 2).firehoseStream("backup"))
            .resetBeforeEach();

    @Test
    void kinesisOverCborRoundTripsRecordsBlobsAndTimestamps() {
        KinesisAsyncClient client = AWS.kinesisClient();
        PutRecordsResponse put = client.putRecords(r -> r.streamName("events").records(
                PutRecordsRequestEntry.builder().partitionKey("a").data(SdkBytes.fromUtf8String("one")).build(),
                PutRecordsRequestEntry.builder().partitionKey("b").data(SdkBytes.fromByteArray(new byte[] {0, -1, 7}))
                        .build())).join();
        assertThat(put.failedRecordCount()).isZero();
        assertThat(put.records()).allSatisfy(e -> assertThat(e.sequenceNumber()).isNotBlank());

        DescribeStreamSummaryResponse summary = client.describeStreamSummary(r -> r.streamName("events")).join();
        assertThat(summary.streamDescriptionSummary().openShardCount()).isEqualTo(2);
        assertThat(summary.streamDescriptionSummary().streamCreationTimestamp())
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));

        String shard = put.records().get(0).shardId();
        String iterator = client.getShardIterator(r -> r.streamName("events").shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        GetRecordsResponse got = client.getRecords(r -> r.shardIterator(iterator)).join();
        assertThat(got.records()).extracting(rec -> rec.partitionKey()).contains("a");
        assertThat(AWS.kinesis().eventCount("events")).isEqualTo(2);
        assertThat(AWS.kinesis().events("events")).extracting(e -> List.of(e.data().length)).isNotEmpty();
    }

    @Test
    void errorsArriveAsTheServicesExceptionClassesWithTheirCodes() {
        assertThatThrownBy(() -> AWS.kinesisClient().describeStreamSummary(r -> r.streamName("missing")).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                    assertThat(e.statusCode()).isEqualTo(400);
                });
    }

    @Test
    void firehoseOverJsonDeliversBatches() {
        FirehoseAsyncClient client = AWS.firehoseClient();
        PutRecordBatchResponse put = client.putRecordBatch(r -> r.deliveryStreamName("backup").records(
                Record.builder().data(SdkBytes.fromUtf8String("{\"a\":1}\n")).build(),
                Record.builder().data(SdkBytes.fromUtf8String("{\"a\":2}\n")).build())).join();
        assertThat(put.failedPutCount()).isZero();
        assertThat(put.requestResponses()).hasSize(2).allSatisfy(e -> assertThat(e.recordId()).isNotBlank());
        DescribeDeliveryStreamResponse described =
                client.describeDeliveryStream(r -> r.deliveryStreamName("backup")).join();
        assertThat(described.deliveryStreamDescription().deliveryStreamStatusAsString()).isEqualTo("ACTIVE");
        AWS.firehose().flushBuffers();
        assertThat(AWS.firehose().lines("backup")).containsExactly("{\"a\":1}", "{\"a\":2}");
    }

    @Test
    void unsignedRequestsAndUnknownOperationsAreRefusedLikeAws() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unsigned = http.send(post(AWS.uri(), "Kinesis_20131202.ListStreams", null),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(400);
        assertThat(unsigned.body()).contains("\"__type\":\"MissingAuthenticationTokenException\"");

        HttpResponse<String> unknown = http.send(post(AWS.uri(), "Kinesis_20131202.FlyToTheMoon",
                "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("UnknownOperationException");
    }

    private static HttpRequest post(URI uri, String target, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", target)
                .POST(HttpRequest.BodyPublishers.ofString("{}", StandardCharsets.UTF_8));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }
}
