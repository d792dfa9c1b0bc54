package dev.twinstream.testkit.kinesis;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * One shard of a {@link KinesisStream}: its hash-key range, its records in sequence order, whether a
 * reshard closed it, and its write budget. Guarded by the fake's lock.
 */
final class KinesisShard {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    final String id;
    final BigInteger start;
    final BigInteger end;
    final @Nullable String parent;
    final @Nullable String adjacentParent;
    final String startingSequence;
    final List<StoredRecord> records = new ArrayList<>();
    boolean closed;
    @Nullable String endingSequence;
    /** Throughput budget: a token bucket of one second's limit, refilled continuously. */
    private double recordTokens = FakeKinesis.SHARD_RECORDS_PER_SECOND;
    private double byteTokens = FakeKinesis.SHARD_BYTES_PER_SECOND;
    private long tokensAtNanos = Long.MIN_VALUE;

    KinesisShard(String id, BigInteger start, BigInteger end, @Nullable String parent, @Nullable String adjacentParent,
                 String startingSequence) {
        this.id = id;
        this.start = start;
        this.end = end;
        this.parent = parent;
        this.adjacentParent = adjacentParent;
        this.startingSequence = startingSequence;
    }

    boolean contains(BigInteger hashKey) {
        return hashKey.compareTo(start) >= 0 && hashKey.compareTo(end) <= 0;
    }

    void close(String lastSequence) {
        closed = true;
        endingSequence = lastSequence;
    }

    /**
     * Meters writes with a token bucket holding one second of the shard limits, refilled
     * continuously: a steady rate within the limit is never throttled, bursts up to one second's
     * budget pass.
     */
    boolean admit(int n, long bytes, long nowNanos) {
        if (tokensAtNanos != Long.MIN_VALUE && nowNanos > tokensAtNanos) {
            double seconds = (nowNanos - tokensAtNanos) / (double) NANOS_PER_SECOND;
            recordTokens = Math.min(FakeKinesis.SHARD_RECORDS_PER_SECOND,
                    recordTokens + seconds * FakeKinesis.SHARD_RECORDS_PER_SECOND);
            byteTokens = Math.min(FakeKinesis.SHARD_BYTES_PER_SECOND, byteTokens + seconds * FakeKinesis.SHARD_BYTES_PER_SECOND);
        }
        tokensAtNanos = Math.max(nowNanos, tokensAtNanos);
        if (recordTokens < n || byteTokens < bytes) {
            return false;
        }
        recordTokens -= n;
        byteTokens -= bytes;
        return true;
    }

    /** Where the requested iterator starts: TRIM_HORIZON, LATEST, AT_ or AFTER_SEQUENCE_NUMBER. */
    int iteratorPosition(GetShardIteratorRequest request) {
        String sequenceNumber = request.startingSequenceNumber();
        switch (request.shardIteratorType()) {
            case TRIM_HORIZON:
                return 0;
            case LATEST:
                return records.size();
            case AT_SEQUENCE_NUMBER:
                return positionOf(Objects.requireNonNull(sequenceNumber, "StartingSequenceNumber"));
            case AFTER_SEQUENCE_NUMBER:
                return positionOf(Objects.requireNonNull(sequenceNumber, "StartingSequenceNumber")) + 1;
            default:
                throw KinesisExceptions.invalidArgument(
                        "FakeKinesis does not support iterator type " + request.shardIteratorTypeAsString());
        }
    }

    /** The records from {@code position} to {@code end}, exclusive, as {@code GetRecords} returns them. */
    List<Record> read(int position, int end) {
        List<Record> out = new ArrayList<>();
        for (int i = position; i < end; i++) {
            StoredRecord r = records.get(i);
            out.add(Record.builder().sequenceNumber(r.sequenceNumber).partitionKey(r.partitionKey)
                    .data(SdkBytes.fromByteArray(r.data)).approximateArrivalTimestamp(Instant.ofEpochMilli(r.arrivalMillis))
                    .encryptionType("NONE").build());
        }
        return out;
    }

    /** The position of the first record at or after {@code sequenceNumber}. */
    private int positionOf(String sequenceNumber) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).sequenceNumber.compareTo(sequenceNumber) >= 0) {
                return i;
            }
        }
        return records.size();
    }

    Shard toShard() {
        return Shard.builder().shardId(id).parentShardId(parent).adjacentParentShardId(adjacentParent)
                .hashKeyRange(HashKeyRange.builder().startingHashKey(start.toString()).endingHashKey(end.toString()).build())
                .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber(startingSequence)
                        .endingSequenceNumber(endingSequence).build())
                .build();
    }
}
