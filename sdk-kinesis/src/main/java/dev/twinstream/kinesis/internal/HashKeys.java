package dev.twinstream.kinesis.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Kinesis hash keys: the MD5 of a partition key's UTF-8 bytes read as an unsigned 128-bit
 * big-endian integer (Kinesis Data Streams API reference, {@code PutRecords}: "Kinesis Data Streams
 * uses the partition key as input to a hash function that maps the partition key and associated
 * data to a specific shard ... MD5 hash function is used to map partition keys to 128-bit integer
 * values"). Held as two unsigned longs so shard lookup compares without allocating.
 */
public final class HashKeys {
    /** The largest hash key, 2^128 - 1 (the end of the last shard's range). */
    public static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** Bytes of an MD5 digest. */
    static final int MD5_BYTES = 16;
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashKeys::newMd5);

    private HashKeys() {}

    /** {@return a fresh MD5 digest} Every JRE must provide MD5 ({@link MessageDigest} javadoc). */
    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by the Java platform but is missing", e);
        }
    }

    /**
     * {@return the 16-byte MD5 of {@code keyUtf8}}
     *
     * @param keyUtf8 a partition key's UTF-8 bytes
     */
    public static byte[] md5(byte[] keyUtf8) {
        return MD5.get().digest(keyUtf8);
    }

    /** Writes the MD5 of {@code in[offset, offset + length)} to {@code out[outOffset, outOffset + MD5_BYTES)}. */
    static void md5Into(byte[] in, int offset, int length, byte[] out, int outOffset) {
        MessageDigest md5 = MD5.get();
        md5.update(in, offset, length);
        try {
            md5.digest(out, outOffset, MD5_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("MD5 digests are 16 bytes", e); // out has room: the caller sized it
        }
    }

    /**
     * {@return the hash key of {@code partitionKey} as an unsigned 128-bit integer}
     *
     * @param partitionKey the partition key
     */
    public static BigInteger hashKey(String partitionKey) {
        return new BigInteger(1, md5(partitionKey.getBytes(StandardCharsets.UTF_8)));
    }

    /** The high 64 bits (unsigned) of a 16-byte big-endian value. */
    static long high(byte[] sixteen) {
        return readLong(sixteen, 0);
    }

    /** The low 64 bits (unsigned) of a 16-byte big-endian value. */
    static long low(byte[] sixteen) {
        return readLong(sixteen, 8);
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Splits an unsigned 128-bit value into {high, low}. */
    static long[] split(BigInteger value) {
        if (value.signum() < 0 || value.compareTo(MAX_HASH_KEY) > 0) {
            throw new IllegalArgumentException("hash key must be between 0 and 2^128-1 but was " + value);
        }
        return new long[] {value.shiftRight(64).longValue(), value.longValue()};
    }

    /** Compares two unsigned 128-bit values given as (high, low). */
    static int compare(long aHigh, long aLow, long bHigh, long bLow) {
        int c = Long.compareUnsigned(aHigh, bHigh);
        return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
    }
}
