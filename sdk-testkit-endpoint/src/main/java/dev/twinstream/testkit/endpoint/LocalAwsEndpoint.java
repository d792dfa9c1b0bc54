package dev.twinstream.testkit.endpoint;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.endpoint.internal.AwsResponder;
import dev.twinstream.testkit.endpoint.internal.AwsService;
import dev.twinstream.testkit.endpoint.internal.WallClockScheduler;
import dev.twinstream.testkit.endpoint.internal.WireFaultPlan;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * {@link FakeKinesis} and {@link FakeFirehose} served over HTTP on 127.0.0.1 with the real wire
 * protocols, so real AWS SDK clients (any language), the AWS CLI and the sinks talk to them exactly
 * as to AWS.
 *
 * <p>WireMock hosts the endpoint. One catch-all stub routes every request by its
 * {@code X-Amz-Target} header ({@code Kinesis_20131202.*}, {@code Firehose_20150804.*}) to the fake
 * of that service; the request body is read in the protocol it was sent in, AWS JSON 1.1 or CBOR 1.1
 * (the Java SDK v2 Kinesis client's default), into the SDK's own request object; the fake's response
 * or exception is written back as the service writes it ({@code __type} and {@code message}, with
 * the service's HTTP status), so a real client raises the same exception class with the same error
 * code as against AWS. Requests must be signed with Signature Version 4, with any credentials
 * (unsigned ones get AWS's {@code MissingAuthenticationTokenException}, unless
 * {@link Builder#requireSignature(boolean) turned off}); the signature itself is not checked.
 *
 * <p>On top of the fakes' own faults (throttling, entry failures, outages: configure them on
 * {@link #kinesis()} and {@link #firehose()}), the endpoint injects {@link WireFault}s on the calls
 * that write records, in the testkit's fault vocabulary: {@link #failNextCalls}, {@link #downFor},
 * {@link #failFraction}, {@link #latency}. A test adds its own WireMock stubs through
 * {@link #wireMock()}: any stub at WireMock's default priority wins over the catch-all.
 *
 * <p>Time: with {@link Builder#scheduler(VirtualScheduler)}, the fakes run on that virtual clock
 * (latency, buffering intervals, throttling windows), and a request whose fake waits on it blocks
 * until the test advances the scheduler; otherwise they run on wall time. Wire-fault delays
 * ({@link #latency}, {@link WireFault#SLOW_RESPONSE}) are always wall time: they delay real sockets.
 *
 * <p>Thread-safe. {@link #close()} stops the server and closes every client handed out.
 */
public final class LocalAwsEndpoint implements AutoCloseable {
    /** The {@code X-Amz-Target} prefix of Kinesis Data Streams requests. */
    public static final String KINESIS_TARGET_PREFIX = "Kinesis_20131202";
    /** The {@code X-Amz-Target} prefix of Data Firehose requests. */
    public static final String FIREHOSE_TARGET_PREFIX = "Firehose_20150804";
    /** The region the clients handed out are configured for (the fakes' ARNs use it too). */
    public static final Region REGION = Region.US_EAST_1;

    private final Builder settings;
    private final WireMockServer server;
    private final WireFaultPlan faults;
    private final AwsResponder responder;
    private final List<SdkClient> clients = new ArrayList<>();
    /** Firehose's buffering intervals on wall time, when objects go to an S3 directory; else null. */
    private final @Nullable WallClockScheduler wallTimer;
    private volatile FakeKinesis kinesis;
    private volatile FakeFirehose firehose;
    private boolean closed;

    private LocalAwsEndpoint(Builder b) {
        this.settings = b;
        this.wallTimer = b.s3Directory != null && b.scheduler == null ? new WallClockScheduler() : null;
        this.kinesis = b.newKinesis();
        this.firehose = b.newFirehose(wallTimer);
        Clock clock = b.scheduler != null ? b.scheduler.clock() : Clock.system();
        this.faults = new WireFaultPlan(clock, b.seed);
        this.responder = new AwsResponder(
                List.of(new AwsService(KINESIS_TARGET_PREFIX, KinesisAsyncClient.class, () -> kinesis),
                        new AwsService(FIREHOSE_TARGET_PREFIX, FirehoseAsyncClient.class, () -> firehose)),
                faults, b.requireSignature, b.slowResponseDelay, b.maxCallWait);
        this.server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(b.port)
                // Every request would otherwise be kept in memory for verification: unbounded at any rate.
                .disableRequestJournal()
                .stubRequestLoggingDisabled(true)
                .notifier(new Slf4jNotifier(false))
                .gzipDisabled(true)
                // Delayed responses (latency, SLOW_RESPONSE) must not hold a request thread each.
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(4)
                .containerThreads(b.requestThreads)
                // One thread accepting connections is plenty on 127.0.0.1; WireMock's default of 3
                // makes Jetty warn "Acceptors should be <= availableProcessors" on 2-core machines,
                // at every start (the first line of every emulator run on CI).
                .jettyAcceptors(1)
                .extensions(responder));
        server.start();
        installCatchAll();
    }

    private void installCatchAll() {
        // Lowest priority (highest number): a test's own stubs, at WireMock's default 5, win.
        server.stubFor(any(anyUrl()).atPriority(Integer.MAX_VALUE)
                .willReturn(aResponse().withTransformers(AwsResponder.NAME)));
    }

    /** {@return a builder of an endpoint with no streams, on a free port} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the endpoint's base URI, {@code http://127.0.0.1:<port>}} */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** {@return the port the endpoint listens on} */
    public int port() {
        return server.port();
    }

    /** {@return the fake behind {@code Kinesis_20131202.*} requests (a new one after {@link #reset()})} */
    public FakeKinesis kinesis() {
        return kinesis;
    }

    /** {@return the fake behind {@code Firehose_20150804.*} requests (a new one after {@link #reset()})} */
    public FakeFirehose firehose() {
        return firehose;
    }

    /**
     * The WireMock server, for a test's own stubs on top of the fakes, for example
     * {@code wireMock().stubFor(post("/").withHeader("X-Amz-Target", equalTo("Kinesis_20131202.ListShards"))
     * .willReturn(aResponse().withStatus(503)))}. The request journal is off (it would grow without
     * bound), so WireMock's {@code verify} does not work; assert on the fakes instead.
     * A stub's body must be in the client's protocol (CBOR for the Java SDK v2 Kinesis client, JSON
     * otherwise); a status-only stub works for both.
     *
     * @return the server
     */
    public WireMockServer wireMock() {
        return server;
    }

    /**
     * A client builder already configured for this endpoint: endpoint override, {@link #REGION},
     * dummy static credentials, the SDK's own retries off and the attempt and call timeouts the sinks
     * recommend (15 s, 30 s). Change what a test needs, then build; the caller closes what it builds.
     *
     * @return a new builder
     */
    public KinesisAsyncClientBuilder kinesisClientBuilder() {
        return forThisEndpoint(KinesisAsyncClient.builder());
    }

    /** {@return a Firehose client builder configured like {@link #kinesisClientBuilder()}} */
    public FirehoseAsyncClientBuilder firehoseClientBuilder() {
        return forThisEndpoint(FirehoseAsyncClient.builder());
    }

    /**
     * A new real Kinesis client for this endpoint (see {@link #kinesisClientBuilder()}); it speaks
     * CBOR unless the JVM runs with {@code -Daws.cborEnabled=false}. Closed by {@link #close()}.
     *
     * @return the client
     */
    public KinesisAsyncClient kinesisClient() {
        return track(kinesisClientBuilder().build());
    }

    /** {@return a new real Firehose client for this endpoint, closed by {@link #close()}} */
    public FirehoseAsyncClient firehoseClient() {
        return track(firehoseClientBuilder().build());
    }

    /** The settings both client builders share (see {@link #kinesisClientBuilder()}). */
    private <B extends AwsClientBuilder<B, ?>> B forThisEndpoint(B builder) {
        return builder.endpointOverride(uri())
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDLOCALENDPOINT", "local-secret")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(15))
                        .apiCallTimeout(Duration.ofSeconds(30)));
    }

    private synchronized <C extends SdkClient> C track(C client) {
        if (closed) {
            client.close();
            throw new IllegalStateException("the endpoint is closed");
        }
        clients.add(client);
        return client;
    }

    // ---- wire faults ---------------------------------------------------------------------------

    /**
     * The next {@code n} write calls fail with {@code fault}.
     *
     * @param n how many calls, 0 to stop
     * @param fault what happens to them
     * @return this endpoint
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public LocalAwsEndpoint failNextCalls(int n, WireFault fault) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        faults.failNextCalls(n, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Every write call fails with {@code fault} for {@code duration} from now (on the endpoint's
     * clock: the virtual one when built with a scheduler).
     *
     * @param duration how long; zero ends an earlier outage
     * @param fault what happens to the calls
     * @return this endpoint
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public LocalAwsEndpoint downFor(Duration duration, WireFault fault) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, was " + duration);
        }
        faults.downFor(duration.toNanos(), Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Each later write call fails with {@code fault} with probability {@code fraction}, drawn from a
     * generator seeded by {@link Builder#seed(long)}.
     *
     * @param fraction 0 (off) to 1 (always)
     * @param fault what happens to the calls drawn
     * @return this endpoint
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public LocalAwsEndpoint failFraction(double fraction, WireFault fault) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
        }
        faults.failFraction(fraction, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Every later call's response, of any operation (unlike the wire faults, which hit only the calls
     * that write records), leaves after {@code latency} of wall time (on top of any
     * latency of the fakes).
     *
     * @param latency zero for none
     * @return this endpoint
     * @throws IllegalArgumentException if {@code latency} is negative or over {@link Integer#MAX_VALUE} ms
     */
    public LocalAwsEndpoint latency(Duration latency) {
        if (latency.isNegative() || latency.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("latency must be in [0, " + Integer.MAX_VALUE + " ms], was " + latency);
        }
        faults.latencyMillis(latency.toMillis());
        return this;
    }

    /** Ends every wire fault and the latency set on this endpoint. */
    public void clearFaults() {
        faults.clear();
    }

    /** {@return how many wire faults this endpoint has injected} */
    public long wireFaultsInjected() {
        return faults.injected();
    }

    /** {@return how many requests reached the fakes' router (stubs of a test's own are not counted)} */
    public long requestCount() {
        return responder.requestCount();
    }

    /** {@return how many of {@link #requestCount()} were sent in CBOR (the Java SDK v2 Kinesis default)} */
    public long cborRequestCount() {
        return responder.cborRequestCount();
    }

    /**
     * Starts over: new fakes with the streams the builder declared, no wire faults, and only the
     * catch-all stub (a test's own stubs are removed). Clients handed out stay open and keep working.
     */
    public void reset() {
        faults.clear();
        server.resetMappings();
        installCatchAll();
        kinesis = settings.newKinesis();
        firehose = settings.newFirehose(wallTimer);
    }

    /** Stops the server and closes every client this endpoint handed out. Idempotent. */
    @Override
    public void close() {
        List<SdkClient> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(clients);
            clients.clear();
        }
        for (SdkClient c : toClose) {
            c.close();
        }
        server.stop();
        // Delivers what is still buffered (to the S3 directory too) before the timer stops.
        firehose.close();
        if (wallTimer != null) {
            wallTimer.close();
        }
    }

    @Override
    public String toString() {
        return "LocalAwsEndpoint{" + uri() + ", kinesis=" + settings.kinesisStreams.keySet()
                + ", firehose=" + settings.firehoseStreams + "}";
    }

    /** Settings of a {@link LocalAwsEndpoint}; {@link #start()} starts it. */
    public static final class Builder {
        private int port;
        private @Nullable VirtualScheduler scheduler;
        private long seed = 1;
        private boolean requireSignature = true;
        private Duration slowResponseDelay = Duration.ofSeconds(30);
        private Duration maxCallWait = Duration.ofMinutes(5);
        private int requestThreads = 32;
        private final Map<String, Integer> kinesisStreams = new LinkedHashMap<>();
        private final List<String> firehoseStreams = new ArrayList<>();
        private @Nullable Supplier<FakeKinesis> kinesisFactory;
        private @Nullable Supplier<FakeFirehose> firehoseFactory;
        private @Nullable Path s3Directory;

        private Builder() {
        }

        /**
         * The port to listen on, on 127.0.0.1.
         *
         * @param port 0 (the default) for a free one
         * @return this builder
         * @throws IllegalArgumentException if outside 0..65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Runs the fakes (and the outage windows of {@link LocalAwsEndpoint#downFor}) on this
         * virtual scheduler's clock instead of wall time.
         *
         * @param scheduler the virtual scheduler
         * @return this builder
         */
        public Builder scheduler(VirtualScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Seeds the fakes' fault draws and the endpoint's {@link LocalAwsEndpoint#failFraction}.
         *
         * @param seed any value (default 1)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Creates a Kinesis data stream when the endpoint starts (and again after each reset).
         *
         * @param name the stream name
         * @param shards its shard count, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code shards} is below 1
         */
        public Builder kinesisStream(String name, int shards) {
            if (shards < 1) {
                throw new IllegalArgumentException("kinesisStream " + name + ": shards must be >= 1, was " + shards);
            }
            kinesisStreams.put(Objects.requireNonNull(name, "name"), shards);
            return this;
        }

        /**
         * Creates a Firehose delivery stream (default buffering hints, S3 destination) when the
         * endpoint starts (and again after each reset).
         *
         * @param name the delivery stream name
         * @return this builder
         */
        public Builder firehoseStream(String name) {
            firehoseStreams.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /**
         * A local directory standing in for the delivery streams' S3 buckets: every object the
         * fake Firehose delivers (by each stream's buffering hints) is also written as
         * {@code <directory>/<bucket>/<key>}, so a person or a tool can look at what a run delivered.
         * On wall time the buffering intervals run on a timer thread of the endpoint, so objects
         * appear when their interval passes; {@link LocalAwsEndpoint#close()} delivers what is still
         * buffered. Ignored when {@link #firehose(Supplier)} supplies the fake (configure it there).
         *
         * @param directory the directory (the standalone emulator creates it if missing)
         * @return this builder
         */
        public Builder s3Directory(Path directory) {
            this.s3Directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** {@return the directory of {@link #s3Directory(Path)}, or null if none was set} */
        @Nullable Path s3Directory() {
            return s3Directory;
        }

        /**
         * Serves this fake Kinesis instead of one the endpoint builds; called at start and on each
         * {@link LocalAwsEndpoint#reset()}, and the {@link #kinesisStream} streams are created in it.
         *
         * @param factory creates the fake
         * @return this builder
         */
        public Builder kinesis(Supplier<FakeKinesis> factory) {
            this.kinesisFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Serves this fake Firehose instead of one the endpoint builds, like {@link #kinesis(Supplier)}.
         *
         * @param factory creates the fake
         * @return this builder
         */
        public Builder firehose(Supplier<FakeFirehose> factory) {
            this.firehoseFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Whether requests without a Signature Version 4 {@code Authorization} header are refused, as
         * AWS refuses them ({@code MissingAuthenticationTokenException}, HTTP 400).
         *
         * @param require true (the default) to refuse them
         * @return this builder
         */
        public Builder requireSignature(boolean require) {
            this.requireSignature = require;
            return this;
        }

        /**
         * How late a {@link WireFault#SLOW_RESPONSE} answers.
         *
         * @param delay positive; 30 s by default (twice the attempt timeout the sinks recommend)
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder slowResponseDelay(Duration delay) {
            if (delay.isNegative() || delay.isZero() || delay.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("slowResponseDelay must be positive, was " + delay);
            }
            this.slowResponseDelay = delay;
            return this;
        }

        /**
         * How many requests are served at once (Jetty's request threads).
         *
         * @param threads at least 4; 32 by default
         * @return this builder
         * @throws IllegalArgumentException if below 4
         */
        public Builder requestThreads(int threads) {
            if (threads < 4) {
                throw new IllegalArgumentException("requestThreads must be >= 4, was " + threads);
            }
            this.requestThreads = threads;
            return this;
        }

        /**
         * Starts the endpoint.
         *
         * @return the endpoint, listening
         * @throws com.github.tomakehurst.wiremock.common.FatalStartupException if it cannot listen
         *     (the port is taken, for example)
         */
        public LocalAwsEndpoint start() {
            return new LocalAwsEndpoint(this);
        }

        FakeKinesis newKinesis() {
            FakeKinesis fake;
            if (kinesisFactory != null) {
                fake = kinesisFactory.get();
            } else {
                FakeKinesis.Builder b = FakeKinesis.builder().seed(seed);
                if (scheduler != null) {
                    b.scheduler(scheduler);
                }
                fake = b.build();
            }
            kinesisStreams.forEach(fake::createStream);
            return fake;
        }

        FakeFirehose newFirehose(@Nullable Scheduler wallTimer) {
            FakeFirehose fake;
            if (firehoseFactory != null) {
                fake = firehoseFactory.get();
            } else {
                FakeFirehose.Builder b = FakeFirehose.builder().seed(seed);
                if (scheduler != null) {
                    b.scheduler(scheduler);
                } else if (wallTimer != null) {
                    b.scheduler(wallTimer);
                }
                if (s3Directory != null) {
                    b.s3Directory(s3Directory);
                }
                fake = b.build();
            }
            firehoseStreams.forEach(fake::createStream);
            return fake;
        }
    }
}
