package dev.twinstream.kinesis.internal;

import dev.twinstream.core.Scheduler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sink's own timer thread, used when no {@link Scheduler} is injected: one daemon thread named
 * {@code twinstream-kinesis-N} for held (rate-limited) sends and shard-map reloads. Closed by the sink.
 */
public final class OwnScheduler implements Scheduler, AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    /** Starts the thread lazily on first use. */
    public OwnScheduler() {
        int n = COUNT.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "twinstream-kinesis-" + n);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
