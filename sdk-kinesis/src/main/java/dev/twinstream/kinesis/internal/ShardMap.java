package dev.twinstream.kinesis.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The open shards of a stream and their hash-key ranges, sorted by starting hash key: predicts the
 * shard a partition key goes to. Immutable.
 *
 * <p>Only open shards count: a closed shard (its sequence-number range has an ending sequence
 * number) no longer accepts records, and after a split or merge its range is covered by its
 * children.
 */
public final class ShardMap {
    private final String[] shardIds;
    private final String[] startingHashKeys;
    private final long[] startHigh;
    private final long[] startLow;
    private final long[] endHigh;
    private final long[] endLow;

    private ShardMap(List<Shard> open) {
        int n = open.size();
        shardIds = new String[n];
        startingHashKeys = new String[n];
        startHigh = new long[n];
        startLow = new long[n];
        endHigh = new long[n];
        endLow = new long[n];
        for (int i = 0; i < n; i++) {
            Shard s = open.get(i);
            shardIds[i] = s.shardId();
            startingHashKeys[i] = s.hashKeyRange().startingHashKey();
            long[] start = HashKeys.split(new BigInteger(s.hashKeyRange().startingHashKey()));
            long[] end = HashKeys.split(new BigInteger(s.hashKeyRange().endingHashKey()));
            startHigh[i] = start[0];
            startLow[i] = start[1];
            endHigh[i] = end[0];
            endLow[i] = end[1];
        }
    }

    /**
     * Builds the map from a {@code ListShards} result.
     *
     * @param shards the listed shards, open and closed
     * @return the map of the open shards
     * @throws IllegalArgumentException if no shard is open
     */
    public static ShardMap of(List<Shard> shards) {
        List<Shard> open = new ArrayList<>();
        for (Shard s : shards) {
            if (s.sequenceNumberRange() == null || s.sequenceNumberRange().endingSequenceNumber() == null) {
                open.add(s);
            }
        }
        if (open.isEmpty()) {
            throw new IllegalArgumentException("the stream has no open shard (" + shards.size() + " shards listed)");
        }
        open.sort(Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())));
        return new ShardMap(open);
    }

    /** {@return the number of open shards} */
    public int size() {
        return shardIds.length;
    }

    /**
     * {@return the id of the shard at {@code index}}
     *
     * @param index the shard's index in this map
     */
    public String shardId(int index) {
        return shardIds[index];
    }

    /**
     * {@return the starting hash key (decimal) of the shard at {@code index}: a valid explicit hash key for it}
     *
     * @param index the shard's index in this map
     */
    public String startingHashKey(int index) {
        return startingHashKeys[index];
    }

    /**
     * The index of the shard whose range contains the hash key {@code md5} (16 bytes), or -1 if no
     * open shard covers it (only possible in the middle of a reshard).
     *
     * @param md5 the hash key, big-endian
     * @return the shard's index, or -1
     */
    public int indexOf(byte[] md5) {
        long hi = HashKeys.high(md5);
        long lo = HashKeys.low(md5);
        int low = 0;
        int high = shardIds.length - 1;
        int found = -1;
        while (low <= high) { // last shard whose start <= key
            int mid = (low + high) >>> 1;
            if (HashKeys.compare(startHigh[mid], startLow[mid], hi, lo) <= 0) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (found < 0 || HashKeys.compare(hi, lo, endHigh[found], endLow[found]) > 0) {
            return -1;
        }
        return found;
    }

    /**
     * {@return the index of the shard with this id, or -1}
     *
     * @param shardId the shard's id
     */
    public int indexOfShardId(String shardId) {
        for (int i = 0; i < shardIds.length; i++) {
            if (shardIds[i].equals(shardId)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "ShardMap" + java.util.Arrays.toString(shardIds);
    }
}
