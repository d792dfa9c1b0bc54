package dev.twinstream.kinesis.internal;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Kinesis Data Streams' own error codes, and the sink's; everything common to AWS services
 * (throttling, expiring credentials and clock skew, internal errors, denied access, HTTP statuses,
 * client-side failures, programming errors) is {@link AwsErrors}' shared policy, which consults
 * this table first. Per-entry {@code ErrorCode}s of {@code PutRecords} and whole-call exceptions
 * alike.
 *
 * <p>Sources: the Kinesis Data Streams API reference, "Errors" of {@code PutRecords}
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html), of
 * {@code ListShards} and {@code DescribeStreamSummary} (the sink's other calls), and
 * {@code PutRecordsResultEntry.ErrorCode}.
 *
 * <p>Rule of the table: a code is PERMANENT only when sending the same record again cannot succeed
 * without someone changing the stream, its key or its permissions.
 */
public final class KinesisErrors {

    /**
     * Per-entry and whole-call: the shard is over its write limit (PutRecords). RETRYABLE, as in the
     * shared table; listed because the sender also pushes that shard's pacer back.
     */
    public static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";
    /** Our code for an aggregated record that landed on another shard than predicted (resharding). RETRYABLE. */
    public static final String WRONG_SHARD = "WrongShard";
    /** Our code for an event whose partition key Kinesis would reject (empty or over 256 characters). PERMANENT. */
    public static final String INVALID_PARTITION_KEY = "InvalidPartitionKey";
    /** Our code for a response that does not carry one result per record sent. RETRYABLE. */
    public static final String INVALID_RESPONSE = "InvalidResponse";

    private static final Map<String, Status> TABLE;

    static {
        Map<String, Status> t = new LinkedHashMap<>();
        // Retryable: throttling and transient faults of the stream.
        t.put(THROUGHPUT_EXCEEDED, Status.RETRYABLE);                 // PutRecords: shard over its limit
        t.put("KMSThrottlingException", Status.RETRYABLE);            // PutRecords: KMS throttled the key's use
        t.put("LimitExceededException", Status.RETRYABLE);            // ListShards/DescribeStreamSummary: call rate
        t.put("ResourceInUseException", Status.RETRYABLE);            // the stream is CREATING or UPDATING for now
        t.put("ExpiredNextTokenException", Status.RETRYABLE);         // ListShards: a new load starts over
        t.put("ExpiredIteratorException", Status.RETRYABLE);          // read path only; a new iterator works
        // Permanent: the stream, the record or the key's permissions are wrong.
        t.put("ResourceNotFoundException", Status.PERMANENT);         // PutRecords: no such stream
        t.put("InvalidArgumentException", Status.PERMANENT);          // PutRecords: invalid input
        t.put("KMSDisabledException", Status.PERMANENT);              // PutRecords: key disabled
        t.put("KMSInvalidStateException", Status.PERMANENT);          // PutRecords: key state (pending deletion...)
        t.put("KMSAccessDeniedException", Status.PERMANENT);          // PutRecords: may not use the key
        t.put("KMSNotFoundException", Status.PERMANENT);              // PutRecords: no such key
        t.put("KMSOptInRequired", Status.PERMANENT);                  // PutRecords: account not subscribed to KMS
        // The sink's own codes.
        t.put(WRONG_SHARD, Status.RETRYABLE);
        t.put(INVALID_PARTITION_KEY, Status.PERMANENT);
        t.put(INVALID_RESPONSE, Status.RETRYABLE);
        TABLE = Collections.unmodifiableMap(t);
    }

    private KinesisErrors() {}

    /** {@return Kinesis' listed codes and what each maps to; shared AWS codes are not repeated here} */
    public static Map<String, Status> table() {
        return TABLE;
    }

    /**
     * {@return the error policy of one sink instance: this table, then the shared AWS rules}
     *
     * @param log the sink's logger, where a programming error is logged once per exception class
     */
    public static AwsErrors newPolicy(Logger log) {
        return new AwsErrors("Kinesis", TABLE, log);
    }

    /**
     * {@return whether a whole-call failure suggests our shard map is stale (the stream or a shard changed)}
     *
     * @param result the result of the failed call
     */
    public static boolean suggestsStaleShardMap(RecordResult result) {
        return "ResourceNotFoundException".equals(result.code()) || "InvalidArgumentException".equals(result.code());
    }
}
