package dev.twinstream.samples.clickstream;

import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClientBuilder;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamType;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Where the events go, and the real AWS SDK clients that take them there. Three choices, one code
 * path: the clients are built as the README recommends (SDK retries off, bounded calls) and differ
 * only in endpoint, region and credentials. Both share one HTTP client.
 * <ul>
 *   <li>embedded (default): a {@link LocalAwsEndpoint} started in this process, serving
 *       {@code FakeKinesis} and {@code FakeFirehose} on 127.0.0.1 over the AWS wire protocols;
 *   <li>{@code --endpoint URL}: another such endpoint; missing streams are created;
 *   <li>{@code --aws}: AWS itself, default credentials chain and region; the streams must exist.
 * </ul>
 */
final class Backend implements AutoCloseable {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);

    final String description;
    final KinesisAsyncClient kinesis;
    final @Nullable FirehoseAsyncClient firehose;
    final @Nullable LocalAwsEndpoint embedded;
    /**
     * Netty threads of our own: an SDK client closing its own waits out Netty's 2 s quiet period,
     * which would keep the sample alive for seconds after its summary.
     */
    private final SdkEventLoopGroup eventLoop = SdkEventLoopGroup.builder().numberOfThreads(2).build();
    /** HTTP/1.1: Kinesis and Firehose both take it, and plain-HTTP emulators speak only it. */
    private final SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder().eventLoopGroup(eventLoop)
            .protocol(Protocol.HTTP1_1).build();

    private Backend(String description, @Nullable URI endpoint, boolean archive, @Nullable LocalAwsEndpoint embedded) {
        this.description = description;
        this.kinesis = kinesisClient(endpoint);
        this.firehose = archive ? firehoseClient(endpoint) : null;
        this.embedded = embedded;
    }

    /**
     * Starts or reaches the backend the options name, and makes sure its streams are there.
     *
     * @param o the options
     * @return the backend; close it
     * @throws Exception if it cannot be reached, or (with --aws) a stream does not exist
     */
    static Backend open(Clickstream o) throws Exception {
        if (o.target != null && o.target.aws) {
            return checked(new Backend("AWS (default credentials and region)", null, o.archive, null), o, false);
        }
        if (o.target != null && o.target.endpoint != null) {
            URI uri = o.target.endpoint;
            return checked(new Backend("endpoint " + uri, uri, o.archive, null), o, true);
        }
        LocalAwsEndpoint.Builder b = LocalAwsEndpoint.builder()
                .kinesis(() -> FakeKinesis.builder().seed(o.seed).enforceThroughput(o.enforceThroughput).build())
                .kinesisStream(o.stream, o.shards);
        if (o.archive) {
            b.firehoseStream(o.archiveStream);
        }
        LocalAwsEndpoint endpoint = b.start();
        try {
            String limits = o.enforceThroughput ? "1,000 records/s and 1 MiB/s per shard enforced" : "shard limits not enforced";
            return new Backend("embedded LocalAwsEndpoint at " + endpoint.uri() + " (FakeKinesis, " + limits + ")",
                    endpoint.uri(), o.archive, endpoint);
        } catch (RuntimeException | Error e) {
            endpoint.close(); // its server threads would keep the JVM alive
            throw e;
        }
    }

    /** Makes sure the streams exist (creating them if {@code create}); closes the backend if not. */
    private static Backend checked(Backend backend, Clickstream o, boolean create) throws Exception {
        try {
            if (create) {
                backend.createMissingStreams(o);
            } else {
                backend.requireStreams(o);
            }
            return backend;
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    private KinesisAsyncClient kinesisClient(@Nullable URI endpoint) {
        KinesisAsyncClientBuilder b = KinesisAsyncClient.builder().httpClient(http)
                .overrideConfiguration(KinesisSink.recommendedClientConfiguration()); // the tracker retries, not the SDK
        if (endpoint != null) { // an emulator takes any credentials
            b.endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        }
        return b.build();
    }

    private FirehoseAsyncClient firehoseClient(@Nullable URI endpoint) {
        FirehoseAsyncClientBuilder b = FirehoseAsyncClient.builder().httpClient(http)
                .overrideConfiguration(FirehoseSink.recommendedClientConfiguration());
        if (endpoint != null) {
            b.endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        }
        return b.build();
    }

    private void requireStreams(Clickstream o) throws Exception {
        if (kinesisStatus(o.stream) == null) {
            throw new IllegalStateException("Kinesis stream '" + o.stream + "' not found: create it (aws kinesis"
                    + " create-stream --stream-name " + o.stream + " --shard-count " + o.shards + ") or name it with --stream");
        }
        if (firehose != null && firehoseStatus(o.archiveStream) == null) {
            throw new IllegalStateException("Firehose delivery stream '" + o.archiveStream + "' not found: create it"
                    + " (DirectPut, S3 destination) or name it with --archive-stream, or leave it out with --no-archive");
        }
    }

    private void createMissingStreams(Clickstream o) throws Exception {
        if (kinesisStatus(o.stream) == null) {
            kinesis.createStream(r -> r.streamName(o.stream).shardCount(o.shards)).get(30, TimeUnit.SECONDS);
        }
        if (firehose != null && firehoseStatus(o.archiveStream) == null) {
            firehose.createDeliveryStream(r -> r.deliveryStreamName(o.archiveStream)
                    .deliveryStreamType(DeliveryStreamType.DIRECT_PUT)
                    .extendedS3DestinationConfiguration(s3 -> s3.bucketARN("arn:aws:s3:::twinstream-sample-archive")
                            .roleARN("arn:aws:iam::000000000000:role/twinstream-sample")))
                    .get(30, TimeUnit.SECONDS);
        }
        // Kinesis takes a moment to make a new stream ACTIVE (kinesis-mock too); Firehose longer.
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        while (kinesisStatus(o.stream) != StreamStatus.ACTIVE
                || (firehose != null && firehoseStatus(o.archiveStream) != DeliveryStreamStatus.ACTIVE)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the streams did not become ACTIVE within " + SETUP_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** {@return the stream's status, or null if it does not exist} */
    private @Nullable StreamStatus kinesisStatus(String stream) throws Exception {
        try {
            return kinesis.describeStreamSummary(r -> r.streamName(stream)).get(30, TimeUnit.SECONDS)
                    .streamDescriptionSummary().streamStatus();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** {@return the delivery stream's status, or null if it does not exist} */
    private @Nullable DeliveryStreamStatus firehoseStatus(String stream) throws Exception {
        try {
            return firehose.describeDeliveryStream(r -> r.deliveryStreamName(stream)).get(30, TimeUnit.SECONDS)
                    .deliveryStreamDescription().deliveryStreamStatus();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof software.amazon.awssdk.services.firehose.model.ResourceNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** Closes the clients and their HTTP client, then stops the embedded endpoint if there is one. */
    @Override
    public void close() {
        kinesis.close();
        if (firehose != null) {
            firehose.close();
        }
        http.close();
        eventLoop.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (embedded != null) {
            embedded.close();
        }
    }
}
