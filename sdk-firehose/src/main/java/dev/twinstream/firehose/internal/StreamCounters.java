package dev.twinstream.firehose.internal;

import dev.twinstream.core.spi.RecordResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per delivery stream, the events delivered and the event attempts failed: what
 * {@code FirehoseSink} reports as {@code DestinationMetrics}. Updated once per
 * {@code PutRecordBatch} request when it completes — on the client's threads, concurrently, or on the
 * sink's sender thread when the client completes a call before returning it — and read by metrics
 * binders from any thread; a stream is registered at most once, under this object's lock.
 */
public final class StreamCounters {
    private final ConcurrentHashMap<String, Counts> byStream = new ConcurrentHashMap<>();
    /** The streams in the order first known; replaced (copy on write) under {@code this}. */
    private volatile List<String> streams = Collections.emptyList();

    /**
     * Counters that start with {@code known} (at zero), so they can be published before the first send.
     *
     * @param known the streams the sink's configuration names, in order; duplicates are ignored
     */
    public StreamCounters(Collection<String> known) {
        for (String stream : known) {
            counts(stream);
        }
    }

    /**
     * Counts the outcome of one request: each of its events whose result is OK as delivered, every
     * other one as failed.
     *
     * @param plan the request
     * @param results the sink's results, already written for every event of {@code plan}
     */
    public void record(PutPlan plan, RecordResult[] results) {
        long ok = 0;
        int events = plan.eventCount();
        for (int k = 0; k < events; k++) {
            RecordResult r = results[plan.event(k)];
            if (r != null && r.isOk()) {
                ok++;
            }
        }
        Counts c = counts(plan.stream());
        if (ok > 0) {
            c.delivered.add(ok);
        }
        if (ok < events) {
            c.failed.add(events - ok);
        }
    }

    /** {@return the streams counted, in the order first known; unmodifiable} */
    public List<String> streams() {
        return streams;
    }

    /**
     * Events a stream accepted.
     *
     * @param stream a delivery stream name
     * @return the count; 0 for a stream never counted
     */
    public long delivered(String stream) {
        Counts c = byStream.get(stream);
        return c == null ? 0 : c.delivered.sum();
    }

    /**
     * Event attempts a stream failed.
     *
     * @param stream a delivery stream name
     * @return the count; 0 for a stream never counted
     */
    public long failed(String stream) {
        Counts c = byStream.get(stream);
        return c == null ? 0 : c.failed.sum();
    }

    private Counts counts(String stream) {
        Counts c = byStream.get(stream);
        return c != null ? c : register(stream);
    }

    private synchronized Counts register(String stream) {
        Counts c = byStream.get(stream);
        if (c == null) {
            c = new Counts();
            byStream.put(stream, c); // before the name is published, so a reader of the name finds it
            List<String> next = new ArrayList<>(streams.size() + 1);
            next.addAll(streams);
            next.add(stream);
            streams = Collections.unmodifiableList(next);
        }
        return c;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("StreamCounters{");
        for (String stream : streams) {
            sb.append(sb.length() > 15 ? ", " : "").append(stream).append(": delivered=").append(delivered(stream))
                    .append(" failed=").append(failed(stream));
        }
        return sb.append('}').toString();
    }

    private static final class Counts {
        final LongAdder delivered = new LongAdder();
        final LongAdder failed = new LongAdder();
    }
}
