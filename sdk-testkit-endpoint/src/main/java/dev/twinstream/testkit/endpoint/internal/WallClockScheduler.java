package dev.twinstream.testkit.endpoint.internal;

import dev.twinstream.core.Scheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on wall time, one daemon thread: what a fake on wall time needs to act when no
 * call arrives (a Firehose buffer whose interval passes, written to the S3 directory on time).
 */
public final class WallClockScheduler implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "twinstream-local-aws-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** Stops the thread; timers not yet due are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
