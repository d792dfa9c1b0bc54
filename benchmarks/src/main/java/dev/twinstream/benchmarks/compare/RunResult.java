package dev.twinstream.benchmarks.compare;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One contender's timed run, as its JVM reports it to the orchestrator on one stdout line
 * ({@value #PREFIX} followed by space-separated {@code key=value} pairs). Everything is measured over
 * the timed run only, after the warm-up.
 *
 * @param contender the contender's name
 * @param events events in the timed run
 * @param wallNanos from the first hand-off to the last acknowledgement
 * @param cpuNanos CPU time of the JVM and its descendants (the KPL's native process)
 * @param childCpuNanos the descendants' share of {@code cpuNanos}
 * @param allocatedBytes heap bytes the JVM's threads allocated
 * @param gcMillis time the JVM's collectors reported
 * @param peakRssKib summed VmHWM of the JVM and its descendants, restarted at the run's start
 * @param p50Nanos calling-thread latency of one hand-off (track, addUserRecord, raw add), median
 * @param p99Nanos the same, 99th percentile
 * @param p999Nanos the same, 99.9th percentile
 * @param maxNanos the same, maximum
 * @param kinesisRecords Kinesis records the endpoint received
 * @param aggregatedRecords those that were KPL-format aggregates
 * @param firehoseRecords Firehose records the endpoint received
 * @param requests AWS requests the endpoint answered
 * @param requestBytes bytes it received (request lines, headers, bodies)
 * @param endpointCpuNanos the endpoint process's CPU time
 * @param endpointHandlerNanos the endpoint's summed request handling time (see {@link EndpointStats#handlerNanos()})
 * @param waitedNanos time the calling thread waited outside its hand-offs (the KPL contender's back-pressure)
 * @param warmupRuns full runs before the timed one (the priming runs not counted)
 * @param calls the operations the endpoint answered for this JVM over its whole life, {@code name:count,…}
 * @param gc the JVM's collectors, {@code +}-joined, spaces removed
 */
record RunResult(String contender, long events, long wallNanos, long cpuNanos, long childCpuNanos, long allocatedBytes,
                 long gcMillis, long peakRssKib, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos,
                 long kinesisRecords, long aggregatedRecords, long firehoseRecords, long requests, long requestBytes,
                 long endpointCpuNanos, long endpointHandlerNanos, long waitedNanos, long warmupRuns, String calls, String gc) {

    /** The start of a result line. */
    static final String PREFIX = "RESULT ";

    /** {@return events per second} */
    double eventsPerSecond() {
        return events * 1e9 / wallNanos;
    }

    /** {@return client CPU microseconds per event, the KPL's native process included} */
    double cpuMicrosPerEvent() {
        return cpuNanos / 1e3 / events;
    }

    /** {@return heap bytes allocated per event} */
    double allocatedBytesPerEvent() {
        return (double) allocatedBytes / events;
    }

    /** {@return GC time as a percentage of the run's wall time} */
    double gcPercent() {
        return gcMillis * 1e6 * 100 / wallNanos;
    }

    /** {@return records the endpoint received per event (Kinesis or Firehose)} */
    double recordsPerEvent() {
        return (double) (kinesisRecords + firehoseRecords) / events;
    }

    /** {@return bytes the endpoint received per event} */
    double wireBytesPerEvent() {
        return (double) requestBytes / events;
    }

    /** {@return the endpoint's CPU microseconds per event} */
    double endpointCpuMicrosPerEvent() {
        return endpointCpuNanos / 1e3 / events;
    }

    /** {@return the result line} */
    String toLine() {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("contender", contender);
        kv.put("events", events);
        kv.put("wallNanos", wallNanos);
        kv.put("cpuNanos", cpuNanos);
        kv.put("childCpuNanos", childCpuNanos);
        kv.put("allocatedBytes", allocatedBytes);
        kv.put("gcMillis", gcMillis);
        kv.put("peakRssKib", peakRssKib);
        kv.put("p50Nanos", p50Nanos);
        kv.put("p99Nanos", p99Nanos);
        kv.put("p999Nanos", p999Nanos);
        kv.put("maxNanos", maxNanos);
        kv.put("kinesisRecords", kinesisRecords);
        kv.put("aggregatedRecords", aggregatedRecords);
        kv.put("firehoseRecords", firehoseRecords);
        kv.put("requests", requests);
        kv.put("requestBytes", requestBytes);
        kv.put("endpointCpuNanos", endpointCpuNanos);
        kv.put("endpointHandlerNanos", endpointHandlerNanos);
        kv.put("waitedNanos", waitedNanos);
        kv.put("warmupRuns", warmupRuns);
        kv.put("calls", calls.isEmpty() ? "-" : calls);
        kv.put("gc", gc.isEmpty() ? "-" : gc);
        StringBuilder sb = new StringBuilder(PREFIX);
        kv.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        return sb.toString().trim();
    }

    /**
     * Parses {@link #toLine()}.
     *
     * @param line a line starting with {@value #PREFIX}
     * @return the result
     * @throws IllegalArgumentException if a field is missing
     */
    static RunResult parse(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String pair : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = pair.indexOf('=');
            kv.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new RunResult(get(kv, "contender"), num(kv, "events"), num(kv, "wallNanos"), num(kv, "cpuNanos"),
                num(kv, "childCpuNanos"), num(kv, "allocatedBytes"), num(kv, "gcMillis"), num(kv, "peakRssKib"),
                num(kv, "p50Nanos"), num(kv, "p99Nanos"), num(kv, "p999Nanos"), num(kv, "maxNanos"),
                num(kv, "kinesisRecords"), num(kv, "aggregatedRecords"), num(kv, "firehoseRecords"), num(kv, "requests"),
                num(kv, "requestBytes"), num(kv, "endpointCpuNanos"), num(kv, "endpointHandlerNanos"), num(kv, "waitedNanos"), num(kv, "warmupRuns"), get(kv, "calls"), get(kv, "gc"));
    }

    /** {@return a one-line human summary for the progress log} */
    String summary() {
        return String.format(Locale.ROOT,
                "%,.0f events/s, %.2f µs CPU/event (native child %.2f), %.0f B alloc/event, GC %.1f %%, p50/p99/p99.9 %.2f/%.1f/%.0f µs,"
                        + " peak RSS %.0f MiB, %.4f records/event (%d aggregated), %.1f wire B/event, endpoint %.2f µs CPU/event"
                        + " and %.2f ms per request (%d requests, %.0f %% of the run busy), waited %.0f ms outside hand-offs, %d warm-up runs; calls %s",
                eventsPerSecond(), cpuMicrosPerEvent(), childCpuNanos / 1e3 / events, allocatedBytesPerEvent(), gcPercent(),
                p50Nanos / 1e3, p99Nanos / 1e3, p999Nanos / 1e3, peakRssKib / 1024.0, recordsPerEvent(), aggregatedRecords,
                wireBytesPerEvent(), endpointCpuMicrosPerEvent(), requests == 0 ? 0 : endpointHandlerNanos / 1e6 / requests, requests,
                endpointHandlerNanos * 100.0 / wallNanos, waitedNanos / 1e6, warmupRuns, calls);
    }

    private static String get(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("result line lacks " + key + ": " + kv.keySet());
        }
        return "-".equals(v) ? "" : v;
    }

    private static long num(Map<String, String> kv, String key) {
        return Long.parseLong(get(kv, key));
    }
}
