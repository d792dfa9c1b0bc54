package dev.twinstream.testkit;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;

/**
 * AssertJ assertions on a {@link TrackerMetrics} snapshot, above all conservation:
 * {@code accepted == delivered + deadLettered + dropped + pending} for every sink. Start with
 * {@link TwinstreamAssertions#assertThat(TrackerMetrics)}.
 */
public final class TrackerMetricsAssert extends AbstractAssert<TrackerMetricsAssert, TrackerMetrics> {

    /**
     * Creates the assertion; use {@link TwinstreamAssertions#assertThat(TrackerMetrics)} instead.
     *
     * @param actual the snapshot to check, or null (the assertions then fail)
     */
    public TrackerMetricsAssert(@Nullable TrackerMetrics actual) {
        super(actual, TrackerMetricsAssert.class);
    }

    /**
     * Verifies conservation for every sink, naming each sink's figures when it fails.
     *
     * @return this assertion
     */
    public TrackerMetricsAssert isConserved() {
        isNotNull();
        for (SinkMetrics m : actual.sinks().values()) {
            if (!m.isConserved()) {
                failWithMessage("Expected accepted == delivered + deadLettered + dropped + pending (pending >= 0) for sink '%s' "
                        + "but %d != %d + %d + %d + %d", m.sink(), m.accepted(), m.delivered(), m.deadLettered(),
                        m.dropped(), m.pendingRecords());
            }
        }
        return this;
    }

    /**
     * Verifies that nothing is pending in any sink (and conservation).
     *
     * @return this assertion
     */
    public TrackerMetricsAssert hasNothingPending() {
        isConserved();
        for (SinkMetrics m : actual.sinks().values()) {
            if (m.pendingRecords() != 0 || m.inFlightRequests() != 0) {
                failWithMessage("Expected nothing pending but sink '%s' has %d pending records and %d requests in flight: %s",
                        m.sink(), m.pendingRecords(), m.inFlightRequests(), m);
            }
        }
        return this;
    }

    /**
     * Verifies that every listener and dead-letter notification was delivered, none given up by
     * {@code close()} ({@link dev.twinstream.core.TrackerMetrics#undeliveredNotifications()} is 0).
     *
     * @return this assertion
     */
    public TrackerMetricsAssert hasDeliveredEveryNotification() {
        isNotNull();
        if (actual.undeliveredNotifications() != 0) {
            failWithMessage("Expected every notification delivered but close() gave up %d: %s",
                    actual.undeliveredNotifications(), actual);
        }
        return this;
    }

    /**
     * Verifies one sink's final counts.
     *
     * @param sink the sink's name
     * @param delivered expected delivered events
     * @param deadLettered expected dead-lettered events
     * @param dropped expected dropped events (any reason)
     * @return this assertion
     */
    public TrackerMetricsAssert hasOutcomes(String sink, long delivered, long deadLettered, long dropped) {
        isNotNull();
        SinkMetrics m = actual.sink(sink);
        if (m.delivered() != delivered || m.deadLettered() != deadLettered || m.dropped() != dropped) {
            failWithMessage("Expected sink '%s' to have delivered=%d deadLettered=%d dropped=%d but it has %s",
                    sink, delivered, deadLettered, dropped, m);
        }
        return this;
    }

    /**
     * Verifies how many events one sink dropped for one reason.
     *
     * @param sink the sink's name
     * @param reason the drop reason
     * @param n expected count
     * @return this assertion
     */
    public TrackerMetricsAssert hasDropped(String sink, DropReason reason, long n) {
        isNotNull();
        long actualCount = actual.sink(sink).droppedByReason().get(reason);
        if (actualCount != n) {
            failWithMessage("Expected sink '%s' to have dropped %d events with reason %s but it dropped %d: %s",
                    sink, n, reason, actualCount, actual.sink(sink));
        }
        return this;
    }
}
