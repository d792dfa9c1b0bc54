package dev.twinstream.core.internal.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.Clock;
import org.junit.jupiter.api.Test;

class WallClockTest {
    /** A clock whose wall time can jump independently of its monotonic time, and counts wall reads. */
    private static final class SteppedClock implements Clock {
        long nanos = 5_000_000_000L;
        long wallMillis = 1_700_000_000_000L;
        int wallReads;
        /** Added to the wall time: a step such as NTP makes. */
        long jump;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long epochMillis() {
            wallReads++;
            return wallMillis;
        }

        void advanceNanos(long delta) {
            nanos += delta;
            wallMillis = 1_700_000_000_000L + (nanos - 5_000_000_000L) / 1_000_000 + jump;
        }
    }

    @Test
    void readsTheWallClockAtMostOncePerMillisecondAndStaysWithinOneMillisecondOfIt() {
        SteppedClock clock = new SteppedClock();
        WallClock wall = new WallClock(clock);
        int readsAtStart = clock.wallReads;
        for (int i = 0; i < 10_000; i++) {
            clock.advanceNanos(1_000); // 10 ms in 1 µs steps
            long derived = wall.epochMillisAt(clock.nanoTime());
            assertThat(clock.wallMillis - derived).as("step %d", i).isBetween(0L, 1L);
        }
        assertThat(clock.wallReads - readsAtStart).isBetween(9, 11);
    }

    @Test
    void followsAWallClockJumpWithinOneMillisecond() {
        SteppedClock clock = new SteppedClock();
        WallClock wall = new WallClock(clock);
        clock.jump = -60_000; // NTP steps the wall clock back a minute
        clock.advanceNanos(WallClock.REANCHOR_NANOS);
        assertThat(wall.epochMillisAt(clock.nanoTime())).isEqualTo(clock.wallMillis);
    }
}
