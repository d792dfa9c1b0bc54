package dev.twinstream.testkit.kinesis;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
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
import software.amazon.awssdk.services.kinesis.model.ValidationException;

/**
 * The SDK exceptions {@link FakeKinesis} fails calls with, built as the SDK unmarshals the
 * service's errors: the modeled class, the HTTP status and {@code awsErrorDetails().errorCode()}.
 */
final class KinesisExceptions {

    static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";
    static final String INTERNAL_FAILURE = "InternalFailure";

    private KinesisExceptions() {}

    /**
     * The service's error codes and the class the SDK unmarshals each into (every exception the
     * Kinesis model declares; {@code ErrorParityTest} in twinstream-testkit-endpoint checks each
     * against a real client). Codes are the wire's, which differ from the class names for KMS.
     */
    private static final Map<String, Supplier<AwsServiceException.Builder>> MODELED = Map.ofEntries(
            Map.entry("AccessDeniedException", AccessDeniedException::builder),
            Map.entry("ExpiredIteratorException", ExpiredIteratorException::builder),
            Map.entry("ExpiredNextTokenException", ExpiredNextTokenException::builder),
            Map.entry("InternalFailureException", InternalFailureException::builder),
            Map.entry("InvalidArgumentException", InvalidArgumentException::builder),
            Map.entry("KMSAccessDeniedException", KmsAccessDeniedException::builder),
            Map.entry("KMSDisabledException", KmsDisabledException::builder),
            Map.entry("KMSInvalidStateException", KmsInvalidStateException::builder),
            Map.entry("KMSNotFoundException", KmsNotFoundException::builder),
            Map.entry("KMSOptInRequired", KmsOptInRequiredException::builder),
            Map.entry("KMSThrottlingException", KmsThrottlingException::builder),
            Map.entry("LimitExceededException", LimitExceededException::builder),
            Map.entry(THROUGHPUT_EXCEEDED, ProvisionedThroughputExceededException::builder),
            Map.entry("ResourceInUseException", ResourceInUseException::builder),
            Map.entry("ResourceNotFoundException", ResourceNotFoundException::builder),
            Map.entry("ValidationException", ValidationException::builder));

    /**
     * A service exception of the type the SDK would unmarshal for {@code code}, with the status the
     * service sends (500 for {@code InternalFailureException}, 400 for the others); a code the model
     * does not declare gives a plain {@link KinesisException}.
     */
    static AwsServiceException forCode(String code) {
        Supplier<AwsServiceException.Builder> modeled = MODELED.get(code);
        int status = "InternalFailureException".equals(code) ? 500 : 400;
        return error(modeled != null ? modeled.get() : KinesisException.builder(), code, status, "injected " + code);
    }

    static AwsServiceException validation(String message) {
        return error(ValidationException.builder(), "ValidationException", 400, message);
    }

    static AwsServiceException invalidArgument(String message) {
        return error(InvalidArgumentException.builder(), "InvalidArgumentException", 400, message);
    }

    static AwsServiceException resourceNotFound(String message) {
        return error(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400, message);
    }

    static AwsServiceException throughputExceeded(String message) {
        return error(ProvisionedThroughputExceededException.builder(), THROUGHPUT_EXCEEDED, 400, message);
    }

    static AwsServiceException internalFailure(String message) {
        return error(InternalFailureException.builder(), "InternalFailureException", 500, message);
    }

    static AwsServiceException error(AwsServiceException.Builder builder, String code, int status, String message) {
        return builder.message(message).statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Kinesis").build())
                .build();
    }
}
