package dev.twinstream.testkit.endpoint;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.twinstream.testkit.VirtualScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/** The endpoint's options: a test's own stubs, virtual time, the S3 directory, the signature check. */
class LocalAwsEndpointOptionsTest {

    @Test
    void aTestsOwnStubWinsOverTheFakesAndResetRemovesIt() {
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().kinesisStream("events", 1).start()) {
            endpoint.wireMock().stubFor(post("/").withHeader("X-Amz-Target", equalTo("Kinesis_20131202.ListShards"))
                    .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"__type\":\"ServiceUnavailable\",\"message\":\"from the test's stub\"}")));
            var client = endpoint.kinesisClient();
            Throwable thrown = catchThrowable(() -> client.listShards(r -> r.streamName("events")).join());
            // The client speaks CBOR, so it cannot read this JSON body: a 503 it is, without a code.
            assertThat(thrown).isInstanceOf(CompletionException.class).cause().isInstanceOfSatisfying(KinesisException.class,
                    e -> assertThat(e.statusCode()).isEqualTo(503));
            // Other operations still reach the fake.
            assertThat(client.listStreams().join().streamNames()).containsExactly("events");

            endpoint.reset();
            assertThat(client.listShards(r -> r.streamName("events")).join().shards()).hasSize(1);
        }
    }

    @Test
    void onVirtualTimeACallWaitsUntilTheTestAdvancesTheFakesLatency() throws Exception {
        VirtualScheduler time = new VirtualScheduler();
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().scheduler(time).kinesisStream("events", 1).start()) {
            endpoint.kinesis().latency(Duration.ofSeconds(10));
            CompletableFuture<PutRecordResponse> put = endpoint.kinesisClient().putRecord(r -> r.streamName("events")
                    .partitionKey("k").data(SdkBytes.fromUtf8String("x")));
            // The request is at the fake, waiting on the virtual clock: bounded wait for it to get there.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (time.timerCount() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(time.timerCount()).as("the fake's latency timer").isPositive();
            assertThat(put).isNotDone();
            time.advance(Duration.ofSeconds(10));
            assertThat(put.get(10, TimeUnit.SECONDS).sequenceNumber()).isNotBlank();
            assertThat(endpoint.kinesis().eventCount("events")).isEqualTo(1);
        }
    }

    @Test
    void firehoseObjectsAreWrittenToTheS3DirectoryAndFlushedAtClose(@TempDir Path s3) throws IOException {
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().firehoseStream("backup").s3Directory(s3).start()) {
            endpoint.firehoseClient().putRecordBatch(r -> r.deliveryStreamName("backup").records(
                    Record.builder().data(SdkBytes.fromUtf8String("{\"n\":1}\n")).build(),
                    Record.builder().data(SdkBytes.fromUtf8String("{\"n\":2}\n")).build())).join();
        }
        // Default hints (5 MiB, 300 s): the buffer was still open; close delivered it.
        List<Path> files;
        try (Stream<Path> walk = Files.walk(s3)) {
            files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        assertThat(files).singleElement().satisfies(f -> {
            assertThat(s3.relativize(f).toString().replace('\\', '/'))
                    .matches("twinstream-fake/\\d{4}/\\d{2}/\\d{2}/\\d{2}/backup-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f-]{36}");
            assertThat(Files.readAllLines(f, StandardCharsets.UTF_8)).containsExactly("{\"n\":1}", "{\"n\":2}");
        });
    }

    @Test
    void withoutTheSignatureCheckUnsignedRequestsAreServed() throws Exception {
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().requireSignature(false).kinesisStream("events", 1)
                .start()) {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(endpoint.uri())
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "Kinesis_20131202.ListStreams")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"StreamNames\":[\"events\"]");
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> LocalAwsEndpoint.builder().port(70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be in 0..65535, was 70000");
        assertThatThrownBy(() -> LocalAwsEndpoint.builder().kinesisStream("events", 0))
                .hasMessage("kinesisStream events: shards must be >= 1, was 0");
        assertThatThrownBy(() -> LocalAwsEndpoint.builder().requestThreads(2))
                .hasMessage("requestThreads must be >= 4, was 2");
        assertThatThrownBy(() -> LocalAwsEndpoint.builder().slowResponseDelay(Duration.ZERO))
                .hasMessage("slowResponseDelay must be positive, was PT0S");
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().start()) {
            assertThatThrownBy(() -> endpoint.failNextCalls(-1, WireFault.EMPTY_RESPONSE))
                    .hasMessage("n must be >= 0, was -1");
            assertThatThrownBy(() -> endpoint.failFraction(1.5, WireFault.EMPTY_RESPONSE))
                    .hasMessage("fraction must be in [0, 1], was 1.5");
            assertThatThrownBy(() -> endpoint.downFor(Duration.ofSeconds(-1), WireFault.EMPTY_RESPONSE))
                    .hasMessage("duration must be >= 0, was PT-1S");
            assertThatThrownBy(() -> endpoint.latency(Duration.ofMillis(-5)))
                    .hasMessageStartingWith("latency must be in [0, ").hasMessageEndingWith("], was PT-0.005S");
            // The refused calls set nothing.
            assertThat(endpoint.wireFaultsInjected()).isZero();
        }
    }
}
