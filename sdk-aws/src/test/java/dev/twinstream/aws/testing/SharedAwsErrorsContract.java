package dev.twinstream.aws.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.core.spi.RecordResult;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The shared AWS error table through one sink's classifier: every case must come out as the shared
 * policy decides. Each AWS sink extends this with its own policy and service exception type, so the
 * sinks classify every shared case alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SharedAwsErrorsContract {
    private final AwsErrors shared = new AwsErrors("shared", Map.of(), NOPLogger.NOP_LOGGER);

    /**
     * {@return the sink's classifier of whole-call failures}; a function, not the {@code AwsErrors}
     * itself, because the sinks' tests compile inside their modules, which the test-jar cannot name
     */
    protected abstract Function<Throwable, RecordResult> classifyFailure();

    /** {@return the sink's classifier of per-entry error codes (code, message)} */
    protected abstract BiFunction<String, String, RecordResult> classifyEntry();

    /** {@return builders of the sink's service exception, e.g. {@code KinesisException::builder}} */
    protected abstract Supplier<? extends AwsServiceException.Builder> serviceException();

    List<SharedAwsErrorCases.Case> wholeCall() {
        return SharedAwsErrorCases.wholeCall(serviceException());
    }

    List<SharedAwsErrorCases.EntryCase> entries() {
        return SharedAwsErrorCases.entries();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeCall")
    void everySharedWholeCallCaseIsClassifiedAsTheSharedPolicyDoes(SharedAwsErrorCases.Case c) {
        RecordResult r = classifyFailure().apply(c.error());
        assertThat(r.status()).isEqualTo(c.expected());
        assertThat(r.code()).isEqualTo(c.code());
        assertThat(r).isEqualTo(shared.forException(c.error()));
    }

    @ParameterizedTest(name = "entry {0}")
    @MethodSource("entries")
    void everySharedEntryCodeIsClassifiedAsTheSharedPolicyDoes(SharedAwsErrorCases.EntryCase c) {
        RecordResult r = classifyEntry().apply(c.code(), "message");
        assertThat(r.status()).isEqualTo(c.expected());
        assertThat(r).isEqualTo(shared.forEntry(c.code(), "message"));
    }
}
