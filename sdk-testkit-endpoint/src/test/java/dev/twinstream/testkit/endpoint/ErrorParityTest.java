package dev.twinstream.testkit.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Every fault the fakes can inject fails a real SDK client over the wire exactly as it fails a
 * caller of the fake in process: the same exception class, error code and HTTP status. The
 * in-process exception is what the fake builds; the wire one is what the SDK unmarshals from the
 * endpoint's response with its own registry of the service's modeled exceptions, so the two agree
 * only if the fake picks the class the SDK would.
 */
class ErrorParityTest {
    private static final String STREAM = "parity";
    private static LocalAwsEndpoint endpoint;
    private static KinesisAsyncClient kinesisClient;
    private static FirehoseAsyncClient firehoseClient;

    @BeforeAll
    static void start() {
        endpoint = LocalAwsEndpoint.builder().kinesisStream(STREAM, 1).firehoseStream(STREAM).start();
        kinesisClient = endpoint.kinesisClient();
        firehoseClient = endpoint.firehoseClient();
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    /** The error codes of Kinesis Data Streams' API reference (the SDK models each as a class). */
    @ParameterizedTest
    @ValueSource(strings = {"ResourceNotFoundException", "ResourceInUseException", "InvalidArgumentException",
            "ProvisionedThroughputExceededException", "InternalFailureException", "AccessDeniedException",
            "ExpiredIteratorException", "ExpiredNextTokenException", "KMSDisabledException", "KMSInvalidStateException",
            "KMSAccessDeniedException", "KMSNotFoundException", "KMSOptInRequired", "KMSThrottlingException",
            "LimitExceededException", "ValidationException", "SomethingTheSdkDoesNotModel"})
    void kinesisFailNextCalls(String code) {
        assertKinesisParity(fake -> fake.failNextCalls(1, code));
    }

    /** The call-level faults both fakes inject, and the requests the services refuse. */
    enum Fault {
        THROTTLE_NEXT_CALLS, THROTTLE_FOR, DOWN_FOR, MISSING_STREAM, TOO_MANY_RECORDS;

        /** Sets this fault up on a fake, through the verbs both fakes share. */
        void applyTo(IntConsumer throttleNextCalls, Consumer<Duration> throttleFor, Consumer<Duration> downFor) {
            switch (this) {
                case THROTTLE_NEXT_CALLS: throttleNextCalls.accept(1); break;
                case THROTTLE_FOR: throttleFor.accept(Duration.ofMinutes(1)); break;
                case DOWN_FOR: downFor.accept(Duration.ofMinutes(1)); break;
                default: break; // the request itself is at fault
            }
        }

        String stream() {
            return this == MISSING_STREAM ? "no-such-stream" : STREAM;
        }

        /** One over the services' 500-records limit for TOO_MANY_RECORDS. */
        int records() {
            return this == TOO_MANY_RECORDS ? 501 : 1;
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void kinesisFaults(Fault fault) {
        assertKinesisParity(fake -> fault.applyTo(fake::throttleNextCalls, fake::throttleFor, fake::downFor),
                fault.stream(), fault.records());
    }

    /** The error codes of Data Firehose's API reference. */
    @ParameterizedTest
    @ValueSource(strings = {"ConcurrentModificationException", "InvalidArgumentException", "InvalidKMSResourceException",
            "InvalidSourceException", "LimitExceededException", "ResourceInUseException", "ResourceNotFoundException",
            "ServiceUnavailableException", "SomethingTheSdkDoesNotModel"})
    void firehoseFailNextCalls(String code) {
        assertFirehoseParity(fake -> fake.failNextCalls(1, code), STREAM, 1);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void firehoseFaults(Fault fault) {
        assertFirehoseParity(fake -> fault.applyTo(fake::throttleNextCalls, fake::throttleFor, fake::downFor),
                fault.stream(), fault.records());
    }

    private static void assertKinesisParity(Consumer<FakeKinesis> fault) {
        assertKinesisParity(fault, STREAM, 1);
    }

    private static void assertKinesisParity(Consumer<FakeKinesis> fault, String stream, int records) {
        PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder().partitionKey("k")
                .data(SdkBytes.fromUtf8String("x")).build();
        PutRecordsRequest request = PutRecordsRequest.builder().streamName(stream)
                .records(java.util.Collections.nCopies(records, entry)).build();
        FakeKinesis inProcess = FakeKinesis.builder().build().createStream(STREAM, 1);
        fault.accept(inProcess);
        endpoint.reset();
        fault.accept(endpoint.kinesis());
        assertSameFailure(failure(inProcess, c -> c.putRecords(request)), failure(kinesisClient, c -> c.putRecords(request)));
    }

    private static void assertFirehoseParity(Consumer<FakeFirehose> fault, String stream, int records) {
        PutRecordBatchRequest request = PutRecordBatchRequest.builder().deliveryStreamName(stream)
                .records(java.util.Collections.nCopies(records, Record.builder().data(SdkBytes.fromUtf8String("x\n")).build()))
                .build();
        FakeFirehose inProcess = FakeFirehose.builder().build().createStream(STREAM);
        fault.accept(inProcess);
        endpoint.reset();
        fault.accept(endpoint.firehose());
        assertSameFailure(failure(inProcess, c -> c.putRecordBatch(request)),
                failure(firehoseClient, c -> c.putRecordBatch(request)));
    }

    private static <C> Throwable failure(C client, Function<C, CompletableFuture<?>> call) {
        Throwable thrown = catchThrowable(() -> call.apply(client).join());
        assertThat(thrown).as("the call fails").isNotNull();
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    private static void assertSameFailure(Throwable inProcess, Throwable overTheWire) {
        if (inProcess instanceof SdkClientException) {
            // "Unreachable": the endpoint resets the connection; the client's exception is its own.
            assertThat(overTheWire).isInstanceOf(SdkClientException.class);
            return;
        }
        assertThat(inProcess).isInstanceOf(AwsServiceException.class);
        assertThat(overTheWire).as("over the wire: %s", overTheWire).isExactlyInstanceOf(inProcess.getClass());
        AwsServiceException local = (AwsServiceException) inProcess;
        AwsServiceException wire = (AwsServiceException) overTheWire;
        assertThat(wire.awsErrorDetails().errorCode()).isEqualTo(local.awsErrorDetails().errorCode());
        assertThat(wire.statusCode()).isEqualTo(local.statusCode());
        assertThat(wire.awsErrorDetails().errorMessage()).isEqualTo(local.awsErrorDetails().errorMessage());
    }
}
