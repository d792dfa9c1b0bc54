package dev.twinstream.samples.readingapp;

import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;

/**
 * Where the sample's Firehose client goes: the local AWS endpoint started in this process (the
 * default: no AWS account, no network), another endpoint ({@code --endpoint}: the standalone
 * emulator, LocalStack), or real AWS ({@code --aws}: the default credentials chain and region).
 * Only the embedded endpoint lets the sample inject faults and read back the S3 objects.
 */
final class Target implements AutoCloseable {
    private final @Nullable LocalAwsEndpoint embedded;
    private final @Nullable URI endpoint;
    private final FirehoseAsyncClient client;
    private final String description;

    private Target(@Nullable LocalAwsEndpoint embedded, @Nullable URI endpoint, FirehoseAsyncClient client, String description) {
        this.embedded = embedded;
        this.endpoint = endpoint;
        this.client = client;
        this.description = description;
    }

    static Target embedded(Pipeline.Streams streams, Path s3Directory) {
        LocalAwsEndpoint.Builder b = LocalAwsEndpoint.builder().s3Directory(s3Directory);
        streams.all().forEach(b::firehoseStream);
        LocalAwsEndpoint e = b.start();
        return new Target(e, e.uri(), client(e.uri()), "the embedded local AWS endpoint at " + e.uri()
                + " (objects under " + s3Directory + ")");
    }

    /** Another endpoint; creates the delivery streams that do not exist yet. */
    static Target endpoint(URI uri, Pipeline.Streams streams) {
        FirehoseAsyncClient client = client(uri);
        for (String stream : streams.all()) {
            try {
                client.describeDeliveryStream(r -> r.deliveryStreamName(stream)).join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof ResourceNotFoundException)) {
                    throw e;
                }
                client.createDeliveryStream(r -> r.deliveryStreamName(stream).extendedS3DestinationConfiguration(s3 -> s3
                        .bucketARN("arn:aws:s3:::twinstream-reading-app")
                        .roleARN("arn:aws:iam::000000000000:role/firehose"))).join();
            }
        }
        return new Target(null, uri, client, "the endpoint at " + uri);
    }

    /** Real AWS: the default credentials chain and region; the delivery streams must exist. */
    static Target aws() {
        FirehoseAsyncClient client = FirehoseAsyncClient.builder()
                .overrideConfiguration(FirehoseSink.recommendedClientConfiguration()).build();
        return new Target(null, null, client, "AWS (" + client.serviceClientConfiguration().region() + ")");
    }

    /** A client for an endpoint, configured as the README recommends, with dummy credentials. */
    static FirehoseAsyncClient client(URI uri) {
        return FirehoseAsyncClient.builder().endpointOverride(uri).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(FirehoseSink.recommendedClientConfiguration())
                .build();
    }

    FirehoseAsyncClient client() {
        return client;
    }

    /** {@return the embedded endpoint, or null when the sample cannot control the service} */
    @Nullable LocalAwsEndpoint embedded() {
        return embedded;
    }

    /** {@return the endpoint a child process reaches, or null for real AWS} */
    @Nullable URI endpoint() {
        return endpoint;
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        client.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
