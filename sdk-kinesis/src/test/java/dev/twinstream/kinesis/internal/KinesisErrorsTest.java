package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.ExpiredNextTokenException;
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
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Kinesis' own rows of the error table, per-entry codes and whole-call exceptions; the rules shared
 * with the Firehose sink are run by {@link SharedAwsErrorsTest}.
 */
class KinesisErrorsTest {
    private final AwsErrors errors = KinesisErrors.newPolicy(NOPLogger.NOP_LOGGER);

    @ParameterizedTest(name = "entry {0} -> {1}")
    @CsvSource({
        "ProvisionedThroughputExceededException, RETRYABLE",
        "KMSThrottlingException, RETRYABLE",
        "LimitExceededException, RETRYABLE",
        "ResourceInUseException, RETRYABLE",
        "ExpiredNextTokenException, RETRYABLE",
        "ExpiredIteratorException, RETRYABLE",
        "WrongShard, RETRYABLE",
        "InvalidResponse, RETRYABLE",
        "ResourceNotFoundException, PERMANENT",
        "InvalidArgumentException, PERMANENT",
        "KMSDisabledException, PERMANENT",
        "KMSInvalidStateException, PERMANENT",
        "KMSAccessDeniedException, PERMANENT",
        "KMSNotFoundException, PERMANENT",
        "KMSOptInRequired, PERMANENT",
        "InvalidPartitionKey, PERMANENT",
    })
    void perEntryCodes(String code, Status expected) {
        RecordResult r = errors.forEntry(code, "message");
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).isEqualTo("message");
        assertThat(KinesisErrors.table()).containsEntry(code, expected);
    }

    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(service(ProvisionedThroughputExceededException.builder(), "ProvisionedThroughputExceededException", 400), Status.RETRYABLE),
                // Kinesis' modeled internal error; its code is in the shared table.
                Arguments.of(service(InternalFailureException.builder(), "InternalFailureException", 500), Status.RETRYABLE),
                Arguments.of(service(LimitExceededException.builder(), "LimitExceededException", 400), Status.RETRYABLE),
                Arguments.of(service(ResourceInUseException.builder(), "ResourceInUseException", 400), Status.RETRYABLE),
                Arguments.of(service(ExpiredNextTokenException.builder(), "ExpiredNextTokenException", 400), Status.RETRYABLE),
                Arguments.of(service(ExpiredIteratorException.builder(), "ExpiredIteratorException", 400), Status.RETRYABLE),
                Arguments.of(service(KmsThrottlingException.builder(), "KMSThrottlingException", 400), Status.RETRYABLE),
                Arguments.of(service(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400), Status.PERMANENT),
                Arguments.of(service(InvalidArgumentException.builder(), "InvalidArgumentException", 400), Status.PERMANENT),
                Arguments.of(service(KmsDisabledException.builder(), "KMSDisabledException", 400), Status.PERMANENT),
                Arguments.of(service(KmsInvalidStateException.builder(), "KMSInvalidStateException", 400), Status.PERMANENT),
                Arguments.of(service(KmsAccessDeniedException.builder(), "KMSAccessDeniedException", 400), Status.PERMANENT),
                Arguments.of(service(KmsNotFoundException.builder(), "KMSNotFoundException", 400), Status.PERMANENT),
                Arguments.of(service(KmsOptInRequiredException.builder(), "KMSOptInRequired", 400), Status.PERMANENT),
                Arguments.of(new CompletionException(service(KmsDisabledException.builder(), "KMSDisabledException", 400)),
                        Status.PERMANENT),
                // A listed service code wins over an HTTP status that would say otherwise.
                Arguments.of(service(KinesisException.builder(), "ResourceNotFoundException", 503), Status.PERMANENT));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("exceptions")
    void wholeCallExceptions(Throwable error, Status expected) {
        RecordResult r = errors.forException(error);
        assertThat(r.status()).isEqualTo(expected);
        assertThat(r.code()).isNotBlank();
    }

    @Test
    void serviceErrorKeepsTheServiceCodeAndMessage() {
        RecordResult r = errors.forException(service(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400));
        assertThat(r).isEqualTo(RecordResult.permanent("ResourceNotFoundException", "injected"));
    }

    @Test
    void aMissingStreamOrAnInvalidArgumentSuggestsAStaleShardMap() {
        assertThat(KinesisErrors.suggestsStaleShardMap(RecordResult.permanent("ResourceNotFoundException", null))).isTrue();
        assertThat(KinesisErrors.suggestsStaleShardMap(RecordResult.permanent("InvalidArgumentException", null))).isTrue();
        assertThat(KinesisErrors.suggestsStaleShardMap(RecordResult.retryable("ExpiredTokenException", null))).isFalse();
    }

    @Test
    void theTableHoldsOnlyKinesisCodesEachRetryableOrPermanent() {
        assertThat(KinesisErrors.table()).isNotEmpty()
                .allSatisfy((code, status) -> assertThat(status).isNotEqualTo(Status.OK));
        // Shared codes live in AwsErrors only, so the two sinks cannot disagree on them; the one
        // shared code listed here is the shard throttle the sender reacts to, with the shared disposition.
        assertThat(KinesisErrors.table().keySet()).filteredOn(AwsErrors.sharedTable()::containsKey)
                .containsExactly(KinesisErrors.THROUGHPUT_EXCEEDED);
        assertThat(KinesisErrors.table().get(KinesisErrors.THROUGHPUT_EXCEEDED))
                .isEqualTo(AwsErrors.sharedTable().get(KinesisErrors.THROUGHPUT_EXCEEDED));
    }

    private static AwsServiceException service(AwsServiceException.Builder b, String code, int status) {
        return b.message("injected").statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
    }
}
