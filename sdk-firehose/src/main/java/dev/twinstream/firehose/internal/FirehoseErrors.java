package dev.twinstream.firehose.internal;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Amazon Data Firehose's own error codes, and the sink's; everything common to AWS services
 * (throttling, expiring credentials and clock skew, internal errors, denied access, HTTP statuses,
 * client-side failures, programming errors) is {@link AwsErrors}' shared policy, which consults
 * this table first.
 *
 * <p>Sources: the Firehose API reference, {@code PutRecordBatch} "Errors"
 * (https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html) and the
 * per-entry {@code ErrorCode} of {@code PutRecordBatchResponseEntry}; for the {@code KMS.*} codes
 * that Firehose reports when server-side encryption with a customer key fails, the AWS KMS API
 * reference errors (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and each
 * action's "Errors").
 */
public final class FirehoseErrors {

    /**
     * Per-entry or whole-call (PutRecordBatch): Firehose is briefly unavailable or, when it keeps
     * coming, the delivery stream is over its throughput limits, so this is also Firehose's
     * throttling signal. RETRYABLE as in the shared table; listed for that meaning.
     */
    public static final String SERVICE_UNAVAILABLE = "ServiceUnavailableException";
    /** Our code: a response does not carry one result per entry sent. RETRYABLE. */
    public static final String INVALID_RESPONSE = "InvalidResponse";
    /** Our code: a router chose a name that cannot be a delivery stream. PERMANENT. */
    public static final String INVALID_DELIVERY_STREAM_NAME = "InvalidDeliveryStreamName";
    /** Our code: the application's stream router threw for an event. PERMANENT. */
    public static final String ROUTER_FAILED = "StreamRouterFailed";
    /** Our code: no delivery stream is configured for an event. PERMANENT. */
    public static final String NO_DELIVERY_STREAM = "NoDeliveryStream";
    /**
     * Our code (the Kinesis sink's too): the sink was closed before a send it had accepted started,
     * so nothing of it was sent. RETRYABLE.
     */
    public static final String SINK_CLOSED = "SinkClosed";

    private static final Map<String, Status> TABLE;

    static {
        Map<String, Status> t = new LinkedHashMap<>();
        // Transient: the same request can succeed later.
        t.put(SERVICE_UNAVAILABLE, Status.RETRYABLE);                    // PutRecordBatch, see above
        t.put("KMS.ThrottlingException", Status.RETRYABLE);              // KMS throttled Firehose's key use
        // Firehose documents LimitExceededException (a resource count reached) for control-plane calls
        // only; should it come on the data path, the only limit it can mean there is a rate.
        t.put("LimitExceededException", Status.RETRYABLE);
        // The stream, the request or the encryption setup is wrong: resending changes nothing.
        t.put("ResourceNotFoundException", Status.PERMANENT);            // PutRecordBatch: no such stream
        t.put("InvalidArgumentException", Status.PERMANENT);             // PutRecordBatch: invalid input
        t.put("InvalidKMSResourceException", Status.PERMANENT);          // PutRecordBatch: KMS key unusable
        t.put("InvalidSourceException", Status.PERMANENT);               // PutRecordBatch: CloudWatch Logs-only stream
        t.put("KMS.AccessDeniedException", Status.PERMANENT);            // KMS: Firehose may not use the key
        t.put("KMS.DisabledException", Status.PERMANENT);                // KMS: key disabled
        t.put("KMS.InvalidStateException", Status.PERMANENT);            // KMS: key pending deletion etc.
        t.put("KMS.NotFoundException", Status.PERMANENT);                // KMS: no such key
        t.put("KMS.OptInRequired", Status.PERMANENT);                    // KMS: account not subscribed
        t.put("KMS.InvalidKeyUsageException", Status.PERMANENT);         // KMS: key not for encryption
        // The sink's own codes.
        t.put(NO_DELIVERY_STREAM, Status.PERMANENT);
        t.put(INVALID_DELIVERY_STREAM_NAME, Status.PERMANENT);
        t.put(ROUTER_FAILED, Status.PERMANENT);
        t.put(INVALID_RESPONSE, Status.RETRYABLE);
        t.put(SINK_CLOSED, Status.RETRYABLE);
        TABLE = Collections.unmodifiableMap(t);
    }

    private FirehoseErrors() {}

    /** {@return Firehose's listed codes and what each maps to; shared AWS codes are not repeated here} */
    public static Map<String, Status> table() {
        return TABLE;
    }

    /**
     * {@return the error policy of one sink instance: this table, then the shared AWS rules}
     *
     * @param log the sink's logger, where a programming error is logged once per exception class
     */
    public static AwsErrors newPolicy(Logger log) {
        return new AwsErrors("Firehose", TABLE, log);
    }
}
