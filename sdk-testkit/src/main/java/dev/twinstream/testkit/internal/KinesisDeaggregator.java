package dev.twinstream.testkit.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads KPL aggregated records back into their events, for the testkit's fakes: magic bytes
 * {@code F3 89 9A C2}, protobuf {@code AggregatedRecord}, MD5 of the protobuf bytes. Independent of
 * the sink's encoder on purpose (a shared bug would pass both), and without the KCL so the testkit
 * stays light. Like the KCL, a record that is not a valid aggregate (no magic, bad MD5, bad protobuf)
 * is returned as one plain event.
 */
public final class KinesisDeaggregator {
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    private static final int DIGEST = 16;

    private KinesisDeaggregator() {}

    /** One event inside a Kinesis record. */
    public static final class SubRecord {
        /** Its partition key. */
        public final String partitionKey;
        /** Its explicit hash key, or {@code null}. */
        public final @Nullable String explicitHashKey;
        /** Its payload. */
        public final byte[] data;

        SubRecord(String partitionKey, @Nullable String explicitHashKey, byte[] data) {
            this.partitionKey = partitionKey;
            this.explicitHashKey = explicitHashKey;
            this.data = data;
        }
    }

    /**
     * The events in one record: several if it is a valid aggregate, else the record itself.
     *
     * @param partitionKey the record's partition key
     * @param explicitHashKey the record's explicit hash key, or {@code null}
     * @param data the record's data
     * @return the events and whether the record was aggregated (as {@link Result})
     */
    public static Result deaggregate(String partitionKey, @Nullable String explicitHashKey, byte[] data) {
        List<SubRecord> sub = tryDecode(data);
        if (sub == null) {
            return new Result(false, Collections.singletonList(new SubRecord(partitionKey, explicitHashKey, data)));
        }
        return new Result(true, sub);
    }

    /** What {@link #deaggregate} found. */
    public static final class Result {
        /** Whether the record was a valid aggregate. */
        public final boolean aggregated;
        /** The events, in order. */
        public final List<SubRecord> records;

        Result(boolean aggregated, List<SubRecord> records) {
            this.aggregated = aggregated;
            this.records = records;
        }
    }

    private static @Nullable List<SubRecord> tryDecode(byte[] data) {
        if (data.length < MAGIC.length + DIGEST || !Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
            return null;
        }
        int end = data.length - DIGEST;
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md5.update(data, MAGIC.length, end - MAGIC.length);
        if (!Arrays.equals(md5.digest(), Arrays.copyOfRange(data, end, data.length))) {
            return null;
        }
        try {
            return parse(data, MAGIC.length, end);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static List<SubRecord> parse(byte[] b, int start, int end) {
        List<String> keys = new ArrayList<>();
        List<String> hashKeys = new ArrayList<>();
        List<long[]> recordRanges = new ArrayList<>();
        int[] pos = {start};
        while (pos[0] < end) {
            long tag = varint(b, pos, end);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire == 2) {
                int len = (int) varint(b, pos, end);
                check(pos[0] + len <= end);
                if (field == 1) {
                    keys.add(new String(b, pos[0], len, StandardCharsets.UTF_8));
                } else if (field == 2) {
                    hashKeys.add(new String(b, pos[0], len, StandardCharsets.UTF_8));
                } else if (field == 3) {
                    recordRanges.add(new long[] {pos[0], pos[0] + len});
                }
                pos[0] += len;
            } else {
                skip(b, pos, end, wire);
            }
        }
        List<SubRecord> out = new ArrayList<>();
        for (long[] range : recordRanges) {
            out.add(parseRecord(b, (int) range[0], (int) range[1], keys, hashKeys));
        }
        return out;
    }

    private static SubRecord parseRecord(byte[] b, int start, int end, List<String> keys, List<String> hashKeys) {
        int[] pos = {start};
        long keyIndex = -1;
        long hashIndex = -1;
        byte[] data = null;
        while (pos[0] < end) {
            long tag = varint(b, pos, end);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 0) {
                keyIndex = varint(b, pos, end);
            } else if (field == 2 && wire == 0) {
                hashIndex = varint(b, pos, end);
            } else if (field == 3 && wire == 2) {
                int len = (int) varint(b, pos, end);
                check(pos[0] + len <= end);
                data = Arrays.copyOfRange(b, pos[0], pos[0] + len);
                pos[0] += len;
            } else {
                skip(b, pos, end, wire);
            }
        }
        check(keyIndex >= 0 && keyIndex < keys.size() && data != null);
        check(hashIndex < hashKeys.size());
        return new SubRecord(keys.get((int) keyIndex), hashIndex < 0 ? null : hashKeys.get((int) hashIndex), data);
    }

    private static void skip(byte[] b, int[] pos, int end, int wire) {
        switch (wire) {
            case 0:
                varint(b, pos, end);
                break;
            case 1:
                pos[0] += 8;
                break;
            case 2:
                pos[0] += (int) varint(b, pos, end);
                break;
            case 5:
                pos[0] += 4;
                break;
            default:
                throw new IllegalArgumentException("unsupported wire type " + wire);
        }
        check(pos[0] <= end);
    }

    private static long varint(byte[] b, int[] pos, int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            check(pos[0] < end);
            byte x = b[pos[0]++];
            value |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("malformed aggregated record");
        }
    }
}
