package dev.twinstream.benchmarks.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The endpoint's stream: {@code n} shards splitting the 128-bit hash-key space into even ranges, and
 * the shard a record lands on, as Kinesis decides it: its explicit hash key if it has one, else the
 * MD5 of its partition key read as an unsigned 128-bit integer. The KPL and the Twinstream sink both
 * check that an aggregated record landed on the shard they predicted (and invalidate their shard map
 * if not), so the answer must be right.
 *
 * <p>MD5 per record would cost the endpoint more than the rest of its work on unaggregated requests,
 * so the shard of each partition key is cached in a direct-mapped table (the benchmark uses 2,000
 * keys). Thread-safe: table entries are immutable and published racily, which is safe for objects
 * with only final fields.
 */
final class ShardRanges {
    private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);
    private static final int CACHE_SLOTS = 1 << 14;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final BigInteger[] starts;
    private final BigInteger[] ends;
    private final Cached[] cache = new Cached[CACHE_SLOTS];

    /** One cached partition key; immutable. */
    private static final class Cached {
        final byte[] key;
        final int shard;

        Cached(byte[] key, int shard) {
            this.key = key;
            this.shard = shard;
        }
    }

    /**
     * The ranges of {@code shards} shards: shard i starts at i·⌊2¹²⁸/n⌋, the last ends at 2¹²⁸−1.
     *
     * @param shards how many, at least 1
     */
    ShardRanges(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1 but was " + shards);
        }
        starts = new BigInteger[shards];
        ends = new BigInteger[shards];
        BigInteger width = HASH_SPACE.divide(BigInteger.valueOf(shards));
        for (int i = 0; i < shards; i++) {
            starts[i] = width.multiply(BigInteger.valueOf(i));
            ends[i] = i == shards - 1 ? HASH_SPACE.subtract(BigInteger.ONE) : width.multiply(BigInteger.valueOf(i + 1)).subtract(BigInteger.ONE);
        }
    }

    /** {@return the number of shards} */
    int size() {
        return starts.length;
    }

    /**
     * {@return the shard id Kinesis would give shard {@code index}}
     *
     * @param index 0-based
     */
    static String shardId(int index) {
        return String.format("shardId-%012d", index);
    }

    /**
     * {@return the starting hash key of shard {@code index}, decimal}
     *
     * @param index 0-based
     */
    String startingHashKey(int index) {
        return starts[index].toString();
    }

    /**
     * {@return the ending hash key of shard {@code index}, decimal}
     *
     * @param index 0-based
     */
    String endingHashKey(int index) {
        return ends[index].toString();
    }

    /**
     * The shard of one record.
     *
     * @param body the request body
     * @param keyStart offset of the partition key (UTF-8 in CBOR, raw JSON string content in JSON)
     * @param keyLength its length
     * @param hashKeyStart offset of the explicit hash key's decimal digits, or -1
     * @param hashKeyLength their length
     * @param json whether the key may hold JSON escapes
     * @return the shard's index
     */
    int shardOf(byte[] body, int keyStart, int keyLength, int hashKeyStart, int hashKeyLength, boolean json) {
        if (hashKeyStart >= 0) {
            return shardOf(new BigInteger(new String(body, hashKeyStart, hashKeyLength, StandardCharsets.US_ASCII)));
        }
        if (keyStart < 0) {
            throw new IllegalArgumentException("a record has neither PartitionKey nor ExplicitHashKey");
        }
        int h = 1;
        for (int i = keyStart; i < keyStart + keyLength; i++) {
            h = 31 * h + body[i];
        }
        int slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
        Cached c = cache[slot];
        if (c != null && Arrays.equals(c.key, 0, c.key.length, body, keyStart, keyStart + keyLength)) {
            return c.shard;
        }
        byte[] key = Arrays.copyOfRange(body, keyStart, keyStart + keyLength);
        byte[] utf8 = utf8Key(key, json);
        int shard = shardOf(new BigInteger(1, MD5.get().digest(utf8)));
        if (utf8 == key) {
            // Only keys whose raw bytes are their UTF-8 are cached: an escaped JSON key would alias a CBOR one.
            cache[slot] = new Cached(key, shard);
        }
        return shard;
    }

    private int shardOf(BigInteger hashKey) {
        for (int i = starts.length - 1; i > 0; i--) {
            if (hashKey.compareTo(starts[i]) >= 0) {
                return i;
            }
        }
        return 0;
    }

    /** The key's UTF-8 bytes: as sent in CBOR; in JSON with escapes undone (rare, so Jackson does it). */
    private static byte[] utf8Key(byte[] raw, boolean json) {
        if (!json || indexOf(raw, (byte) '\\') < 0) {
            return raw;
        }
        try {
            String quoted = "\"" + new String(raw, StandardCharsets.UTF_8) + "\"";
            return JSON.readValue(quoted, String.class).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
