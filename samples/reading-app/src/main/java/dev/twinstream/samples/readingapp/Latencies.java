package dev.twinstream.samples.readingapp;

import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.TrackedEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Latency from {@code track()} (the event's {@code occurredAt}) to delivered, per sink, for the
 * phase being measured: a {@link DeliveryListener} collecting samples in growable arrays.
 */
final class Latencies implements DeliveryListener {
    private final Map<String, long[]> samples = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    @Override
    public synchronized void onDelivered(String sink, TrackedEvent event) {
        long latencyMillis = System.currentTimeMillis() - event.occurredAtMillis();
        long[] s = samples.computeIfAbsent(sink, k -> new long[1024]);
        int n = counts.getOrDefault(sink, 0);
        if (n == s.length) {
            s = Arrays.copyOf(s, n * 2);
            samples.put(sink, s);
        }
        s[n] = latencyMillis;
        counts.put(sink, n + 1);
    }

    /** Forgets the samples so far: the next phase starts from zero. */
    synchronized void reset() {
        samples.clear();
        counts.clear();
    }

    /** {@return "p50 … ms, p99 … ms (n events)" for the sink, or "no deliveries"} */
    synchronized String summary(String sink) {
        int n = counts.getOrDefault(sink, 0);
        if (n == 0) {
            return "no deliveries";
        }
        long[] sorted = Arrays.copyOf(samples.get(sink), n);
        Arrays.sort(sorted);
        return String.format(java.util.Locale.ROOT, "p50 %,d ms, p99 %,d ms (%,d events)", sorted[n / 2],
                sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)], n);
    }

    /** {@return the sink's 99th percentile in milliseconds, or -1 without deliveries} */
    synchronized long p99Millis(String sink) {
        int n = counts.getOrDefault(sink, 0);
        if (n == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(samples.get(sink), n);
        Arrays.sort(sorted);
        return sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)];
    }
}
