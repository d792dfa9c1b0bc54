package dev.twinstream.testkit.firehose;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.firehose.model.ConcurrentModificationException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.InvalidKmsResourceException;
import software.amazon.awssdk.services.firehose.model.InvalidSourceException;
import software.amazon.awssdk.services.firehose.model.LimitExceededException;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/**
 * The SDK exceptions {@link FakeFirehose} fails calls with, built as the SDK unmarshals the
 * service's errors: the modeled class, the HTTP status and {@code awsErrorDetails().errorCode()}.
 */
final class FirehoseExceptions {

    static final String SERVICE_UNAVAILABLE = "ServiceUnavailableException";
    static final String INTERNAL_FAILURE = "InternalFailure";
    private static final String SERVICE = "Firehose";

    private FirehoseExceptions() {}

    /**
     * The exception the SDK would unmarshal for {@code code}: the modeled class for Firehose's own
     * codes (the codes the SDK registers for the service, each with HTTP 400, except
     * {@code ServiceUnavailableException}: 503, as the fake's throttling), otherwise a
     * {@link FirehoseException} with that code and HTTP 400.
     */
    static FirehoseException forCode(String code) {
        String message = "Injected failure " + code + " (FakeFirehose)";
        switch (code) {
            case SERVICE_UNAVAILABLE:
                return serviceUnavailable();
            case "InvalidKMSResourceException":
                return (FirehoseException) build(InvalidKmsResourceException.builder(), code, 400, message);
            case "ResourceNotFoundException":
                return (FirehoseException) build(ResourceNotFoundException.builder(), code, 400, message);
            case "InvalidArgumentException":
                return (FirehoseException) build(InvalidArgumentException.builder(), code, 400, message);
            case "LimitExceededException":
                return (FirehoseException) build(LimitExceededException.builder(), code, 400, message);
            case "ResourceInUseException":
                return (FirehoseException) build(ResourceInUseException.builder(), code, 400, message);
            case "InvalidSourceException":
                return (FirehoseException) build(InvalidSourceException.builder(), code, 400, message);
            case "ConcurrentModificationException":
                return (FirehoseException) build(ConcurrentModificationException.builder(), code, 400, message);
            default:
                return (FirehoseException) build(FirehoseException.builder(), code, 400, message);
        }
    }

    /** What {@code putRecord} throws for an entry failure the faults chose (a batch answers it per entry). */
    static FirehoseException forEntry(String code) {
        if (SERVICE_UNAVAILABLE.equals(code)) {
            return serviceUnavailable();
        }
        int status = INTERNAL_FAILURE.equals(code) ? 500 : 400;
        return (FirehoseException) build(FirehoseException.builder(), code, status, entryMessage(code));
    }

    /** The {@code ErrorMessage} of a failed batch entry. */
    static String entryMessage(String code) {
        switch (code) {
            case SERVICE_UNAVAILABLE:
                return "Slow down.";
            case INTERNAL_FAILURE:
                return "Internal service failure.";
            default:
                return "Injected failure " + code + " (FakeFirehose)";
        }
    }

    /** Throttling, of a whole call or of an entry thrown by {@code putRecord}: the service's "Slow down.". */
    static ServiceUnavailableException serviceUnavailable() {
        return (ServiceUnavailableException) build(ServiceUnavailableException.builder(), SERVICE_UNAVAILABLE, 503,
                "Slow down.");
    }

    static InvalidArgumentException invalidArgument(String message) {
        return (InvalidArgumentException) build(InvalidArgumentException.builder(), "InvalidArgumentException", 400, message);
    }

    static ResourceNotFoundException resourceNotFound(String message) {
        return (ResourceNotFoundException) build(ResourceNotFoundException.builder(), "ResourceNotFoundException", 400,
                message);
    }

    static ResourceInUseException resourceInUse(String message) {
        return (ResourceInUseException) build(ResourceInUseException.builder(), "ResourceInUseException", 400, message);
    }

    private static AwsServiceException build(AwsServiceException.Builder builder, String code, int status, String message) {
        return builder.statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName(SERVICE).build())
                .build();
    }
}
