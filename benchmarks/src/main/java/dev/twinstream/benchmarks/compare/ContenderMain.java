package dev.twinstream.benchmarks.compare;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One contender in its own JVM (started by {@link ComparisonBenchmark}): builds it, primes it, warms
 * it up, then measures one timed run and prints it as one {@link RunResult} line; other stdout lines
 * are progress. Exits non-zero, with the reason on stderr, if any event was not delivered.
 *
 * <p>Sequence: priming runs of {@value #PRIMING_EVENTS} events until the contender is in its steady
 * state (at least one; the KPL until the endpoint saw aggregated records, i.e. it has its shard map);
 * then full runs until the warm-up time has passed (none with 0); then {@code System.gc()}, the peak
 * RSS reset, the endpoint's and this process tree's counters, the timed run, the counters again.
 *
 * <p>Arguments: {@code --contender <name> --events <n> --warmup-seconds <s> --http-port <p> --https-port <p>}.
 */
public final class ContenderMain {
    static final int PRIMING_EVENTS = 2_000;
    private static final long PRIMING_TIMEOUT_SECONDS = 60;
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(300);
    private static final int LATENCY_DIGITS = 3;

    private ContenderMain() {}

    /**
     * Runs the contender.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        try {
            run(args);
            System.out.flush();
            // The KPL's and the SDK's threads must not keep a finished contender alive.
            System.exit(0);
        } catch (Throwable t) {
            System.err.println("contender failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String name = null;
        int events = 0;
        long warmupSeconds = 0;
        int httpPort = 0;
        int httpsPort = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--contender":
                    name = args[i + 1];
                    break;
                case "--events":
                    events = Integer.parseInt(args[i + 1]);
                    break;
                case "--warmup-seconds":
                    warmupSeconds = Long.parseLong(args[i + 1]);
                    break;
                case "--http-port":
                    httpPort = Integer.parseInt(args[i + 1]);
                    break;
                case "--https-port":
                    httpsPort = Integer.parseInt(args[i + 1]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ContenderKind kind = ContenderKind.of(String.valueOf(name));
        if (events < 1 || httpPort == 0 || httpsPort == 0) {
            throw new IllegalArgumentException("need --events, --http-port and --https-port");
        }
        if (!ProcessMeter.allocationCounted()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        EndpointClient endpoint = new EndpointClient(httpPort);
        EndpointStats born = endpoint.stats();
        Histogram latencies = new Histogram(HIGHEST_LATENCY_NANOS, LATENCY_DIGITS);
        try (Contender contender = kind.create(httpPort, httpsPort)) {
            long primeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PRIMING_TIMEOUT_SECONDS);
            int primingRuns = 0;
            do {
                contender.run(PRIMING_EVENTS, null);
                primingRuns++;
            } while (!contender.primed(endpoint.stats().minus(born)) && System.nanoTime() < primeDeadline);
            if (!contender.primed(endpoint.stats().minus(born))) {
                throw new IllegalStateException("not in steady state after " + primingRuns + " priming runs: "
                        + endpoint.stats().minus(born).toLine());
            }
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            int warmupRuns = 0;
            while (System.nanoTime() < warmEnd) {
                contender.run(events, null);
                warmupRuns++;
            }
            System.out.println("primed after " + primingRuns + " run(s) of " + PRIMING_EVENTS + ", " + warmupRuns
                    + " warm-up run(s); descendants: " + ProcessMeter.descendants());
            // Each timed run starts from a collected heap; this collection is outside the measurement.
            System.gc();
            ProcessMeter.resetPeakRss();
            EndpointStats e0 = endpoint.stats();
            long waited0 = contender.waitedNanos();
            ProcessMeter.Sample s0 = ProcessMeter.sample();
            contender.run(events, latencies);
            ProcessMeter.Sample s1 = ProcessMeter.sample();
            long waited = contender.waitedNanos() - waited0;
            EndpointStats e1 = endpoint.stats();
            long peakRssKib = ProcessMeter.peakRssKib();
            EndpointStats run = e1.minus(e0);
            long cpu = ProcessMeter.cpuNanos(s0, s1, false);
            StringBuilder calls = new StringBuilder();
            e1.minus(born).targets().forEach((t, n) -> calls.append(calls.length() == 0 ? "" : ",").append(t).append(':').append(n));
            StringBuilder gc = new StringBuilder();
            ManagementFactory.getGarbageCollectorMXBeans().forEach(b ->
                    gc.append(gc.length() == 0 ? "" : "+").append(b.getName().replace(" ", "")));
            RunResult result = new RunResult(kind.id(), events, s1.nanoTime() - s0.nanoTime(), cpu,
                    cpu - ProcessMeter.cpuNanos(s0, s1, true), s1.allocatedBytes() - s0.allocatedBytes(),
                    s1.gcMillis() - s0.gcMillis(), peakRssKib, latencies.getValueAtPercentile(50),
                    latencies.getValueAtPercentile(99), latencies.getValueAtPercentile(99.9), latencies.getMaxValue(),
                    run.kinesisRecords(), run.aggregatedRecords(), run.firehoseRecords(), run.requests(), run.requestBytes(),
                    run.cpuNanos(), run.handlerNanos(), waited, warmupRuns, calls.toString(), gc.toString());
            System.out.println(result.toLine());
        }
    }
}
