package dev.twinstream.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how long one cache line takes to go from one CPU to another and back, with two threads
 * taking turns incrementing a shared counter. A pipeline whose threads share state (the log, its
 * monitor) pays this latency on every hand-off; Jackson alone shares nothing. On a small VM the
 * hypervisor may move the vCPUs between cores that share a cache and cores that do not, and this
 * number then changes several-fold within seconds: printing it beside each iteration shows when a
 * slow iteration is the machine.
 */
final class CoreToCore {
    private static final long DONE = -1;

    private CoreToCore() {}

    /** Mean round trip, in nanoseconds, of a ping-pong between two new threads for about {@code millis}. */
    static double roundTripNanos(long millis) {
        AtomicLong turn = new AtomicLong();
        Thread other = new Thread(() -> {
            for (;;) {
                long v = turn.get();
                if (v == DONE) {
                    return;
                }
                if ((v & 1) == 1) {
                    turn.set(v + 1);
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "core-to-core-probe");
        other.setDaemon(true);
        other.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long start = System.nanoTime();
        long trips = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1_000; i++) {
                long v = turn.get() + 1;
                turn.set(v);
                while (turn.get() == v) {
                    Thread.onSpinWait();
                }
            }
            trips += 1_000;
        }
        double nanos = (double) (System.nanoTime() - start) / trips;
        turn.set(DONE);
        try {
            other.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return nanos;
    }

    /**
     * Prints one line for the benchmark's output, e.g. {@code core-to-core round trip before: 96 ns}.
     * The first call in a JVM also warms the probe up, so that it does not measure the interpreter.
     */
    static void print(String when) {
        if (!warm) {
            roundTripNanos(300);
            warm = true;
        }
        System.out.printf("%ncore-to-core round trip %s: %.0f ns%n", when, roundTripNanos(200));
    }

    private static boolean warm;
}
