package dev.twinstream.testkit.endpoint.internal;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.ContentTypes;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.twinstream.testkit.endpoint.WireFault;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.exception.SdkClientException;

import static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder.responseDefinition;

/**
 * The WireMock extension that answers AWS requests: routes by {@code X-Amz-Target} to the fake of
 * the service, decodes the body with {@link AwsWireCodec}, calls the fake, and encodes its response
 * or its error the way the service does, with the wire faults of {@link WireFaultPlan} layered on top.
 *
 * <p>It is attached to one catch-all stub of the lowest priority, so any stub a test adds wins.
 */
public final class AwsResponder implements ResponseDefinitionTransformerV2 {
    /** The name the catch-all stub refers to. */
    public static final String NAME = "twinstream-aws";

    private static final Logger LOG = LoggerFactory.getLogger(AwsResponder.class);
    /** The calls that write records: the ones a sink makes, and the ones wire faults hit. */
    private static final Set<String> WRITE_OPERATIONS = Set.of("PutRecord", "PutRecords", "PutRecordBatch");
    private static final String HTML_500_BODY =
            "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>";

    private final List<AwsService> services;
    private final WireFaultPlan faults;
    private final boolean requireSignature;
    private final long slowResponseMillis;
    private final long maxCallWaitNanos;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong cborRequests = new AtomicLong();

    /**
     * @param services the services this endpoint serves
     * @param faults the wire faults to inject
     * @param requireSignature whether unsigned requests are refused as AWS refuses them
     * @param slowResponseDelay how late a {@link WireFault#SLOW_RESPONSE} answers
     * @param maxCallWait how long to wait for a fake's future (on virtual time, until a test advances it)
     */
    public AwsResponder(List<AwsService> services, WireFaultPlan faults, boolean requireSignature,
            Duration slowResponseDelay, Duration maxCallWait) {
        this.services = List.copyOf(services);
        this.faults = faults;
        this.requireSignature = requireSignature;
        this.slowResponseMillis = slowResponseDelay.toMillis();
        this.maxCallWaitNanos = maxCallWait.toNanos();
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    /** {@return how many requests reached this responder} */
    public long requestCount() {
        return requests.get();
    }

    /** {@return how many of them were sent in CBOR} */
    public long cborRequestCount() {
        return cborRequests.get();
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        requests.incrementAndGet();
        Request request = serveEvent.getRequest();
        AwsWireCodec codec = AwsWireCodec.forContentType(request.contentTypeHeader().mimeTypePart());
        if (codec.isCbor()) {
            cborRequests.incrementAndGet();
        }
        String authorization = request.getHeader("Authorization");
        if (requireSignature && authorization == null) {
            return error(codec, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        if (requireSignature && !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return error(codec, 400, "IncompleteSignatureException",
                    "Authorization header requires the AWS4-HMAC-SHA256 algorithm (Signature Version 4)");
        }
        String target = request.getHeader("X-Amz-Target");
        int dot = target == null ? -1 : target.indexOf('.');
        AwsService service = dot < 0 ? null : service(target.substring(0, dot));
        Method operation = service == null ? null : service.operation(target.substring(dot + 1));
        if (operation == null) {
            return error(codec, 400, "UnknownOperationException",
                    target == null ? "Missing X-Amz-Target header" : "Unknown operation " + target);
        }
        WireFault fault = WRITE_OPERATIONS.contains(target.substring(dot + 1)) ? faults.next() : null;
        if (fault != null && !fault.reachesFake()) {
            return wireFault(fault);
        }
        ResponseDefinition answer = call(codec, service, operation, target, request.getBody());
        if (fault == WireFault.MALFORMED_RESPONSE_CHUNK) {
            return responseDefinition().withFault(Fault.MALFORMED_RESPONSE_CHUNK).build();
        }
        long delayMillis = fault == WireFault.SLOW_RESPONSE ? slowResponseMillis : faults.latencyMillis();
        if (delayMillis > 0) {
            return ResponseDefinitionBuilder.like(answer).withFixedDelay((int) delayMillis).build();
        }
        return answer;
    }

    private @Nullable AwsService service(String prefix) {
        for (AwsService s : services) {
            if (s.targetPrefix().equals(prefix)) {
                return s;
            }
        }
        return null;
    }

    private ResponseDefinition call(AwsWireCodec codec, AwsService service, Method operation, String target,
            byte[] body) {
        Object result;
        try {
            SdkPojo sdkRequest = codec.read(body, service.newRequestBuilder(operation));
            result = service.call(operation, sdkRequest).get(maxCallWaitNanos, TimeUnit.NANOSECONDS);
        } catch (AwsWireCodec.MalformedBodyException e) {
            return error(codec, 400, "SerializationException", e.getMessage());
        } catch (UnsupportedOperationException e) {
            return error(codec, 400, "UnknownOperationException",
                    target + " is not implemented by the local endpoint's " + service.name() + " fake");
        } catch (ExecutionException e) {
            return failure(codec, e.getCause(), target);
        } catch (TimeoutException e) {
            return error(codec, 500, "InternalFailure", "the fake did not answer " + target + " within "
                    + Duration.ofNanos(maxCallWaitNanos) + " (on virtual time, advance the scheduler)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(codec, 503, "ServiceUnavailable", "the local endpoint is stopping");
        } catch (RuntimeException e) {
            return failure(codec, e, target);
        }
        return responseDefinition().withStatus(200)
                .withHeader("Content-Type", codec.contentType())
                .withHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .withBody(codec.write((SdkPojo) result))
                .build();
    }

    /** What the fake's exception looks like on the wire: an AWS error, or a broken connection. */
    private ResponseDefinition failure(AwsWireCodec codec, Throwable failure, String target) {
        if (failure instanceof AwsServiceException) {
            AwsServiceException e = (AwsServiceException) failure;
            int status = e.statusCode() > 0 ? e.statusCode() : 400;
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                    ? e.awsErrorDetails().errorCode() : "InternalFailure";
            String message = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
            return error(codec, status, code, message);
        }
        if (failure instanceof SdkClientException) {
            // The fake models "the service cannot be reached": on the wire that is a broken connection.
            return wireFault(WireFault.CONNECTION_RESET);
        }
        if (failure instanceof UnsupportedOperationException) {
            return error(codec, 400, "UnknownOperationException", failure.getMessage());
        }
        LOG.warn("{}: the fake failed with an unexpected exception; answering 500 InternalFailure", target, failure);
        return error(codec, 500, "InternalFailure", String.valueOf(failure));
    }

    private ResponseDefinition wireFault(WireFault fault) {
        switch (fault) {
            case CONNECTION_RESET:
                return responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
            case EMPTY_RESPONSE:
                return responseDefinition().withFault(Fault.EMPTY_RESPONSE).build();
            case RANDOM_DATA_THEN_CLOSE:
                return responseDefinition().withFault(Fault.RANDOM_DATA_THEN_CLOSE).build();
            case HTML_500:
                return responseDefinition().withStatus(500).withHeader(ContentTypes.CONTENT_TYPE, "text/html")
                        .withBody(HTML_500_BODY).build();
            default:
                throw new IllegalArgumentException(fault + " reaches the fake");
        }
    }

    private static ResponseDefinition error(AwsWireCodec codec, int status, String code, @Nullable String message) {
        return responseDefinition().withStatus(status)
                .withHeader("Content-Type", codec.contentType())
                .withHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .withHeader("x-amzn-ErrorType", code)
                .withBody(codec.writeError(code, message))
                .build();
    }
}
