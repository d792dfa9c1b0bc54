package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/** Our hand-written aggregation encoder is read back correctly by the KCL's own de-aggregator. */
class AggregatorKclTest {

    private static final int ONE_MIB = 1024 * 1024;

    record Event(String key, byte[] data) {}

    @Test
    void kclReadsMixedSizesAndUnicodeKeysInOrder() {
        Random random = new Random(7);
        List<Event> events = new ArrayList<>();
        String[] keys = {"user-1", "ключ-🙂", "日本語のキー", "user-1", "e\u0301", "x".repeat(256), "🙂".repeat(256)};
        int[] sizes = {0, 1, 10, 127, 128, 300, 16_383, 16_384, 40_000, 5};
        for (int i = 0; i < 30; i++) {
            byte[] data = new byte[sizes[i % sizes.length]];
            random.nextBytes(data);
            events.add(new Event(keys[i % keys.length], data));
        }
        Aggregator aggregator = new Aggregator();
        for (Event e : events) {
            aggregator.add(e.key(), e.key().getBytes(StandardCharsets.UTF_8), e.data());
        }
        byte[] record = aggregator.toBytes();
        assertThat(record).hasSize((int) aggregator.size());

        List<KinesisClientRecord> out = deaggregate(record, "user-1");

        assertThat(out).hasSize(events.size());
        for (int i = 0; i < events.size(); i++) {
            KinesisClientRecord r = out.get(i);
            assertThat(r.aggregated()).isTrue();
            assertThat(r.subSequenceNumber()).isEqualTo(i);
            assertThat(r.partitionKey()).as("key of event %d", i).isEqualTo(events.get(i).key());
            assertThat(bytes(r.data())).as("data of event %d", i).isEqualTo(events.get(i).data());
        }
    }

    @Test
    void recordFilledExactlyToTheOneMibLimitIsReadBack() {
        String outerKey = "k-0";
        int limit = ONE_MIB - outerKey.length(); // data + partition key must fit 1 MiB
        Aggregator aggregator = new Aggregator();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Event e = new Event("k-" + i, new byte[50_000]);
            Arrays.fill(e.data(), (byte) i);
            events.add(e);
            aggregator.add(e.key(), e.key().getBytes(StandardCharsets.UTF_8), e.data());
        }
        // The last event's size is chosen so the whole record is exactly at the limit.
        String lastKey = "last-🙂";
        byte[] lastKeyBytes = lastKey.getBytes(StandardCharsets.UTF_8);
        int dataLength = (int) (limit - aggregator.sizeWith(lastKey, lastKeyBytes.length, 0));
        while (aggregator.sizeWith(lastKey, lastKeyBytes.length, dataLength) > limit) {
            dataLength--; // the length's own varint may have grown
        }
        assertThat(aggregator.sizeWith(lastKey, lastKeyBytes.length, dataLength)).isEqualTo(limit);
        Event last = new Event(lastKey, new byte[dataLength]);
        Arrays.fill(last.data(), (byte) 0x5A);
        events.add(last);
        aggregator.add(lastKey, lastKeyBytes, last.data());

        byte[] record = aggregator.toBytes();
        assertThat(record.length + outerKey.length()).isEqualTo(ONE_MIB);

        List<KinesisClientRecord> out = deaggregate(record, outerKey);
        assertThat(out).hasSize(events.size());
        for (int i = 0; i < events.size(); i++) {
            assertThat(out.get(i).partitionKey()).isEqualTo(events.get(i).key());
            assertThat(bytes(out.get(i).data())).isEqualTo(events.get(i).data());
        }
    }

    @Test
    void varintSizeIsTheLengthOfTheBase128Encoding() {
        for (int bits = 0; bits < 64; bits++) {
            for (long value : new long[] {1L << bits, (1L << bits) - 1, (1L << bits) + 1}) {
                int expected = 1;
                for (long v = value; (v & ~0x7FL) != 0; v >>>= 7) {
                    expected++;
                }
                assertThat(Aggregator.varintSize(value)).as("%d", value).isEqualTo(expected);
            }
        }
        assertThat(Aggregator.varintSize(0)).isEqualTo(1);
    }

    @Test
    void corruptedDigestIsNotTakenForAnAggregate() {
        Aggregator aggregator = new Aggregator();
        aggregator.add("a", new byte[] {'a'}, new byte[] {1, 2, 3});
        aggregator.add("b", new byte[] {'b'}, new byte[] {4});
        byte[] record = aggregator.toBytes();
        record[record.length - 1] ^= 1;

        List<KinesisClientRecord> out = deaggregate(record, "a");

        assertThat(out).hasSize(1);
        assertThat(out.get(0).aggregated()).isFalse();
    }

    @Test
    void kclHashRangeCheckKeepsEventsWhoseKeysBelongToTheShard() {
        // Events predicted for the upper half of the hash space, checked against that range.
        BigInteger half = BigInteger.ONE.shiftLeft(127);
        BigInteger max = HashKeys.MAX_HASH_KEY;
        Aggregator aggregator = new Aggregator();
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 20; i++) {
            String key = "user-" + i;
            if (HashKeys.hashKey(key).compareTo(half) >= 0) {
                keys.add(key);
                aggregator.add(key, key.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8));
            }
        }
        KinesisClientRecord in = KinesisClientRecord.builder().data(ByteBuffer.wrap(aggregator.toBytes()))
                .partitionKey(keys.get(0)).explicitHashKey(half.toString()).sequenceNumber("1").build();

        List<KinesisClientRecord> out = new AggregatorUtil().deaggregate(List.of(in), half, max);

        assertThat(out).extracting(KinesisClientRecord::partitionKey).containsExactlyElementsOf(keys);
    }

    static List<KinesisClientRecord> deaggregate(byte[] record, String partitionKey) {
        KinesisClientRecord in = KinesisClientRecord.builder().data(ByteBuffer.wrap(record)).partitionKey(partitionKey)
                .sequenceNumber("49000000000000000000000000000000000000000000000000000001").build();
        return new AggregatorUtil().deaggregate(List.of(in));
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
