package dev.twinstream.testkit.kinesis;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.internal.FaultPlan;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link FakeKinesis}'s fault state and the order in which a write consults it. Guarded by the
 * fake's lock.
 *
 * <p>A write call ({@code PutRecord}, {@code PutRecords}) whose stream exists is checked, before
 * its request is validated, against: an outage ({@code InternalFailureException}, HTTP 500); then
 * throttling of whole calls, the window before the countdown ({@code
 * ProvisionedThroughputExceededException}, 400); then the calls to fail with a given code. A call
 * failed by an earlier fault does not use up a later countdown.
 *
 * <p>Each {@code PutRecords} entry: the throttle chance is drawn first, then (unless throttled) the
 * shard's throughput budget is consulted, then the failure chance is drawn. Both chances draw from
 * the plan's one seeded generator, only while they are on, so a seed gives the same outcomes.
 */
final class KinesisFaults {

    private final FaultPlan plan;
    private final FaultPlan.Chance<String> throttles;
    private final FaultPlan.Chance<String> failures;
    private final FaultPlan.Window down;
    private final FaultPlan.Window throttleWindow;
    private final FaultPlan.Countdown<String> throttleCalls = new FaultPlan.Countdown<>();
    private final FaultPlan.Countdown<String> failCalls = new FaultPlan.Countdown<>();

    KinesisFaults(@Nullable Scheduler scheduler, @Nullable Clock clock, long seed) {
        this.plan = new FaultPlan(scheduler, clock, seed);
        this.throttles = plan.chance();
        this.failures = plan.chance();
        this.down = plan.window();
        this.throttleWindow = plan.window();
    }

    Clock clock() {
        return plan.clock();
    }

    @Nullable Scheduler scheduler() {
        return plan.scheduler();
    }

    // ---- settings ----------------------------------------------------------------------------

    void failFraction(double fraction, String errorCode) {
        FaultPlan.checkFraction(fraction);
        failures.set(fraction, Objects.requireNonNull(errorCode, "errorCode"));
    }

    void throttleFraction(double fraction) {
        FaultPlan.checkFraction(fraction);
        throttles.set(fraction, KinesisExceptions.THROUGHPUT_EXCEEDED);
    }

    void failNextCalls(int n, String errorCode) {
        FaultPlan.checkCount(n);
        failCalls.set(n, Objects.requireNonNull(errorCode, "errorCode"));
    }

    void throttleNextCalls(int n) {
        FaultPlan.checkCount(n);
        throttleCalls.set(n, KinesisExceptions.THROUGHPUT_EXCEEDED);
    }

    void throttleFor(Duration window) {
        throttleWindow.openFor(FaultPlan.checkNonNegative(window, "window"));
    }

    void downFor(Duration duration) {
        // Deliberately not validated (FakeKinesis never did): a negative duration leaves the stream up.
        down.openFor(duration.toNanos());
    }

    void latency(Duration latency) {
        plan.latencyNanos(plan.checkLatency(latency, "FakeKinesis.builder().scheduler(...)"));
    }

    // ---- decisions ---------------------------------------------------------------------------

    /**
     * Fails a write call to {@code stream} as a whole if a fault says so.
     *
     * @throws software.amazon.awssdk.awscore.exception.AwsServiceException the call's failure
     */
    void beforeWrite(String stream) {
        if (down.isOpen()) {
            throw KinesisExceptions.internalFailure("Internal service failure (outage).");
        }
        // A throttling window does not use up a throttled call; a throttled call does not use up a failed one.
        if (throttleWindow.isOpen() || throttleCalls.take() != null) {
            throw KinesisExceptions.throughputExceeded("Rate exceeded for stream " + stream
                    + " under account 000000000000 (FakeKinesis throttling).");
        }
        String code = failCalls.take();
        if (code != null) {
            throw KinesisExceptions.forCode(code);
        }
    }

    /**
     * Decides one {@code PutRecords} entry.
     *
     * @param withinBudget whether the shard's throughput budget takes the entry (consulted only if
     *     the throttle chance spared it; it uses the budget up)
     * @return the entry's error code, or null to store it
     */
    @Nullable String entryFailure(BooleanSupplier withinBudget) {
        if (throttles.draw() != null || !withinBudget.getAsBoolean()) {
            return KinesisExceptions.THROUGHPUT_EXCEEDED;
        }
        return failures.draw();
    }

    long latencyNanos() {
        return plan.latencyNanos();
    }

    /** Completes a call {@code delayNanos} from now on the scheduler, or at once without one; needs no lock. */
    void complete(Runnable completion, long delayNanos) {
        plan.complete(completion, delayNanos);
    }
}
