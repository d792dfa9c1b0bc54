package dev.twinstream.testkit.endpoint.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.core.SdkPojo;

/**
 * One AWS service of the endpoint: its {@code X-Amz-Target} prefix and the fake that answers it,
 * reached through the SDK's own async client interface that the fake implements.
 *
 * <p>The operations are found by reflection on that interface, once: each method taking one
 * {@code <Operation>Request} is the operation {@code <Operation>}, so {@code X-Amz-Target:
 * Kinesis_20131202.PutRecords} calls {@code putRecords(PutRecordsRequest)} on the fake. An
 * operation of the service the fake does not implement throws {@link UnsupportedOperationException}
 * (the interface's default), which the endpoint answers as {@code UnknownOperationException}.
 */
public final class AwsService {
    private final String targetPrefix;
    private final String name;
    private final Supplier<?> fake;
    private final Map<String, Method> operations = new HashMap<>();

    /**
     * @param targetPrefix the {@code X-Amz-Target} prefix, e.g. {@code Kinesis_20131202}
     * @param clientInterface the SDK's async client interface, e.g. {@code KinesisAsyncClient.class}
     * @param fake the current fake implementing it (read per call: the endpoint can swap it on reset)
     */
    public AwsService(String targetPrefix, Class<?> clientInterface, Supplier<?> fake) {
        this.targetPrefix = targetPrefix;
        this.name = clientInterface.getSimpleName().replace("AsyncClient", "");
        this.fake = fake;
        for (Method m : clientInterface.getMethods()) {
            Class<?>[] params = m.getParameterTypes();
            if (params.length == 1 && AwsRequest.class.isAssignableFrom(params[0])
                    && !Modifier.isStatic(m.getModifiers()) && params[0].getSimpleName().endsWith("Request")
                    && CompletableFuture.class.isAssignableFrom(m.getReturnType())) {
                String operation = params[0].getSimpleName().substring(0, params[0].getSimpleName().length() - 7);
                operations.put(operation, m);
            }
        }
    }

    /** {@return the {@code X-Amz-Target} prefix} */
    public String targetPrefix() {
        return targetPrefix;
    }

    /** {@return the service's name, e.g. {@code Kinesis}} */
    public String name() {
        return name;
    }

    /** {@return the method of {@code operation}, or null if the service has no such operation} */
    public @Nullable Method operation(String operation) {
        return operations.get(operation);
    }

    /** {@return a new, empty builder of {@code operation}'s request} */
    public SdkPojo newRequestBuilder(Method operation) {
        try {
            return (SdkPojo) operation.getParameterTypes()[0].getMethod("builder").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no builder() on " + operation.getParameterTypes()[0], e);
        }
    }

    /**
     * Calls {@code operation} on the fake.
     *
     * @return the fake's future
     * @throws RuntimeException what the fake threw synchronously (e.g. {@link UnsupportedOperationException})
     */
    public CompletableFuture<?> call(Method operation, SdkPojo request) {
        try {
            return (CompletableFuture<?>) operation.invoke(fake.get(), request);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
