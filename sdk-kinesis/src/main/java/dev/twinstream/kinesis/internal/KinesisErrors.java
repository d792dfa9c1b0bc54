package dev.twinstream.kinesis.internal;

import dev.twinstream.core.spi.RecordResult;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one table that turns a Kinesis error into a {@link RecordResult}: per-entry {@code ErrorCode}s
 * of {@code PutRecords} and whole-call exceptions alike (Kinesis Data Streams API reference,
 * {@code PutRecords} "Errors" and {@code PutRecordsResultEntry.ErrorCode}).
 *
 * <p>Rule: an error is PERMANENT only when sending the same record again cannot succeed without
 * someone changing the stream, its key or its permissions; everything else (throttling, internal
 * failures, network errors, unknown codes) is RETRYABLE, so an unknown error delays events instead
 * of losing them.
 */
public final class KinesisErrors {

    /** Per-entry and whole-call code for a shard over its write limit. */
    public static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";
    /** Our code for an aggregated record that landed on another shard than predicted (resharding). */
    public static final String WRONG_SHARD = "WrongShard";
    /** Our code for an event whose partition key Kinesis would reject (empty or over 256 characters). */
    public static final String INVALID_PARTITION_KEY = "InvalidPartitionKey";

    private static final Map<String, RecordResult.Status> TABLE;

    static {
        Map<String, RecordResult.Status> t = new HashMap<>();
        // Retryable: throttling and transient service faults.
        t.put(THROUGHPUT_EXCEEDED, RecordResult.Status.RETRYABLE);
        t.put("InternalFailure", RecordResult.Status.RETRYABLE);
        t.put("InternalFailureException", RecordResult.Status.RETRYABLE);
        t.put("ServiceUnavailable", RecordResult.Status.RETRYABLE);
        t.put("ServiceUnavailableException", RecordResult.Status.RETRYABLE);
        t.put("LimitExceededException", RecordResult.Status.RETRYABLE);
        t.put("ResourceInUseException", RecordResult.Status.RETRYABLE);
        t.put("ThrottlingException", RecordResult.Status.RETRYABLE);
        t.put("Throttling", RecordResult.Status.RETRYABLE);
        t.put("TooManyRequestsException", RecordResult.Status.RETRYABLE);
        t.put("RequestLimitExceeded", RecordResult.Status.RETRYABLE);
        t.put("KMSThrottlingException", RecordResult.Status.RETRYABLE);
        t.put("ExpiredTokenException", RecordResult.Status.RETRYABLE);
        t.put("RequestExpired", RecordResult.Status.RETRYABLE);
        t.put(WRONG_SHARD, RecordResult.Status.RETRYABLE);
        // Permanent: the stream, the record or the permissions are wrong.
        t.put("ResourceNotFoundException", RecordResult.Status.PERMANENT);
        t.put("InvalidArgumentException", RecordResult.Status.PERMANENT);
        t.put("ValidationException", RecordResult.Status.PERMANENT);
        t.put("AccessDeniedException", RecordResult.Status.PERMANENT);
        t.put("UnrecognizedClientException", RecordResult.Status.PERMANENT);
        t.put("KMSDisabledException", RecordResult.Status.PERMANENT);
        t.put("KMSInvalidStateException", RecordResult.Status.PERMANENT);
        t.put("KMSAccessDeniedException", RecordResult.Status.PERMANENT);
        t.put("KMSNotFoundException", RecordResult.Status.PERMANENT);
        t.put("KMSOptInRequired", RecordResult.Status.PERMANENT);
        t.put(INVALID_PARTITION_KEY, RecordResult.Status.PERMANENT);
        TABLE = Collections.unmodifiableMap(t);
    }

    private KinesisErrors() {}

    /**
     * {@return the disposition of a known code, or {@code null} for a code not in the table}
     *
     * @param code an error code
     */
    public static RecordResult.@Nullable Status statusOf(String code) {
        return TABLE.get(code);
    }

    /**
     * The result of one failed {@code PutRecords} entry. Unknown codes are retryable.
     *
     * @param errorCode the entry's {@code ErrorCode}; {@code null} or empty counts as an unknown code
     * @param errorMessage the entry's {@code ErrorMessage}; may be {@code null}
     * @return a RETRYABLE or PERMANENT result
     */
    public static RecordResult forEntry(@Nullable String errorCode, @Nullable String errorMessage) {
        String code = errorCode == null || errorCode.isEmpty() ? "UnknownError" : errorCode;
        RecordResult.Status status = TABLE.get(code);
        return status == RecordResult.Status.PERMANENT
                ? RecordResult.permanent(code, errorMessage)
                : RecordResult.retryable(code, errorMessage);
    }

    /**
     * The result for every record of a call that failed as a whole.
     *
     * <ul>
     *   <li>a service error: by its error code from the table; a code not in it is retryable when the
     *       HTTP status is 5xx, 429 or unknown, permanent for other 4xx;
     *   <li>no response ({@link SdkClientException}: connection, timeout): retryable;
     *   <li>anything else: retryable, with the exception's class name as the code.
     * </ul>
     *
     * @param error what the client's future completed with, possibly wrapped
     * @return a RETRYABLE or PERMANENT result
     */
    public static RecordResult forException(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof AwsServiceException) {
            AwsServiceException service = (AwsServiceException) e;
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            if (code == null || code.isEmpty()) {
                code = e.getClass().getSimpleName();
            }
            String message = service.awsErrorDetails() == null ? e.getMessage() : service.awsErrorDetails().errorMessage();
            RecordResult.Status status = TABLE.get(code);
            if (status == null) {
                status = TABLE.get(e.getClass().getSimpleName());
            }
            if (status == null) {
                int http = service.statusCode();
                status = http >= 400 && http < 500 && http != 429 ? RecordResult.Status.PERMANENT : RecordResult.Status.RETRYABLE;
            }
            return status == RecordResult.Status.PERMANENT ? RecordResult.permanent(code, message)
                    : RecordResult.retryable(code, message);
        }
        if (e instanceof SdkClientException) {
            return RecordResult.retryable(e.getClass().getSimpleName(), e.getMessage());
        }
        if (e instanceof SdkException) {
            return RecordResult.retryable(e.getClass().getSimpleName(), e.getMessage());
        }
        return RecordResult.retryable(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    }

    /**
     * {@return whether a whole-call failure suggests our shard map is stale (the stream or a shard changed)}
     *
     * @param result the result of the failed call
     */
    public static boolean suggestsStaleShardMap(RecordResult result) {
        return "ResourceNotFoundException".equals(result.code()) || "InvalidArgumentException".equals(result.code());
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
