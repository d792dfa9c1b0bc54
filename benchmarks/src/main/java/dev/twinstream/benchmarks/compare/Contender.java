package dev.twinstream.benchmarks.compare;

import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * One way of delivering the benchmark's events, set up once per contender JVM (clients, tracker,
 * producer) and then run several times: priming, warm-up, the timed run.
 */
interface Contender extends AutoCloseable {

    /**
     * Hands {@code events} events over on the calling thread, one call each, then waits until every
     * one of them is acknowledged.
     *
     * @param events how many
     * @param latencies where to record each hand-off's duration in nanoseconds, or null (warm-up)
     * @throws Exception if an event was not delivered (a failed call, a failed record, a retry
     *     where none may happen, a timeout): the benchmark must fail loudly, not report a rate
     */
    void run(int events, @Nullable Histogram latencies) throws Exception;

    /**
     * Whether the contender is in its steady state, judged from what the endpoint received since the
     * JVM started; priming runs repeat until it is. The KPL sends its records unaggregated until it
     * has its shard map.
     *
     * @param sinceStart the endpoint's counters since this JVM started
     * @return true by default
     */
    default boolean primed(EndpointStats sinceStart) {
        return true;
    }

    /**
     * {@return how long the calling thread has waited so far outside its hand-offs, in nanoseconds}:
     * the KPL contender's back-pressure waits; 0 for the others, whose waits (a full journal, a
     * permit) happen inside the measured hand-off
     */
    default long waitedNanos() {
        return 0;
    }

    /** Stops the contender's clients, tracker or producer. */
    @Override
    void close();
}
