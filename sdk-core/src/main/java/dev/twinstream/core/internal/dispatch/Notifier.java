package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.internal.journal.Receipt;
import dev.twinstream.core.spi.DeadLetterHandler;
import dev.twinstream.core.spi.RecordResult;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the outside world about final outcomes: the {@link DeliveryListener}, the
 * {@link DeadLetterHandler} and delivery receipts. When no listener is set and the record has no
 * receipt, the per-event methods do nothing and allocate nothing.
 *
 * <p>Two ways to run the notifications:
 * <ul>
 *   <li><b>The tracker's own listener thread</b> ({@link #onOwnThread}): notifications wait in this
 *       class's queue, in the order they were decided, and one drain task on the thread runs them.
 *       The queue is bounded: a submitter (the dispatcher, or an appender reporting a drop) waits
 *       while it holds {@code maxQueued} notifications, so a slow listener slows delivery instead of
 *       growing memory — until {@link #closing()}, after which nobody waits (the journal is closed,
 *       so what can still be reported is bounded by what it holds). At close the tracker waits for
 *       the queue to empty ({@link #awaitDelivered}) and, if the bound passes first, takes back what
 *       is left ({@link #abandon}): receipts among it are completed there and then, every other
 *       notification is counted in {@link #undelivered()}. Nothing is discarded uncounted.
 *   <li><b>The caller's executor or scheduler</b> ({@link #onCallersExecutor}): each notification is
 *       handed to it as a task; the caller owns its queue, so close does not wait for it. A
 *       notification it rejects is handled as an abandoned one (receipt completed, else counted).
 * </ul>
 */
public final class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final @Nullable DeliveryListener listener;
    private final DeadLetterHandler deadLetters;
    private final Executor executor;
    /** Whether notifications go through {@link #queue} to the tracker's own thread. */
    private final boolean own;
    private final int maxQueued;

    // Own thread only.
    private final ConcurrentLinkedQueue<Notification> queue = new ConcurrentLinkedQueue<>();
    /** Notifications submitted and neither run nor taken back; decremented after each one ran. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Whether a drain task is scheduled or running. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Guards the waits for room and for an empty queue. */
    private final Object monitor = new Object();
    /** Submitters waiting in {@link #awaitRoom}; written under {@link #monitor}. */
    private volatile int roomWaiters;
    /** Threads waiting in {@link #awaitDelivered}; written under {@link #monitor}. */
    private volatile int idleWaiters;
    /** Waiting submitters are woken once the queue is down to this, so they do not wake per notification. */
    private final int lowWater;
    /** The thread running the drain task, which must never wait for room in its own queue. */
    private volatile @Nullable Thread drainThread;
    /** Set by {@link #closing()}: nobody waits for room any more. */
    private volatile boolean unbounded;
    /** Set by {@link #abandon()}: the drain stops, later notifications are handled in place. */
    private volatile boolean abandoned;

    private final AtomicLong undelivered = new AtomicLong();
    private final AtomicBoolean warnedRejection = new AtomicBoolean();

    private Notifier(@Nullable DeliveryListener listener, DeadLetterHandler deadLetters, Executor executor, boolean own,
                     int maxQueued) {
        this.listener = listener;
        this.deadLetters = deadLetters;
        this.executor = executor;
        this.own = own;
        this.maxQueued = maxQueued;
        this.lowWater = maxQueued - maxQueued / 4 - 1;
    }

    /**
     * Notifications run, in order, by one drain task at a time on {@code executor}, a single
     * thread the tracker owns and shuts down after {@link #awaitDelivered}/{@link #abandon}.
     *
     * @param maxQueued notifications queued before a submitter waits for room (until {@link #closing()})
     */
    public static Notifier onOwnThread(@Nullable DeliveryListener listener, DeadLetterHandler deadLetters,
                                       Executor executor, int maxQueued) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1 but was " + maxQueued);
        }
        return new Notifier(listener, deadLetters, executor, true, maxQueued);
    }

    /** Every notification is a task of the caller's {@code executor}, which the caller owns. */
    public static Notifier onCallersExecutor(@Nullable DeliveryListener listener, DeadLetterHandler deadLetters,
                                             Executor executor) {
        return new Notifier(listener, deadLetters, executor, false, Integer.MAX_VALUE);
    }

    void delivered(String sink, LogRecord record) {
        if (listener != null) {
            submit(new Notification(Notification.DELIVERED, sink, record, null, null, 0, 0, null, null));
        }
        finish(sink, record, null);
    }

    void retried(String sink, LogRecord record, int nextAttempt, long backoffMillis, RecordResult cause) {
        if (listener != null) {
            submit(new Notification(Notification.RETRIED, sink, record, null, null, nextAttempt, backoffMillis, cause, null));
        }
    }

    void deadLettered(String sink, LogRecord record, DeadLetter deadLetter) {
        submit(new Notification(Notification.DEAD_LETTER_HANDLER, sink, record, deadLetter, null, 0, 0, null, null));
        if (listener != null) {
            submit(new Notification(Notification.DEAD_LETTERED, sink, record, deadLetter, null, 0, 0, null, null));
        }
        finish(sink, record, "dead-lettered (" + deadLetter.reason() + ", " + deadLetter.errorCode() + ": "
                + deadLetter.errorMessage() + ")");
    }

    public void dropped(String sink, LogRecord record, DropReason reason) {
        if (listener != null) {
            submit(new Notification(Notification.DROPPED, sink, record, null, reason, 0, 0, null, null));
        }
        finish(sink, record, "dropped (" + reason + ")");
    }

    /**
     * A disk journal keeps the record for the next tracker: no outcome to report, but its receipt (if
     * any) must not wait forever, so this sink counts as not delivered for it.
     */
    void pendingAtClose(String sink, LogRecord record) {
        finish(sink, record, "still pending in the disk journal when the tracker closed (the next tracker on the "
                + "directory sends it)");
    }

    public void journalRecovered(JournalRecovery recovery) {
        if (listener != null) {
            submit(new Notification(Notification.RECOVERED, "", null, null, null, 0, 0, null, recovery));
        }
    }

    private void finish(String sink, LogRecord record, @Nullable String failure) {
        Receipt receipt = record.receipt;
        if (receipt != null && receipt.sinkDone(sink, record, failure)) {
            submit(new Notification(Notification.RECEIPT, sink, record, null, null, 0, 0, null, null));
        }
    }

    // ------------------------------------------------------------------------------ running them

    private void submit(Notification n) {
        if (!own) {
            try {
                executor.execute(n);
            } catch (RejectedExecutionException e) {
                rejected(n, e);
            }
            return;
        }
        if (abandoned) {
            takeBack(n);
            return;
        }
        if (queued.get() >= maxQueued && !unbounded && Thread.currentThread() != drainThread) {
            awaitRoom();
        }
        queued.incrementAndGet(); // before the add: the drain decrements only what it took
        queue.add(n);
        if (abandoned) {
            takeBackQueued(); // abandon() ran meanwhile and may have missed it
        } else if (!draining.get() && draining.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            draining.set(false);
            LOG.warn("Twinstream listener thread refused work; the queued notifications are taken back", e);
            abandon();
        }
    }

    /** Waits, on the submitting thread, until the queue has room or the tracker is closing. */
    private void awaitRoom() {
        synchronized (monitor) {
            roomWaiters++;
            try {
                while (queued.get() >= maxQueued && !unbounded && !abandoned) {
                    monitor.wait(10); // woken by the drain; the timeout only guards against a lost wake-up
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // go ahead beyond the bound rather than lose the notification
            } finally {
                roomWaiters--;
            }
        }
    }

    /** The drain task: runs queued notifications in order until the queue is empty (or abandoned). */
    private void drain() {
        drainThread = Thread.currentThread();
        try {
            Notification n;
            while (!abandoned && (n = queue.poll()) != null) {
                try {
                    n.run();
                } finally {
                    int left = queued.decrementAndGet();
                    if ((roomWaiters != 0 && left <= lowWater) || (left == 0 && idleWaiters != 0)) {
                        synchronized (monitor) {
                            monitor.notifyAll();
                        }
                    }
                }
            }
        } finally {
            drainThread = null;
            draining.set(false);
            if (!abandoned && !queue.isEmpty() && draining.compareAndSet(false, true)) {
                schedule(); // a notification added after the last poll
            }
        }
    }

    /**
     * From now on no submitter waits for room (the journal is closed: what can still be reported is
     * bounded by what it holds), and whoever is waiting goes ahead.
     */
    public void closing() {
        unbounded = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /**
     * Waits until every notification submitted so far has run, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}). With the caller's executor, returns true at once: what was handed
     * to it is its to run.
     *
     * @return whether nothing is left to run
     */
    public boolean awaitDelivered(long deadlineNanos) {
        if (!own) {
            return true;
        }
        if (Thread.currentThread() == drainThread) {
            return runHere(deadlineNanos); // closed from a callback: this thread is the listener thread
        }
        synchronized (monitor) {
            idleWaiters++;
            try {
                while (queued.get() != 0) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return queued.get() == 0;
            } finally {
                idleWaiters--;
            }
        }
    }

    /** Runs queued notifications on the calling thread, the listener thread, until none is left or the deadline. */
    private boolean runHere(long deadlineNanos) {
        Notification n;
        while (System.nanoTime() - deadlineNanos < 0 && (n = queue.poll()) != null) {
            try {
                n.run();
            } finally {
                queued.decrementAndGet();
            }
        }
        return queue.isEmpty();
    }

    /**
     * Gives up on the listener: takes back every queued notification on the calling thread,
     * completes the receipts among them there and then, and counts the rest in
     * {@link #undelivered()}. A callback already running finishes; later notifications are handled
     * the same way at once.
     *
     * @return the notifications this call counted as undelivered
     */
    public long abandon() {
        if (!own) {
            return 0;
        }
        abandoned = true;
        long before = undelivered.get();
        takeBackQueued();
        synchronized (monitor) {
            monitor.notifyAll();
        }
        return undelivered.get() - before;
    }

    private void takeBackQueued() {
        Notification n;
        while ((n = queue.poll()) != null) {
            queued.decrementAndGet();
            takeBack(n);
        }
    }

    /** A notification nobody will run on the listener thread: a receipt completes here, the rest is counted. */
    private void takeBack(Notification n) {
        if (n.kind == Notification.RECEIPT) {
            n.run();
        } else {
            undelivered.incrementAndGet();
        }
    }

    private void rejected(Notification n, RejectedExecutionException e) {
        if (warnedRejection.compareAndSet(false, true)) {
            LOG.warn("Twinstream listener executor rejected a notification; receipts are completed on the reporting "
                    + "thread and other notifications are counted in TrackerMetrics.undeliveredNotifications() "
                    + "(warned once)", e);
        }
        takeBack(n);
    }

    /** {@return notifications (listener and dead-letter handler calls) that were taken back or rejected, never run} */
    public long undelivered() {
        return undelivered.get();
    }

    /** One notification: which callback, and its arguments. */
    private final class Notification implements Runnable {
        static final int DELIVERED = 0;
        static final int RETRIED = 1;
        static final int DEAD_LETTER_HANDLER = 2;
        static final int DEAD_LETTERED = 3;
        static final int DROPPED = 4;
        static final int RECOVERED = 5;
        static final int RECEIPT = 6;

        final int kind;
        final String sink;
        final @Nullable LogRecord record;
        final @Nullable DeadLetter deadLetter;
        final @Nullable DropReason reason;
        final int nextAttempt;
        final long backoffMillis;
        final @Nullable RecordResult cause;
        final @Nullable JournalRecovery recovery;

        Notification(int kind, String sink, @Nullable LogRecord record, @Nullable DeadLetter deadLetter,
                     @Nullable DropReason reason, int nextAttempt, long backoffMillis, @Nullable RecordResult cause,
                     @Nullable JournalRecovery recovery) {
            this.kind = kind;
            this.sink = sink;
            this.record = record;
            this.deadLetter = deadLetter;
            this.reason = reason;
            this.nextAttempt = nextAttempt;
            this.backoffMillis = backoffMillis;
            this.cause = cause;
            this.recovery = recovery;
        }

        @Override
        public void run() {
            if (kind == RECEIPT) {
                LogRecord r = record;
                Receipt receipt = r == null ? null : r.receipt;
                if (receipt != null) {
                    receipt.complete(r);
                }
                return;
            }
            DeliveryListener l = listener;
            try {
                switch (kind) {
                    case DELIVERED:
                        if (l != null) {
                            l.onDelivered(sink, event());
                        }
                        break;
                    case RETRIED:
                        if (l != null && cause != null) {
                            l.onRetried(sink, event(), nextAttempt, backoffMillis, cause);
                        }
                        break;
                    case DEAD_LETTER_HANDLER:
                        if (deadLetter != null) {
                            deadLetters.onDeadLetter(deadLetter);
                        }
                        break;
                    case DEAD_LETTERED:
                        if (l != null && deadLetter != null) {
                            l.onDeadLettered(sink, deadLetter);
                        }
                        break;
                    case DROPPED:
                        if (l != null && reason != null) {
                            l.onDropped(sink, event(), reason);
                        }
                        break;
                    default:
                        if (l != null && recovery != null) {
                            l.onJournalRecovered(recovery);
                        }
                }
            } catch (RuntimeException e) {
                LOG.warn("Twinstream {} callback threw; ignored", what(), e);
            }
        }

        private TrackedEvent event() {
            LogRecord r = record;
            if (r == null) {
                throw new IllegalStateException("notification without a record");
            }
            return r;
        }

        private String what() {
            switch (kind) {
                case DELIVERED:
                    return "onDelivered";
                case RETRIED:
                    return "onRetried";
                case DEAD_LETTER_HANDLER:
                    return "DeadLetterHandler";
                case DEAD_LETTERED:
                    return "onDeadLettered";
                case DROPPED:
                    return "onDropped";
                default:
                    return "onJournalRecovered";
            }
        }
    }
}
