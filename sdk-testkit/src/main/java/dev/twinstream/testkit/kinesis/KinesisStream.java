package dev.twinstream.testkit.kinesis;

import dev.twinstream.testkit.internal.KinesisDeaggregator;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;

/**
 * One data stream of a {@link FakeKinesis}: its shards (open and closed, in creation order), the
 * sequence numbers, resharding and the billing counters. Guarded by the fake's lock.
 */
final class KinesisStream {
    private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

    final String name;
    final String arn;
    final long createdMillis;
    final List<KinesisShard> shards = new ArrayList<>();
    int maxRecordSizeKiB = FakeKinesis.DEFAULT_MAX_RECORD_SIZE_KIB;
    private long sequence;
    private long billedRecords;
    private long billedBytes;
    private long putPayloadUnits;

    /** A stream of {@code shardCount} open shards splitting the hash-key space evenly, as the service does. */
    KinesisStream(String name, String arn, long createdMillis, int shardCount) {
        this.name = name;
        this.arn = arn;
        this.createdMillis = createdMillis;
        for (int i = 0; i < shardCount; i++) {
            addShard(evenStart(i, shardCount), evenEnd(i, shardCount), null, null);
        }
    }

    /** The MD5 of the partition key as a 128-bit number, or the explicit hash key when there is one. */
    static BigInteger hashKeyOf(String partitionKey, @Nullable String explicitHashKey) {
        if (explicitHashKey != null) {
            return new BigInteger(explicitHashKey);
        }
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return new BigInteger(1, md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<KinesisShard> openShards() {
        List<KinesisShard> open = new ArrayList<>();
        for (KinesisShard s : shards) {
            if (!s.closed) {
                open.add(s);
            }
        }
        return open;
    }

    KinesisShard shardFor(BigInteger hashKey) {
        for (KinesisShard s : shards) {
            if (!s.closed && s.contains(hashKey)) {
                return s;
            }
        }
        throw new IllegalStateException("no open shard covers hash key " + hashKey);
    }

    /** The shard, open or closed, or ResourceNotFoundException as the service answers. */
    KinesisShard shard(String id) {
        for (KinesisShard s : shards) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw KinesisExceptions.resourceNotFound(
                "Shard " + id + " in stream " + name + " under account 000000000000 does not exist");
    }

    /** Appends a record to {@code shard} with the next sequence number and bills it. */
    StoredRecord store(KinesisShard shard, String key, @Nullable String explicitHashKey, byte[] data, long nowMillis) {
        StoredRecord r = new StoredRecord(nextSequence(), key, explicitHashKey, data, nowMillis);
        shard.records.add(r);
        long size = data.length + key.getBytes(StandardCharsets.UTF_8).length;
        billedRecords++;
        billedBytes += size;
        putPayloadUnits += Math.max(1, (size + FakeKinesis.PUT_PAYLOAD_UNIT_BYTES - 1) / FakeKinesis.PUT_PAYLOAD_UNIT_BYTES);
        return r;
    }

    /** Closes every open shard and opens {@code shardCount} of equal ranges, each the child of the parent holding its start. */
    void reshard(int shardCount) {
        List<KinesisShard> parents = openShards();
        for (KinesisShard p : parents) {
            p.close(lastSequence());
        }
        for (int i = 0; i < shardCount; i++) {
            BigInteger start = evenStart(i, shardCount);
            KinesisShard parent = null;
            for (KinesisShard p : parents) {
                if (p.contains(start)) {
                    parent = p;
                }
            }
            addShard(start, evenEnd(i, shardCount), parent == null ? null : parent.id, null);
        }
    }

    /** {@code SplitShard}: the parent closes, two children share its range at {@code newStartingHashKey}. */
    void split(String parentId, String newStartingHashKey) {
        KinesisShard parent = shard(parentId);
        BigInteger at = new BigInteger(newStartingHashKey);
        if (parent.closed || at.compareTo(parent.start) <= 0 || at.compareTo(parent.end) > 0) {
            throw KinesisExceptions.invalidArgument("NewStartingHashKey " + at + " is not inside open shard " + parent.id);
        }
        parent.close(lastSequence());
        addShard(parent.start, at.subtract(BigInteger.ONE), parent.id, null);
        addShard(at, parent.end, parent.id, null);
    }

    /** {@code MergeShards}: two adjacent open shards close, one child covers both ranges. */
    void merge(String shardId, String adjacentShardId) {
        KinesisShard a = shard(shardId);
        KinesisShard b = shard(adjacentShardId);
        KinesisShard low = a.start.compareTo(b.start) < 0 ? a : b;
        KinesisShard high = low == a ? b : a;
        if (a.closed || b.closed || !low.end.add(BigInteger.ONE).equals(high.start)) {
            throw KinesisExceptions.invalidArgument("Shards " + a.id + " and " + b.id + " are not adjacent open shards");
        }
        a.close(lastSequence());
        b.close(lastSequence());
        addShard(low.start, high.end, a.id, b.id);
    }

    StreamDescriptionSummary summary() {
        return StreamDescriptionSummary.builder().streamName(name).streamARN(arn).streamStatus(StreamStatus.ACTIVE)
                .retentionPeriodHours(24).streamCreationTimestamp(Instant.ofEpochMilli(createdMillis))
                .encryptionType("NONE").openShardCount(openShards().size()).consumerCount(0)
                .maxRecordSizeInKiB(maxRecordSizeKiB).enhancedMonitoring(Collections.emptyList())
                .build();
    }

    StreamDescription description() {
        return StreamDescription.builder().streamName(name).streamARN(arn).streamStatus(StreamStatus.ACTIVE)
                .shards(shardList()).hasMoreShards(false).retentionPeriodHours(24)
                .streamCreationTimestamp(Instant.ofEpochMilli(createdMillis)).encryptionType("NONE")
                .enhancedMonitoring(Collections.emptyList()).build();
    }

    StreamSummary streamSummary() {
        return StreamSummary.builder().streamName(name).streamARN(arn).streamStatus(StreamStatus.ACTIVE)
                .streamCreationTimestamp(Instant.ofEpochMilli(createdMillis)).build();
    }

    /** Every shard, open and closed, as {@code ListShards} and {@code DescribeStream} answer. */
    List<Shard> shardList() {
        List<Shard> list = new ArrayList<>();
        for (KinesisShard s : shards) {
            list.add(s.toShard());
        }
        return list;
    }

    /** Every event, de-aggregated, shard by shard in sequence order. */
    List<StoredEvent> events() {
        List<StoredEvent> out = new ArrayList<>();
        for (KinesisShard shard : shards) {
            for (StoredRecord r : shard.records) {
                KinesisDeaggregator.Result result = KinesisDeaggregator.deaggregate(r.partitionKey, r.explicitHashKey, r.data);
                int sub = 0;
                for (KinesisDeaggregator.SubRecord s : result.records) {
                    out.add(new StoredEvent(shard.id, r.sequenceNumber, sub++, s.partitionKey, s.data, result.aggregated));
                }
            }
        }
        return out;
    }

    long recordCount() {
        long n = 0;
        for (KinesisShard shard : shards) {
            n += shard.records.size();
        }
        return n;
    }

    Billing billing(long putCalls) {
        return new Billing(billedRecords, billedBytes, putPayloadUnits, putCalls);
    }

    String lastSequence() {
        return "49" + String.format("%054d", sequence);
    }

    private String nextSequence() {
        // Fixed width, so string order is numeric order, like the service's sequence numbers.
        return "49" + String.format("%054d", ++sequence);
    }

    private void addShard(BigInteger start, BigInteger end, @Nullable String parent, @Nullable String adjacentParent) {
        shards.add(new KinesisShard(String.format("shardId-%012d", shards.size()), start, end, parent, adjacentParent,
                nextSequence()));
    }

    /** The service splits the hash space at multiples of 2^128/N. */
    private static BigInteger evenStart(int i, int n) {
        return HASH_SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n));
    }

    private static BigInteger evenEnd(int i, int n) {
        return HASH_SPACE.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(n)).subtract(BigInteger.ONE);
    }
}
