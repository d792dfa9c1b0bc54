package dev.twinstream.core.internal;

import dev.twinstream.core.Scheduler;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The threads a tracker creates when the caller does not inject a scheduler or listener executor. */
final class OwnThreads {
    private static final Logger LOG = LoggerFactory.getLogger(OwnThreads.class);
    /** Listener tasks queued before the dispatcher waits for the listener to catch up. */
    static final int LISTENER_QUEUE_TASKS = 65_536;
    private static final AtomicInteger TRACKERS = new AtomicInteger();

    private OwnThreads() {}

    /** A number that tells this process's trackers apart in thread names. */
    static int nextTrackerNumber() {
        return TRACKERS.incrementAndGet();
    }

    /** Daemon threads named {@code twinstream-<role>-<tracker>}. */
    static ThreadFactory namedDaemons(String role, int tracker) {
        return task -> {
            Thread t = new Thread(task, "twinstream-" + role + "-" + tracker);
            t.setDaemon(true);
            return t;
        };
    }

    /** One thread running the dispatcher and its timers. */
    static final class DispatcherScheduler implements Scheduler {
        final ScheduledThreadPoolExecutor executor;

        DispatcherScheduler(ThreadFactory threadFactory) {
            executor = new ScheduledThreadPoolExecutor(1, threadFactory);
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
    }

    /**
     * One listener thread with a bounded queue. When the queue is full the submitting thread waits
     * for room: a slow listener slows delivery instead of growing memory without bound.
     */
    static ThreadPoolExecutor listenerExecutor(ThreadFactory threadFactory) {
        RejectedExecutionHandler waitForRoom = (task, executor) -> {
            if (executor.isShutdown()) {
                LOG.debug("Twinstream listener stopped; a late notification was not delivered");
                return;
            }
            try {
                executor.getQueue().put(task);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Interrupted while waiting for the Twinstream listener queue; a notification was skipped");
            }
        };
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(LISTENER_QUEUE_TASKS), threadFactory, waitForRoom);
    }
}
