package dev.twinstream.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.aws.testing.SharedAwsErrorCases;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.RecordResult.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** The shared policy against the shared table, and what a service table may and may not do. */
class AwsErrorsTest {
    private static final AwsErrors SHARED = new AwsErrors("shared", Map.of(), NOPLogger.NOP_LOGGER);

    static List<SharedAwsErrorCases.Case> wholeCall() {
        return SharedAwsErrorCases.wholeCall(AwsServiceException::builder);
    }

    static List<SharedAwsErrorCases.EntryCase> entries() {
        return SharedAwsErrorCases.entries();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeCall")
    void sharedPolicyGivesEachWholeCallCaseItsDisposition(SharedAwsErrorCases.Case c) {
        RecordResult r = SHARED.forException(c.error());
        assertThat(r.status()).isEqualTo(c.expected());
        assertThat(r.code()).isEqualTo(c.code());
        assertThat(r.message()).isNotNull();
    }

    @ParameterizedTest(name = "entry {0}")
    @MethodSource("entries")
    void sharedPolicyGivesEachEntryCodeItsDisposition(SharedAwsErrorCases.EntryCase c) {
        RecordResult r = SHARED.forEntry(c.code(), "message");
        assertThat(r).isEqualTo(c.expected() == Status.PERMANENT ? RecordResult.permanent(c.code(), "message")
                : RecordResult.retryable(c.code(), "message"));
    }

    @Test
    void entriesWithoutCodeAreOkAndEmptyCodesUnknown() {
        AwsErrors policy = SHARED;
        assertThat(policy.forEntry(null, null)).isEqualTo(RecordResult.ok());
        assertThat(policy.forEntry("", "what")).isEqualTo(RecordResult.retryable(AwsErrors.UNKNOWN_ERROR, "what"));
    }

    @Test
    void aCodeWithAnHttpStatusUsesTheTablesThenTheStatus() {
        AwsErrors policy = SHARED;
        assertThat(policy.forCode("ExpiredTokenException", 400, "m").status()).isEqualTo(Status.RETRYABLE);
        assertThat(policy.forCode("AccessDeniedException", 500, "m").status()).isEqualTo(Status.PERMANENT);
        assertThat(policy.forCode("Unknown", 503, "m").status()).isEqualTo(Status.RETRYABLE);
        assertThat(policy.forCode("Unknown", 429, "m").status()).isEqualTo(Status.RETRYABLE);
        assertThat(policy.forCode("Unknown", 400, "m").status()).isEqualTo(Status.PERMANENT);
        assertThat(policy.forCode("Unknown", 404, "m").status()).isEqualTo(Status.PERMANENT);
        assertThat(policy.forCode("Unknown", 0, "m").status()).isEqualTo(Status.RETRYABLE);
        assertThat(policy.forCode("Unknown", 301, "m").status()).isEqualTo(Status.RETRYABLE);
    }

    @Test
    void theServiceTableIsConsultedFirst() {
        AwsErrors policy = new AwsErrors("Test", Map.of("ThrottlingException", Status.PERMANENT,
                "MyServiceBusy", Status.RETRYABLE), NOPLogger.NOP_LOGGER);
        assertThat(policy.forEntry("ThrottlingException", null).status()).isEqualTo(Status.PERMANENT);
        assertThat(policy.forException(aws("MyServiceBusy", 400)).status()).isEqualTo(Status.RETRYABLE);
        assertThat(policy.forException(aws("AccessDeniedException", 400)).status()).as("shared rows still apply")
                .isEqualTo(Status.PERMANENT);
        assertThat(policy.statusOf("MyServiceBusy")).isEqualTo(Status.RETRYABLE);
        assertThat(policy.statusOf("Nothing")).isNull();
        assertThat(policy.serviceTable()).containsOnlyKeys("ThrottlingException", "MyServiceBusy");
    }

    @Test
    void aServiceCodeCannotMapToOk() {
        assertThatThrownBy(() -> new AwsErrors("Test", Map.of("X", Status.OK), NOPLogger.NOP_LOGGER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X");
    }

    @Test
    void theSharedTableHoldsOnlyRetryableOrPermanentAndTheDecidedCodes() {
        assertThat(AwsErrors.sharedTable()).allSatisfy((code, status) -> assertThat(status).isNotEqualTo(Status.OK));
        assertThat(AwsErrors.sharedTable()).containsEntry("ExpiredTokenException", Status.RETRYABLE)
                .containsEntry("InvalidSignatureException", Status.RETRYABLE)
                .containsEntry("AccessDeniedException", Status.PERMANENT)
                .containsEntry("UnrecognizedClientException", Status.PERMANENT)
                .containsEntry("InvalidClientTokenId", Status.PERMANENT);
    }

    @Test
    void aServiceExceptionWithoutDetailsIsKnownByItsClassName() {
        AwsServiceException noDetails = AwsServiceException.builder().message("no details").statusCode(400).build();
        RecordResult r = SHARED.forException(noDetails);
        assertThat(r).isEqualTo(RecordResult.permanent("AwsServiceException", "no details"));
    }

    @Test
    void theAwsCodeAndMessageAreKeptForDeadLetters() {
        RecordResult r = SHARED.forException(new CompletionException(aws("AccessDeniedException", 400)));
        assertThat(r).isEqualTo(RecordResult.permanent("AccessDeniedException", "message for AccessDeniedException"));
    }

    @Test
    void aProgrammingErrorIsLoggedOncePerClassWithItsStackTrace() {
        RecordingLogger log = new RecordingLogger();
        AwsErrors policy = new AwsErrors("Kinesis", Map.of(), log);
        for (int i = 0; i < 3; i++) {
            assertThat(policy.forException(new IllegalArgumentException("bug " + i)).status()).isEqualTo(Status.PERMANENT);
        }
        policy.forException(new CompletionException(new NullPointerException()));
        policy.forException(new IllegalStateException("closed")); // retryable, not logged
        policy.forException(aws("AccessDeniedException", 400));   // an AWS error, not logged

        assertThat(log.entries()).hasSize(2).allSatisfy(e -> assertThat(e.level()).isEqualTo(Level.ERROR));
        assertThat(log.entries().get(0).message()).startsWith("Kinesis sink: java.lang.IllegalArgumentException is a programming error");
        assertThat(log.entries().get(0).throwable()).isInstanceOf(IllegalArgumentException.class).hasMessage("bug 0");
        assertThat(log.entries().get(1).throwable()).isInstanceOf(NullPointerException.class);

        RecordingLogger other = new RecordingLogger();
        new AwsErrors("Kinesis", Map.of(), other).forException(new IllegalArgumentException("again"));
        assertThat(other.entries()).as("each sink instance logs its own first occurrence").hasSize(1);
    }

    @Test
    void programmingErrorsMatchTheCoresFailedSendRule() {
        assertThat(AwsErrors.isProgrammingError(new IllegalArgumentException())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new NullPointerException())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new UnsupportedOperationException())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new ClassCastException())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new IndexOutOfBoundsException())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new OutOfMemoryError())).isTrue();
        assertThat(AwsErrors.isProgrammingError(new IllegalStateException())).isFalse();
        assertThat(AwsErrors.isProgrammingError(new RuntimeException())).isFalse();
    }

    private static AwsServiceException aws(String code, int status) {
        return AwsServiceException.builder().message("injected").statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message for " + code).build())
                .build();
    }
}
