package dev.twinstream.benchmarks.compare;

import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The AWS SDK for Java clients every SDK-based contender uses, alike: Netty over HTTP/1.1 (plain, to
 * 127.0.0.1), up to 64 connections, static credentials, and the sinks' recommended configuration (SDK
 * retries off, call timeouts on) — the raw contenders must not fail, so they need no retries either.
 * Kinesis speaks CBOR (the SDK default), Firehose JSON.
 */
final class AwsClients {
    static final String STREAM = NullEndpoint.DEFAULT_STREAM;
    static final String ACCESS_KEY = "bench";
    static final String SECRET_KEY = "bench";
    private static final int MAX_CONNECTIONS = 64;

    private AwsClients() {}

    /**
     * {@return a Kinesis client for the endpoint}
     *
     * @param httpPort the endpoint's plain HTTP port
     */
    static KinesisAsyncClient kinesis(int httpPort) {
        return KinesisAsyncClient.builder().endpointOverride(uri(httpPort)).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(MAX_CONNECTIONS))
                .overrideConfiguration(KinesisSink.recommendedClientConfiguration())
                .build();
    }

    /**
     * {@return a Firehose client for the endpoint}
     *
     * @param httpPort the endpoint's plain HTTP port
     */
    static FirehoseAsyncClient firehose(int httpPort) {
        return FirehoseAsyncClient.builder().endpointOverride(uri(httpPort)).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(MAX_CONNECTIONS))
                .overrideConfiguration(FirehoseSink.recommendedClientConfiguration())
                .build();
    }

    /** {@return the static credentials every contender signs with} */
    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    private static URI uri(int httpPort) {
        return URI.create("http://127.0.0.1:" + httpPort);
    }
}
