package dev.twinstream.testkit.endpoint;

import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A JUnit 5 extension that runs a {@link LocalAwsEndpoint} for a test class and hands out real AWS
 * SDK clients configured for it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalAwsExtension aws = LocalAwsExtension.with(
 *         LocalAwsEndpoint.builder().kinesisStream("events", 4).firehoseStream("backup"))
 *     .resetBeforeEach();
 *
 * @Test
 * void delivers() {
 *     KinesisSink sink = KinesisSink.builder(aws.kinesisClient(), "events").build();
 *     ... track events ...
 *     assertThat(aws.kinesis().events("events")).hasSize(100);
 * }
 * }</pre>
 *
 * <p>In a {@code static} field the endpoint starts before the class's first test and stops after
 * its last; in an instance field, around each test. {@link #resetBeforeEach()} gives each test new
 * fakes with the declared streams and no faults (see {@link LocalAwsEndpoint#reset()}); the clients
 * stay the same. Stopping closes the clients and the server: no thread or port outlives the class.
 */
public final class LocalAwsExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final LocalAwsEndpoint.Builder settings;
    private boolean resetBeforeEach;
    private @Nullable LocalAwsEndpoint endpoint;
    private boolean perTest;
    private @Nullable KinesisAsyncClient kinesisClient;
    private @Nullable FirehoseAsyncClient firehoseClient;

    private LocalAwsExtension(LocalAwsEndpoint.Builder settings) {
        this.settings = settings;
    }

    /**
     * An extension that starts an endpoint with these settings.
     *
     * @param settings the endpoint's settings (streams, port, scheduler, ...)
     * @return the extension
     */
    public static LocalAwsExtension with(LocalAwsEndpoint.Builder settings) {
        return new LocalAwsExtension(Objects.requireNonNull(settings, "settings"));
    }

    /**
     * Resets the endpoint before each test: new fakes with the declared streams, no wire faults, no
     * stubs of a test's own.
     *
     * @return this extension
     */
    public LocalAwsExtension resetBeforeEach() {
        this.resetBeforeEach = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (endpoint == null) {
            perTest = true;
            start();
        } else if (resetBeforeEach) {
            endpoint.reset();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private synchronized void start() {
        endpoint = settings.start();
    }

    private synchronized void stop() {
        LocalAwsEndpoint e = endpoint;
        endpoint = null;
        kinesisClient = null;
        firehoseClient = null;
        if (e != null) {
            e.close();
        }
    }

    /**
     * {@return the running endpoint}
     *
     * @throws IllegalStateException outside a test (before the extension started it or after it stopped)
     */
    public synchronized LocalAwsEndpoint endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("the local AWS endpoint runs only during the tests of the class "
                    + "that registers this extension");
        }
        return endpoint;
    }

    /** {@return the endpoint's URI} */
    public URI uri() {
        return endpoint().uri();
    }

    /** {@return the fake Kinesis behind the endpoint, to configure faults on and assert against} */
    public FakeKinesis kinesis() {
        return endpoint().kinesis();
    }

    /** {@return the fake Firehose behind the endpoint} */
    public FakeFirehose firehose() {
        return endpoint().firehose();
    }

    /**
     * A real Kinesis client for the endpoint, the same one for every call until the extension
     * stops (see {@link LocalAwsEndpoint#kinesisClientBuilder()} for its settings).
     *
     * @return the client; do not close it
     */
    public synchronized KinesisAsyncClient kinesisClient() {
        if (kinesisClient == null) {
            kinesisClient = endpoint().kinesisClient();
        }
        return kinesisClient;
    }

    /** {@return a real Firehose client for the endpoint, shared like {@link #kinesisClient()}} */
    public synchronized FirehoseAsyncClient firehoseClient() {
        if (firehoseClient == null) {
            firehoseClient = endpoint().firehoseClient();
        }
        return firehoseClient;
    }
}
