package dev.twinstream.firehose.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.InvalidKmsResourceException;
import software.amazon.awssdk.services.firehose.model.InvalidSourceException;
import software.amazon.awssdk.services.firehose.model.LimitExceededException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/**
 * Firehose's own rows of the error table, per-entry codes and whole-call exceptions; the rules
 * shared with the Kinesis sink are run by {@link SharedAwsErrorsTest}.
 */
class FirehoseErrorsTest {
    private final AwsErrors errors = FirehoseErrors.newPolicy(NOPLogger.NOP_LOGGER);

    @ParameterizedTest(name = "entry {0} -> {1}")
    @CsvSource({
        "ServiceUnavailableException, RETRYABLE",
        "KMS.ThrottlingException,     RETRYABLE",
        "LimitExceededException,      RETRYABLE",
        "InvalidResponse,             RETRYABLE",
        "KMS.AccessDeniedException,   PERMANENT",
        "KMS.DisabledException,       PERMANENT",
        "KMS.InvalidStateException,   PERMANENT",
        "KMS.NotFoundException,       PERMANENT",
        "KMS.OptInRequired,           PERMANENT",
        "KMS.InvalidKeyUsageException, PERMANENT",
        "InvalidKMSResourceException, PERMANENT",
        "ResourceNotFoundException,   PERMANENT",
        "InvalidArgumentException,    PERMANENT",
        "InvalidSourceException,      PERMANENT",
        "NoDeliveryStream,            PERMANENT",
        "InvalidDeliveryStreamName,   PERMANENT",
        "StreamRouterFailed,          PERMANENT",
    })
    void perEntryCodes(String code, Status expected) {
        RecordResult r = errors.forEntry(code, "message of " + code);
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).isEqualTo("message of " + code);
        assertThat(FirehoseErrors.table()).containsEntry(code, expected);
    }

    @Test
    void anEntryWithoutErrorCodeIsOk() {
        assertThat(errors.forEntry(null, null)).isEqualTo(RecordResult.ok());
    }

    static Stream<Arguments> wholeCallFailures() {
        return Stream.of(
                Arguments.of(aws(ServiceUnavailableException.builder(), 503, "ServiceUnavailableException"), Status.RETRYABLE, "ServiceUnavailableException"),
                Arguments.of(aws(LimitExceededException.builder(), 400, "LimitExceededException"), Status.RETRYABLE, "LimitExceededException"),
                Arguments.of(aws(FirehoseException.builder(), 400, "KMS.ThrottlingException"), Status.RETRYABLE, "KMS.ThrottlingException"),
                Arguments.of(aws(ResourceNotFoundException.builder(), 400, "ResourceNotFoundException"), Status.PERMANENT, "ResourceNotFoundException"),
                Arguments.of(aws(InvalidArgumentException.builder(), 400, "InvalidArgumentException"), Status.PERMANENT, "InvalidArgumentException"),
                Arguments.of(aws(InvalidKmsResourceException.builder(), 400, "InvalidKMSResourceException"), Status.PERMANENT, "InvalidKMSResourceException"),
                Arguments.of(aws(InvalidSourceException.builder(), 400, "InvalidSourceException"), Status.PERMANENT, "InvalidSourceException"),
                Arguments.of(aws(FirehoseException.builder(), 400, "KMS.AccessDeniedException"), Status.PERMANENT, "KMS.AccessDeniedException"),
                // A listed service code wins over an HTTP status that would say otherwise.
                Arguments.of(aws(InvalidArgumentException.builder(), 500, "InvalidArgumentException"), Status.PERMANENT, "InvalidArgumentException"));
    }

    @ParameterizedTest(name = "{2} -> {1}")
    @MethodSource("wholeCallFailures")
    void wholeCallExceptions(Throwable error, Status expected, String code) {
        for (Throwable wrapped : new Throwable[] {error, new CompletionException(error), new ExecutionException(error)}) {
            RecordResult r = errors.forException(wrapped);
            assertThat(r.status()).as("%s", wrapped).isEqualTo(expected);
            assertThat(r.code()).isEqualTo(code);
            assertThat(r.message()).isNotBlank();
        }
    }

    @Test
    void aModeledExceptionWithoutDetailsIsKnownByItsClassName() {
        RecordResult r = errors.forException(ServiceUnavailableException.builder().message("busy").build());
        assertThat(r.status()).isEqualTo(Status.RETRYABLE);
        assertThat(r.code()).isEqualTo("ServiceUnavailableException");
        assertThat(r.message()).contains("busy");
    }

    @Test
    void awsMessagesAreKeptForDeadLetters() {
        RecordResult r = errors.forException(aws(ResourceNotFoundException.builder(), 400, "ResourceNotFoundException"));
        assertThat(r.message()).isEqualTo("message for ResourceNotFoundException");
    }

    @Test
    void theTableHoldsOnlyFirehoseCodesEachRetryableOrPermanent() {
        assertThat(FirehoseErrors.table()).isNotEmpty()
                .allSatisfy((code, status) -> assertThat(status).isNotEqualTo(Status.OK));
        // Shared codes live in AwsErrors only, so the two sinks cannot disagree on them; the one
        // shared code listed here is Firehose's throttling signal, with the shared disposition.
        assertThat(FirehoseErrors.table().keySet()).filteredOn(AwsErrors.sharedTable()::containsKey)
                .containsExactly(FirehoseErrors.SERVICE_UNAVAILABLE);
        assertThat(FirehoseErrors.table().get(FirehoseErrors.SERVICE_UNAVAILABLE))
                .isEqualTo(AwsErrors.sharedTable().get(FirehoseErrors.SERVICE_UNAVAILABLE));
    }

    private static AwsServiceException aws(AwsServiceException.Builder builder, int status, String code) {
        return builder.statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message for " + code)
                        .serviceName("Firehose").build())
                .build();
    }
}
