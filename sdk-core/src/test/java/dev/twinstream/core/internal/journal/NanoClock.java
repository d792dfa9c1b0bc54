package dev.twinstream.core.internal.journal;

import dev.twinstream.core.Clock;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand: both readings follow one nanosecond counter. */
final class NanoClock implements Clock {
    private final AtomicLong nanos;

    NanoClock(AtomicLong nanos) {
        this.nanos = nanos;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long epochMillis() {
        return nanos.get() / 1_000_000;
    }
}
