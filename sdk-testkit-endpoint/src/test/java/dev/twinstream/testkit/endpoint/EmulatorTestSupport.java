package dev.twinstream.testkit.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** What the emulator tests share: its start-up line, clients set up as a user would, the port check. */
final class EmulatorTestSupport {
    /** The emulator's first line; group 1 is its URL. */
    static final Pattern BANNER = Pattern.compile("Twinstream local AWS endpoint listening on (http://127\\.0\\.0\\.1:\\d+) .*");
    static final String STOPPED = "Twinstream local AWS endpoint stopped";
    /** Generous: a JVM or a Python interpreter starting on two cores shared with other builds. */
    static final Duration BOUND = Duration.ofSeconds(60);

    private EmulatorTestSupport() {
    }

    static boolean isBanner(String line) {
        return BANNER.matcher(line).matches();
    }

    static URI uriOf(String banner) {
        Matcher m = BANNER.matcher(banner);
        assertThat(m.matches()).as("start-up line %s", banner).isTrue();
        return URI.create(m.group(1));
    }

    /** A Kinesis client configured the way the README tells a user: endpoint, region, any credentials. */
    static KinesisAsyncClient kinesis(URI endpoint) {
        return KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y")))
                .build();
    }

    /** A Firehose client configured like {@link #kinesis(URI)}. */
    static FirehoseAsyncClient firehose(URI endpoint) {
        return FirehoseAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y")))
                .build();
    }

    /**
     * Asserts that nothing listens on 127.0.0.1:{@code port} any more. SO_REUSEADDR is set so that
     * connections of the finished run still in TIME_WAIT do not count: only a listening socket
     * makes the bind fail.
     */
    static void assertPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }
}
