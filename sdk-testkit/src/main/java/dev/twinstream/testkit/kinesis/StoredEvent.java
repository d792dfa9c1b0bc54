package dev.twinstream.testkit.kinesis;

import java.nio.charset.StandardCharsets;

/** One event as {@link FakeKinesis} stores it, after de-aggregation ({@link FakeKinesis#events(String)}). Immutable. */
public final class StoredEvent {
    private final String shardId;
    private final String sequenceNumber;
    private final int subSequence;
    private final String partitionKey;
    private final byte[] data;
    private final boolean aggregated;

    StoredEvent(String shardId, String sequenceNumber, int subSequence, String partitionKey, byte[] data,
                boolean aggregated) {
        this.shardId = shardId;
        this.sequenceNumber = sequenceNumber;
        this.subSequence = subSequence;
        this.partitionKey = partitionKey;
        this.data = data;
        this.aggregated = aggregated;
    }

    /** {@return the id of the shard that stores it} */
    public String shardId() {
        return shardId;
    }

    /** {@return the sequence number of its Kinesis record} */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** {@return its index inside an aggregated record (0 for a plain one)} */
    public int subSequence() {
        return subSequence;
    }

    /** {@return its own partition key} */
    public String partitionKey() {
        return partitionKey;
    }

    /** {@return a copy of its payload} */
    public byte[] data() {
        return data.clone();
    }

    /** {@return its payload as UTF-8 text} */
    public String dataAsUtf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** {@return whether it arrived inside an aggregated record} */
    public boolean aggregated() {
        return aggregated;
    }

    @Override
    public String toString() {
        return "StoredEvent{" + shardId + ", seq=" + sequenceNumber + "/" + subSequence + ", key=" + partitionKey
                + ", " + data.length + " bytes}";
    }
}
