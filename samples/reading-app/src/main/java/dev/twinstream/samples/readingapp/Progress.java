package dev.twinstream.samples.readingapp;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkMetrics;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** One progress line a second while a phase runs: events/s, and per sink delivered, pending, retries, dead letters. */
final class Progress implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reading-app-progress");
        t.setDaemon(true);
        return t;
    });
    private long lastAccepted;
    private long lastNanos = System.nanoTime();

    Progress(EventTracker tracker, PrintStream out, String phase) {
        timer.scheduleAtFixedRate(() -> out.println(line(tracker, phase)), 1, 1, TimeUnit.SECONDS);
    }

    private synchronized String line(EventTracker tracker, String phase) {
        long accepted = 0;
        StringBuilder sinks = new StringBuilder();
        for (SinkMetrics m : tracker.metrics().sinks().values()) {
            accepted = Math.max(accepted, m.accepted());
            sinks.append(String.format(Locale.ROOT, " | %s: %,d delivered, %,d pending, %,d retries, %,d dead letters",
                    m.sink(), m.delivered(), m.pendingRecords(), m.retried(), m.deadLettered()));
        }
        long now = System.nanoTime();
        double rate = (accepted - lastAccepted) / ((now - lastNanos) / 1e9);
        lastAccepted = accepted;
        lastNanos = now;
        return String.format(Locale.ROOT, "  [%s] %,.0f events/s%s", phase, rate, sinks);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
