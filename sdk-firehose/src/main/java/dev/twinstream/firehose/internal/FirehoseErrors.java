package dev.twinstream.firehose.internal;

import dev.twinstream.core.spi.RecordResult;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The one table that turns an Amazon Data Firehose error into a {@link RecordResult}: retryable
 * (the tracker backs off and sends the record again) or permanent (the record goes to dead-letter
 * handling with the AWS error code and message).
 *
 * <p>Sources: the {@code PutRecordBatch} API reference ("Errors" and the per-entry
 * {@code ErrorCode} values of {@code PutRecordBatchResponseEntry}) and the AWS KMS error list for
 * the {@code KMS.*} codes Firehose reports when server-side encryption with a customer key fails.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>An error code listed in {@link #table()} decides.</li>
 *   <li>A whole-call exception with an unlisted code: HTTP 5xx or 429, or the SDK calls it a
 *       throttling error → retryable; any other 4xx → permanent (the request itself is wrong and
 *       will be rejected again).</li>
 *   <li>A client-side failure ({@link SdkClientException}: connection refused, timeouts, an
 *       unreadable response) → retryable.</li>
 *   <li>A per-entry error code that is not listed → retryable: the service accepted the call and
 *       rejected only that entry, and dropping it would lose data; the retry policy's
 *       {@code maxAttempts}/{@code deliveryTimeout} bound how long it is tried.</li>
 *   <li>Any other exception: programming errors ({@link IllegalArgumentException},
 *       {@link NullPointerException}, {@link UnsupportedOperationException},
 *       {@link ClassCastException}, {@link IndexOutOfBoundsException}, {@link Error}) →
 *       permanent, anything else → retryable, as the core classifies a failed send.</li>
 * </ol>
 */
public final class FirehoseErrors {

    /** Per-entry or whole-call: Firehose is throttling or temporarily unavailable. */
    public static final String SERVICE_UNAVAILABLE = "ServiceUnavailableException";
    /** Per-entry: an internal error of the service; the entry may be resent. */
    public static final String INTERNAL_FAILURE = "InternalFailure";
    /** Code used when a response does not carry one result per entry sent. */
    public static final String INVALID_RESPONSE = "InvalidResponse";
    /** Code used when a router chose a name that cannot be a delivery stream. */
    public static final String INVALID_DELIVERY_STREAM_NAME = "InvalidDeliveryStreamName";
    /** Code used when the application's stream router threw for an event. */
    public static final String ROUTER_FAILED = "StreamRouterFailed";
    /** Code used when no delivery stream is configured for an event. */
    public static final String NO_DELIVERY_STREAM = "NoDeliveryStream";

    private static final Map<String, RecordResult.Status> TABLE;

    static {
        Map<String, RecordResult.Status> t = new HashMap<>();
        // Transient: the same request can succeed later.
        t.put(SERVICE_UNAVAILABLE, RecordResult.Status.RETRYABLE);
        t.put(INTERNAL_FAILURE, RecordResult.Status.RETRYABLE);
        t.put("InternalFailureException", RecordResult.Status.RETRYABLE);
        t.put("InternalServerError", RecordResult.Status.RETRYABLE);
        t.put("ThrottlingException", RecordResult.Status.RETRYABLE);
        t.put("Throttling", RecordResult.Status.RETRYABLE);
        t.put("LimitExceededException", RecordResult.Status.RETRYABLE);
        t.put("RequestTimeout", RecordResult.Status.RETRYABLE);
        t.put("RequestTimeoutException", RecordResult.Status.RETRYABLE);
        t.put("KMS.ThrottlingException", RecordResult.Status.RETRYABLE);
        // The stream, the request or the encryption setup is wrong: resending changes nothing.
        t.put("ResourceNotFoundException", RecordResult.Status.PERMANENT);
        t.put("InvalidArgumentException", RecordResult.Status.PERMANENT);
        t.put("ValidationException", RecordResult.Status.PERMANENT);
        t.put("InvalidKMSResourceException", RecordResult.Status.PERMANENT);
        t.put("InvalidSourceException", RecordResult.Status.PERMANENT);
        t.put("AccessDeniedException", RecordResult.Status.PERMANENT);
        t.put("UnrecognizedClientException", RecordResult.Status.PERMANENT);
        t.put("InvalidSignatureException", RecordResult.Status.PERMANENT);
        t.put("KMS.AccessDeniedException", RecordResult.Status.PERMANENT);
        t.put("KMS.DisabledException", RecordResult.Status.PERMANENT);
        t.put("KMS.InvalidStateException", RecordResult.Status.PERMANENT);
        t.put("KMS.NotFoundException", RecordResult.Status.PERMANENT);
        t.put("KMS.OptInRequired", RecordResult.Status.PERMANENT);
        t.put("KMS.InvalidKeyUsageException", RecordResult.Status.PERMANENT);
        t.put(NO_DELIVERY_STREAM, RecordResult.Status.PERMANENT);
        t.put(INVALID_DELIVERY_STREAM_NAME, RecordResult.Status.PERMANENT);
        t.put(ROUTER_FAILED, RecordResult.Status.PERMANENT);
        TABLE = Collections.unmodifiableMap(t);
    }

    private FirehoseErrors() {}

    /** {@return the listed error codes and what each maps to} */
    public static Map<String, RecordResult.Status> table() {
        return TABLE;
    }

    /**
     * The result of one {@code PutRecordBatch} entry.
     *
     * @param errorCode the entry's {@code ErrorCode}; {@code null} when the entry succeeded
     * @param errorMessage the entry's {@code ErrorMessage}; may be {@code null}
     * @return OK, or the failure with the code and message
     */
    public static RecordResult forEntry(@Nullable String errorCode, @Nullable String errorMessage) {
        if (errorCode == null) {
            return RecordResult.ok();
        }
        RecordResult.Status status = TABLE.getOrDefault(errorCode, RecordResult.Status.RETRYABLE);
        return result(status, errorCode, errorMessage);
    }

    /**
     * The result for every record of a call that failed as a whole.
     *
     * @param error what the client's future completed with (possibly wrapped in a
     *     {@link CompletionException} or {@link ExecutionException})
     * @return a RETRYABLE or PERMANENT result carrying the AWS error code and message
     */
    public static RecordResult forException(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof AwsServiceException) {
            AwsServiceException aws = (AwsServiceException) e;
            AwsErrorDetails details = aws.awsErrorDetails();
            String code = details != null && details.errorCode() != null ? details.errorCode() : e.getClass().getSimpleName();
            String message = details != null && details.errorMessage() != null ? details.errorMessage() : e.getMessage();
            RecordResult.Status listed = TABLE.get(code);
            if (listed == null) {
                listed = TABLE.get(e.getClass().getSimpleName());
            }
            if (listed != null) {
                return result(listed, code, message);
            }
            return result(byHttpStatus(aws), code, message);
        }
        if (e instanceof SdkServiceException) {
            return result(byHttpStatus((SdkServiceException) e), e.getClass().getSimpleName(), e.getMessage());
        }
        String code = e.getClass().getSimpleName();
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException) {
            return RecordResult.retryable(code, message);
        }
        if (e instanceof IllegalArgumentException || e instanceof NullPointerException
                || e instanceof UnsupportedOperationException || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException || e instanceof Error) {
            return RecordResult.permanent(code, message);
        }
        return RecordResult.retryable(code, message);
    }

    private static RecordResult.Status byHttpStatus(SdkServiceException e) {
        int status = e.statusCode();
        if (status >= 500 || status == 429 || e.isThrottlingException()) {
            return RecordResult.Status.RETRYABLE;
        }
        if (status >= 400) {
            return RecordResult.Status.PERMANENT;
        }
        // No HTTP status (0): the exception did not come from a response; presume transient.
        return RecordResult.Status.RETRYABLE;
    }

    private static RecordResult result(RecordResult.Status status, String code, @Nullable String message) {
        return status == RecordResult.Status.PERMANENT
                ? RecordResult.permanent(code, message)
                : RecordResult.retryable(code, message);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
