package dev.twinstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.aws.testing.StandardErrorCapture;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.testkit.TestBatches;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.kinesis.StoredEvent;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

class KinesisSinkTest {
    static final String STREAM = "events";

    @Test
    void buildReportsEveryBadSettingInOneException() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        assertThatThrownBy(() -> KinesisSink.builder(k, STREAM).maxRequestBytes(1024).aggregatedRecordMaxBytes(2 * 1024 * 1024)
                .shardRecordsPerSecond(0).maxEventsPerBatch(1_000_000).shardMapRefreshInterval(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations()).containsExactlyInAnyOrder(
                        "KinesisSink.maxRequestBytes must be between 5242880 and 10485760 but was 1024",
                        "KinesisSink.aggregatedRecordMaxBytes must be between 1044 and 1048576 but was 2097152",
                        "KinesisSink.maxEventsPerBatch must be between 1 and 100000 but was 1000000",
                        "KinesisSink.shardRecordsPerSecond must be between 1 and 1000 but was 0",
                        "KinesisSink.shardMapRefreshInterval must be between PT1S and PT1H but was PT0S"));
        assertThatThrownBy(() -> KinesisSink.builder(null, "").aggregation(false).maxEventsPerBatch(501).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("client must not be null").hasMessageContaining("stream must be")
                .hasMessageContaining("maxEventsPerBatch must be between 1 and 500 but was 501");
    }

    @Test
    void limitsLeaveRoomForTheLongestKeyAndDeclareTheKeyLimit() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        try (KinesisSink aggregated = KinesisSink.builder(k, STREAM).build();
             KinesisSink plain = KinesisSink.builder(k, STREAM).aggregation(false).build()) {
            assertThat(aggregated.limits().maxRecordsPerBatch()).isEqualTo(20_000);
            assertThat(plain.limits().maxRecordsPerBatch()).isEqualTo(500);
            assertThat(plain.limits().maxBytesPerBatch()).isEqualTo(10L * 1024 * 1024);
            assertThat(plain.limits().maxBytesPerRecord()).isEqualTo(1024 * 1024 - 1024);
            assertThat(plain.limits().maxPartitionKeyChars()).isEqualTo(256);
            assertThat(aggregated.limits().billingUnitBytes()).isEqualTo(FakeKinesis.PUT_PAYLOAD_UNIT_BYTES);
            // Buffering: the tracker lingers half the budget, the sink the rest; without it, the whole budget.
            assertThat(aggregated.limits().defaultLinger()).isEqualTo(KinesisSink.DEFAULT_LINGER)
                    .isEqualTo(Duration.ofMillis(250));
            assertThat(plain.limits().defaultLinger()).isEqualTo(KinesisSink.DEFAULT_MAX_BUFFERED_TIME)
                    .isEqualTo(Duration.ofMillis(500));
        }
        try (KinesisSink longer = KinesisSink.builder(k, STREAM).maxBufferedTime(Duration.ofSeconds(2)).build();
             KinesisSink unbuffered = KinesisSink.builder(k, STREAM).maxBufferedTime(Duration.ZERO).build()) {
            assertThat(longer.limits().defaultLinger()).isEqualTo(Duration.ofSeconds(1));
            assertThat(unbuffered.limits().defaultLinger()).isEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void aBadBufferingTimeIsRefusedNamingTheSettingAndTheValue() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        assertThatThrownBy(() -> KinesisSink.builder(k, STREAM).maxBufferedTime(Duration.ofMillis(-1)).build())
                .isInstanceOf(dev.twinstream.core.ConfigurationException.class)
                .hasMessageContaining("KinesisSink.maxBufferedTime must be between PT0S and PT1M but was PT-0.001S");
    }

