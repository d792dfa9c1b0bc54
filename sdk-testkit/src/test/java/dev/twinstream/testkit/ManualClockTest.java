package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void startsAtTheDefaultInstantAndAFixedNanoTime() {
        ManualClock clock = new ManualClock();

        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(clock.epochMillis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli());
        assertThat(clock.nanoTime()).isEqualTo(ManualClock.INITIAL_NANO_TIME);
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void startsAtAGivenInstant() {
        ManualClock clock = new ManualClock(Instant.parse("2030-06-15T12:00:00.123Z"));

        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-06-15T12:00:00.123Z"));
        assertThat(new ManualClock(42L).epochMillis()).isEqualTo(42L);
    }

    @Test
    void epochMillisMovesWithNanoTime() {
        ManualClock clock = new ManualClock();
        long nanos0 = clock.nanoTime();
        long millis0 = clock.epochMillis();

        clock.advance(Duration.ofMillis(1500));
        assertThat(clock.nanoTime() - nanos0).isEqualTo(1_500_000_000L);
        assertThat(clock.epochMillis() - millis0).isEqualTo(1500);

        clock.advanceNanos(999_999);
        assertThat(clock.epochMillis() - millis0).as("rounded down to the millisecond").isEqualTo(1500);
        clock.advanceNanos(1);
        assertThat(clock.epochMillis() - millis0).isEqualTo(1501);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(1501));
    }

    @Test
    void neverGoesBackwards() {
        ManualClock clock = new ManualClock();
        clock.advance(Duration.ofSeconds(10));
        long now = clock.nanoTime();

        assertThat(clock.advanceToNanoTime(now - 5)).isEqualTo(now);
        assertThat(clock.advanceToNanoTime(now + 5)).isEqualTo(now + 5);
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> clock.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentAdvancesAreAllCounted() throws InterruptedException {
        ManualClock clock = new ManualClock();
        int threads = 8;
        int perThread = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    clock.advanceNanos(1);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(clock.elapsedNanos()).isEqualTo((long) threads * perThread);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
