package dev.twinstream.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * A destination for events: what sink authors implement ({@code FirehoseSink}, {@code KinesisSink},
 * the testkit's {@code InMemorySink}).
 *
 * <p>The tracker's dispatcher calls {@link #send} with batches that respect {@link #limits()}, keeps
 * a bounded number of calls in flight, and handles every per-record outcome: it retries only the
 * records reported {@link RecordResult.Status#RETRYABLE}, with backoff, and dead-letters the
 * {@link RecordResult.Status#PERMANENT} ones. A sink therefore never retries on its own and never
 * drops a record silently: each record gets exactly one result per call.
 *
 * <p>Threading: {@code send} is called from the tracker's dispatcher thread and must not block; do
 * the I/O asynchronously and complete the returned stage from any thread. The tracker hands the
 * completion back to its own thread before acting on it.
 */
public interface Sink extends AutoCloseable {

    /** {@return the limits of one call; constant for the life of the sink} */
    SinkLimits limits();

    /**
     * Sends one batch.
     *
     * @param batch the records, valid only until the returned stage completes
     * @return a stage completed with one result per record, in batch order; completing it
     *     exceptionally means the whole call failed, and the tracker classifies the exception (see
     *     {@code docs/ARCHITECTURE.md}, "Failure classification") — a sink that knows better should
     *     complete normally with {@link BatchResult#allFailed} instead
     */
    CompletionStage<BatchResult> send(SinkBatch batch);

    /**
     * Sends now whatever the sink holds back waiting for more events (a record not yet full),
     * instead of when its own wait ends. The tracker calls it on the dispatcher thread while it
     * flushes or closes, after handing over every pending batch, so {@code flush()} does not wait
     * out a sink's latency budget. Must not block; called repeatedly while a flush lasts. The
     * default does nothing: a sink that sends each batch as it gets it holds nothing back.
     */
    default void sendHeld() {}

    /**
     * Releases what the sink itself created. Called once by the tracker's {@code close()} after its
     * dispatcher stopped; if the close timeout expired, calls may still be in flight and their
     * outcome is ignored (their records were counted as dropped). Clients injected into the sink
     * belong to the caller and are not closed.
     */
    @Override
    default void close() {}
}
