package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.Scheduler.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final ManualClock clock = scheduler.clock();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /** Virtual milliseconds since the clock started. */
    private long now() {
        return clock.elapsed().toMillis();
    }

    @Test
    void executeQueuesTasksUntilRunPending() {
        Thread submitter = Thread.currentThread();
        List<Thread> ranOn = new ArrayList<>();
        scheduler.execute(() -> ranOn.add(Thread.currentThread()));
        scheduler.execute(() -> log.add("second"));

        assertThat(ranOn).as("nothing runs on submission").isEmpty();
        assertThat(scheduler.pendingTaskCount()).isEqualTo(2);

        assertThat(scheduler.runPending()).isEqualTo(2);
        assertThat(ranOn).containsExactly(submitter);
        assertThat(log).containsExactly("second");
        assertThat(scheduler.pendingTaskCount()).isZero();
        assertThat(scheduler.runPending()).isZero();
    }

    @Test
    void tasksSubmittedByTasksRunInTheSameRunPending() {
        scheduler.execute(() -> {
            log.add("a");
            scheduler.execute(() -> {
                log.add("c");
                scheduler.execute(() -> log.add("e"));
            });
            scheduler.execute(() -> log.add("d"));
        });
        scheduler.execute(() -> log.add("b"));

        assertThat(scheduler.runPending()).isEqualTo(5);
        assertThat(log).containsExactly("a", "b", "c", "d", "e");
        assertThat(clock.elapsedNanos()).as("runPending does not move time").isZero();
    }

    @Test
    void timersRunInDueOrderAtTheirDueTimeAndTiesInSchedulingOrder() {
        scheduler.schedule(() -> log.add("30ms@" + now()), Duration.ofMillis(30).toNanos());
        scheduler.schedule(() -> log.add("10ms-first@" + now()), Duration.ofMillis(10).toNanos());
        scheduler.schedule(() -> log.add("20ms@" + now()), Duration.ofMillis(20).toNanos());
        scheduler.schedule(() -> log.add("10ms-second@" + now()), Duration.ofMillis(10).toNanos());
        scheduler.schedule(() -> log.add("50ms@" + now()), Duration.ofMillis(50).toNanos());

        assertThat(scheduler.timerCount()).isEqualTo(5);
        assertThat(scheduler.advance(Duration.ofMillis(40))).isEqualTo(4);

        assertThat(log).containsExactly("10ms-first@10", "10ms-second@10", "20ms@20", "30ms@30");
        assertThat(now()).isEqualTo(40);
        assertThat(scheduler.timerCount()).isEqualTo(1);
        assertThat(scheduler.nextTimerDueNanos()).hasValue(ManualClock.INITIAL_NANO_TIME + 50_000_000L);
    }

    @Test
    void timersScheduledByTimersRunWithinTheSameAdvanceWhenDue() {
        scheduler.schedule(() -> {
            log.add("outer@" + now());
            scheduler.schedule(() -> log.add("inner@" + now()), Duration.ofMillis(5).toNanos());
            scheduler.execute(() -> log.add("immediate@" + now()));
        }, Duration.ofMillis(10).toNanos());

        scheduler.advance(Duration.ofMillis(20));

        assertThat(log).containsExactly("outer@10", "immediate@10", "inner@15");
        assertThat(now()).isEqualTo(20);
    }

    @Test
    void timerDueExactlyAtTheTargetRuns() {
        scheduler.schedule(() -> log.add("due"), Duration.ofSeconds(1).toNanos());

        scheduler.advance(Duration.ofMillis(999));
        assertThat(log).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(log).containsExactly("due");
    }

    @Test
    void zeroDelayTimersRunOnRunPending() {
        scheduler.schedule(() -> log.add("zero"), 0);
        scheduler.schedule(() -> log.add("negative"), -5);

        assertThat(scheduler.runPending()).isEqualTo(2);
        assertThat(log).containsExactly("zero", "negative");
    }

    @Test
    void cancelledTimersNeverRun() {
        Cancellable cancelled = scheduler.schedule(() -> log.add("cancelled"), 10);
        scheduler.schedule(() -> log.add("kept"), 20);
        Cancellable cancelledByTask = scheduler.schedule(() -> log.add("cancelled by task"), 30);
        scheduler.schedule(cancelledByTask::cancel, 25);

        cancelled.cancel();
        assertThat(scheduler.timerCount()).isEqualTo(3);
        scheduler.advance(Duration.ofMillis(1));

        assertThat(log).containsExactly("kept");
        assertThat(scheduler.isIdle()).isTrue();
        cancelled.cancel(); // cancelling twice does nothing
    }

    @Test
    void cancellingATimerThatRanDoesNothing() {
        Cancellable ran = scheduler.schedule(() -> log.add("ran"), 10);
        scheduler.advance(Duration.ofMillis(1));

        ran.cancel();

        assertThat(log).containsExactly("ran");
    }

    @Test
    void advanceUntilStopsAtTheFirstTimerAfterWhichTheConditionHolds() {
        AtomicInteger ticks = new AtomicInteger();
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                ticks.incrementAndGet();
                scheduler.schedule(this, Duration.ofSeconds(1).toNanos());
            }
        };
        scheduler.schedule(tick, Duration.ofSeconds(1).toNanos());

        boolean held = scheduler.advanceUntil(() -> ticks.get() == 3, Duration.ofMinutes(1));

        assertThat(held).isTrue();
        assertThat(ticks).hasValue(3);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void advanceUntilReturnsAtOnceWhenTheConditionAlreadyHolds() {
        scheduler.schedule(() -> log.add("later"), Duration.ofSeconds(1).toNanos());

        assertThat(scheduler.advanceUntil(() -> true, Duration.ofMinutes(1))).isTrue();
        assertThat(log).isEmpty();
        assertThat(clock.elapsedNanos()).isZero();
    }

    @Test
    void advanceUntilGivesUpAfterMaxVirtual() {
        scheduler.schedule(() -> log.add("too late"), Duration.ofSeconds(11).toNanos());

        boolean held = scheduler.advanceUntil(() -> !log.isEmpty(), Duration.ofSeconds(10));

        assertThat(held).isFalse();
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(10));
        assertThat(scheduler.timerCount()).isEqualTo(1);
    }

    @Test
    void advanceUntilSeesAConditionOnTheClock() {
        long target = clock.nanoTime() + Duration.ofSeconds(5).toNanos();

        assertThat(scheduler.advanceUntil(() -> clock.nanoTime() >= target, Duration.ofSeconds(5))).isTrue();
        assertThat(scheduler.advanceUntil(() -> clock.nanoTime() >= target + 1, Duration.ZERO)).isFalse();
    }

    @Test
    void runUntilIdleStopsAtTheLastTimerWhenNothingIsLeft() {
        scheduler.schedule(() -> scheduler.schedule(() -> log.add("second@" + now()), Duration.ofMillis(200).toNanos()),
                Duration.ofMillis(100).toNanos());

        assertThat(scheduler.runUntilIdle(Duration.ofMinutes(1))).isTrue();

        assertThat(log).containsExactly("second@300");
        assertThat(now()).as("the clock stays at the last timer").isEqualTo(300);
    }

    @Test
    void runUntilIdleStopsAtTheLimitWhenATimerKeepsReschedulingItself() {
        AtomicInteger ticks = new AtomicInteger();
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                ticks.incrementAndGet();
                scheduler.schedule(this, Duration.ofSeconds(1).toNanos());
            }
        };
        scheduler.schedule(tick, Duration.ofSeconds(1).toNanos());

        assertThat(scheduler.runUntilIdle(Duration.ofSeconds(10))).isFalse();

        assertThat(ticks).hasValue(10);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void anExceptionFromATaskIsRethrownNamingTheTaskAndTheRestStaysQueued() {
        IllegalStateException boom = new IllegalStateException("boom");
        Runnable failing = new Runnable() {
            @Override
            public void run() {
                throw boom;
            }

            @Override
            public String toString() {
                return "the failing task";
            }
        };
        scheduler.execute(failing);
        scheduler.execute(() -> log.add("after"));

        assertThatThrownBy(scheduler::runPending)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the failing task")
                .hasMessageContaining("boom")
                .hasCause(boom);
        assertThat(scheduler.failures()).containsExactly(boom);
        assertThat(log).isEmpty();

        assertThat(scheduler.runPending()).isEqualTo(1);
        assertThat(log).containsExactly("after");
    }

    @Test
    void anExceptionFromATimerStopsAdvanceAtItsDueTime() {
        scheduler.schedule(() -> {
            throw new IllegalArgumentException("bad timer");
        }, Duration.ofMillis(10).toNanos());
        scheduler.schedule(() -> log.add("later"), Duration.ofMillis(20).toNanos());

        assertThatThrownBy(() -> scheduler.advance(Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("timer")
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat(now()).isEqualTo(10);

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(log).containsExactly("later");
    }

    @Test
    void aTaskMustNotDriveItsOwnScheduler() {
        scheduler.execute(scheduler::runPending);

        assertThatThrownBy(scheduler::runPending)
                .isInstanceOf(AssertionError.class)
                .hasRootCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTaskThatResubmitsItselfForeverIsReported() {
        Runnable forever = new Runnable() {
            @Override
            public void run() {
                scheduler.execute(this);
            }
        };
        scheduler.execute(forever);

        assertThatThrownBy(scheduler::runPending)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("without virtual time passing");
    }

    @Test
    void rejectsNegativeDurations() {
        assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scheduler.runUntilIdle(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeDelaysDoNotOverflow() {
        scheduler.schedule(() -> log.add("never"), Long.MAX_VALUE);

        scheduler.advance(Duration.ofDays(365));

        assertThat(log).isEmpty();
        assertThat(scheduler.timerCount()).isEqualTo(1);
    }

    @Test
    void acceptsSubmissionsFromManyThreadsAtOnce() throws InterruptedException {
        int threads = 8;
        int perThread = 2_000;
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    scheduler.execute(ran::incrementAndGet);
                    Cancellable timer = scheduler.schedule(ran::incrementAndGet, i % 7);
                    if (i % 2 == 0) {
                        timer.cancel();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(scheduler.pendingTaskCount()).isEqualTo(threads * perThread);
        assertThat(scheduler.timerCount()).isEqualTo(threads * perThread / 2);
        assertThat(scheduler.runUntilIdle(Duration.ofSeconds(1))).isTrue();
        assertThat(ran).hasValue(threads * perThread + threads * perThread / 2);
    }

    @Test
    void runsWhileAnotherThreadSubmits() throws InterruptedException {
        int total = 5_000;
        AtomicInteger ran = new AtomicInteger();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                scheduler.execute(ran::incrementAndGet);
            }
        });
        submitter.start();
        while (submitter.isAlive()) {
            scheduler.runPending();
        }
        submitter.join();
        scheduler.runPending();

        assertThat(ran).hasValue(total);
    }
}
