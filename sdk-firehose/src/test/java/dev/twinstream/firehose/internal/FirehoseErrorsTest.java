package dev.twinstream.firehose.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.InvalidKmsResourceException;
import software.amazon.awssdk.services.firehose.model.InvalidSourceException;
import software.amazon.awssdk.services.firehose.model.LimitExceededException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/** The error table, row by row: per-entry codes and whole-call exceptions. */
class FirehoseErrorsTest {

    @ParameterizedTest(name = "entry {0} -> {1}")
    @CsvSource({
        "ServiceUnavailableException, RETRYABLE",
        "InternalFailure,             RETRYABLE",
        "KMS.ThrottlingException,     RETRYABLE",
        "SomethingNew,                RETRYABLE",
        "KMS.AccessDeniedException,   PERMANENT",
        "KMS.DisabledException,       PERMANENT",
        "KMS.InvalidStateException,   PERMANENT",
        "KMS.NotFoundException,       PERMANENT",
        "KMS.OptInRequired,           PERMANENT",
        "InvalidKMSResourceException, PERMANENT",
        "ResourceNotFoundException,   PERMANENT",
        "InvalidArgumentException,    PERMANENT",
        "InvalidSourceException,      PERMANENT",
        "AccessDeniedException,       PERMANENT",
    })
    void perEntryCodes(String code, Status expected) {
        RecordResult r = FirehoseErrors.forEntry(code, "message of " + code);
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).isEqualTo("message of " + code);
    }

    @Test
    void anEntryWithoutErrorCodeIsOk() {
        assertThat(FirehoseErrors.forEntry(null, null)).isEqualTo(RecordResult.ok());
    }

    static Stream<Arguments> wholeCallFailures() {
        return Stream.of(
                Arguments.of(aws(ServiceUnavailableException.builder(), 503, "ServiceUnavailableException"), Status.RETRYABLE, "ServiceUnavailableException"),
                Arguments.of(aws(FirehoseException.builder(), 400, "ThrottlingException"), Status.RETRYABLE, "ThrottlingException"),
                Arguments.of(aws(LimitExceededException.builder(), 400, "LimitExceededException"), Status.RETRYABLE, "LimitExceededException"),
                Arguments.of(aws(ResourceNotFoundException.builder(), 400, "ResourceNotFoundException"), Status.PERMANENT, "ResourceNotFoundException"),
                Arguments.of(aws(InvalidArgumentException.builder(), 400, "InvalidArgumentException"), Status.PERMANENT, "InvalidArgumentException"),
                Arguments.of(aws(InvalidKmsResourceException.builder(), 400, "InvalidKMSResourceException"), Status.PERMANENT, "InvalidKMSResourceException"),
                Arguments.of(aws(InvalidSourceException.builder(), 400, "InvalidSourceException"), Status.PERMANENT, "InvalidSourceException"),
                Arguments.of(aws(FirehoseException.builder(), 400, "KMS.AccessDeniedException"), Status.PERMANENT, "KMS.AccessDeniedException"),
                Arguments.of(aws(FirehoseException.builder(), 403, "AccessDeniedException"), Status.PERMANENT, "AccessDeniedException"),
                // Not listed: decided by the HTTP status.
                Arguments.of(aws(FirehoseException.builder(), 502, "BadGateway"), Status.RETRYABLE, "BadGateway"),
                Arguments.of(aws(FirehoseException.builder(), 500, "SomethingBroke"), Status.RETRYABLE, "SomethingBroke"),
                Arguments.of(aws(FirehoseException.builder(), 429, "TooManyRequests"), Status.RETRYABLE, "TooManyRequests"),
                Arguments.of(aws(FirehoseException.builder(), 400, "SomeNewValidationError"), Status.PERMANENT, "SomeNewValidationError"),
                Arguments.of(aws(FirehoseException.builder(), 409, "ConflictNobodyKnows"), Status.PERMANENT, "ConflictNobodyKnows"),
                // Client side.
                Arguments.of(SdkClientException.create("Unable to execute HTTP request"), Status.RETRYABLE, "SdkClientException"),
                Arguments.of(ApiCallTimeoutException.create(30_000), Status.RETRYABLE, "ApiCallTimeoutException"),
                Arguments.of(new IOException("connection reset"), Status.RETRYABLE, "IOException"),
                Arguments.of(new IllegalStateException("pool closed"), Status.RETRYABLE, "IllegalStateException"),
                Arguments.of(new NullPointerException("bug"), Status.PERMANENT, "NullPointerException"),
                Arguments.of(new IllegalArgumentException("bug"), Status.PERMANENT, "IllegalArgumentException"));
    }

    @ParameterizedTest(name = "{2} -> {1}")
    @MethodSource("wholeCallFailures")
    void wholeCallExceptions(Throwable error, Status expected, String code) {
        for (Throwable wrapped : new Throwable[] {error, new CompletionException(error), new ExecutionException(error)}) {
            RecordResult r = FirehoseErrors.forException(wrapped);
            assertThat(r.status()).as("%s", wrapped).isEqualTo(expected);
            assertThat(r.code()).isEqualTo(code);
            assertThat(r.message()).isNotBlank();
        }
    }

    @Test
    void awsMessagesAreKeptForDeadLetters() {
        RecordResult r = FirehoseErrors.forException(aws(ResourceNotFoundException.builder(), 400, "ResourceNotFoundException"));
        assertThat(r.message()).isEqualTo("message for ResourceNotFoundException");
    }

    @Test
    void everyListedCodeIsEitherRetryableOrPermanent() {
        assertThat(FirehoseErrors.table()).isNotEmpty()
                .allSatisfy((code, status) -> assertThat(status).isNotEqualTo(Status.OK));
    }

    private static AwsServiceException aws(AwsServiceException.Builder builder, int status, String code) {
        return builder.statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message for " + code)
                        .serviceName("Firehose").build())
                .build();
    }
}
