package dev.twinstream.kinesis.internal;

import dev.twinstream.core.Scheduler;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sink's own timer thread, used when no {@link Scheduler} is injected: one daemon thread named
 * {@code twinstream-kinesis-N} for held (rate-limited) sends and shard-map reloads. Closed by the sink
 * after its sender: {@link #close()} runs what is still queued on the closing thread instead of
 * dropping it, so every send's future completes (the closed sender fails held records as retryable).
 */
public final class OwnScheduler implements Scheduler, AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();
    /**
     * How long {@link #close()} waits for a task already running on the thread (planning a send or
     * handing its requests to the client: milliseconds) before it runs the queued ones itself.
     */
    static final long CLOSE_AWAIT_MILLIS = 5_000;

    private final ScheduledThreadPoolExecutor executor;
    /**
     * Tasks queued and not yet started. A delayed task of a shut-down executor is cancelled, not
     * run, so {@link #close()} runs these itself.
     */
    private final Set<Runnable> pending = ConcurrentHashMap.newKeySet();

    /** Starts the thread lazily on first use. */
    public OwnScheduler() {
        int n = COUNT.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "twinstream-kinesis-" + n);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        // At shutdown, delayed tasks are cancelled instead of waited for; close() runs them itself.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(track(task));
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Runnable tracked = track(task);
        ScheduledFuture<?> f = executor.schedule(tracked, delayNanos, TimeUnit.NANOSECONDS);
        return () -> {
            pending.remove(tracked);
            f.cancel(false);
        };
    }

    /** A task that is in {@link #pending} until it starts (or is cancelled). */
    private Runnable track(Runnable task) {
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            if (pending.remove(self[0])) {
                task.run();
            }
        };
        pending.add(self[0]);
        return self[0];
    }

    /**
     * Stops the thread once the task it is running (if any) has finished, at most
     * {@link #CLOSE_AWAIT_MILLIS}, then runs every task still queued (due or not) on the calling
     * thread, so none is dropped with its future left incomplete and none is still running when
     * this returns. The sender's tasks complete their futures themselves.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_AWAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        for (Runnable task : new ArrayList<>(pending)) {
            try {
                task.run(); // runs the task unless the thread started it first
            } catch (RuntimeException e) {
                // Each task completes its own futures; one failing must not keep the rest from running.
            }
        }
    }
}
