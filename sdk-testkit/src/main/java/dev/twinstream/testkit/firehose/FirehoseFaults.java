package dev.twinstream.testkit.firehose;

import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.internal.FaultPlan;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.firehose.model.FirehoseException;

/**
 * {@link FakeFirehose}'s fault state and the order in which a call consults it. Guarded by the
 * fake's lock.
 *
 * <p>Every call, once the fake is known open: an outage fails it ({@link #isDown()}, an
 * {@code SdkClientException} as when the connection fails). A put call whose request is valid and
 * whose stream exists: throttling of whole calls, the fake's window or the stream's before the
 * countdown ({@code ServiceUnavailableException}, HTTP 503), then the calls to fail with an
 * injected exception; a call failed by an earlier fault does not use up a later countdown. Then each
 * entry: the throttle chance ({@code ServiceUnavailableException}) is drawn before the failure
 * chance, both from the plan's one seeded generator and only while they are on, so a seed gives the
 * same outcomes.
 */
final class FirehoseFaults {

    /** Whole-call throttling: the service's "Slow down." */
    private static final Supplier<FirehoseException> THROTTLED = FirehoseExceptions::serviceUnavailable;

    private final FaultPlan plan;
    private final FaultPlan.Chance<String> entryFailures;
    private final FaultPlan.Chance<String> entryThrottles;
    private final FaultPlan.Window throttleWindow;
    private final FaultPlan.Window outage;
    private final FaultPlan.Countdown<Supplier<? extends FirehoseException>> throttleCalls = new FaultPlan.Countdown<>();
    private final FaultPlan.Countdown<Supplier<? extends FirehoseException>> failCalls = new FaultPlan.Countdown<>();

    FirehoseFaults(@Nullable Scheduler scheduler, @Nullable Clock clock, long seed) {
        this.plan = new FaultPlan(scheduler, clock, seed);
        this.entryFailures = plan.chance();
        this.entryThrottles = plan.chance();
        this.throttleWindow = plan.window();
        this.outage = plan.window();
    }

    Clock clock() {
        return plan.clock();
    }

    @Nullable Scheduler scheduler() {
        return plan.scheduler();
    }

    /** A throttling window of one delivery stream ({@code throttleFor(stream, window)}), closed. */
    FaultPlan.Window streamThrottle() {
        return plan.window();
    }

    // ---- settings ----------------------------------------------------------------------------

    void failFraction(double fraction, String errorCode) {
        FaultPlan.checkFraction(fraction);
        entryFailures.set(fraction, Objects.requireNonNull(errorCode, "errorCode"));
    }

    void throttleFraction(double fraction) {
        FaultPlan.checkFraction(fraction);
        entryThrottles.set(fraction, FirehoseExceptions.SERVICE_UNAVAILABLE);
    }

    void failNextCalls(int n, Supplier<? extends FirehoseException> error) {
        FaultPlan.checkCount(n);
        failCalls.set(n, Objects.requireNonNull(error, "error"));
    }

    void throttleNextCalls(int n) {
        FaultPlan.checkCount(n);
        throttleCalls.set(n, THROTTLED);
    }

    void throttleFor(Duration window) {
        throttleWindow.openFor(FaultPlan.checkNonNegative(window, "window"));
    }

    void downFor(Duration window) {
        outage.openFor(FaultPlan.checkNonNegative(window, "window"));
    }

    void latency(Duration latency) {
        plan.latencyNanos(plan.checkLatency(latency, "build with FakeFirehose.builder().scheduler(...)"));
    }

    // ---- decisions ---------------------------------------------------------------------------

    boolean isDown() {
        return outage.isOpen();
    }

    /**
     * Fails a valid put call to {@code s} as a whole if a fault says so, counting it in the stream.
     *
     * @throws FirehoseException the call's failure
     */
    void beforePut(DeliveryStream s) {
        s.putCalls++;
        // A throttling window does not use up a throttled call; a throttled call does not use up a failed one.
        Supplier<? extends FirehoseException> failure =
                throttleWindow.isOpen() || s.throttle.isOpen() ? THROTTLED : throttleCalls.take();
        if (failure == null) {
            failure = failCalls.take();
        }
        if (failure != null) {
            s.failedCalls++;
            throw failure.get();
        }
    }

    /** {@return the error code of one entry, drawn now, or null to accept it} */
    @Nullable String entryFailure() {
        String throttled = entryThrottles.draw();
        return throttled != null ? throttled : entryFailures.draw();
    }

    long latencyNanos() {
        return plan.latencyNanos();
    }

    /** Completes a call {@code delayNanos} from now on the scheduler, or at once without one; needs no lock. */
    void complete(Runnable completion, long delayNanos) {
        plan.complete(completion, delayNanos);
    }
}
