package dev.twinstream.benchmarks.compare;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the null endpoint's counters, as its {@code GET /__stats} answers them (one line of
 * {@code key=value} pairs): what a contender's run cost the endpoint is the difference of two.
 *
 * @param requests AWS requests answered (the stats requests themselves are not counted)
 * @param requestBytes bytes received: request line, headers and body (TLS framing not included)
 * @param kinesisRecords Kinesis records received (an aggregated record counts once)
 * @param aggregatedRecords those of them whose data starts with the KPL magic {@code F3 89 9A C2}
 * @param firehoseRecords Firehose records received
 * @param cpuNanos the endpoint process's CPU time so far (all threads)
 * @param handlerNanos summed wall time of its request handlers, from the request's dispatch (headers
 *     read) to the answer written: reading the body included, so a slow client shows here too
 * @param targets requests per operation ({@code X-Amz-Target}, or {@code STS.<Action>}, or
 *     {@code UNKNOWN:<what>})
 */
record EndpointStats(long requests, long requestBytes, long kinesisRecords, long aggregatedRecords, long firehoseRecords,
                     long cpuNanos, long handlerNanos, Map<String, Long> targets) {

    /** {@return the line the endpoint answers: space-separated key=value pairs, targets as name:count,…} */
    String toLine() {
        StringBuilder t = new StringBuilder();
        targets.forEach((name, count) -> t.append(t.length() == 0 ? "" : ",").append(name).append(':').append(count));
        return "requests=" + requests + " requestBytes=" + requestBytes + " kinesisRecords=" + kinesisRecords
                + " aggregatedRecords=" + aggregatedRecords + " firehoseRecords=" + firehoseRecords + " cpuNanos=" + cpuNanos
                + " handlerNanos=" + handlerNanos + " targets=" + t;
    }

    /**
     * Parses {@link #toLine()}.
     *
     * @param line the stats line
     * @return the snapshot
     * @throws IllegalArgumentException if a counter is missing or not a number
     */
    static EndpointStats parse(String line) {
        Map<String, String> kv = new TreeMap<>();
        for (String pair : line.trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                kv.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        Map<String, Long> targets = new TreeMap<>();
        String t = kv.getOrDefault("targets", "");
        if (!t.isEmpty()) {
            for (String entry : t.split(",")) {
                int colon = entry.lastIndexOf(':');
                targets.put(entry.substring(0, colon), Long.parseLong(entry.substring(colon + 1)));
            }
        }
        return new EndpointStats(number(kv, "requests"), number(kv, "requestBytes"), number(kv, "kinesisRecords"),
                number(kv, "aggregatedRecords"), number(kv, "firehoseRecords"), number(kv, "cpuNanos"), number(kv, "handlerNanos"),
                targets);
    }

    private static long number(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("stats line lacks " + key + ": " + kv);
        }
        return Long.parseLong(v);
    }

    /**
     * {@return what happened between {@code earlier} and this snapshot}
     *
     * @param earlier an earlier snapshot of the same endpoint
     */
    EndpointStats minus(EndpointStats earlier) {
        Map<String, Long> t = new TreeMap<>();
        targets.forEach((name, count) -> {
            long d = count - earlier.targets.getOrDefault(name, 0L);
            if (d != 0) {
                t.put(name, d);
            }
        });
        return new EndpointStats(requests - earlier.requests, requestBytes - earlier.requestBytes,
                kinesisRecords - earlier.kinesisRecords, aggregatedRecords - earlier.aggregatedRecords,
                firehoseRecords - earlier.firehoseRecords, cpuNanos - earlier.cpuNanos, handlerNanos - earlier.handlerNanos, t);
    }
}
