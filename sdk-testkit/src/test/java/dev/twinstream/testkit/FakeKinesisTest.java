package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
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
    void billsRecordsBytesAndTwentyFiveKibPayloadUnits() {
        FakeKinesis k = FakeKinesis.builder().build().createStream(STREAM, 1);
        put(k, List.of(entry("a", 5 * 1024 - 1), entry("b", 45 * 1024 - 1), entry("c", 0)));
        FakeKinesis.Billing billing = k.billing(STREAM);
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
        k.latency(Duration.ofMillis(100)).failFraction(0.2);
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

        k.failFraction(0).downFor(Duration.ofSeconds(5));
        CompletableFuture<PutRecordsResponse> down = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.advance(Duration.ofMillis(100));
        assertThatThrownBy(down::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(InternalFailureException.class);
        time.advance(Duration.ofSeconds(5));
        CompletableFuture<PutRecordsResponse> up = k.putRecords(b -> b.streamName(STREAM).records(entries));
        time.advance(Duration.ofMillis(100));
        assertThat(up.join().failedRecordCount()).isZero();
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
        List<FakeKinesis.StoredEvent> events = k.events(STREAM);
        assertThat(events).extracting(FakeKinesis.StoredEvent::dataAsUtf8).containsExactly("one", "two", "three", "four");
        assertThat(events).extracting(FakeKinesis.StoredEvent::partitionKey).containsExactly("a", "b", "a", "plain");
        assertThat(events).extracting(FakeKinesis.StoredEvent::aggregated).containsExactly(true, true, true, false);
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
