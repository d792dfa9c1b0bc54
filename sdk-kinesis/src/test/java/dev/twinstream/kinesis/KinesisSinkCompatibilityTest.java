package dev.twinstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.testkit.SinkCompatibilityKit;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.kinesis.StoredEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;

/** {@link KinesisSink} on {@link FakeKinesis} passes the compatibility kit, with and without aggregation. */
class KinesisSinkCompatibilityTest {

    static final String STREAM = "events";

    abstract static class OnFakeKinesis extends SinkCompatibilityKit {
        final VirtualScheduler time = new VirtualScheduler();
        FakeKinesis kinesis;

        abstract KinesisSink.Builder configure(KinesisSink.Builder builder);

        @Override
        protected Sink createSink() {
            kinesis = FakeKinesis.builder().scheduler(time).seed(42).enforceThroughput(true).build()
                    .createStream(STREAM, 4);
            kinesis.latency(Duration.ofMillis(30));
            return configure(KinesisSink.builder(kinesis, STREAM).clock(time.clock()).scheduler(time)).build();
        }

        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            return kinesis.events(STREAM).stream().map(StoredEvent::data).collect(Collectors.toList());
        }

        @Override
        protected void injectRetryableFailures(Sink sink, double fraction) {
            kinesis.failFraction(fraction, "InternalFailure");
        }

        @Override
        protected void injectPermanentFailures(Sink sink) {
            kinesis.failNextCalls(Integer.MAX_VALUE, "AccessDeniedException");
        }

        @Override
        protected BatchResult await(Sink sink, CompletionStage<BatchResult> stage) {
            CompletableFuture<BatchResult> future = stage.toCompletableFuture();
            // Rate-limited records are held on virtual time: a 1 MiB/s shard needs seconds for 8 MiB.
            assertThat(time.advanceUntil(future::isDone, Duration.ofMinutes(1))).as("send completed").isTrue();
            return future.join();
        }
    }

    @Nested
    class WithAggregation extends OnFakeKinesis {
        @Override
        KinesisSink.Builder configure(KinesisSink.Builder builder) {
            // Small aggregates so the kit's 100-record failure test spans many Kinesis records.
            return builder.aggregatedRecordMaxBytes(2048);
        }
    }

    @Nested
    class WithoutAggregation extends OnFakeKinesis {
        @Override
        KinesisSink.Builder configure(KinesisSink.Builder builder) {
            return builder.aggregation(false);
        }
    }

    @Nested
    class WithDefaults extends OnFakeKinesis {
        @Override
        KinesisSink.Builder configure(KinesisSink.Builder builder) {
            return builder;
        }

        @Override
        protected void injectRetryableFailures(Sink sink, double fraction) {
            // With 25 KiB aggregates the kit's records share a few Kinesis records; fail more of them.
            kinesis.failFraction(Math.max(fraction, 0.5), "InternalFailure");
        }
    }
}
