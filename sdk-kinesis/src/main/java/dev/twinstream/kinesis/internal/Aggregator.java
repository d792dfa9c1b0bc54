package dev.twinstream.kinesis.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs events into one KPL-compatible aggregated record: the 4 magic bytes {@code F3 89 9A C2}, a
 * protobuf {@code AggregatedRecord}, and the 16-byte MD5 of the protobuf bytes. The message is:
 *
 * <pre>
 * message AggregatedRecord {
 *   repeated string partition_key_table     = 1;
 *   repeated string explicit_hash_key_table = 2;   // never written: events keep their own keys
 *   repeated Record records                 = 3;
 * }
 * message Record {
 *   required uint64 partition_key_index     = 1;
 *   optional uint64 explicit_hash_key_index = 2;   // never written
 *   required bytes  data                    = 3;
 *   repeated Tag    tags                    = 4;   // never written
 * }
 * </pre>
 *
 * The encoder is written by hand (varints and length-delimited fields only) instead of depending on
 * protobuf-java; see docs/ARCHITECTURE.md, "Decisions". Partition keys are stored once per
 * aggregated record in the key table. Sizes are tracked exactly while adding, so the caller can stop
 * before a limit. Not thread-safe; reusable after {@link #reset()}.
 */
public final class Aggregator {
    /** The KPL aggregation magic bytes that open every aggregated record. */
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    /** Length of the MD5 trailer. */
    static final int DIGEST_BYTES = HashKeys.MD5_BYTES;
    /** Bytes every aggregated record has besides its protobuf message. */
    public static final int FRAMING_BYTES = MAGIC.length + DIGEST_BYTES;

    private static final int TAG_PARTITION_KEY_TABLE = (1 << 3) | 2;
    private static final int TAG_RECORDS = (3 << 3) | 2;
    private static final int TAG_PARTITION_KEY_INDEX = (1 << 3);
    private static final int TAG_DATA = (3 << 3) | 2;

    private final Map<String, Integer> keyIndexes = new HashMap<>();
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> data = new ArrayList<>();
    private int[] keyIndexOfRecord = new int[16];
    private long messageBytes;

    /** Starts a new, empty aggregated record. */
    public void reset() {
        keyIndexes.clear();
        keys.clear();
        data.clear();
        messageBytes = 0;
    }

    /** {@return the number of events added since the last reset} */
    public int count() {
        return data.size();
    }

    /** {@return the size of the aggregated record so far (magic + protobuf + MD5)} */
    public long size() {
        return FRAMING_BYTES + messageBytes;
    }

    /**
     * The size of the aggregated record if an event with this key and payload length were added.
     *
     * @param partitionKey the event's partition key
     * @param keyUtf8Length the length of its UTF-8 encoding
     * @param dataLength the payload length
     * @return the size in bytes
     */
    public long sizeWith(String partitionKey, int keyUtf8Length, int dataLength) {
        Integer existing = keyIndexes.get(partitionKey);
        int keyIndex = existing != null ? existing : keys.size();
        long added = recordFieldBytes(keyIndex, dataLength);
        if (existing == null) {
            added += 1 + varintSize(keyUtf8Length) + keyUtf8Length;
        }
        return size() + added;
    }

    /**
     * {@return the size of an aggregated record holding only an event with this key and payload length}
     *
     * @param keyUtf8Length the length of the key's UTF-8 encoding
     * @param dataLength the payload length
     */
    public static long sizeAlone(int keyUtf8Length, int dataLength) {
        return FRAMING_BYTES + 1 + varintSize(keyUtf8Length) + keyUtf8Length + recordFieldBytes(0, dataLength);
    }

    /**
     * Adds one event; the arrays are referenced until {@link #toBytes()}.
     *
     * @param partitionKey the event's partition key
     * @param keyUtf8 its UTF-8 encoding
     * @param payload the event's payload
     */
    public void add(String partitionKey, byte[] keyUtf8, byte[] payload) {
        Integer index = keyIndexes.get(partitionKey);
        if (index == null) {
            index = keys.size();
            keyIndexes.put(partitionKey, index);
            keys.add(keyUtf8);
            messageBytes += 1 + varintSize(keyUtf8.length) + keyUtf8.length;
        }
        if (data.size() == keyIndexOfRecord.length) {
            keyIndexOfRecord = java.util.Arrays.copyOf(keyIndexOfRecord, keyIndexOfRecord.length * 2);
        }
        keyIndexOfRecord[data.size()] = index;
        data.add(payload);
        messageBytes += recordFieldBytes(index, payload.length);
    }

    /** {@return the encoded record: magic + message + MD5 of the message} */
    public byte[] toBytes() {
        int total = (int) size();
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        int pos = MAGIC.length;
        for (byte[] key : keys) {
            out[pos++] = (byte) TAG_PARTITION_KEY_TABLE;
            pos = writeVarint(out, pos, key.length);
            System.arraycopy(key, 0, out, pos, key.length);
            pos += key.length;
        }
        for (int i = 0; i < data.size(); i++) {
            byte[] d = data.get(i);
            int keyIndex = keyIndexOfRecord[i];
            out[pos++] = (byte) TAG_RECORDS;
            pos = writeVarint(out, pos, recordMessageBytes(keyIndex, d.length));
            out[pos++] = (byte) TAG_PARTITION_KEY_INDEX;
            pos = writeVarint(out, pos, keyIndex);
            out[pos++] = (byte) TAG_DATA;
            pos = writeVarint(out, pos, d.length);
            System.arraycopy(d, 0, out, pos, d.length);
            pos += d.length;
        }
        HashKeys.md5Into(out, MAGIC.length, pos - MAGIC.length, out, pos);
        return out;
    }

    /** Bytes of one {@code records} field: tag, length, and the Record message. */
    private static long recordFieldBytes(int keyIndex, int dataLength) {
        int message = recordMessageBytes(keyIndex, dataLength);
        return 1 + varintSize(message) + message;
    }

    private static int recordMessageBytes(int keyIndex, int dataLength) {
        return 1 + varintSize(keyIndex) + 1 + varintSize(dataLength) + dataLength;
    }

    /** Bytes of {@code value} as a protobuf base-128 varint. */
    static int varintSize(long value) {
        // 7 bits per byte: the significant bits (at least one) divided by 7, rounded up; no loop, as
        // this runs several times per event.
        return (63 - Long.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    private static int writeVarint(byte[] out, int pos, long value) {
        while ((value & ~0x7FL) != 0) {
            out[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[pos++] = (byte) value;
        return pos;
    }
}
