package dev.twinstream.firehose.internal;

import dev.twinstream.aws.internal.AwsErrors;
import dev.twinstream.aws.testing.SharedAwsErrorsContract;
import dev.twinstream.core.spi.RecordResult;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.helpers.NOPLogger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;

/** The shared AWS error table (twinstream-aws's test-jar) through the Firehose sink's classifier. */
class SharedAwsErrorsTest extends SharedAwsErrorsContract {
    private final AwsErrors policy = FirehoseErrors.newPolicy(NOPLogger.NOP_LOGGER);

    @Override
    protected Function<Throwable, RecordResult> classifyFailure() {
        return policy::forException;
    }

    @Override
    protected BiFunction<String, String, RecordResult> classifyEntry() {
        return policy::forEntry;
    }

    @Override
    protected Supplier<? extends AwsServiceException.Builder> serviceException() {
        return FirehoseException::builder;
    }
}
