package dev.twinstream.core;

import java.util.concurrent.Executor;

/**
 * Runs the tracker's background work: the dispatcher, timers (linger, backoff, timeouts) and
 * listener callbacks. The default is a single daemon thread owned by the tracker; tests pass a
 * virtual scheduler ({@code VirtualScheduler} in {@code twinstream-testkit}) that runs tasks only when
 * virtual time is advanced.
 *
 * <p>Tasks submitted through {@link #execute} and those that become due may run one at a time or
 * concurrently (the tracker serializes its own drains), but never inline inside {@code execute} or
 * {@code schedule}: the submitting code may hold state it expects to release first. The caller owns
 * a scheduler it passes to a tracker and must shut it down itself.
 */
public interface Scheduler extends Executor {

    /**
     * Runs {@code task} once after {@code delayNanos} nanoseconds of this scheduler's clock.
     *
     * @param task the task to run
     * @param delayNanos the delay in nanoseconds of this scheduler's clock
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that can still be cancelled. */
    interface Cancellable {
        /** Cancels the task if it has not run yet; does nothing otherwise. */
        void cancel();
    }
}
