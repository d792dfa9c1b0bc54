package dev.twinstream.testkit.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The extension's lifecycle, run through the JUnit launcher on small test classes: it starts before
 * the first test, resets between tests on request, stops after the last, and leaves no thread or
 * port behind.
 */
class LocalAwsExtensionTest {
    /** What the inner classes saw, read by the outer test after the launcher ran them. */
    static final List<String> SEEN = new ArrayList<>();
    static final Set<Integer> PORTS = ConcurrentHashMap.newKeySet();

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassWithReset {
        @RegisterExtension
        static final LocalAwsExtension AWS = LocalAwsExtension.with(
                LocalAwsEndpoint.builder().kinesisStream("events", 2)).resetBeforeEach();

        @Test
        @Order(1)
        void firstTestWritesAndAddsAStream() {
            PORTS.add(AWS.uri().getPort());
            AWS.kinesisClient().putRecord(r -> r.streamName("events").partitionKey("k")
                    .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x"))).join();
            AWS.kinesisClient().createStream(r -> r.streamName("extra").shardCount(1)).join();
            AWS.endpoint().failNextCalls(5, WireFault.CONNECTION_RESET);
            SEEN.add("first:" + AWS.kinesis().eventCount("events"));
        }

        @Test
        @Order(2)
        void secondTestSeesFreshFakesOnTheSamePortAndClient() {
            PORTS.add(AWS.uri().getPort());
            StreamStatus status = AWS.kinesisClient().describeStreamSummary(r -> r.streamName("events")).join()
                    .streamDescriptionSummary().streamStatus();
            // No wire fault is left over: this put succeeds.
            AWS.kinesisClient().putRecord(r -> r.streamName("events").partitionKey("k")
                    .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("y"))).join();
            SEEN.add("second:" + AWS.kinesis().eventCount("events") + ":" + status + ":"
                    + AWS.kinesisClient().listStreams().join().streamNames());
        }
    }

    static class PerTest {
        @RegisterExtension
        final LocalAwsExtension aws = LocalAwsExtension.with(LocalAwsEndpoint.builder().firehoseStream("backup"));

        @Test
        void one() {
            PORTS.add(aws.uri().getPort());
            SEEN.add("perTest:" + aws.firehoseClient().listDeliveryStreams().join().deliveryStreamNames());
        }

        @Test
        void two() {
            PORTS.add(aws.uri().getPort());
            SEEN.add("perTest:" + aws.firehoseClient().listDeliveryStreams().join().deliveryStreamNames());
        }
    }

    @Test
    void startsResetsAndStopsWithoutLeakingThreadsOrPorts() throws Exception {
        Set<String> threadsBefore = liveThreadNames();
        List<String> failures = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(PerClassWithReset.class), selectClass(PerTest.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                            failures.add(id.getDisplayName() + ": " + result.getThrowable().orElse(null));
                        }
                    }
                });
        assertThat(failures).isEmpty();
        assertThat(SEEN).containsExactly("first:1", "second:1:ACTIVE:[events]", "perTest:[backup]", "perTest:[backup]");
        assertThat(PORTS).hasSize(3);
        for (int port : PORTS) {
            assertThat(canBind(port)).as("port %d is free again", port).isTrue();
        }
        // Jetty's pool ("qtp..."), WireMock's and the SDK's Netty event loops end with the endpoint.
        Set<String> leaked = liveThreadNames().stream().filter(n -> !threadsBefore.contains(n))
                .filter(n -> n.startsWith("qtp") || n.contains("NettyEventLoop") || n.contains("sdk-async-response") || n.startsWith("sdk-ScheduledExecutor")
                        || n.contains("WireMock") || n.contains("Jetty"))
                .collect(Collectors.toSet());
        assertThat(awaitGone(leaked)).as("threads left behind").isEmpty();
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }

    /**
     * Waits, with a bound, for those threads to end. Netty's event loops finish their shutdown
     * asynchronously (a 2 s quiet period), and a closed client's "sdk-ScheduledExecutor" threads
     * live until the last timeout timer it scheduled expires, at most the clients' 30 s call timeout:
     * the SDK's scheduler runs delayed tasks after shutdown. Both end by themselves; a leak does not.
     */
    private static Set<String> awaitGone(Set<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (names.contains(t.getName())) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        Set<String> alive = liveThreadNames();
        return names.stream().filter(alive::contains).collect(Collectors.toSet());
    }
}
