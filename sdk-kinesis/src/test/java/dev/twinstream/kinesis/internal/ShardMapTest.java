package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

class ShardMapTest {

    private static final BigInteger SPACE = BigInteger.ONE.shiftLeft(128);

    static List<Shard> even(int n) {
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BigInteger start = SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n));
            BigInteger end = SPACE.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(n)).subtract(BigInteger.ONE);
            shards.add(shard("shardId-" + i, start, end, null));
        }
        return shards;
    }

    static Shard shard(String id, BigInteger start, BigInteger end, String endingSequence) {
        return Shard.builder().shardId(id)
                .hashKeyRange(HashKeyRange.builder().startingHashKey(start.toString()).endingHashKey(end.toString()).build())
                .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("1").endingSequenceNumber(endingSequence).build())
                .build();
    }

    @Test
    void predictsTheShardWhoseRangeHoldsTheMd5OfTheKey() {
        List<Shard> shards = even(7);
        ShardMap map = ShardMap.of(shards);
        for (int i = 0; i < 2000; i++) {
            String key = "user-" + i + "-ü";
            BigInteger h = HashKeys.hashKey(key);
            int expected = -1;
            for (int s = 0; s < shards.size(); s++) {
                HashKeyRange r = shards.get(s).hashKeyRange();
                if (h.compareTo(new BigInteger(r.startingHashKey())) >= 0 && h.compareTo(new BigInteger(r.endingHashKey())) <= 0) {
                    expected = s;
                }
            }
            assertThat(map.indexOf(HashKeys.md5(key.getBytes(StandardCharsets.UTF_8)))).as(key).isEqualTo(expected);
        }
    }

    @Test
    void boundariesAreInclusive() {
        ShardMap map = ShardMap.of(even(4));
        BigInteger quarter = SPACE.shiftRight(2);
        assertThat(map.indexOf(bytes(BigInteger.ZERO))).isZero();
        assertThat(map.indexOf(bytes(quarter.subtract(BigInteger.ONE)))).isZero();
        assertThat(map.indexOf(bytes(quarter))).isEqualTo(1);
        assertThat(map.indexOf(bytes(HashKeys.MAX_HASH_KEY))).isEqualTo(3);
        assertThat(map.startingHashKey(1)).isEqualTo(quarter.toString());
    }

    @Test
    void closedShardsAreIgnored() {
        List<Shard> shards = new ArrayList<>();
        shards.add(shard("parent", BigInteger.ZERO, HashKeys.MAX_HASH_KEY, "99"));
        shards.addAll(even(2));
        ShardMap map = ShardMap.of(shards);
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.indexOfShardId("parent")).isEqualTo(-1);
        assertThatThrownBy(() -> ShardMap.of(List.of(shards.get(0)))).hasMessageContaining("no open shard");
    }

    private static byte[] bytes(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[16];
        int copy = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - copy, out, 16 - copy, copy);
        return out;
    }
}
