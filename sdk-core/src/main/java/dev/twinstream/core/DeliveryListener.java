package dev.twinstream.core;

import dev.twinstream.core.spi.RecordResult;

/**
 * Observes what happens to each event in each sink. All methods have empty defaults; override what
 * you need.
 *
 * <p>Callbacks run on the tracker's listener thread (never on the thread that called
 * {@code track}, never on an HTTP client thread), in the order the outcomes were decided for each
 * sink. They should return quickly: the listener's queue is bounded and a slow listener slows
 * delivery instead of growing memory. An exception thrown by a callback is logged and ignored.
 * When no listener is set, the tracker does no per-event work for it.
 *
 * <p>{@link EventTracker#close()} waits (within its timeout plus
 * {@link EventTracker.Builder#CLOSE_GRACE_MILLIS}) until the listener has heard every outcome decided
 * before it returns; a callback it could not run in time is counted in
 * {@link TrackerMetrics#undeliveredNotifications()}, never dropped silently.
 */
public interface DeliveryListener {

    /**
     * The sink's destination accepted the event.
     *
     * @param sink the sink's name
     * @param event the event
     */
    default void onDelivered(String sink, TrackedEvent event) {}

    /**
     * The sink failed to deliver the event and it will be sent again.
     *
     * @param sink the sink's name
     * @param event the event
     * @param nextAttempt the number of the attempt that will follow (2 for the first retry)
     * @param backoffMillis how long the tracker waits before that attempt
     * @param cause the retryable result that triggered the retry
     */
    default void onRetried(String sink, TrackedEvent event, int nextAttempt, long backoffMillis, RecordResult cause) {}

    /**
     * The sink gave up on the event; it was handed to the {@code DeadLetterHandler}.
     *
     * @param sink the sink's name
     * @param deadLetter the event with why and how often the sink failed
     */
    default void onDeadLettered(String sink, DeadLetter deadLetter) {}

    /**
     * The event was dropped for the sink, for the given reason (never silently: it is counted too).
     *
     * @param sink the sink's name
     * @param event the event
     * @param reason why it was dropped
     */
    default void onDropped(String sink, TrackedEvent event, DropReason reason) {}

    /**
     * A disk journal was opened when the tracker was built: what it read back and what damage it
     * skipped. Called once, before any other callback of the recovered events.
     *
     * @param recovery what the journal read back and skipped
     */
    default void onJournalRecovered(JournalRecovery recovery) {}
}
