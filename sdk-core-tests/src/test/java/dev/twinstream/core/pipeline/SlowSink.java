package dev.twinstream.core.pipeline;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.testkit.InMemorySink;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A destination whose calls take a seeded random time between {@code minLatencyMillis} and
 * {@code maxLatencyMillis} of real time, like an HTTP service: it <em>stores</em> the records it
 * accepts the moment {@code send} is called and answers later, on a thread of {@code completer}
 * (as an HTTP client would). A seeded fraction of records is refused as retryable (and not stored).
 * A latency of {@link #NEVER} never answers.
 *
 * <p>{@link #stored()} is the truth a close must account for: every id in it was accepted by the
 * destination, whatever the tracker made of it.
 */
final class SlowSink implements Sink {
    /** As latency: the call never completes. */
    static final int NEVER = -1;
    private static final RecordResult REFUSED = RecordResult.retryable("Throttled", "slow down");

    private final SinkLimits limits;
    private final Random random;
    private final int minLatencyMillis;
    private final int maxLatencyMillis;
    private final double retryableFraction;
    private final ScheduledExecutorService completer;
    private final Set<String> stored = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    SlowSink(long seed, int minLatencyMillis, int maxLatencyMillis, double retryableFraction,
             ScheduledExecutorService completer) {
        this(InMemorySink.DEFAULT_LIMITS, seed, minLatencyMillis, maxLatencyMillis, retryableFraction, completer);
    }

    SlowSink(SinkLimits limits, long seed, int minLatencyMillis, int maxLatencyMillis, double retryableFraction,
             ScheduledExecutorService completer) {
        this.limits = limits;
        this.random = new Random(seed);
        this.minLatencyMillis = minLatencyMillis;
        this.maxLatencyMillis = maxLatencyMillis;
        this.retryableFraction = retryableFraction;
        this.completer = completer;
    }

    @Override
    public SinkLimits limits() {
        return limits;
    }

    @Override
    public CompletionStage<BatchResult> send(SinkBatch batch) {
        int size = batch.size();
        RecordResult[] results = new RecordResult[size];
        int latency;
        synchronized (random) {
            latency = minLatencyMillis == NEVER ? NEVER : minLatencyMillis + random.nextInt(maxLatencyMillis - minLatencyMillis + 1);
            for (int i = 0; i < size; i++) {
                results[i] = retryableFraction > 0 && random.nextDouble() < retryableFraction ? REFUSED : RecordResult.ok();
            }
        }
        for (int i = 0; i < size; i++) {
            if (results[i].isOk()) {
                stored.add(batch.eventId(i));
            }
        }
        CompletableFuture<BatchResult> answer = new CompletableFuture<>();
        inFlight.incrementAndGet();
        if (latency == NEVER) {
            return answer;
        }
        BatchResult result = BatchResult.of(Arrays.asList(results));
        completer.schedule(() -> {
            inFlight.decrementAndGet();
            answer.complete(result);
        }, latency, TimeUnit.MILLISECONDS);
        return answer;
    }

    /** {@return the ids the destination accepted (stored), whatever the tracker made of them} */
    Set<String> stored() {
        return stored;
    }

    /** {@return calls not answered yet} */
    int inFlight() {
        return inFlight.get();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
