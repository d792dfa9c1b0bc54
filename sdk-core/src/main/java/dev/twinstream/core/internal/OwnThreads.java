package dev.twinstream.core.internal;

import dev.twinstream.core.Scheduler;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The threads a tracker creates when the caller does not inject a scheduler or listener executor. */
final class OwnThreads {
    /** Notifications queued before the dispatcher (or an appender) waits for the listener to catch up. */
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
     * One listener thread. Its executor queue holds only the notifier's drain task; the
     * notifications themselves wait in the {@link dev.twinstream.core.internal.dispatch.Notifier},
     * which bounds them ({@link #LISTENER_QUEUE_TASKS}) and, at close, takes back what the thread did
     * not run in time.
     */
    static ThreadPoolExecutor listenerExecutor(ThreadFactory threadFactory) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory);
    }
}
