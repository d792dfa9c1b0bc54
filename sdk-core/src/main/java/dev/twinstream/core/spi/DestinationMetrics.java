package dev.twinstream.core.spi;

import java.util.List;

/**
 * Per-destination counts of a {@link Sink} that routes events to several destinations (the Firehose
 * sink's delivery streams, for example). Implemented by the sink itself; metrics binders such as
 * {@code twinstream-micrometer} publish these counts with a {@code destination} tag beside the
 * tracker's per-sink figures.
 *
 * <p>Counts are of events (the records of a {@link SinkBatch}), per attempt, since the sink was
 * built: an event that fails twice and then succeeds counts two failures and one delivery. Events the
 * sink could not assign to a destination are in no destination's counts (the tracker's own metrics
 * still count their outcome). Reading the counts must be cheap, thread-safe and never throw, also
 * after {@link Sink#close()}.
 */
public interface DestinationMetrics {

    /**
     * The destinations this sink has counts for: those known when it was built and those it has sent
     * to since, in the order first known. The list only grows.
     *
     * @return a snapshot; unmodifiable
     */
    List<String> destinations();

    /**
     * Events the destination accepted.
     *
     * @param destination a destination name
     * @return the count, 0 for a destination not in {@link #destinations()}
     */
    long deliveredRecords(String destination);

    /**
     * Event attempts the destination (or the call to it) failed, retryably or permanently.
     *
     * @param destination a destination name
     * @return the count, 0 for a destination not in {@link #destinations()}
     */
    long failedRecords(String destination);
}
