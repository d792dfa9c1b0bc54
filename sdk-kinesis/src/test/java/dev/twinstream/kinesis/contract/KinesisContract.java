package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.kinesis.internal.HashKeys;
import dev.twinstream.kinesis.internal.ShardMap;
import dev.twinstream.testkit.TestBatches;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The behaviour of Kinesis that the sink and the tests rely on, checked against every
 * implementation: {@code FakeKinesis} and kinesis-mock (a real emulator behind a real SDK client).
 * Where they disagree, the fake is fixed or the difference is documented here:
 * <ul>
 *   <li>Shard boundaries: the service splits the hash space of an N-shard stream at multiples of
 *       2^128/N (a 2-shard stream's second shard starts at 2^127), and so does the fake;
 *       kinesis-mock splits at multiples of (2^128-1)/N, one lower. The sink reads the boundaries
 *       from ListShards and never assumes them, so the contract only requires contiguous coverage.
 *   <li>Request limits: kinesis-mock 0.6.2 accepts more than 500 records in one PutRecords; the
 *       service and the fake reject it ({@link #enforcesRecordsPerRequest()}).
 * </ul>
 */
public abstract class KinesisContract {
    private static final AtomicInteger STREAMS = new AtomicInteger();
    private static final BigInteger SPACE = BigInteger.ONE.shiftLeft(128);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** The client under test; the subclass owns it. */
    protected abstract KinesisAsyncClient client();

    /** Creates a stream through the API and waits (bounded) until it is ACTIVE. */
    protected String createStream(int shards) {
        String name = "contract-" + getClass().getSimpleName().toLowerCase() + "-" + STREAMS.incrementAndGet();
        join(client().createStream(b -> b.streamName(name).shardCount(shards)));
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            DescribeStreamSummaryResponse d = join(client().describeStreamSummary(b -> b.streamName(name)));
            if (d.streamDescriptionSummary().streamStatus() == StreamStatus.ACTIVE) {
                return name;
            }
            join(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
        }
        throw new AssertionError("stream " + name + " not ACTIVE within " + CALL_TIMEOUT);
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("call did not complete within " + CALL_TIMEOUT, e);
        }
    }

    List<Shard> shards(String stream) {
        return join(client().listShards(b -> b.streamName(stream))).shards();
    }

    /** Every record of every shard, read from TRIM_HORIZON with GetRecords, keyed by shard id. */
    Map<String, List<Record>> readAll(String stream) {
        Map<String, List<Record>> out = new HashMap<>();
        for (Shard shard : shards(stream)) {
            String iterator = join(client().getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON))).shardIterator();
            List<Record> records = new ArrayList<>();
            for (int emptyReads = 0; iterator != null && emptyReads < 2; ) {
                String it = iterator;
                GetRecordsResponse r = join(client().getRecords(b -> b.shardIterator(it).limit(10_000)));
                records.addAll(r.records());
                emptyReads = r.records().isEmpty() ? emptyReads + 1 : 0;
                iterator = r.nextShardIterator();
            }
            out.put(shard.shardId(), records);
        }
        return out;
    }

    @Test
    void aCreatedStreamIsActiveWithItsOpenShards() {
        String stream = createStream(3);
        DescribeStreamSummaryResponse d = join(client().describeStreamSummary(b -> b.streamName(stream)));
        assertThat(d.streamDescriptionSummary().streamName()).isEqualTo(stream);
        assertThat(d.streamDescriptionSummary().openShardCount()).isEqualTo(3);
        assertThat(d.streamDescriptionSummary().streamARN()).startsWith("arn:aws:kinesis:us-east-1:").endsWith(":stream/" + stream);
        assertThat(join(client().listStreams(b -> { })).streamNames()).contains(stream);
    }

    @Test
    void openShardsCoverTheWholeHashSpaceContiguously() {
        String stream = createStream(4);
        List<Shard> shards = new ArrayList<>(shards(stream));
        shards.sort((a, b) -> new BigInteger(a.hashKeyRange().startingHashKey()).compareTo(new BigInteger(b.hashKeyRange().startingHashKey())));
        assertThat(shards).hasSize(4);
        BigInteger expectedStart = BigInteger.ZERO;
        for (Shard s : shards) {
            assertThat(new BigInteger(s.hashKeyRange().startingHashKey())).isEqualTo(expectedStart);
            assertThat(s.sequenceNumberRange().startingSequenceNumber()).isNotEmpty();
            assertThat(s.sequenceNumberRange().endingSequenceNumber()).isNull();
            expectedStart = new BigInteger(s.hashKeyRange().endingHashKey()).add(BigInteger.ONE);
        }
        assertThat(expectedStart).isEqualTo(SPACE);
    }

    @Test
    void putRecordsLandsEachRecordOnTheShardPredictedFromTheMd5OfItsKey() {
        String stream = createStream(5);
        ShardMap map = ShardMap.of(shards(stream));
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String key = i % 3 == 0 ? "ключ-" + i + "-🙂" : "user-" + i;
            entries.add(PutRecordsRequestEntry.builder().partitionKey(key).data(SdkBytes.fromUtf8String("event " + i)).build());
        }
        PutRecordsResponse response = join(client().putRecords(b -> b.streamName(stream).records(entries)));
        assertThat(response.failedRecordCount()).isZero();
        assertThat(response.records()).hasSize(200);
        for (int i = 0; i < 200; i++) {
            PutRecordsResultEntry r = response.records().get(i);
            String key = entries.get(i).partitionKey();
            int predicted = map.indexOf(HashKeys.md5(key.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.shardId()).as("shard of key %s", key).isEqualTo(map.shardId(predicted));
            assertThat(r.sequenceNumber()).isNotEmpty();
        }
    }

    @Test
    void anExplicitHashKeyChoosesTheShard() {
        String stream = createStream(4);
        ShardMap map = ShardMap.of(shards(stream));
        for (int s = 0; s < map.size(); s++) {
            String hashKey = map.startingHashKey(s);
            PutRecordResponse r = join(client().putRecord(b -> b.streamName(stream).partitionKey("same-key")
                    .explicitHashKey(hashKey).data(SdkBytes.fromUtf8String("x"))));
            assertThat(r.shardId()).isEqualTo(map.shardId(s));
        }
    }

    @Test
    void getRecordsReturnsWhatWasPutInSequenceOrderWithItsKey() {
        String stream = createStream(2);
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + (i % 7)).data(SdkBytes.fromUtf8String("payload-" + i)).build());
        }
        join(client().putRecords(b -> b.streamName(stream).records(entries)));

        Map<String, List<Record>> read = readAll(stream);
        Map<String, String> keyByPayload = new HashMap<>();
        for (List<Record> records : read.values()) {
            String previous = "";
            for (Record r : records) {
                keyByPayload.put(r.data().asUtf8String(), r.partitionKey());
                assertThat(new BigInteger(r.sequenceNumber())).isGreaterThan(previous.isEmpty() ? BigInteger.valueOf(-1) : new BigInteger(previous));
                previous = r.sequenceNumber();
            }
        }
        assertThat(keyByPayload).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(keyByPayload.get("payload-" + i)).isEqualTo("k" + (i % 7));
        }
    }

    @Test
    void theSinksAggregatedRecordsAreReadBackByTheKclOnThePredictedShards() {
        String stream = createStream(3);
        ShardMap map = ShardMap.of(shards(stream));
        List<byte[]> payloads = TestBatches.payloads(300, 120);
        try (KinesisSink sink = KinesisSink.builder(client(), stream).aggregatedRecordMaxBytes(8 * 1024).build()) {
            BatchResult result = join(sink.send(TestBatches.of(payloads)));
            for (int i = 0; i < result.size(); i++) {
                assertThat(result.get(i).isOk()).as("record %d: %s", i, result.get(i)).isTrue();
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        int kinesisRecords = 0;
        for (Map.Entry<String, List<Record>> shard : readAll(stream).entrySet()) {
            int index = map.indexOfShardId(shard.getKey());
            List<KinesisClientRecord> in = new ArrayList<>();
            for (Record r : shard.getValue()) {
                in.add(KinesisClientRecord.fromRecord(r));
            }
            kinesisRecords += in.size();
            // The hash-range-checking de-aggregation the KCL applies to a shard's records.
            List<KinesisClientRecord> events = new AggregatorUtil().deaggregate(in,
                    new BigInteger(map.startingHashKey(index)), index + 1 < map.size()
                            ? new BigInteger(map.startingHashKey(index + 1)).subtract(BigInteger.ONE) : SPACE.subtract(BigInteger.ONE));
            for (KinesisClientRecord e : events) {
                ByteBuffer data = e.data().duplicate();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                String payload = new String(bytes, StandardCharsets.ISO_8859_1);
                seen.merge(payload, 1, Integer::sum);
                int predicted = map.indexOf(HashKeys.md5(e.partitionKey().getBytes(StandardCharsets.UTF_8)));
                assertThat(predicted).as("shard of %s", e.partitionKey()).isEqualTo(index);
            }
        }
        assertThat(kinesisRecords).as("aggregated into few Kinesis records").isLessThan(30);
        assertThat(seen).hasSize(300).allSatisfy((payload, times) -> assertThat(times).isEqualTo(1));
    }

    @Test
    void anUnknownStreamIsResourceNotFound() {
        assertThatThrownBy(() -> join(client().putRecords(b -> b.streamName("no-such-stream").records(
                PutRecordsRequestEntry.builder().partitionKey("k").data(SdkBytes.fromUtf8String("x")).build()))))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> join(client().listShards(b -> b.streamName("no-such-stream"))))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    /** Whether the implementation rejects a PutRecords of more than 500 records, as the service does. */
    protected boolean enforcesRecordsPerRequest() {
        return true;
    }

    @Test
    void moreThan500RecordsInOneCallAreRejected() {
        org.junit.jupiter.api.Assumptions.assumeTrue(enforcesRecordsPerRequest(),
                "documented difference: this implementation accepts more than 500 records per call");
        String stream = createStream(1);
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("k").data(SdkBytes.fromUtf8String("x")).build());
        }
        assertThatThrownBy(() -> join(client().putRecords(b -> b.streamName(stream).records(entries))))
                .isInstanceOf(KinesisException.class);
    }

    @Test
    void aPartitionKeyOver256CharactersIsRejected() {
        String stream = createStream(1);
        assertThatThrownBy(() -> join(client().putRecords(b -> b.streamName(stream).records(
                PutRecordsRequestEntry.builder().partitionKey("k".repeat(257)).data(SdkBytes.fromUtf8String("x")).build()))))
                .isInstanceOf(KinesisException.class);
        PutRecordsResponse ok = join(client().putRecords(b -> b.streamName(stream).records(
                PutRecordsRequestEntry.builder().partitionKey("k".repeat(256)).data(SdkBytes.fromUtf8String("x")).build())));
        assertThat(ok.failedRecordCount()).isZero();
    }

    @Test
    void anExplicitHashKeyAbove2To128Minus1IsInvalid() {
        String stream = createStream(1);
        assertThatThrownBy(() -> join(client().putRecords(b -> b.streamName(stream).records(
                PutRecordsRequestEntry.builder().partitionKey("k").explicitHashKey(SPACE.toString())
                        .data(SdkBytes.fromUtf8String("x")).build()))))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
