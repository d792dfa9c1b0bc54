package dev.twinstream.testkit.endpoint.internal;

import dev.twinstream.core.Clock;
import dev.twinstream.testkit.endpoint.WireFault;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Which wire fault, if any, hits the next write call: a countdown of calls, an outage window of the
 * clock, and a seeded chance per call, consulted in that order. Thread-safe.
 */
public final class WireFaultPlan {
    private final Clock clock;
    private final Random random;
    private int countdown;
    private @Nullable WireFault countdownFault;
    private long downUntilNanos;
    private @Nullable WireFault downFault;
    private double fraction;
    private @Nullable WireFault fractionFault;
    private long latencyMillis;
    private long injected;

    public WireFaultPlan(Clock clock, long seed) {
        this.clock = clock;
        this.random = new Random(seed);
    }

    public synchronized void failNextCalls(int n, WireFault fault) {
        countdown = n;
        countdownFault = n == 0 ? null : fault;
    }

    public synchronized void downFor(long nanos, WireFault fault) {
        downUntilNanos = clock.nanoTime() + nanos;
        downFault = nanos <= 0 ? null : fault;
    }

    public synchronized void failFraction(double f, WireFault fault) {
        fraction = f;
        fractionFault = f == 0 ? null : fault;
    }

    public synchronized void latencyMillis(long millis) {
        latencyMillis = millis;
    }

    public synchronized long latencyMillis() {
        return latencyMillis;
    }

    public synchronized void clear() {
        failNextCalls(0, WireFault.CONNECTION_RESET);
        downFor(0, WireFault.CONNECTION_RESET);
        failFraction(0, WireFault.CONNECTION_RESET);
        latencyMillis = 0;
    }

    /** {@return how many wire faults were injected so far} */
    public synchronized long injected() {
        return injected;
    }

    /** {@return the fault for the write call arriving now, or null to serve it normally} */
    public synchronized @Nullable WireFault next() {
        WireFault fault = null;
        if (countdown > 0) {
            countdown--;
            fault = countdownFault;
        } else if (downFault != null && clock.nanoTime() - downUntilNanos < 0) {
            fault = downFault;
        } else if (fractionFault != null && random.nextDouble() < fraction) {
            fault = fractionFault;
        }
        if (fault != null) {
            injected++;
        }
        return fault;
    }
}
