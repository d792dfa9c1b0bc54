package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.internal.journal.EventLog;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop that serves every sink: it applies completed calls, sends ready batches and arms one
 * timer for the earliest linger or backoff deadline. It runs as a task on the {@link Scheduler},
 * one drain at a time, and is woken by {@link #signal()} — from appends that cross a batch
 * threshold, from completions, from timers and from flush requests.
 *
 * <p>The wake-up protocol is a small state machine (like Caffeine's drain status) so that a burst
 * of signals schedules at most one drain, and a signal that arrives during a drain causes exactly
 * one more.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private static final int IDLE = 0;
    private static final int REQUIRED = 1;
    private static final int PROCESSING_TO_IDLE = 2;
    private static final int PROCESSING_TO_REQUIRED = 3;
    private static final int STOPPED = 4;

    /**
     * Under sustained traffic (a drain found a full batch unread), the dispatcher looks at the log
     * again after this long (or one linger, if shorter) instead of being woken by the appender that
     * fills each batch: a wake-up is an unpark, a system call the application's thread pays for
     * (tens of microseconds on a VM that must send an inter-processor interrupt), once per batch.
     * The price is that a full batch may wait up to this long.
     */
    static final long BUSY_POLL_NANOS = 1_000_000;

    private final AtomicInteger status = new AtomicInteger(IDLE);
    /** Held by a drain and by {@link #stop}, so a closing thread can finish the work itself. */
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Scheduler scheduler;
    private final Clock clock;
    private final EventLog log;
    private final Random random;
    private final Runnable drainTask = this::drain;
    private final Runnable timerTask = () -> {
        timerFired = true;
        signal();
    };
    private final ConcurrentLinkedQueue<InFlightBatch> completions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FlushRequest> newFlushes = new ConcurrentLinkedQueue<>();
    private final List<FlushRequest> flushes = new ArrayList<>();
    private SinkChannel[] channels = new SinkChannel[0];
    private Scheduler.Cancellable timer;
    private long timerDueNanos = Long.MAX_VALUE;
    /**
     * {@link #timerDueNanos} for appenders: while a timer is armed to fire within one linger, a
     * sink's first unread record needs no wake-up, because that timer's drain will see it in time.
     * Cleared before a drain reads the log once the timer is spent, so an appender that stores after
     * that read sees it cleared.
     */
    private volatile long armedTimerDueNanos = Long.MAX_VALUE;
    /** The shortest linger of any sink; 0 turns the wake-saving poll timers off. */
    private long minLingerNanos;
    /** {@link #BUSY_POLL_NANOS}, at most {@link #minLingerNanos}. */
    private long busyPollNanos;
    /** {@link EventLog#appendPosition()} when the last poll timer was armed. */
    private long appendPositionAtPoll = -1;
    /**
     * Set by the timer: the armed timer is spent even if the clock reads a little before its due
     * time (a scheduler whose time base differs slightly from the clock); it is re-armed as needed.
     */
    private volatile boolean timerFired;
    /** The thread waiting in {@link #awaitCalls}, unparked by every completion; null otherwise. */
    private volatile @Nullable Thread closer;

    public Dispatcher(Scheduler scheduler, Clock clock, EventLog log, Random random) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.log = log;
        this.random = random;
    }

    public void setChannels(SinkChannel[] channels) {
        this.channels = channels.clone();
        long min = Long.MAX_VALUE;
        for (SinkChannel channel : channels) {
            min = Math.min(min, channel.lingerNanos);
        }
        minLingerNanos = channels.length == 0 ? 0 : min;
        busyPollNanos = Math.min(minLingerNanos, BUSY_POLL_NANOS);
    }

    /**
     * A sink got its first unread record: wakes the dispatcher unless an armed timer will drain
     * within one linger anyway (a poll timer armed after traffic), so steady traffic does not pay
     * an unpark per partial batch.
     */
    public void signalFirstRecord() {
        signalUnlessTimerDueWithin(minLingerNanos);
    }

    /**
     * A sink has a full batch unread: wakes the dispatcher unless an armed timer drains within
     * {@link #BUSY_POLL_NANOS} anyway, as it does under sustained traffic.
     */
    public void signalBatchReady() {
        signalUnlessTimerDueWithin(busyPollNanos);
    }

    private void signalUnlessTimerDueWithin(long nanos) {
        long due = armedTimerDueNanos;
        if (due != Long.MAX_VALUE && due - clock.nanoTime() <= nanos) {
            return;
        }
        signal();
    }

    /** Asks for a drain soon; cheap when one is already scheduled or running. */
    public void signal() {
        for (;;) {
            int s = status.get();
            if (s == IDLE) {
                if (status.compareAndSet(IDLE, REQUIRED)) {
                    scheduler.execute(drainTask);
                    return;
                }
            } else if (s == PROCESSING_TO_IDLE) {
                if (status.compareAndSet(PROCESSING_TO_IDLE, PROCESSING_TO_REQUIRED)) {
                    return;
                }
            } else {
                return; // already REQUIRED, PROCESSING_TO_REQUIRED or STOPPED
            }
        }
    }

    /** A sink's call finished (any thread): queue it for the next drain. */
    void completed(InFlightBatch batch) {
        completions.add(batch);
        Thread waiting = closer;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        signal();
    }

    /**
     * Completes with true once every record appended before this call is final in every sink, or
     * with false when {@code timeoutNanos} of the tracker's clock pass first. Partial batches are
     * sent without lingering while a flush is pending.
     */
    public CompletableFuture<Boolean> flush(long timeoutNanos) {
        FlushRequest request = new FlushRequest(log.appendPosition());
        request.timeout = scheduler.schedule(() -> {
            request.future.complete(false);
            signal();
        }, timeoutNanos);
        newFlushes.add(request); // after the timeout is set: the drain may cancel it at once
        signal();
        return request.future;
    }

    private void drain() {
        drainLock.lock();
        try {
            if (!status.compareAndSet(REQUIRED, PROCESSING_TO_IDLE)) {
                return; // stopped meanwhile
            }
            try {
                drainOnce();
            } catch (RuntimeException e) {
                LOG.error("Twinstream dispatcher failed; it will retry on the next signal", e);
            } finally {
                // Even if an Error escapes, leave the state machine able to schedule the next drain.
                finishDrain();
            }
        } finally {
            drainLock.unlock();
        }
    }

    private void finishDrain() {
        for (;;) {
            int s = status.get();
            if (s == PROCESSING_TO_IDLE && status.compareAndSet(PROCESSING_TO_IDLE, IDLE)) {
                return;
            }
            if (s == PROCESSING_TO_REQUIRED && status.compareAndSet(PROCESSING_TO_REQUIRED, REQUIRED)) {
                scheduler.execute(drainTask);
                return;
            }
            if (s == STOPPED) {
                return;
            }
        }
    }

    private void drainOnce() {
        long now = clock.nanoTime();
        if (timerFired || timerDueNanos <= now) {
            timerFired = false;
            timerDueNanos = Long.MAX_VALUE;
            armedTimerDueNanos = Long.MAX_VALUE;
            timer = null;
        }
        InFlightBatch done;
        while ((done = completions.poll()) != null) {
            done.channel.onCompletion(done, now, random);
        }
        FlushRequest request;
        while ((request = newFlushes.poll()) != null) {
            flushes.add(request);
        }
        boolean flushing = !flushes.isEmpty();
        long wakeAt = Long.MAX_VALUE;
        boolean busy = false;
        for (SinkChannel channel : channels) {
            wakeAt = Math.min(wakeAt, channel.sendReady(now, flushing));
            busy |= channel.sawReadyBatch;
        }
        completeFlushes();
        if (busy && busyPollNanos > 0) {
            wakeAt = Math.min(wakeAt, now + busyPollNanos); // see BUSY_POLL_NANOS
        } else if (wakeAt == Long.MAX_VALUE && timer == null && minLingerNanos > 0) {
            // Traffic since the last poll: look again after one linger instead of being woken by
            // the next first record. Quiet trackers stop polling after one empty look.
            long position = log.appendPosition();
            if (position != appendPositionAtPoll) {
                appendPositionAtPoll = position;
                wakeAt = now + minLingerNanos;
            }
        }
        if (wakeAt < timerDueNanos) {
            if (timer != null) {
                timer.cancel();
            }
            timerDueNanos = wakeAt;
            timer = scheduler.schedule(timerTask, Math.max(0, wakeAt - now));
            armedTimerDueNanos = wakeAt;
        }
    }

    private void completeFlushes() {
        for (Iterator<FlushRequest> it = flushes.iterator(); it.hasNext(); ) {
            FlushRequest f = it.next();
            if (f.future.isDone() || allFinishedBelow(f.targetSeq)) {
                f.timeout.cancel();
                f.future.complete(true);
                it.remove();
            }
        }
    }

    private boolean allFinishedBelow(long seq) {
        for (SinkChannel channel : channels) {
            if (!channel.hasFinishedBelow(seq)) {
                return false;
            }
        }
        return true;
    }

    /**
     * First step of close, on the closing thread once the flush is over: no sink sends anything
     * more (no fresh records, no retries). Calls in flight still complete and count as what they
     * were; a record one of them would retry is dropped with {@code reason} instead (null: it stays
     * pending, for the disk journal to keep). Waits for a running drain.
     */
    public void stopSending(@Nullable DropReason reason) {
        drainLock.lock();
        try {
            for (SinkChannel channel : channels) {
                channel.stopSending(reason);
            }
            applyCompletions();
        } finally {
            drainLock.unlock();
        }
    }

    /**
     * Second step of close: waits until no sink has a call in flight, applying completions on the
     * calling thread as they arrive (so it needs no drain, and no scheduler anyone advances), at most
     * until {@code deadlineNanos} of {@link System#nanoTime()}.
     *
     * @return whether every call completed and was applied
     */
    public boolean awaitCalls(long deadlineNanos) {
        closer = Thread.currentThread();
        try {
            for (;;) {
                drainLock.lock();
                try {
                    applyCompletions();
                    if (!anyCallInFlight()) {
                        return true;
                    }
                } finally {
                    drainLock.unlock();
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left); // unparked by completed()
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        } finally {
            closer = null;
        }
    }

    private boolean anyCallInFlight() {
        for (SinkChannel channel : channels) {
            if (channel.hasCallsInFlight()) {
                return true;
            }
        }
        return false;
    }

    /** Under {@link #drainLock}. */
    private void applyCompletions() {
        long now = clock.nanoTime();
        InFlightBatch done;
        while ((done = completions.poll()) != null) {
            done.channel.onCompletion(done, now, random);
        }
    }

    /**
     * Last step of close: stops the loop for good, on the calling thread: waits for a running
     * drain, applies the completions that already arrived, then drops whatever is still pending with
     * {@code reason} — including the records of calls still in flight, whose completions are never
     * applied (null: leaves it all pending, for the disk journal to keep).
     *
     * @return the calls that were still in flight, over all sinks
     */
    public int stop(@Nullable DropReason reason) {
        drainLock.lock();
        try {
            status.set(STOPPED);
            armedTimerDueNanos = Long.MAX_VALUE;
            if (timer != null) {
                timer.cancel();
            }
            applyCompletions();
            int abandonedCalls = 0;
            for (SinkChannel channel : channels) {
                abandonedCalls += channel.abandon(reason);
            }
            for (FlushRequest f : flushes) {
                f.future.complete(allFinishedBelow(f.targetSeq));
            }
            flushes.clear();
            return abandonedCalls;
        } finally {
            drainLock.unlock();
        }
    }

    /** A pending {@link #flush}. */
    private static final class FlushRequest {
        final long targetSeq;
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        Scheduler.Cancellable timeout;

        FlushRequest(long targetSeq) {
            this.targetSeq = targetSeq;
        }
    }
}
