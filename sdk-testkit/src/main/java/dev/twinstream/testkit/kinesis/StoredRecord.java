package dev.twinstream.testkit.kinesis;

import org.jspecify.annotations.Nullable;

/** One Kinesis record as a shard stores it (an aggregated record is one of these). */
final class StoredRecord {
    final String sequenceNumber;
    final String partitionKey;
    final @Nullable String explicitHashKey;
    final byte[] data;
    final long arrivalMillis;

    StoredRecord(String sequenceNumber, String partitionKey, @Nullable String explicitHashKey, byte[] data,
                 long arrivalMillis) {
        this.sequenceNumber = sequenceNumber;
        this.partitionKey = partitionKey;
        this.explicitHashKey = explicitHashKey;
        this.data = data;
        this.arrivalMillis = arrivalMillis;
    }
}
