package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.concurrent.CompletionException;
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
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kinesis.model.KmsNotFoundException;
import software.amazon.awssdk.services.kinesis.model.KmsOptInRequiredException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/** The one Kinesis error table, for per-entry codes and whole-call exceptions. */
class KinesisErrorsTest {

    @ParameterizedTest(name = "entry {0} -> {1}")
    @CsvSource({
        "ProvisionedThroughputExceededException, RETRYABLE",
        "InternalFailure, RETRYABLE",
        "KMSThrottlingException, RETRYABLE",
        "SomethingNew, RETRYABLE",
        "ResourceNotFoundException, PERMANENT",
        "InvalidArgumentException, PERMANENT",
        "AccessDeniedException, PERMANENT",
        "KMSDisabledException, PERMANENT",
        "KMSInvalidStateException, PERMANENT",
        "KMSAccessDeniedException, PERMANENT",
        "KMSNotFoundException, PERMANENT",
        "KMSOptInRequired, PERMANENT",
    })
    void perEntryCodes(String code, Status expected) {
        RecordResult r = KinesisErrors.forEntry(code, "message");
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).isEqualTo("message");
    }

    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(service(ProvisionedThroughputExceededException.builder(), "ProvisionedThroughputExceededException", 400), Status.RETRYABLE),
                Arguments.of(service(InternalFailureException.builder(), "InternalFailureException", 500), Status.RETRYABLE),
                Arguments.of(service(LimitExceededException.builder(), "LimitExceededException", 400), Status.RETRYABLE),
                Arguments.of(service(KmsThrottlingException.builder(), "KMSThrottlingException", 400), Status.RETRYABLE),
                Arguments.of(service(KinesisException.builder(), "ServiceUnavailable", 503), Status.RETRYABLE),
                Arguments.of(service(KinesisException.builder(), "UnknownServerProblem", 502), Status.RETRYABLE),
                Arguments.of(service(KinesisException.builder(), "SlowDownPlease", 429), Status.RETRYABLE),
                Arguments.of(service(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400), Status.PERMANENT),
                Arguments.of(service(InvalidArgumentException.builder(), "InvalidArgumentException", 400), Status.PERMANENT),
                Arguments.of(service(AccessDeniedException.builder(), "AccessDeniedException", 400), Status.PERMANENT),
                Arguments.of(service(KmsDisabledException.builder(), "KMSDisabledException", 400), Status.PERMANENT),
                Arguments.of(service(KmsInvalidStateException.builder(), "KMSInvalidStateException", 400), Status.PERMANENT),
                Arguments.of(service(KmsAccessDeniedException.builder(), "KMSAccessDeniedException", 400), Status.PERMANENT),
                Arguments.of(service(KmsNotFoundException.builder(), "KMSNotFoundException", 400), Status.PERMANENT),
                Arguments.of(service(KmsOptInRequiredException.builder(), "KMSOptInRequired", 400), Status.PERMANENT),
                Arguments.of(service(KinesisException.builder(), "SomeClientMistake", 400), Status.PERMANENT),
                Arguments.of(SdkClientException.create("connection reset"), Status.RETRYABLE),
                Arguments.of(ApiCallTimeoutException.create(30_000), Status.RETRYABLE),
                Arguments.of(new CompletionException(SdkClientException.create("wrapped")), Status.RETRYABLE),
                Arguments.of(new CompletionException(service(AccessDeniedException.builder(), "AccessDeniedException", 400)),
                        Status.PERMANENT),
                Arguments.of(new IllegalStateException("a bug"), Status.RETRYABLE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("exceptions")
    void wholeCallExceptions(Throwable error, Status expected) {
        RecordResult r = KinesisErrors.forException(error);
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isNotBlank();
    }

    @Test
    void serviceErrorKeepsTheServiceCodeAndMessage() {
        RecordResult r = KinesisErrors.forException(service(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400));
        assertThat(r).isEqualTo(RecordResult.permanent("ResourceNotFoundException", "injected"));
    }

    private static AwsServiceException service(AwsServiceException.Builder b, String code, int status) {
        return b.message("injected").statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
    }
}
