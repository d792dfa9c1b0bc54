package dev.twinstream.aws.internal;

import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The one error policy of Twinstream's AWS sinks: turns an AWS error (a per-entry error code, a
 * code with an HTTP status, or whatever a client's future completed with) into a
 * {@link RecordResult} that is RETRYABLE (the tracker backs off and sends the event again, within its
 * {@code RetryPolicy}) or PERMANENT (the event goes to dead-letter handling with the code and
 * message).
 *
 * <p>Each sink creates one instance with its service's own table ({@code FirehoseErrors},
 * {@code KinesisErrors}); the rules, in order:
 * <ol>
 *   <li>the error code in the <b>service table</b> (codes only that service defines, or that mean
 *       something particular there);
 *   <li>the error code in the <b>shared table</b> ({@link #sharedTable()}): throttling, expiring
 *       credentials and clock skew, internal errors → RETRYABLE; denied access and invalid requests →
 *       PERMANENT;
 *   <li>for a service exception whose code neither table lists: the exception's class name in both
 *       tables, then the SDK's own throttling and clock-skew detection
 *       ({@link SdkServiceException#isThrottlingException()}, {@link SdkServiceException#isClockSkewException()})
 *       → RETRYABLE, then the <b>HTTP status</b>: 429 and 5xx → RETRYABLE, any other 4xx → PERMANENT
 *       (the request itself is wrong and would be rejected again), no status or 1xx–3xx → RETRYABLE;
 *   <li>a per-entry code neither table lists (an entry has no HTTP status) → RETRYABLE: the service
 *       accepted the call and rejected only that entry, and dead-lettering an unknown code could
 *       lose data that the next attempt delivers; the retry policy bounds how long it is tried;
 *   <li>an {@link SdkClientException} (no response: connection refused or reset, DNS, TLS,
 *       {@code ApiCallTimeoutException}, {@code ApiCallAttemptTimeoutException}, credentials that
 *       could not be loaded) → RETRYABLE;
 *   <li>a <b>programming error</b> ({@link #isProgrammingError}: {@link IllegalArgumentException},
 *       {@link NullPointerException}, {@link UnsupportedOperationException},
 *       {@link ClassCastException}, {@link IndexOutOfBoundsException}, any {@link Error}) →
 *       PERMANENT, and logged at ERROR with its stack trace the first time each exception class
 *       occurs in this instance (so once per sink, not per event or per batch). Retrying a bug
 *       only repeats it, and with the default retry policy (no attempt limit) it would repeat
 *       forever; the dead letters keep the events for a replay once it is fixed. The same classes
 *       are permanent when a sink's {@code send} itself fails (the core's {@code FailureClassifier}).
 *   <li>anything else (for example {@link IllegalStateException} from a client or executor that was
 *       closed before the tracker, or an {@link java.io.IOException}) → RETRYABLE, as the core
 *       classifies a failed {@code send}.
 * </ol>
 * A {@link CompletionException} or {@link ExecutionException} is unwrapped first.
 *
 * <p>Sources, cited per code below as:
 * <b>[common]</b> the errors common to all AWS APIs, "Common Errors" in the Kinesis Data Streams
 * and Firehose API references (https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/CommonErrors.html);
 * <b>[sdk-throttling]</b>, <b>[sdk-retryable]</b>, <b>[sdk-clock-skew]</b>, <b>[sdk-possible-skew]</b>
 * the code sets the AWS SDK for Java 2.x (2.57.8) retries on, in
 * {@code software.amazon.awssdk.awscore.internal.AwsErrorCode} (throttling, retryable, definite and
 * possible clock skew; see "Configure retry behavior", https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/retry-strategy.html);
 * <b>[json]</b> the code the JSON-protocol services (Kinesis, Firehose) return for a condition the
 * query-protocol common errors name differently; <b>[sts]</b> the AWS STS API reference
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html, "Errors").
 *
 * <p>Thread-safe.
 */
public final class AwsErrors {

    // ----- Throttling: the same request succeeds once the caller slows down. RETRYABLE.

    /** Throttled, query-protocol spelling [sdk-throttling]. */
    public static final String THROTTLING = "Throttling";
    /** Throttled, HTTP 400 [common] [sdk-throttling]. */
    public static final String THROTTLING_EXCEPTION = "ThrottlingException";
    /** Throttled [sdk-throttling]. */
    public static final String THROTTLED_EXCEPTION = "ThrottledException";
    /** Throttled [sdk-throttling]. */
    public static final String REQUEST_THROTTLED = "RequestThrottled";
    /** Throttled [sdk-throttling]. */
    public static final String REQUEST_THROTTLED_EXCEPTION = "RequestThrottledException";
    /** Throttled, HTTP 429 in REST services [sdk-throttling]. */
    public static final String TOO_MANY_REQUESTS = "TooManyRequestsException";
    /** A partition (Kinesis shard, DynamoDB table) over its provisioned rate [sdk-throttling]. */
    public static final String PROVISIONED_THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";
    /** Throttled, the Amazon S3 spelling [sdk-throttling]. */
    public static final String SLOW_DOWN = "SlowDown";
    /** Throttled, the Amazon EC2 spelling [sdk-throttling]. */
    public static final String REQUEST_LIMIT_EXCEEDED = "RequestLimitExceeded";
    /** Throttled by bandwidth [sdk-throttling]. */
    public static final String BANDWIDTH_LIMIT_EXCEEDED = "BandwidthLimitExceeded";
    /** Throttled, the Amazon EC2 spelling [sdk-throttling]. */
    public static final String EC2_THROTTLED = "EC2ThrottledException";
    /** A conflicting operation is still running; the SDK counts it as throttling [sdk-throttling]. */
    public static final String TRANSACTION_IN_PROGRESS = "TransactionInProgressException";
    /** The previous request on the resource has not finished [sdk-retryable]. */
    public static final String PRIOR_REQUEST_NOT_COMPLETE = "PriorRequestNotComplete";
    /** The service timed out reading the request [sdk-retryable]. */
    public static final String REQUEST_TIMEOUT = "RequestTimeout";
    /** The service timed out reading the request [sdk-retryable]. */
    public static final String REQUEST_TIMEOUT_EXCEPTION = "RequestTimeoutException";

    // ----- Internal errors of the service: transient. RETRYABLE.

    /** An unknown failure of the service, HTTP 500 [common]. */
    public static final String INTERNAL_FAILURE = "InternalFailure";
    /** The same as {@link #INTERNAL_FAILURE} [json] (Kinesis models it as {@code InternalFailureException}). */
    public static final String INTERNAL_FAILURE_EXCEPTION = "InternalFailureException";
    /** An internal error, HTTP 500 [sdk-retryable]. */
    public static final String INTERNAL_ERROR = "InternalError";
    /** An internal error, HTTP 500, as some JSON services spell it (5xx is retried by status too; listed for per-entry codes). */
    public static final String INTERNAL_SERVER_ERROR = "InternalServerError";
    /** A temporary failure of the server, HTTP 503 [common]. */
    public static final String SERVICE_UNAVAILABLE = "ServiceUnavailable";
    /** A temporary failure of the server [json] (Firehose gives it its own meaning, see {@code FirehoseErrors}). */
    public static final String SERVICE_UNAVAILABLE_EXCEPTION = "ServiceUnavailableException";

    // ----- Credentials and clocks that go away by themselves. RETRYABLE.

    /**
     * A temporary session token expired [json]: "the security token included in the request is
     * expired", HTTP 400. Credentials rotate (instance profile, container, web identity, SSO); the
     * SDK's providers fetch new ones, and the tracker's next attempt signs with them.
     */
    public static final String EXPIRED_TOKEN_EXCEPTION = "ExpiredTokenException";
    /** The same as {@link #EXPIRED_TOKEN_EXCEPTION}, query-protocol spelling (Amazon S3, STS) [sts]. */
    public static final String EXPIRED_TOKEN = "ExpiredToken";
    /** The request's date stamp is more than 15 minutes off, HTTP 400 [common] [sdk-clock-skew]. */
    public static final String REQUEST_EXPIRED = "RequestExpired";
    /** The client's clock is too far from the service's [sdk-clock-skew]. */
    public static final String REQUEST_TIME_TOO_SKEWED = "RequestTimeTooSkewed";
    /** The request's date stamp is in the future [sdk-clock-skew]. */
    public static final String REQUEST_IN_THE_FUTURE = "RequestInTheFuture";
    /**
     * The signature did not verify [json] [sdk-possible-skew]. RETRYABLE by decision: Kinesis and
     * Firehose answer a request signed with a skewed clock with this code ("Signature expired"),
     * and the SDK corrects its clock offset from the response, so the next attempt succeeds. A
     * wrong secret key gives the same code and never succeeds; its events then stay pending within
     * the retry policy (and every call fails, which the metrics show at once) instead of being
     * dead-lettered, which is the better failure for a key that is about to be fixed or rotated.
     */
    public static final String INVALID_SIGNATURE_EXCEPTION = "InvalidSignatureException";
    /** The identity provider could not be reached while assuming a role with web identity [sts]. */
    public static final String IDP_COMMUNICATION_ERROR = "IDPCommunicationError";

    // ----- Access and request errors: resending the same request cannot succeed. PERMANENT.

    /**
     * The caller's IAM policy does not allow the action on the resource, HTTP 400 [common].
     * PERMANENT by decision: only a change of policy fixes it, and the events are kept in the dead
     * letters (with this code) to replay after the fix.
     */
    public static final String ACCESS_DENIED_EXCEPTION = "AccessDeniedException";
    /** The same as {@link #ACCESS_DENIED_EXCEPTION}, the Amazon S3 and query-protocol spelling, HTTP 403. */
    public static final String ACCESS_DENIED = "AccessDenied";
    /** The access key ID or security token is not valid [json] ("The security token included in the request is invalid"). */
    public static final String UNRECOGNIZED_CLIENT = "UnrecognizedClientException";
    /** The access key ID does not exist, HTTP 403 [common]. */
    public static final String INVALID_CLIENT_TOKEN_ID = "InvalidClientTokenId";
    /** Not permitted to perform the action, HTTP 400 [common]. */
    public static final String NOT_AUTHORIZED = "NotAuthorized";
    /** The account is not subscribed to the service, HTTP 403 [common]. */
    public static final String OPT_IN_REQUIRED = "OptInRequired";
    /** The signature does not conform to the AWS standard (a malformed request, not a skewed clock), HTTP 400 [common]. */
    public static final String INCOMPLETE_SIGNATURE = "IncompleteSignature";
    /** The input fails a constraint of the service, HTTP 400 [common]. */
    public static final String VALIDATION_ERROR = "ValidationError";
    /** The same as {@link #VALIDATION_ERROR} [json] (Kinesis models it as {@code ValidationException}). */
    public static final String VALIDATION_EXCEPTION = "ValidationException";

    /** The code of a failed entry that carries an empty error code. */
    public static final String UNKNOWN_ERROR = "UnknownError";

    private static final Map<String, Status> SHARED;

    static {
        Map<String, Status> t = new LinkedHashMap<>();
        for (String code : new String[] {THROTTLING, THROTTLING_EXCEPTION, THROTTLED_EXCEPTION, REQUEST_THROTTLED,
                REQUEST_THROTTLED_EXCEPTION, TOO_MANY_REQUESTS, PROVISIONED_THROUGHPUT_EXCEEDED, SLOW_DOWN,
                REQUEST_LIMIT_EXCEEDED, BANDWIDTH_LIMIT_EXCEEDED, EC2_THROTTLED, TRANSACTION_IN_PROGRESS,
                PRIOR_REQUEST_NOT_COMPLETE, REQUEST_TIMEOUT, REQUEST_TIMEOUT_EXCEPTION,
                INTERNAL_FAILURE, INTERNAL_FAILURE_EXCEPTION, INTERNAL_ERROR, INTERNAL_SERVER_ERROR,
                SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_EXCEPTION,
                EXPIRED_TOKEN_EXCEPTION, EXPIRED_TOKEN, REQUEST_EXPIRED, REQUEST_TIME_TOO_SKEWED, REQUEST_IN_THE_FUTURE,
                INVALID_SIGNATURE_EXCEPTION, IDP_COMMUNICATION_ERROR}) {
            t.put(code, Status.RETRYABLE);
        }
        for (String code : new String[] {ACCESS_DENIED_EXCEPTION, ACCESS_DENIED, UNRECOGNIZED_CLIENT,
                INVALID_CLIENT_TOKEN_ID, NOT_AUTHORIZED, OPT_IN_REQUIRED, INCOMPLETE_SIGNATURE, VALIDATION_ERROR,
                VALIDATION_EXCEPTION}) {
            t.put(code, Status.PERMANENT);
        }
        SHARED = Collections.unmodifiableMap(t);
    }

    private final String service;
    private final Map<String, Status> serviceCodes;
    private final Logger log;
    private final Set<Class<?>> loggedBugs = ConcurrentHashMap.newKeySet();

    /**
     * Creates the policy of one sink instance.
     *
     * @param service the service's name for log messages, for example {@code Firehose}
     * @param serviceCodes the codes of that service, consulted before the shared table; each
     *     RETRYABLE or PERMANENT
     * @param log where programming errors are logged, once per exception class
     * @throws IllegalArgumentException if a service code maps to {@link Status#OK}
     */
    public AwsErrors(String service, Map<String, Status> serviceCodes, Logger log) {
        this.service = Objects.requireNonNull(service, "service");
        Map<String, Status> copy = new LinkedHashMap<>(serviceCodes);
        copy.forEach((code, status) -> {
            if (status == Status.OK) {
                throw new IllegalArgumentException("error code " + code + " cannot map to OK");
            }
        });
        this.serviceCodes = Collections.unmodifiableMap(copy);
        this.log = Objects.requireNonNull(log, "log");
    }

    /** {@return the codes common to AWS services and what each maps to, in a stable order} */
    public static Map<String, Status> sharedTable() {
        return SHARED;
    }

    /** {@return this sink's service codes, consulted before the shared table} */
    public Map<String, Status> serviceTable() {
        return serviceCodes;
    }

    /**
     * {@return what a code maps to: the service table first, then the shared table; {@code null} if neither lists it}
     *
     * @param code an AWS error code
     */
    public @Nullable Status statusOf(String code) {
        Status s = serviceCodes.get(code);
        return s != null ? s : SHARED.get(code);
    }

    /**
     * The result of one entry of a batch call ({@code PutRecordBatch}, {@code PutRecords}).
     *
     * @param errorCode the entry's error code; {@code null} when the entry succeeded, empty counts
     *     as {@value #UNKNOWN_ERROR}
     * @param errorMessage the entry's error message; may be {@code null}
     * @return OK, or the failure with its code and message (an unlisted code is RETRYABLE)
     */
    public RecordResult forEntry(@Nullable String errorCode, @Nullable String errorMessage) {
        if (errorCode == null) {
            return RecordResult.ok();
        }
        return forCode(errorCode.isEmpty() ? UNKNOWN_ERROR : errorCode, 0, errorMessage);
    }

    /**
     * The result for an error code and the HTTP status it came with.
     *
     * @param code the AWS error code
     * @param httpStatus the HTTP status; 0 when there is none (a per-entry code)
     * @param message the error message; may be {@code null}
     * @return the listed result for the code, else by HTTP status (429 and 5xx RETRYABLE, other 4xx
     *     PERMANENT, none RETRYABLE)
     */
    public RecordResult forCode(String code, int httpStatus, @Nullable String message) {
        Status s = statusOf(code);
        return result(s != null ? s : byHttpStatus(httpStatus), code, message);
    }

    /**
     * The result for every event of a call that failed as a whole (see the class comment for the
     * rules). Logs a programming error the first time its class occurs in this instance.
     *
     * @param error what the client's future completed with, or what the sink's own code threw;
     *     possibly wrapped in a {@link CompletionException} or {@link ExecutionException}
     * @return a RETRYABLE or PERMANENT result carrying the AWS code and message, or the exception's
     *     simple class name and message
     */
    public RecordResult forException(Throwable error) {
        Throwable e = unwrap(error);
        String className = e.getClass().getSimpleName();
        if (e instanceof AwsServiceException) {
            AwsServiceException aws = (AwsServiceException) e;
            AwsErrorDetails details = aws.awsErrorDetails();
            String detailCode = details == null ? null : details.errorCode();
            String code = detailCode == null || detailCode.isEmpty() ? className : detailCode;
            String detailMessage = details == null ? null : details.errorMessage();
            String message = detailMessage != null ? detailMessage : e.getMessage();
            Status s = statusOf(code);
            if (s == null) {
                s = statusOf(className);
            }
            if (s == null && (aws.isThrottlingException() || aws.isClockSkewException())) {
                s = Status.RETRYABLE;
            }
            return result(s != null ? s : byHttpStatus(aws.statusCode()), code, message);
        }
        if (e instanceof SdkServiceException) {
            SdkServiceException sdk = (SdkServiceException) e;
            Status s = sdk.isThrottlingException() || sdk.isClockSkewException() ? Status.RETRYABLE
                    : byHttpStatus(sdk.statusCode());
            return result(s, className, e.getMessage());
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException) {
            return RecordResult.retryable(className, message);
        }
        if (isProgrammingError(e)) {
            logOnce(e);
            return RecordResult.permanent(className, message);
        }
        return RecordResult.retryable(className, message);
    }

    /**
     * {@return whether {@code e} is a bug rather than a condition of the service or the network:
     * {@link IllegalArgumentException}, {@link NullPointerException},
     * {@link UnsupportedOperationException}, {@link ClassCastException},
     * {@link IndexOutOfBoundsException} or any {@link Error}}
     *
     * @param e an exception, already unwrapped
     */
    public static boolean isProgrammingError(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof NullPointerException
                || e instanceof UnsupportedOperationException || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException || e instanceof Error;
    }

    /**
     * {@return the cause under any {@link CompletionException} and {@link ExecutionException} layers}
     *
     * @param error what a future completed with
     */
    public static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private void logOnce(Throwable bug) {
        if (loggedBugs.add(bug.getClass())) {
            // The exception's own message and stack trace only: never an event's payload.
            log.error("{} sink: {} is a programming error, not an AWS error; the events of that call are PERMANENT"
                    + " (dead letters, replay them once it is fixed). Logged once per exception class for this sink.",
                    service, bug.getClass().getName(), bug);
        }
    }

    private static Status byHttpStatus(int status) {
        if (status == 429 || status >= 500) {
            return Status.RETRYABLE;
        }
        if (status >= 400) {
            return Status.PERMANENT;
        }
        // No HTTP status (a per-entry code, or an exception not made from a response) or 1xx-3xx:
        // nothing says the request is wrong, so presume it is transient.
        return Status.RETRYABLE;
    }

    private static RecordResult result(Status status, String code, @Nullable String message) {
        return status == Status.PERMANENT ? RecordResult.permanent(code, message) : RecordResult.retryable(code, message);
    }

    @Override
    public String toString() {
        return "AwsErrors{" + service + ", " + serviceCodes.size() + " service codes, " + SHARED.size() + " shared}";
    }
}
