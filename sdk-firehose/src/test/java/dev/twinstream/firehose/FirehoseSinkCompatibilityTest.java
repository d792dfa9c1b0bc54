package dev.twinstream.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.testkit.SinkCompatibilityKit;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Nested;

/**
 * {@link FirehoseSink} against {@link FakeFirehose} on virtual time passes the compatibility kit,
 * with packing on (the default) and off. The kit's payloads carry no trailing newline, so each is
 * its own record either way; packing itself is covered by {@code FirehoseSinkTest}.
 */
class FirehoseSinkCompatibilityTest {
    private static final String STREAM = "compat";

    abstract static class OnFakeFirehose extends SinkCompatibilityKit {
        final VirtualScheduler time = new VirtualScheduler();
        final FakeFirehose firehose = FakeFirehose.builder().scheduler(time).seed(11).build().createStream(STREAM);

        abstract FirehoseSink.Builder configure(FirehoseSink.Builder builder);

        @Override
        protected Sink createSink() {
            firehose.latency(Duration.ofMillis(20));
            return configure(FirehoseSink.builder(firehose).scheduler(time).deliveryStream(STREAM)).build();
        }

        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            assertThat(firehose.limitViolations()).as("calls rejected for breaking a Firehose limit").isEmpty();
            return firehose.records(STREAM);
        }

        @Override
        protected void injectRetryableFailures(Sink sink, double fraction) {
            firehose.failFraction(fraction, "ServiceUnavailableException");
        }

        @Override
        protected void injectPermanentFailures(Sink sink) {
            firehose.failFraction(1.0, "KMS.AccessDeniedException");
        }

        @Override
        protected BatchResult await(Sink sink, CompletionStage<BatchResult> stage) {
            CompletableFuture<BatchResult> future = stage.toCompletableFuture();
            assertThat(time.advanceUntil(future::isDone, Duration.ofMinutes(1)))
                    .as("send completed within a virtual minute").isTrue();
            assertThat(future).as("send never completes exceptionally").isCompletedWithValueMatching(r -> r != null);
            return future.join();
        }
    }

    @Nested
    class PackingOn extends OnFakeFirehose {
        @Override
        FirehoseSink.Builder configure(FirehoseSink.Builder builder) {
            return builder;
        }
    }

    @Nested
    class PackingOff extends OnFakeFirehose {
        @Override
        FirehoseSink.Builder configure(FirehoseSink.Builder builder) {
            return builder.packing(false);
        }
    }
}
