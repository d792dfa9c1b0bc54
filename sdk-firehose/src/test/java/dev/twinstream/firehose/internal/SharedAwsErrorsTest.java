package dev.twinstream.firehose.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.aws.testing.SharedAwsErrorCases;
import dev.twinstream.core.spi.RecordResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.services.firehose.model.FirehoseException;

/**
 * The shared AWS error table (twinstream-aws's test-jar) through the Firehose sink's classifier:
 * every case must come out as the shared policy decides. The Kinesis sink runs the same table, so
 * the two sinks classify every shared case alike.
 */
class SharedAwsErrorsTest {
    private final AwsErrors firehose = FirehoseErrors.newPolicy(NOPLogger.NOP_LOGGER);
    private final AwsErrors shared = new AwsErrors("shared", Map.of(), NOPLogger.NOP_LOGGER);

    static List<SharedAwsErrorCases.Case> wholeCall() {
        return SharedAwsErrorCases.wholeCall(FirehoseException::builder);
    }

    static List<SharedAwsErrorCases.EntryCase> entries() {
        return SharedAwsErrorCases.entries();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeCall")
    void everySharedWholeCallCaseIsClassifiedAsTheSharedPolicyDoes(SharedAwsErrorCases.Case c) {
        RecordResult r = firehose.forException(c.error());
        assertThat(r.status()).isEqualTo(c.expected());
        assertThat(r.code()).isEqualTo(c.code());
        assertThat(r).isEqualTo(shared.forException(c.error()));
    }

    @ParameterizedTest(name = "entry {0}")
    @MethodSource("entries")
    void everySharedEntryCodeIsClassifiedAsTheSharedPolicyDoes(SharedAwsErrorCases.EntryCase c) {
        RecordResult r = firehose.forEntry(c.code(), "message");
        assertThat(r.status()).isEqualTo(c.expected());
        assertThat(r).isEqualTo(shared.forEntry(c.code(), "message"));
    }
}
