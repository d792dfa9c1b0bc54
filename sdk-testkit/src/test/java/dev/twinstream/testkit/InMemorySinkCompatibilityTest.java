package dev.twinstream.testkit;

import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import java.util.List;
import java.util.stream.Collectors;

/** {@link InMemorySink} with zero latency passes the compatibility kit. */
class InMemorySinkCompatibilityTest extends SinkCompatibilityKit {

    @Override
    protected Sink createSink() {
        return InMemorySink.builder().seed(20260101L).build();
    }

    @Override
    protected List<byte[]> deliveredPayloads(Sink sink) {
        return ((InMemorySink) sink).received().stream().map(ReceivedRecord::payload).collect(Collectors.toList());
    }

    @Override
    protected void injectRetryableFailures(Sink sink, double fraction) {
        ((InMemorySink) sink).failFraction(fraction, RecordResult.retryable("Throttled", "injected"));
    }

    @Override
    protected void injectPermanentFailures(Sink sink) {
        ((InMemorySink) sink).failFraction(1.0, RecordResult.permanent("Invalid", "injected"));
    }
}
