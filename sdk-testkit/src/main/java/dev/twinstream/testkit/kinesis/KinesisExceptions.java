package dev.twinstream.testkit.kinesis;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
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

    /** A service exception of the type the SDK would unmarshal for {@code code}, with the status the service sends. */
    static AwsServiceException forCode(String code) {
        String message = "injected " + code;
        switch (code) {
            case "ResourceNotFoundException":
                return error(ResourceNotFoundException.builder(), code, 400, message);
            case "InvalidArgumentException":
                return error(InvalidArgumentException.builder(), code, 400, message);
            case THROUGHPUT_EXCEEDED:
                return error(ProvisionedThroughputExceededException.builder(), code, 400, message);
            case "InternalFailureException":
                return error(InternalFailureException.builder(), code, 500, message);
            case "AccessDeniedException":
                return error(AccessDeniedException.builder(), code, 400, message);
            case "KMSDisabledException":
                return error(KmsDisabledException.builder(), code, 400, message);
            case "LimitExceededException":
                return error(LimitExceededException.builder(), code, 400, message);
            default:
                return error(KinesisException.builder(), code, 400, message);
        }
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
