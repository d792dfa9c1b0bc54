package dev.twinstream.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.aws.testing.StandardErrorCapture;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.DestinationMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;

class FirehoseSinkTest {
    private final VirtualScheduler time = new VirtualScheduler();
    private final FakeFirehose firehose = FakeFirehose.builder().scheduler(time).seed(5).build();

    /** A batch with event types and routing keys, which {@code TestBatches} does not carry. */
    private static final class Batch implements SinkBatch {
        final List<String> types = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        Batch add(String type, String routingKey, String line) {
            types.add(type);
            keys.add(routingKey);
            payloads.add(line.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public int size() {
            return payloads.size();
        }

        @Override
        public long totalBytes() {
            return payloads.stream().mapToLong(p -> p.length).sum();
        }

        @Override
        public byte[] payload(int index) {
            return payloads.get(index);
        }

        @Override
        public String eventId(int index) {
            return "evt-" + index;
        }

        @Override
        public String eventType(int index) {
            return types.get(index);
        }

        @Override
        public String partitionKey(int index) {
            return "pk";
        }

        @Override
        public String routingKey(int index) {
            return keys.get(index);
        }

        @Override
        public int attempt(int index) {
            return 1;
        }
    }

    private BatchResult send(FirehoseSink sink, SinkBatch batch) {
        CompletableFuture<BatchResult> f = sink.send(batch).toCompletableFuture();
        assertThat(time.advanceUntil(f::isDone, Duration.ofMinutes(1))).isTrue();
        assertThat(f).isCompletedWithValueMatching(r -> r.size() == batch.size());
        return f.join();
    }

    @Test
    void builderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> FirehoseSink.builder(firehose).route("page_view", "bad name!").packingTargetBytes(0).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations()).containsExactly(
                        "routes.page_view must match [a-zA-Z0-9_.-]{1,64} but was 'bad name!'",
                        "packingTargetBytes must be between 1 and 1024000 but was 0"));
        assertThatThrownBy(() -> FirehoseSink.builder(firehose).packingTargetBytes(2_000_000).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations()).containsExactly(
                        "deliveryStream: a default delivery stream, a route or a router is required but none was set",
                        "packingTargetBytes must be between 1 and 1024000 but was 2000000"));
        assertThatThrownBy(() -> FirehoseSink.builder(firehose).deliveryStream("x".repeat(65)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("deliveryStream must match");
    }

    @Test
    void limitsDependOnPacking() {
        FirehoseSink packed = FirehoseSink.builder(firehose).deliveryStream("s").build();
        assertThat(packed.limits().maxRecordsPerBatch()).isEqualTo(FirehoseSink.MAX_EVENTS_PER_SEND_WITH_PACKING);
        assertThat(packed.limits().maxBytesPerBatch()).isEqualTo(4L * 1024 * 1024);
        assertThat(packed.limits().maxBytesPerRecord()).isEqualTo(1_024_000);
        assertThat(packed.limits().billingUnitBytes()).isEqualTo(FakeFirehose.BILLING_INCREMENT_BYTES);
        assertThat(packed.limits().defaultLinger()).isEqualTo(FirehoseSink.DEFAULT_LINGER)
                .isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(packed.packingTargetBytes()).isEqualTo(FirehoseSink.DEFAULT_PACKING_TARGET_BYTES);
        FirehoseSink single = FirehoseSink.builder(firehose).deliveryStream("s").packing(false).build();
        assertThat(single.limits().maxRecordsPerBatch()).isEqualTo(500);
        assertThat(single.packing()).isFalse();
    }

    @Test
    void routesByRouterThenEventTypeThenDefaultAndKeepsBatchOrder() {
        firehose.createStream("books").createStream("clicks").createStream("dynamic");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time)
                .deliveryStream("dynamic")
                .route("click", "clicks")
                .routeBy((type, category) -> "book-activity".equals(category) ? "books" : null)
                .build();
        Batch batch = new Batch()
                .add("page_view", "book-activity", "1\n")
                .add("click", null, "2\n")
                .add("page_view", "other", "3\n")
                .add("click", "book-activity", "4\n")
                .add("page_view", null, "5\n");

        BatchResult result = send(sink, batch);

        for (int i = 0; i < 5; i++) {
            assertThat(result.get(i).isOk()).isTrue();
        }
        // Each success names the stream it went to: the tracker's delivery ledger counts it there.
        assertThat(java.util.stream.IntStream.range(0, 5).mapToObj(i -> result.get(i).destination()))
                .containsExactly("books", "clicks", "dynamic", "books", "dynamic");
        assertThat(firehose.lines("books")).containsExactly("1", "4");
        assertThat(firehose.lines("clicks")).containsExactly("2");
        assertThat(firehose.lines("dynamic")).containsExactly("3", "5");
        // Packed: one record per stream.
        assertThat(firehose.stats("books").records()).isEqualTo(1);
        assertThat(firehose.stats("dynamic").records()).isEqualTo(1);
    }

    @Test
    void eventsWithoutAValidStreamArePermanentWithoutAffectingOthers() {
        firehose.createStream("ok");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time)
                .routeBy((type, key) -> {
                    if ("boom".equals(key)) {
                        throw new IllegalStateException("router bug");
                    }
                    return key;
                })
                .build();
        BatchResult result = send(sink, new Batch().add("t", "ok", "a\n").add("t", null, "b\n").add("t", "no way", "c\n")
                .add("t", "boom", "d\n").add("t", "no way", "e\n").add("t", "ok", "f\n"));
        assertThat(result.get(0).isOk()).isTrue();
        assertThat(result.get(1).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(result.get(1).code()).isEqualTo("NoDeliveryStream");
        assertThat(result.get(2).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(result.get(2).code()).isEqualTo("InvalidDeliveryStreamName");
        assertThat(result.get(2).message()).contains("'no way'");
        assertThat(result.get(3).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(result.get(3).code()).isEqualTo("StreamRouterFailed");
        assertThat(result.get(3).message()).contains("router bug");
        assertThat(result.get(4).code()).as("checked again: a bad name is never remembered").isEqualTo("InvalidDeliveryStreamName");
        assertThat(result.get(5).isOk()).isTrue();
        assertThat(firehose.lines("ok")).containsExactly("a", "f");
    }

    @Test
    void aPackedRecordsResultAppliesToEachEventInIt() {
        firehose.createStream("s").failFraction(0.5, "InternalFailure");
        // Four-byte lines and an eight-byte target: two events per record.
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time).deliveryStream("s").packingTargetBytes(8).build();
        Batch batch = new Batch();
        for (int i = 0; i < 200; i++) {
            batch.add("t", null, String.format("%03d\n", i));
        }

        BatchResult result = send(sink, batch);

        List<String> expected = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < 200; i += 2) {
            assertThat(result.get(i + 1)).as("events %d and %d share a record", i, i + 1).isEqualTo(result.get(i));
            if (result.get(i).isOk()) {
                expected.add(String.format("%03d", i));
                expected.add(String.format("%03d", i + 1));
            } else {
                failed++;
                assertThat(result.get(i).status()).isEqualTo(RecordResult.Status.RETRYABLE);
                assertThat(result.get(i).code()).isEqualTo("InternalFailure");
                assertThat(result.get(i).message()).contains("(delivery stream s)");
            }
        }
        assertThat(failed).isBetween(30, 70);
        assertThat(firehose.stats("s").entriesReceived()).isEqualTo(100);
        assertThat(firehose.lines("s")).containsExactlyElementsOf(expected);
    }

    @Test
    void aWholeCallFailureIsReportedPerEventWithTheAwsCodeNotAsAnException() {
        firehose.createStream("s").createStream("t");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time).deliveryStream("s").route("other", "t").build();
        firehose.throttleNextCalls(1);

        BatchResult throttled = send(sink, new Batch().add("x", null, "a\n").add("x", null, "b\n"));
        assertThat(throttled.get(0).status()).isEqualTo(RecordResult.Status.RETRYABLE);
        assertThat(throttled.get(0).code()).isEqualTo("ServiceUnavailableException");
        assertThat(throttled.get(1)).isEqualTo(throttled.get(0));

        firehose.deleteDeliveryStream(r -> r.deliveryStreamName("s"));
        time.runPending();
        BatchResult missing = send(sink, new Batch().add("x", null, "c\n").add("other", null, "d\n"));
        assertThat(missing.get(0).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(missing.get(0).code()).isEqualTo("ResourceNotFoundException");
        assertThat(missing.get(0).message()).contains("Firehose s under account").contains("(delivery stream s)");
        assertThat(missing.get(1).isOk()).as("the other stream's request is independent").isTrue();
    }

    @Test
    void largeSendsAreSplitWithinTheRequestLimits() {
        firehose.createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time).deliveryStream("s").build();
        Batch batch = new Batch();
        for (int i = 0; i < 1_200; i++) {
            batch.add("t", null, "no newline " + i); // not packable: one record each
        }
        BatchResult result = send(sink, batch);
        assertThat(result.get(1_199).isOk()).isTrue();
        assertThat(firehose.stats("s").putCalls()).isEqualTo(3);
        assertThat(firehose.maxRecordsInOneCall()).isEqualTo(500);
        assertThat(firehose.limitViolations()).isEmpty();
    }

    @Test
    void closeLeavesTheCallersClientOpen() {
        firehose.createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).deliveryStream("s").build();
        sink.close();
        assertThat(send(sink, new Batch().add("t", null, "a\n")).get(0).isOk()).isTrue();
    }

    @Test
    void recommendedClientConfigurationTurnsSdkRetriesOffAndARealClientAcceptsIt() {
        ClientOverrideConfiguration config = FirehoseSink.recommendedClientConfiguration();
        assertThat(config.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(1));
        assertThat(config.apiCallAttemptTimeout()).contains(Duration.ofSeconds(15));
        assertThat(config.apiCallTimeout()).contains(Duration.ofSeconds(30));
        try (FirehoseAsyncClient client = realClient(config)) {
            String log = StandardErrorCapture.during(() -> {
                FirehoseSink sink = FirehoseSink.builder(client).deliveryStream("analytics-backup").build();
                assertThat(sink.limits().maxBytesPerRecord()).isEqualTo(FirehoseSink.MAX_BYTES_PER_RECORD);
            });
            assertThat(log).as("no warning for the recommended configuration").doesNotContain("WARN");
        }
    }

    @Test
    void buildWarnsOnceWhenTheClientHasTheSdksRetriesOn() {
        try (FirehoseAsyncClient client = realClient(ClientOverrideConfiguration.builder().build())) {
            String log = StandardErrorCapture.during(() -> FirehoseSink.builder(client).deliveryStream("s").build());
            assertThat(log).contains("WARN").contains("FirehoseAsyncClient has the AWS SDK's retries on")
                    .contains("The tracker already retries each failed event")
                    .contains("multiply the attempts")
                    .contains(".overrideConfiguration(FirehoseSink.recommendedClientConfiguration())");
            assertThat(log.split("WARN", -1)).as("one warning per build").hasSize(2);
        }
        String fake = StandardErrorCapture.during(() -> FirehoseSink.builder(firehose).deliveryStream("s").build());
        assertThat(fake).as("FakeFirehose reports no client configuration: no warning").doesNotContain("WARN");
    }

    @Test
    void anExpiredTokenIsRetryableNotDeadLettered() {
        firehose.createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time).deliveryStream("s").build();
        firehose.failNextCalls(1, "ExpiredTokenException");

        BatchResult expired = send(sink, new Batch().add("t", null, "a\n").add("t", null, "b\n"));
        assertThat(expired.get(0).status()).isEqualTo(RecordResult.Status.RETRYABLE);
        assertThat(expired.get(0).code()).isEqualTo("ExpiredTokenException");
        assertThat(expired.get(1)).isEqualTo(expired.get(0));
        assertThat(send(sink, new Batch().add("t", null, "a\n")).get(0).isOk()).as("the retry goes through").isTrue();
    }

    @Test
    void aBugInTheClientIsPermanentAndLoggedOncePerSink() {
        // A client with a bug: its calls fail with an exception that is no AWS error.
        FirehoseAsyncClient buggy = new FirehoseAsyncClient() {
            @Override
            public CompletableFuture<PutRecordBatchResponse> putRecordBatch(PutRecordBatchRequest request) {
                return CompletableFuture.failedFuture(
                        new CompletionException(new IllegalArgumentException("a bug, not an AWS error")));
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
        FirehoseSink sink = FirehoseSink.builder(buggy).scheduler(time).deliveryStream("s").build();
        String log = StandardErrorCapture.during(() -> {
            for (int i = 0; i < 2; i++) {
                RecordResult r = send(sink, new Batch().add("t", null, "a\n")).get(0);
                assertThat(r.status()).isEqualTo(RecordResult.Status.PERMANENT);
                assertThat(r.code()).isEqualTo("IllegalArgumentException");
            }
        });
        assertThat(log.split("is a programming error", -1)).as("logged once, with its stack trace").hasSize(2);
        assertThat(log).contains("java.lang.IllegalArgumentException: a bug, not an AWS error").contains("\tat ");
    }

    private static FirehoseAsyncClient realClient(ClientOverrideConfiguration config) {
        // Never sends a request: building a client and a sink calls nothing.
        return FirehoseAsyncClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .endpointOverride(URI.create("http://127.0.0.1:1"))
                .overrideConfiguration(config)
                .build();
    }

    // DestinationMetrics: per delivery stream, events delivered and attempts failed.

    @Test
    void countsEachStreamsDeliveredAndFailedEventsAndListsStreamsInTheOrderFirstKnown() {
        firehose.createStream("dynamic").createStream("clicks").createStream("books").failFraction(0.3, "InternalFailure");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time)
                .deliveryStream("dynamic")
                .route("click", "clicks")
                .routeBy((type, key) -> key)
                .packingTargetBytes(8) // two four-byte events per record: a failed record fails both
                .build();
        DestinationMetrics metrics = sink;
        assertThat(metrics.destinations()).as("known from the configuration").containsExactly("dynamic", "clicks");
        assertThat(metrics.deliveredRecords("dynamic")).isZero();
        assertThat(metrics.failedRecords("nowhere")).isZero();

        long[] delivered = new long[3];
        long[] failed = new long[3];
        List<String> streams = List.of("dynamic", "clicks", "books");
        for (int round = 0; round < 5; round++) {
            Batch batch = new Batch();
            List<String> streamOfEvent = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                String stream = streams.get(i % 3);
                batch.add(stream.equals("clicks") ? "click" : "page_view", stream.equals("books") ? "books" : null,
                        String.format("%03d\n", i));
                streamOfEvent.add(stream);
            }
            batch.add("page_view", "not a valid name!", "bad\n"); // PERMANENT, reaches no stream
            BatchResult result = send(sink, batch);
            for (int i = 0; i < streamOfEvent.size(); i++) {
                int s = streams.indexOf(streamOfEvent.get(i));
                if (result.get(i).isOk()) {
                    delivered[s]++;
                } else {
                    failed[s]++;
                }
            }
            assertThat(result.get(120).isOk()).isFalse();
        }
        assertThat(metrics.destinations()).as("the router's stream once sent to")
                .containsExactly("dynamic", "clicks", "books");
        for (int s = 0; s < 3; s++) {
            assertThat(metrics.deliveredRecords(streams.get(s))).as("%s delivered", streams.get(s)).isEqualTo(delivered[s]);
            assertThat(metrics.failedRecords(streams.get(s))).as("%s failed", streams.get(s)).isEqualTo(failed[s]);
            assertThat(delivered[s] + failed[s]).isEqualTo(200);
        }
        assertThat(failed[0]).isPositive();
        long deliveredTotal = delivered[0] + delivered[1] + delivered[2];
        assertThat(deliveredTotal).isEqualTo(firehose.lines("dynamic").size() + firehose.lines("clicks").size()
                + firehose.lines("books").size());
        assertThat(metrics.destinations()).doesNotContain("not a valid name!");
    }

    @Test
    void aWholeCallFailureCountsEveryEventOfThatRequestAsFailed() {
        firehose.createStream("a").createStream("b");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time).deliveryStream("a").route("to-b", "b").build();
        firehose.failNextCalls(1, "InvalidArgumentException");
        Batch batch = new Batch();
        for (int i = 0; i < 10; i++) {
            batch.add("t", null, "a" + i + "\n");
        }
        BatchResult first = send(sink, batch);
        assertThat(first.get(0).isOk()).isFalse();
        assertThat(sink.failedRecords("a")).isEqualTo(10);
        assertThat(sink.deliveredRecords("a")).isZero();

        send(sink, batch); // the retry succeeds
        send(sink, new Batch().add("to-b", null, "b\n"));
        assertThat(sink.deliveredRecords("a")).isEqualTo(10);
        assertThat(sink.failedRecords("a")).isEqualTo(10);
        assertThat(sink.deliveredRecords("b")).isEqualTo(1);
        assertThat(sink.destinations()).containsExactly("a", "b");
    }
}
