package dev.twinstream.testkit.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ReceivedRecord;
import dev.twinstream.testkit.SinkCompatibilityKit;
import dev.twinstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@link InMemorySink} with latency on a {@link VirtualScheduler} passes the kit, extended from
 * another package as a sink module would, with {@code await} overridden to drive virtual time.
 */
class InMemorySinkOnVirtualTimeCompatibilityTest extends SinkCompatibilityKit {

    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Override
    protected Sink createSink() {
        return InMemorySink.builder().scheduler(scheduler).seed(99).build().latency(Duration.ofMillis(250));
    }

    @Override
    protected List<byte[]> deliveredPayloads(Sink sink) {
        return ((InMemorySink) sink).received().stream().map(ReceivedRecord::payload).collect(Collectors.toList());
    }

    @Override
    protected void injectRetryableFailures(Sink sink, double fraction) {
        ((InMemorySink) sink).failFraction(fraction, RecordResult.retryable("ServiceUnavailableException", null));
    }

    @Override
    protected void injectPermanentFailures(Sink sink) {
        ((InMemorySink) sink).failNextCalls(Integer.MAX_VALUE, RecordResult.permanent("ValidationException", null));
    }

    @Override
    protected BatchResult await(Sink sink, CompletionStage<BatchResult> stage) {
        CompletableFuture<BatchResult> future = stage.toCompletableFuture();
        assertThat(future).as("nothing completes before virtual time passes").isNotDone();
        assertThat(scheduler.advanceUntil(future::isDone, Duration.ofMinutes(1)))
                .as("send completed within a virtual minute").isTrue();
        assertThat(scheduler.clock().elapsed()).isEqualTo(Duration.ofMillis(250).multipliedBy(countCalls(sink)));
        return future.join();
    }

    private static int countCalls(Sink sink) {
        return ((InMemorySink) sink).callCount();
    }
}
