package dev.twinstream.testkit.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.testkit.TwinstreamAssertions;
import dev.twinstream.testkit.VirtualScheduler;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

class FakeKinesisTest {
    static final String STREAM = "s";

    static PutRecordsRequestEntry entry(String key, int size) {
        return PutRecordsRequestEntry.builder().partitionKey(key).data(SdkBytes.fromByteArray(new byte[size])).build();
    }

    static PutRecordsResponse put(FakeKinesis k, List<PutRecordsRequestEntry> entries) {
        return k.putRecords(b -> b.streamName(STREAM).records(entries)).join();
    }

    @Test
    void deleteStreamRemovesItAndAMissingOneIsNotFound() {
        FakeKinesis fake = FakeKinesis.builder().build().createStream("gone", 1).createStream("kept", 1);
        fake.deleteStream(r -> r.streamName("gone")).join();
        assertThat(fake.listStreams(r -> { }).join().streamNames()).containsExactly("kept");
        assertThatThrownBy(() -> fake.deleteStream(r -> r.streamName("gone")).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void billsRecordsBytesAndTwentyFiveKibPayloadUnits() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        put(k, List.of(entry("a", 5 * 1024 - 1), entry("b", 45 * 1024 - 1), entry("c", 0)));
        Billing billing = k.billing(STREAM);
        assertThat(billing.records()).isEqualTo(3);
        assertThat(billing.bytes()).isEqualTo(50 * 1024 + 1); // data (50 KiB - 2) plus three 1-byte keys
        assertThat(billing.putPayloadUnits()).isEqualTo(1 + 2 + 1);
        assertThat(billing.putCalls()).isEqualTo(1);
    }

    @Test
    void enforcesTheRealRequestAndRecordLimitsWithTheRealExceptions() {
        FakeKinesis k = FakeKinesis.builder().maxRequestBytes(5L * 1024 * 1024).build().createStream(STREAM, 1);
        List<PutRecordsRequestEntry> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add(entry("k", 1));
        }
        assertThatThrownBy(() -> put(k, tooMany)).hasCauseInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> put(k, List.of(entry("k", 1024 * 1024)))).hasCauseInstanceOf(ValidationException.class)
                .hasMessageContaining("over the stream's limit");
        List<PutRecordsRequestEntry> sixMib = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sixMib.add(entry("k", 1024 * 1024 - 8));
        }
        assertThatThrownBy(() -> put(k, sixMib)).hasCauseInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> put(k, List.of(entry("", 1)))).hasCauseInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> k.putRecords(b -> b.streamName("nope").records(entry("k", 1))).join())
                .hasCauseInstanceOf(ResourceNotFoundException.class);
        assertThat(k.recordCount(STREAM)).isZero();
        k.maxRecordSizeKiB(STREAM, 2048);
        assertThat(put(k, List.of(entry("k", 1024 * 1024))).failedRecordCount()).isZero();
    }

    @Test
    void perShardThroughputIsEnforcedPerEntry() {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).enforceThroughput(true).build().createStream(STREAM, 1);
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            entries.add(entry("k" + i, 4000)); // 2 MB in one call: the second half is over 1 MiB
        }
        CompletableFuture<PutRecordsResponse> f = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.runPending();
        PutRecordsResponse r = f.join();
        assertThat(r.failedRecordCount()).isBetween(230, 270);
        assertThat(r.records().get(499).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
        time.advance(Duration.ofSeconds(1));
        CompletableFuture<PutRecordsResponse> again = k.putRecords(b -> b.streamName(STREAM).records(entries.subList(0, 200)));
        time.runPending();
        assertThat(again.join().failedRecordCount()).isZero();
    }

    @Test
    void faultsAreSeededAndTimedOnTheVirtualClock() {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).seed(4).build().createStream(STREAM, 2);
        k.latency(Duration.ofMillis(100)).failFraction(0.2, "InternalFailure");
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            entries.add(entry("k" + i, 10));
        }
        CompletableFuture<PutRecordsResponse> f = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.advance(Duration.ofMillis(99));
        assertThat(f).isNotDone();
        time.advance(Duration.ofMillis(1));
        assertThat(f.join().failedRecordCount()).isBetween(20, 60);
        assertThat(f.join().records()).filteredOn(e -> e.errorCode() != null).allSatisfy(e -> assertThat(e.errorCode()).isEqualTo("InternalFailure"));

        k.failFraction(0, "InternalFailure").downFor(Duration.ofSeconds(5));
        CompletableFuture<PutRecordsResponse> down = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.advance(Duration.ofMillis(100));
        assertThatThrownBy(down::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(InternalFailureException.class);
        time.advance(Duration.ofSeconds(5));
        CompletableFuture<PutRecordsResponse> up = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.advance(Duration.ofMillis(100));
        assertThat(up.join().failedRecordCount()).isZero();
    }

    @Test
    void failFractionFailsEntriesWithTheGivenCode() {
        FakeKinesis k = FakeKinesis.builder().seed(3).build().createStream(STREAM, 2);
        k.failFraction(1.0, "KMSAccessDeniedException");
        PutRecordsResponse all = put(k, entries(50));
        assertThat(all.failedRecordCount()).isEqualTo(50);
        assertThat(all.records()).allSatisfy(e -> {
            assertThat(e.errorCode()).isEqualTo("KMSAccessDeniedException");
            assertThat(e.errorMessage()).isNotBlank();
            assertThat(e.sequenceNumber()).isNull();
        });
        assertThat(k.recordCount(STREAM)).isZero();

        k.failFraction(0.3, "InternalFailure");
        PutRecordsResponse some = put(k, entries(500));
        assertThat(some.failedRecordCount()).isBetween(110, 190);
        assertThat(k.recordCount(STREAM)).isEqualTo(500 - some.failedRecordCount());
        k.failFraction(0, "InternalFailure");
        assertThat(put(k, entries(50)).failedRecordCount()).isZero();
    }

    @Test
    @SuppressWarnings("removal")
    void theDeprecatedOneArgumentFailFractionFailsEntriesWithInternalFailure() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        k.failFraction(1.0);
        assertThat(put(k, entries(5)).records()).extracting(PutRecordsResultEntry::errorCode).containsOnly("InternalFailure");
    }

    @Test
    void throttleFractionIsDrawnBeforeTheFailures() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        k.throttleFraction(1.0).failFraction(1.0, "InternalFailure");
        assertThat(put(k, entries(5)).records()).extracting(PutRecordsResultEntry::errorCode)
                .containsOnly("ProvisionedThroughputExceededException");
    }

    @Test
    void throttleNextCallsFailsWholeWriteCallsBeforeTheInjectedFailures() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        k.throttleNextCalls(2).failNextCalls(1, "AccessDeniedException");

        assertThrottled(k.putRecords(b -> b.streamName(STREAM).records(entries(3))));
        assertThrottled(k.putRecord(b -> b.streamName(STREAM).partitionKey("k").data(SdkBytes.fromUtf8String("x"))));
        assertThat(k.recordCount(STREAM)).isZero();
        assertThat(k.billing(STREAM).putCalls()).as("throttled calls are not billed").isZero();
        assertThatThrownBy(() -> put(k, entries(1))).hasCauseInstanceOf(AccessDeniedException.class);
        assertThat(put(k, entries(1)).failedRecordCount()).isZero();
        assertThatThrownBy(() -> k.throttleNextCalls(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
    }

    @Test
    void throttleForFailsEveryWriteCallForTheWindowOnTheVirtualClock() {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 1);
        k.throttleNextCalls(1).throttleFor(Duration.ofSeconds(10));
        CompletableFuture<PutRecordsResponse> during = k.putRecords(b -> b.streamName(STREAM).records(entries(1)));
        time.runPending();
        assertThrottled(during);
        time.advance(Duration.ofSeconds(10));
        CompletableFuture<PutRecordsResponse> countdown = k.putRecords(b -> b.streamName(STREAM).records(entries(1)));
        time.runPending();
        assertThrottled(countdown); // the window did not use up the throttled call
        CompletableFuture<PutRecordsResponse> after = k.putRecords(b -> b.streamName(STREAM).records(entries(1)));
        time.runPending();
        assertThat(after.join().failedRecordCount()).isZero();
        assertThatThrownBy(() -> k.throttleFor(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    @Test
    void failNextCallsThrowsTheExceptionTheServiceReturnsForTheCode() {
        Object[][] cases = {
            {"ResourceNotFoundException", ResourceNotFoundException.class, 400},
            {"InvalidArgumentException", InvalidArgumentException.class, 400},
            {"ProvisionedThroughputExceededException", ProvisionedThroughputExceededException.class, 400},
            {"InternalFailureException", InternalFailureException.class, 500},
            {"AccessDeniedException", AccessDeniedException.class, 400},
            {"KMSDisabledException", KmsDisabledException.class, 400},
            {"LimitExceededException", LimitExceededException.class, 400},
            {"ExpiredTokenException", KinesisException.class, 400},
        };
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        for (Object[] c : cases) {
            String code = (String) c[0];
            k.failNextCalls(1, code);
            Throwable failure = failureOf(k.putRecords(b -> b.streamName(STREAM).records(entries(1))));
            assertThat(failure).as(code).isExactlyInstanceOf((Class<?>) c[1]);
            AwsServiceException e = (AwsServiceException) failure;
            assertThat(e.awsErrorDetails().errorCode()).as(code).isEqualTo(code);
            assertThat(e.statusCode()).as(code).isEqualTo(c[2]);
        }
        assertThat(k.recordCount(STREAM)).isZero();
    }

    private static void assertThrottled(CompletableFuture<?> call) {
        Throwable failure = failureOf(call);
        assertThat(failure).isExactlyInstanceOf(ProvisionedThroughputExceededException.class);
        ProvisionedThroughputExceededException e = (ProvisionedThroughputExceededException) failure;
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ProvisionedThroughputExceededException");
        assertThat(e.statusCode()).isEqualTo(400);
    }

    /** The exception a completed call failed with. */
    private static Throwable failureOf(CompletableFuture<?> call) {
        assertThat(call).isDone();
        try {
            call.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    private static List<PutRecordsRequestEntry> entries(int n) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(entry("k" + i, 10));
        }
        return entries;
    }

    @Test
    void reshardingClosesParentsAndRoutesNewRecordsToChildren() {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis k = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 1);
        k.reshardAfter(Duration.ofSeconds(1), STREAM, 3);
        time.advance(Duration.ofSeconds(1));
        CompletableFuture<List<Shard>> shards = k.listShards(b -> b.streamName(STREAM)).thenApply(r -> r.shards());
        time.runPending();
        assertThat(shards.join()).hasSize(4);
        assertThat(shards.join().get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
        assertThat(shards.join().subList(1, 4)).allSatisfy(s -> assertThat(s.parentShardId()).isEqualTo("shardId-000000000000"));

        k.splitShard(b -> b.streamName(STREAM).shardToSplit("shardId-000000000001")
                .newStartingHashKey(BigInteger.ONE.shiftLeft(120).toString()));
        k.mergeShards(b -> b.streamName(STREAM).shardToMerge("shardId-000000000002").adjacentShardToMerge("shardId-000000000003"));
        time.runPending();
        assertThat(k.eventsPerShard(STREAM)).hasSize(7);
    }

    @Test
    void eventsDeaggregatesKplRecordsAndReturnsPlainOnesAsTheyAre() throws Exception {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        byte[] aggregate = kplRecord(new String[] {"a", "b"}, new int[] {0, 1, 0}, new String[] {"one", "two", "three"});
        k.putRecords(b -> b.streamName(STREAM).records(
                PutRecordsRequestEntry.builder().partitionKey("a").data(SdkBytes.fromByteArray(aggregate)).build(),
                PutRecordsRequestEntry.builder().partitionKey("plain").data(SdkBytes.fromUtf8String("four")).build())).join();
        List<StoredEvent> events = k.events(STREAM);
        assertThat(events).extracting(StoredEvent::dataAsUtf8).containsExactly("one", "two", "three", "four");
        assertThat(events).extracting(StoredEvent::partitionKey).containsExactly("a", "b", "a", "plain");
        assertThat(events).extracting(StoredEvent::aggregated).containsExactly(true, true, true, false);
        assertThat(k.recordCount(STREAM)).isEqualTo(2);
    }

    @Test
    void assertionsReportWhatIsWrong() throws Exception {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 2);
        put(k, List.of(entry("x", 3), entry("x", 3)));
        TwinstreamAssertions.assertThat(k).stream(STREAM).hasReceivedEvents(2).hasEveryEventOnItsPartitionKeysShard();
        assertThatThrownBy(() -> TwinstreamAssertions.assertThat(k).stream(STREAM).hasReceivedEvents(3))
                .hasMessageContaining("to hold 3 events but it holds 2");
        assertThatThrownBy(() -> TwinstreamAssertions.assertThat(k).stream(STREAM).hasNoDuplicatePayloads())
                .hasMessageContaining("duplicate");
        // An explicit hash key can put a record on a shard its key does not hash to.
        BigInteger h = new BigInteger(1, MessageDigest.getInstance("MD5").digest("y".getBytes(StandardCharsets.UTF_8)));
        String otherHalf = h.testBit(127) ? "0" : BigInteger.ONE.shiftLeft(127).toString();
        k.putRecord(b -> b.streamName(STREAM).partitionKey("y").explicitHashKey(otherHalf).data(SdkBytes.fromUtf8String("z"))).join();
        assertThatThrownBy(() -> TwinstreamAssertions.assertThat(k).stream(STREAM).hasEveryEventOnItsPartitionKeysShard())
                .hasMessageContaining("not");
    }

    /** A KPL aggregated record written by hand (independently of the sink's encoder). */
    static byte[] kplRecord(String[] keys, int[] keyIndexes, String[] data) throws Exception {
        java.io.ByteArrayOutputStream proto = new java.io.ByteArrayOutputStream();
        for (String key : keys) {
            byte[] b = key.getBytes(StandardCharsets.UTF_8);
            proto.write(0x0A);
            proto.write(b.length);
            proto.write(b);
        }
        for (int i = 0; i < data.length; i++) {
            byte[] d = data[i].getBytes(StandardCharsets.UTF_8);
            proto.write(0x1A);
            proto.write(4 + d.length);
            proto.write(0x08);
            proto.write(keyIndexes[i]);
            proto.write(0x1A);
            proto.write(d.length);
            proto.write(d);
        }
        byte[] message = proto.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(4 + message.length + 16);
        out.put(new byte[] {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2}).put(message)
                .put(MessageDigest.getInstance("MD5").digest(message));
        return out.array();
    }
}
