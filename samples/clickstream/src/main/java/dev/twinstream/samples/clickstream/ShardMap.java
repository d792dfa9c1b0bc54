package dev.twinstream.samples.clickstream;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * A stream's open shards and their hash-key ranges, read once with {@code ListShards}: Kinesis puts
 * a record on the shard whose range holds the MD5 of its partition key (as a 128-bit number), so
 * the sample can count events per shard itself against any endpoint.
 */
final class ShardMap {
    private final List<String> shardIds;
    private final BigInteger[] startingHashKeys;

    private ShardMap(List<Shard> open) {
        this.shardIds = new ArrayList<>();
        this.startingHashKeys = new BigInteger[open.size()];
        for (int i = 0; i < open.size(); i++) {
            shardIds.add(open.get(i).shardId());
            startingHashKeys[i] = new BigInteger(open.get(i).hashKeyRange().startingHashKey());
        }
    }

    /**
     * Reads the open shards of {@code stream}.
     *
     * @param kinesis the client
     * @param stream the stream name
     * @return the map, shards in hash-key order
     * @throws Exception if ListShards fails or takes more than 30 s
     */
    static ShardMap load(KinesisAsyncClient kinesis, String stream) throws Exception {
        List<Shard> open = new ArrayList<>();
        ListShardsRequest request = ListShardsRequest.builder().streamName(stream).build();
        while (true) {
            ListShardsResponse page = kinesis.listShards(request).get(30, TimeUnit.SECONDS);
            for (Shard shard : page.shards()) {
                if (shard.sequenceNumberRange().endingSequenceNumber() == null) { // closed shards take no writes
                    open.add(shard);
                }
            }
            if (page.nextToken() == null) {
                break;
            }
            request = ListShardsRequest.builder().nextToken(page.nextToken()).build();
        }
        if (open.isEmpty()) {
            throw new IllegalStateException("stream " + stream + " has no open shards");
        }
        open.sort(Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())));
        return new ShardMap(open);
    }

    /** {@return the open shards' ids, in hash-key order} */
    List<String> shardIds() {
        return shardIds;
    }

    /** {@return how many open shards} */
    int size() {
        return shardIds.size();
    }

    /**
     * The shard a partition key goes to.
     *
     * @param partitionKey the key
     * @return its index in {@link #shardIds()}
     */
    int indexOf(String partitionKey) {
        BigInteger hash = new BigInteger(1, md5(partitionKey.getBytes(StandardCharsets.UTF_8)));
        int lo = 0;
        int hi = startingHashKeys.length - 1;
        while (lo < hi) { // the last shard whose range starts at or below the hash
            int mid = (lo + hi + 1) >>> 1;
            if (startingHashKeys[mid].compareTo(hash) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static byte[] md5(byte[] input) {
        try {
            return MessageDigest.getInstance("MD5").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