    @Test
    void anOpenRecordTakesTheNextBatchesAndGoesWhenItsOldestEventHasWaitedTheBufferingTime() {
        dev.twinstream.testkit.VirtualScheduler time = new dev.twinstream.testkit.VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 1);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).clock(time.clock()).scheduler(time).build()) {
            java.util.concurrent.CompletableFuture<BatchResult> first = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture();
            time.advance(Duration.ofMillis(200));
            java.util.concurrent.CompletableFuture<BatchResult> second = sink.send(TestBatches.ofUtf8("c")).toCompletableFuture();
            time.advance(Duration.ofMillis(299));
            assertThat(first).as("held until 500 ms").isNotDone();
            assertThat(k.billing(STREAM).putCalls()).isZero();
            time.advance(Duration.ofMillis(1));
            assertThat(first).isDone();
            // One record, one call, one PUT unit for both batches; the second batch's events went early
            // with it (its own due time was later), so both complete together.
            assertThat(second).isDone();
            assertThat(first.join().get(0).isOk()).isTrue();
            assertThat(second.join().get(0).isOk()).isTrue();
            assertThat(k.billing(STREAM).records()).isEqualTo(1);
            assertThat(k.billing(STREAM).putCalls()).isEqualTo(1);
            assertThat(k.events(STREAM)).extracting(dev.twinstream.testkit.kinesis.StoredEvent::dataAsUtf8)
                    .containsExactly("a", "b", "c");
        }
    }

    @Test
    void sendHeldSendsOpenRecordsAtOnceAndCloseFailsThemAsRetryable() {
        dev.twinstream.testkit.VirtualScheduler time = new dev.twinstream.testkit.VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 2);
        KinesisSink sink = KinesisSink.builder(k, STREAM).clock(time.clock()).scheduler(time).build();
        java.util.concurrent.CompletableFuture<BatchResult> flushed = sink.send(TestBatches.ofUtf8("a", "b", "c")).toCompletableFuture();
        time.runPending();
        assertThat(flushed).isNotDone();
        sink.sendHeld();
        time.runPending();
        assertThat(flushed).isDone();
        assertThat(flushed.join().get(0).isOk()).isTrue();

        java.util.concurrent.CompletableFuture<BatchResult> closed = sink.send(TestBatches.ofUtf8("d", "e")).toCompletableFuture();
        time.runPending();
        assertThat(closed).isNotDone();
        sink.close();
        BatchResult r = closed.join();
        for (int i = 0; i < r.size(); i++) {
            assertThat(r.get(i).status()).isEqualTo(dev.twinstream.core.spi.RecordResult.Status.RETRYABLE);
            assertThat(r.get(i).code()).isEqualTo("SinkClosed");
        }
        assertThat(k.events(STREAM)).hasSize(3);
    }

    @Test
    void buildAsyncReadsTheStreamsRecordSizeLimit() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1).maxRecordSizeKiB(STREAM, 4096);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).buildAsync().join()) {
            assertThat(sink.maxRecordBytes()).isEqualTo(4 * 1024 * 1024);
            assertThat(sink.limits().maxBytesPerRecord()).isEqualTo(4 * 1024 * 1024 - 1024);
            byte[] big = new byte[3 * 1024 * 1024];
            assertThat(sink.send(TestBatches.of(big)).toCompletableFuture().join().get(0).isOk()).isTrue();
        }
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).maxRecordBytes(1024 * 1024).buildAsync().join()) {
            assertThat(sink.maxRecordBytes()).as("an explicit setting wins").isEqualTo(1024 * 1024);
        }
    }

    @Test
    void aStreamArnWorksLikeItsName() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 2);
        try (KinesisSink sink = KinesisSink.builder(k, "arn:aws:kinesis:us-east-1:000000000000:stream/" + STREAM).build()) {
            BatchResult r = sink.send(TestBatches.ofUtf8("a", "b", "c")).toCompletableFuture().join();
            assertThat(r.get(0).isOk() && r.get(1).isOk() && r.get(2).isOk()).isTrue();
            // The delivery ledger's destination is the stream's name, however the stream was given.
            assertThat(r.get(0).destination()).isEqualTo(STREAM);
        }
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).aggregation(false).build()) {
            BatchResult r = sink.send(TestBatches.ofUtf8("d", "e")).toCompletableFuture().join();
            assertThat(r.get(0)).isEqualTo(r.get(1)).isEqualTo(RecordResult.ok(STREAM));
        }
        assertThat(k.eventCount(STREAM)).isEqualTo(5);
    }

    @Test
    void aMissingStreamFailsEveryRecordPermanently() {
        FakeKinesis k = FakeKinesis.builder().build();
        try (KinesisSink sink = KinesisSink.builder(k, "missing").build()) {
            BatchResult r = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture().join();
            assertThat(r.get(0)).isEqualTo(r.get(1));
            assertThat(r.get(0).status()).isEqualTo(RecordResult.Status.PERMANENT);
            assertThat(r.get(0).code()).isEqualTo("ResourceNotFoundException");
        }
    }

    @Test
    void aFailedShardMapLoadIsNotKeptTheNextSendLoadsAgain() {
        FakeKinesis k = FakeKinesis.builder().build();
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).build()) {
            BatchResult before = sink.send(TestBatches.ofUtf8("a")).toCompletableFuture().join();
            assertThat(before.get(0).code()).isEqualTo("ResourceNotFoundException");
            k.createStream(STREAM, 2);
            BatchResult after = sink.send(TestBatches.ofUtf8("b", "c")).toCompletableFuture().join();
            assertThat(after.get(0).isOk() && after.get(1).isOk()).as("%s", after).isTrue();
        }
        assertThat(k.eventCount(STREAM)).isEqualTo(2);
    }

    @Test
    void theShardMapIsReloadedOnceItIsOlderThanTheRefreshInterval() {
        dev.twinstream.testkit.VirtualScheduler time = new dev.twinstream.testkit.VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).clock(time.clock()).scheduler(time)
                .shardMapRefreshInterval(Duration.ofSeconds(30)).build()) {
            java.util.concurrent.CompletableFuture<BatchResult> first = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture();
            // The record is held open for more events until its buffering time ends.
            assertThat(time.advanceUntil(first::isDone, KinesisSink.DEFAULT_MAX_BUFFERED_TIME)).isTrue();
            assertThat(first.join().get(0).isOk()).isTrue();
            k.reshard(STREAM, 4);
            time.advance(Duration.ofSeconds(31));
            // This send still uses the old map and triggers the background reload...
            java.util.concurrent.CompletableFuture<BatchResult> second = sink.send(TestBatches.ofUtf8("c")).toCompletableFuture();
            assertThat(time.advanceUntil(second::isDone, KinesisSink.DEFAULT_MAX_BUFFERED_TIME)).isTrue();
            // ...so later aggregated records are predicted for the four new shards.
            java.util.List<byte[]> payloads = TestBatches.payloads(400, 50);
            java.util.concurrent.CompletableFuture<BatchResult> f = sink.send(TestBatches.of(payloads)).toCompletableFuture();
            assertThat(time.advanceUntil(f::isDone, Duration.ofMinutes(1))).isTrue();
            BatchResult r = f.join();
            for (int i = 0; i < r.size(); i++) {
                assertThat(r.get(i).isOk()).as("record %d: %s", i, r.get(i)).isTrue();
            }
        }
        dev.twinstream.testkit.TwinstreamAssertions.assertThat(k).stream(STREAM).hasEveryEventOnItsPartitionKeysShard();
    }

    @Test
    void invalidKeysFailAloneAndLargeEventsGoAsPlainRecords() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).aggregatedRecordMaxBytes(4096).build()) {
            BatchResult r = sink.send(TestBatches.builder()
                    .add("e1", "t", "k1", new byte[10], 1)
                    .add("e2", "t", "", new byte[10], 1)
                    .add("e3", "t", "x".repeat(257), new byte[10], 1)
                    .add("e4", "t", "k4", new byte[10_000], 1)
                    .add("e5", "t", "k5", new byte[10], 1)
                    .build()).toCompletableFuture().join();
            assertThat(r.get(0).isOk()).isTrue();
            assertThat(r.get(1).code()).isEqualTo("InvalidPartitionKey");
            assertThat(r.get(2).status()).isEqualTo(RecordResult.Status.PERMANENT);
            assertThat(r.get(3).isOk()).isTrue();
            assertThat(r.get(4).isOk()).isTrue();
        }
        assertThat(k.recordCount(STREAM)).as("one aggregate (k1, k5) and one plain record (k4)").isEqualTo(2);
        assertThat(k.events(STREAM)).extracting(StoredEvent::partitionKey).containsExactlyInAnyOrder("k1", "k4", "k5");
    }

    @Test
    void recommendedClientConfigurationTurnsSdkRetriesOffAndBoundsEachCall() {
        ClientOverrideConfiguration config = KinesisSink.recommendedClientConfiguration();
        assertThat(config.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(1));
        assertThat(config.apiCallAttemptTimeout()).contains(Duration.ofSeconds(15));
        assertThat(config.apiCallTimeout()).contains(Duration.ofSeconds(30));
        try (KinesisAsyncClient client = realClient(config)) {
            String log = StandardErrorCapture.during(() -> KinesisSink.builder(client, STREAM).build().close());
            assertThat(log).as("no warning for the recommended configuration").doesNotContain("WARN");
        }
    }

    @Test
    void buildWarnsOnceWhenTheClientHasTheSdksRetriesOn() {
        try (KinesisAsyncClient client = realClient(ClientOverrideConfiguration.builder().build())) {
            String log = StandardErrorCapture.during(() -> KinesisSink.builder(client, STREAM).build().close());
            assertThat(log).contains("WARN").contains("KinesisAsyncClient has the AWS SDK's retries on")
                    .contains("The tracker already retries each failed event")
                    .contains("multiply the attempts")
                    .contains(".overrideConfiguration(KinesisSink.recommendedClientConfiguration())");
            assertThat(log.split("WARN", -1)).as("one warning per build").hasSize(2);
        }
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        String fake = StandardErrorCapture.during(() -> KinesisSink.builder(k, STREAM).build().close());
        assertThat(fake).as("FakeKinesis reports no client configuration: no warning").doesNotContain("WARN");
    }

    @Test
    void anExpiredTokenIsRetryableNotDeadLettered() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 2);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).build()) {
            k.failNextCalls(1, "ExpiredTokenException");
            BatchResult expired = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture().join();
            assertThat(expired.get(0).status()).isEqualTo(RecordResult.Status.RETRYABLE);
            assertThat(expired.get(0).code()).isEqualTo("ExpiredTokenException");
            assertThat(expired.get(1).status()).isEqualTo(RecordResult.Status.RETRYABLE);
            BatchResult retried = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture().join();
            assertThat(retried.get(0).isOk() && retried.get(1).isOk()).as("the retry goes through").isTrue();
        }
    }

    @Test
    void aBugWhilePlanningABatchIsPermanentAndLoggedOncePerSink() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        try (KinesisSink sink = KinesisSink.builder(k, STREAM).build()) {
            String log = StandardErrorCapture.during(() -> {
                for (int i = 0; i < 2; i++) {
                    BatchResult r = sink.send(new PayloadThrows(TestBatches.ofUtf8("a", "b"))).toCompletableFuture().join();
                    assertThat(r.get(0).status()).as("not retried forever under the default policy")
                            .isEqualTo(RecordResult.Status.PERMANENT);
                    assertThat(r.get(0).code()).isEqualTo("IllegalArgumentException");
                    assertThat(r.get(1)).isEqualTo(r.get(0));
                }
            });
            assertThat(log.split("is a programming error", -1)).as("logged once, with its stack trace").hasSize(2);
            assertThat(log).contains("java.lang.IllegalArgumentException: a bug while reading the payload").contains("\tat ");
        }
        assertThat(k.recordCount(STREAM)).isZero();
    }

    private static KinesisAsyncClient realClient(ClientOverrideConfiguration config) {
        // Never sends a request: building a client and a sink (build(), not buildAsync()) calls nothing.
        return KinesisAsyncClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .endpointOverride(URI.create("http://127.0.0.1:1"))
                .overrideConfiguration(config)
                .build();
    }

    /** A batch whose payloads cannot be read: stands in for a bug anywhere in planning. */
    private static final class PayloadThrows implements SinkBatch {
        private final SinkBatch batch;

        PayloadThrows(SinkBatch batch) {
            this.batch = batch;
        }

        @Override
        public int size() {
            return batch.size();
        }

        @Override
        public long totalBytes() {
            return batch.totalBytes();
        }

        @Override
        public byte[] payload(int index) {
            throw new IllegalArgumentException("a bug while reading the payload");
        }

        @Override
        public String eventId(int index) {
            return batch.eventId(index);
        }

        @Override
        public String eventType(int index) {
            return batch.eventType(index);
        }

        @Override
        public String partitionKey(int index) {
            return batch.partitionKey(index);
        }

        @Override
        public int attempt(int index) {
            return batch.attempt(index);
        }
    }

    @Test
    void closeWithItsOwnSchedulerFailsHeldSendsAsRetryableInsteadOfDroppingThem() throws Exception {
        // 1 KiB/s per shard: after the first 4 KiB record, the next one is held for seconds on the
        // sink's own timer thread.
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        KinesisSink sink = KinesisSink.builder(k, STREAM).shardBytesPerSecond(1024).aggregation(false).build();
        java.util.concurrent.CompletableFuture<dev.twinstream.core.spi.BatchResult> first = sink.send(
                dev.twinstream.testkit.TestBatches.of(dev.twinstream.testkit.TestBatches.payloads(1, 4096)))
                .toCompletableFuture();
        assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).get(0).isOk()).isTrue();
        java.util.concurrent.CompletableFuture<dev.twinstream.core.spi.BatchResult> held = sink.send(
                dev.twinstream.testkit.TestBatches.of(dev.twinstream.testkit.TestBatches.payloads(3, 4096)))
                .toCompletableFuture();

        sink.close();

        // close() ran or failed everything queued on its thread: the future is complete now.
        assertThat(held).isDone();
        dev.twinstream.core.spi.BatchResult result = held.get();
        for (int i = 0; i < result.size(); i++) {
            assertThat(result.get(i).status()).isEqualTo(dev.twinstream.core.spi.RecordResult.Status.RETRYABLE);
            assertThat(result.get(i).code()).isEqualTo("SinkClosed");
        }
        assertThat(k.billing(STREAM).records()).isEqualTo(1);
    }
}
