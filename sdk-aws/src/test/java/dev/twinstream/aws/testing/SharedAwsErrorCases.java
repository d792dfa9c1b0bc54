package dev.twinstream.aws.testing;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The one table of error cases common to every AWS sink, with the disposition the shared policy
 * gives each. {@code AwsErrorsTest} checks the shared policy against it; each sink's
 * {@code SharedAwsErrorsTest} runs the same cases through its own classifier (service table first)
 * and requires the same result, so the sinks cannot drift apart again. Shipped in this module's
 * test-jar; the service-specific rows stay in each sink's own table test.
 *
 * <p>Data only: no {@link AwsErrors} in a signature here, since the sinks compile their tests
 * against their module descriptors, where this class is in the unnamed module, to which
 * {@code dev.twinstream.aws.internal} is not exported (the sinks' own test classes can use it).
 */
public final class SharedAwsErrorCases {

    /**
     * A whole-call failure and what must come of it.
     *
     * @param name for the test report
     * @param error what the client's future completes with
     * @param expected the disposition
     * @param code the code the result must carry
     */
    public record Case(String name, Throwable error, Status expected, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A per-entry error code and its disposition.
     *
     * @param code the entry's {@code ErrorCode}
     * @param expected the disposition
     */
    public record EntryCase(String code, Status expected) {
        @Override
        public String toString() {
            return code;
        }
    }

    private SharedAwsErrorCases() {}

    /**
     * The whole-call cases, with service exceptions made by {@code serviceException} (the sink's
     * own type, such as {@code FirehoseException::builder}, as the SDK would unmarshal it).
     *
     * @param serviceException makes a builder of the service's base exception
     * @return the cases
     */
    public static List<Case> wholeCall(Supplier<? extends AwsServiceException.Builder> serviceException) {
        List<Case> cases = new ArrayList<>();
        // The measured drift: expiring credentials must not dead-letter events in either sink.
        cases.add(aws(serviceException, "ExpiredTokenException", 400, Status.RETRYABLE));
        cases.add(aws(serviceException, "ExpiredToken", 400, Status.RETRYABLE));
        cases.add(aws(serviceException, "RequestExpired", 400, Status.RETRYABLE));
        cases.add(aws(serviceException, "RequestTimeTooSkewed", 403, Status.RETRYABLE));
        cases.add(aws(serviceException, "InvalidSignatureException", 400, Status.RETRYABLE));
        cases.add(aws(serviceException, "IDPCommunicationError", 400, Status.RETRYABLE));
        // Every shared code, sent as a 400: the table decides before the HTTP status does.
        AwsErrors.sharedTable().forEach((code, status) -> cases.add(aws(serviceException, code, 400, status)));
        // Unknown codes: by HTTP status.
        cases.add(aws(serviceException, "SomethingNewOnTheServer", 503, Status.RETRYABLE));
        cases.add(aws(serviceException, "SomethingBroke", 500, Status.RETRYABLE));
        cases.add(aws(serviceException, "BadGateway", 502, Status.RETRYABLE));
        cases.add(aws(serviceException, "SlowDownPlease", 429, Status.RETRYABLE));
        cases.add(aws(serviceException, "SomeNewValidationError", 400, Status.PERMANENT));
        cases.add(aws(serviceException, "SomeNewAuthError", 403, Status.PERMANENT));
        cases.add(aws(serviceException, "ConflictNobodyKnows", 409, Status.PERMANENT));
        cases.add(aws(serviceException, "NoStatusAtAll", 0, Status.RETRYABLE));
        // A service error without AWS details: by HTTP status, with the class name as its code.
        cases.add(new Case("SdkServiceException 503", SdkServiceException.builder().message("down").statusCode(503).build(),
                Status.RETRYABLE, "SdkServiceException"));
        cases.add(new Case("SdkServiceException 429", SdkServiceException.builder().message("slow").statusCode(429).build(),
                Status.RETRYABLE, "SdkServiceException"));
        cases.add(new Case("SdkServiceException 400", SdkServiceException.builder().message("bad").statusCode(400).build(),
                Status.PERMANENT, "SdkServiceException"));
        // No response at all: client-side, retryable.
        cases.add(client(SdkClientException.create("Unable to execute HTTP request: Connection refused"), "SdkClientException"));
        cases.add(client(ApiCallTimeoutException.create(30_000), "ApiCallTimeoutException"));
        cases.add(client(ApiCallAttemptTimeoutException.create(15_000), "ApiCallAttemptTimeoutException"));
        cases.add(client(AbortedException.create("aborted"), "AbortedException"));
        cases.add(client(new IOException("connection reset"), "IOException"));
        cases.add(client(new UncheckedIOException(new IOException("broken pipe")), "UncheckedIOException"));
        cases.add(client(new IllegalStateException("connection pool shut down"), "IllegalStateException"));
        cases.add(client(new RejectedExecutionException("event loop shut down"), "RejectedExecutionException"));
        // Programming errors: permanent, never retried forever.
        cases.add(bug(new IllegalArgumentException("bug"), "IllegalArgumentException"));
        cases.add(bug(new NullPointerException("bug"), "NullPointerException"));
        cases.add(bug(new NullPointerException(), "NullPointerException"));
        cases.add(bug(new NumberFormatException("bug"), "NumberFormatException"));
        cases.add(bug(new UnsupportedOperationException("bug"), "UnsupportedOperationException"));
        cases.add(bug(new ClassCastException("bug"), "ClassCastException"));
        cases.add(bug(new ArrayIndexOutOfBoundsException("bug"), "ArrayIndexOutOfBoundsException"));
        cases.add(bug(new StackOverflowError("bug"), "StackOverflowError"));
        // Wrapped as futures wrap them.
        Throwable expired = aws(serviceException, "ExpiredTokenException", 400, Status.RETRYABLE).error();
        cases.add(new Case("CompletionException(ExpiredTokenException)", new CompletionException(expired),
                Status.RETRYABLE, "ExpiredTokenException"));
        cases.add(new Case("ExecutionException(ApiCallTimeoutException)", new ExecutionException(ApiCallTimeoutException.create(30_000)),
                Status.RETRYABLE, "ApiCallTimeoutException"));
        cases.add(new Case("CompletionException(ExecutionException(IllegalArgumentException))",
                new CompletionException(new ExecutionException(new IllegalArgumentException("bug"))),
                Status.PERMANENT, "IllegalArgumentException"));
        return cases;
    }

    /** {@return every shared code as a per-entry code, and unknown or empty codes (retryable)} */
    public static List<EntryCase> entries() {
        List<EntryCase> cases = new ArrayList<>();
        AwsErrors.sharedTable().forEach((code, status) -> cases.add(new EntryCase(code, status)));
        cases.add(new EntryCase("SomethingNew", Status.RETRYABLE));
        return cases;
    }

    private static Case aws(Supplier<? extends AwsServiceException.Builder> builder, String code, int status, Status expected) {
        AwsServiceException e = builder.get()
                .message("injected " + code)
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message for " + code).build())
                .build();
        return new Case(code + " (HTTP " + status + ")", e, expected, code);
    }

    private static Case client(Throwable e, String code) {
        return new Case(code, e, Status.RETRYABLE, code);
    }

    private static Case bug(Throwable e, String code) {
        return new Case(code + " (bug)", e, Status.PERMANENT, code);
    }
}
