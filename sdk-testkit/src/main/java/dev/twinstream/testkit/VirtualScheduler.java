package dev.twinstream.testkit;

import dev.twinstream.core.Scheduler;
import dev.twinstream.testkit.internal.Durations;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on virtual time: nothing runs until a test drives it.
 *
 * <p>{@link #execute} queues a task and {@link #schedule} queues a timer due at the clock's
 * {@code nanoTime() + delayNanos}; neither runs anything. Tasks run one at a time, only on the
 * thread that calls {@link #runPending()}, {@link #advance(Duration)},
 * {@link #advanceUntil(BooleanSupplier, Duration)} or {@link #runUntilIdle(Duration)}, and always
 * outside the scheduler's lock, so a task may submit further tasks and timers. Timers due at the
 * same time run in the order they were scheduled; cancelled timers never run.
 *
 * <p>Submitting ({@code execute}, {@code schedule}, {@code cancel}) is thread-safe and may happen
 * from any number of threads. Driving is serialized: two threads calling the run methods at once
 * take turns, and a task that calls a run method of its own scheduler gets an
 * {@link IllegalStateException}.
 *
 * <p>A task that throws is not swallowed: the run method stops at that task (the rest of the work
 * stays queued) and throws an {@link AssertionError} naming the task and the virtual time, with the
 * task's exception as the cause. Every such failure is also kept in {@link #failures()}.
 *
 * <p>To catch tasks that resubmit themselves forever, a run method fails after
 * {@value #MAX_TASKS_WITHOUT_TIME_PASSING} tasks at one virtual instant.
 */
public final class VirtualScheduler implements Scheduler {

    /** Most tasks a run method runs at one virtual instant before it reports a runaway loop. */
    public static final int MAX_TASKS_WITHOUT_TIME_PASSING = 1_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(VirtualScheduler.class);

    private final ManualClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Held by the thread driving the scheduler, so run methods never run concurrently. */
    private final ReentrantLock driver = new ReentrantLock();
    private final ArrayDeque<Runnable> immediate = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long nextSequence;
    private long tasksAtThisInstant;
    private long instantOfCount = Long.MIN_VALUE;

    /** A scheduler on a new {@link ManualClock} starting at {@link ManualClock#DEFAULT_START}. */
    public VirtualScheduler() {
        this(new ManualClock());
    }

    /**
     * A scheduler on {@code clock}. The scheduler moves the clock forward when a test advances it;
     * the caller may share the clock with the code under test.
     *
     * @param clock the virtual clock
     */
    public VirtualScheduler(ManualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@return the clock this scheduler's timers are due on} */
    public ManualClock clock() {
        return clock;
    }

    /**
     * Queues {@code task} to run on the next call of a run method. Never runs it on the calling
     * thread.
     *
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        lock.lock();
        try {
            immediate.addLast(task);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code task} to run once the clock reaches {@code nanoTime() + delayNanos}. A
     * negative delay counts as zero; a delay too large for the clock means "never" in practice.
     *
     * @return a handle whose {@code cancel()} removes the timer if it has not started
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Objects.requireNonNull(task, "task");
        long delay = Math.max(0L, delayNanos);
        lock.lock();
        try {
            long now = clock.nanoTime();
            long due = now + delay < now ? Long.MAX_VALUE : now + delay;
            Timer timer = new Timer(task, due, nextSequence++);
            timers.add(timer);
            return timer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs everything that can run without time passing: queued tasks, the tasks they submit, and
     * timers already due (for example scheduled with a zero delay), until none is left. The clock
     * does not move.
     *
     * @return the number of tasks run
     * @throws AssertionError if a task throws (see the class comment)
     * @throws IllegalStateException if called from one of this scheduler's tasks
     */
    public int runPending() {
        enterDriver();
        try {
            return runDueAtCurrentTime();
        } finally {
            driver.unlock();
        }
    }

    /**
     * Moves virtual time forward by {@code duration}, running every task and timer that becomes
     * due on the way, each at its due time: runs the pending tasks, then repeatedly sets the clock
     * to the earliest timer due at or before the target, runs it and what it submitted, and finally
     * sets the clock to the target and runs what is pending.
     *
     * @param duration how far to move; zero runs what is due now
     * @return the number of tasks run
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws AssertionError if a task throws; the clock then stays at that task's due time
     * @throws IllegalStateException if called from one of this scheduler's tasks
     */
    public int advance(Duration duration) {
        long target = targetOf(duration, "duration");
        enterDriver();
        try {
            int ran = runTimersUntil(target, null);
            clock.advanceToNanoTime(target);
            return ran + runDueAtCurrentTime();
        } finally {
            driver.unlock();
        }
    }

    /**
     * Moves virtual time forward from timer to timer until {@code condition} holds, checking it
     * after the pending tasks ran at each step; stops at the latest after {@code maxVirtual}.
     * The condition is checked first at the current time, after running what is pending. If it
     * never holds, this behaves like {@link #advance(Duration) advance(maxVirtual)}.
     *
     * @param condition evaluated on the calling thread between tasks
     * @param maxVirtual the most virtual time to let pass
     * @return whether the condition held; the clock stays where it first held
     * @throws IllegalArgumentException if {@code maxVirtual} is negative
     * @throws AssertionError if a task throws
     * @throws IllegalStateException if called from one of this scheduler's tasks
     */
    public boolean advanceUntil(BooleanSupplier condition, Duration maxVirtual) {
        Objects.requireNonNull(condition, "condition");
        long deadline = targetOf(maxVirtual, "maxVirtual");
        enterDriver();
        try {
            runDueAtCurrentTime();
            if (condition.getAsBoolean()) {
                return true;
            }
            runTimersUntil(deadline, condition);
            if (condition.getAsBoolean()) {
                return true;
            }
            clock.advanceToNanoTime(deadline);
            runDueAtCurrentTime();
            return condition.getAsBoolean();
        } finally {
            driver.unlock();
        }
    }

    /**
     * Runs tasks and timers, moving time from timer to timer, until there is nothing left to run
     * or {@code maxVirtual} has passed. Unlike {@link #advance}, the clock stays at the last timer
     * that ran when the scheduler becomes idle before the limit.
     *
     * @param maxVirtual the most virtual time to let pass; timers beyond it stay queued
     * @return {@code true} if the scheduler became idle, {@code false} if work remains (for example
     *     a timer that keeps rescheduling itself)
     * @throws IllegalArgumentException if {@code maxVirtual} is negative
     * @throws AssertionError if a task throws
     * @throws IllegalStateException if called from one of this scheduler's tasks
     */
    public boolean runUntilIdle(Duration maxVirtual) {
        long deadline = targetOf(maxVirtual, "maxVirtual");
        enterDriver();
        try {
            runTimersUntil(deadline, null);
            if (isIdle()) {
                return true;
            }
            clock.advanceToNanoTime(deadline);
            runDueAtCurrentTime();
            return isIdle();
        } finally {
            driver.unlock();
        }
    }

    /** {@return the number of tasks queued by {@link #execute} that have not run yet} */
    public int pendingTaskCount() {
        lock.lock();
        try {
            return immediate.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the number of timers neither run nor cancelled yet} */
    public int timerCount() {
        lock.lock();
        try {
            return timers.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether no task and no timer is waiting} */
    public boolean isIdle() {
        lock.lock();
        try {
            return immediate.isEmpty() && timers.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the {@link ManualClock#nanoTime()} at which the next timer is due, if there is one} */
    public OptionalLong nextTimerDueNanos() {
        lock.lock();
        try {
            Timer next = timers.peek();
            return next == null ? OptionalLong.empty() : OptionalLong.of(next.due);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@return every exception a task threw so far, oldest first} Each was also rethrown when it
     * happened.
     */
    public List<Throwable> failures() {
        lock.lock();
        try {
            return Collections.unmodifiableList(new ArrayList<>(failures));
        } finally {
            lock.unlock();
        }
    }

    private void enterDriver() {
        if (driver.isHeldByCurrentThread()) {
            throw new IllegalStateException(
                    "a VirtualScheduler task must not drive its own scheduler (runPending/advance/runUntilIdle)");
        }
        driver.lock();
    }

    private long targetOf(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative but was " + duration);
        }
        long now = clock.nanoTime();
        long nanos = Durations.saturatedNanos(duration);
        return now + nanos < now ? Long.MAX_VALUE : now + nanos;
    }

    /**
     * Runs pending work, then timers due at or before {@code target} one by one, each at its due
     * time followed by the work it made pending; stops early once {@code condition} (if any) holds.
     */
    private int runTimersUntil(long target, @Nullable BooleanSupplier condition) {
        int ran = runDueAtCurrentTime();
        while (condition == null || !condition.getAsBoolean()) {
            Timer timer = pollTimerDueBy(target);
            if (timer == null) {
                break;
            }
            clock.advanceToNanoTime(timer.due);
            runOne(timer.task, timer);
            ran += 1 + runDueAtCurrentTime();
        }
        return ran;
    }

    /** Runs queued tasks and timers due by the current time until none is left. */
    private int runDueAtCurrentTime() {
        int ran = 0;
        while (true) {
            Runnable task;
            Timer timer = null;
            lock.lock();
            try {
                task = immediate.pollFirst();
                if (task == null) {
                    timer = pollTimerDueByLocked(clock.nanoTime());
                    if (timer == null) {
                        return ran;
                    }
                    task = timer.task;
                }
            } finally {
                lock.unlock();
            }
            runOne(task, timer);
            ran++;
        }
    }

    private @Nullable Timer pollTimerDueBy(long target) {
        lock.lock();
        try {
            return pollTimerDueByLocked(target);
        } finally {
            lock.unlock();
        }
    }

    private @Nullable Timer pollTimerDueByLocked(long target) {
        Timer next = timers.peek();
        if (next == null || next.due > target) {
            return null;
        }
        timers.poll();
        next.started = true;
        return next;
    }

    private void runOne(Runnable task, @Nullable Timer timer) {
        long now = clock.nanoTime();
        if (now != instantOfCount) {
            instantOfCount = now;
            tasksAtThisInstant = 0;
        }
        if (++tasksAtThisInstant > MAX_TASKS_WITHOUT_TIME_PASSING) {
            throw new AssertionError("more than " + MAX_TASKS_WITHOUT_TIME_PASSING
                    + " tasks ran without virtual time passing (at " + clock.instant()
                    + "); a task probably resubmits itself forever. Last task: " + task);
        }
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                failures.add(e);
            } finally {
                lock.unlock();
            }
            String what = timer == null ? "task " + task : "timer " + task + " (due at +" + describeDue(timer) + ")";
            LOG.debug("VirtualScheduler {} threw at {}", what, clock.instant(), e);
            throw new AssertionError(what + " threw " + e + " at virtual time " + clock.instant()
                    + " (elapsed " + clock.elapsed() + ")", e);
        }
    }

    private static String describeDue(Timer timer) {
        return Duration.ofNanos(timer.due - ManualClock.INITIAL_NANO_TIME).toString();
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "VirtualScheduler{" + clock + ", pending=" + immediate.size() + ", timers=" + timers.size() + '}';
        } finally {
            lock.unlock();
        }
    }

    /** A queued timer; ordered by due time, then by the order it was scheduled in. */
    private final class Timer implements Cancellable, Comparable<Timer> {
        final Runnable task;
        final long due;
        final long sequence;
        /** Set under {@link #lock} when the timer is taken out of the queue to run. */
        boolean started;

        Timer(Runnable task, long due, long sequence) {
            this.task = task;
            this.due = due;
            this.sequence = sequence;
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                if (!started) {
                    timers.remove(this);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }

        @Override
        public String toString() {
            return "Timer{" + task + ", due=+" + describeDue(this) + '}';
        }
    }
}
