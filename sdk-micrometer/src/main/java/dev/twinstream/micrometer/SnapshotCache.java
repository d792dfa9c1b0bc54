package dev.twinstream.micrometer;

import dev.twinstream.core.Clock;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.TrackerMetrics;
import org.jspecify.annotations.Nullable;

/**
 * The one {@link TrackerMetrics} snapshot that every meter of a binder reads, taken again when it is
 * older than the time to live: a scrape reads some 30 meters per sink, and each
 * {@link EventTracker#metrics()} call builds a snapshot of every sink, so without it a scrape would
 * build that many snapshots.
 *
 * <p>Holds no reference to the tracker (the meters pass it in, and Micrometer holds it weakly), so
 * the meters, which hold this, do not keep a discarded tracker alive.
 */
final class SnapshotCache {
    private final Clock clock;
    private final long ttlNanos;
    private final Runnable afterRefresh;

    // Guarded by this.
    private @Nullable TrackerMetrics snapshot;
    private long takenAtNanos;

    /**
     * @param clock the time source of the time to live
     * @param ttlNanos how long a snapshot is reused; 0 takes one per read
     * @param afterRefresh run (outside the lock) after each new snapshot; must not throw
     */
    SnapshotCache(Clock clock, long ttlNanos, Runnable afterRefresh) {
        this.clock = clock;
        this.ttlNanos = ttlNanos;
        this.afterRefresh = afterRefresh;
    }

    /**
     * The current snapshot of {@code tracker}: the cached one if younger than the time to live,
     * otherwise a new one. If {@link EventTracker#metrics()} throws, the previous snapshot stays (and
     * the next attempt waits for the time to live).
     *
     * @return the snapshot, or {@code null} if none could ever be taken
     */
    @Nullable TrackerMetrics get(EventTracker tracker) {
        TrackerMetrics current;
        boolean refreshed = false;
        synchronized (this) {
            long now = clock.nanoTime();
            if (snapshot == null || now - takenAtNanos >= ttlNanos) {
                takenAtNanos = now;
                try {
                    snapshot = tracker.metrics();
                    refreshed = true;
                } catch (RuntimeException e) {
                    // Keep the last snapshot: a meter read must never throw into the registry.
                }
            }
            current = snapshot;
        }
        if (refreshed) {
            afterRefresh.run();
        }
        return current;
    }
}
