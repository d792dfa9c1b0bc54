package dev.twinstream.benchmarks.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side comparison of issue #19: the same events delivered by Twinstream, the KPL and the
 * raw AWS SDK to Kinesis, and by Twinstream and the raw SDK to Firehose, each contender in its own
 * fresh JVM at a stated heap, all against one {@link NullEndpoint} in its own JVM on 127.0.0.1.
 *
 * <p>Per round every selected contender runs once ({@link ContenderMain}: priming, warm-up, one timed
 * run of {@code --events} events); the order rotates by one each round, so no contender always runs
 * first or right after the same neighbour. The tables give medians over the rounds: events/s, client
 * CPU per event (the JVM and its descendants, i.e. the KPL's native process too), the ratios to the KPL
 * and to raw putRecords with 4 calls in flight, heap allocation per event, GC time, the calling
 * thread's latency per hand-off, peak RSS, and what the endpoint saw: records and bytes per event, and
 * its own CPU per event. See {@link RunResult} for each measurement's definition.
 *
 * <p>Command (from the repository root):
 * <pre>{@code
 * mvn -B -o -q -pl benchmarks -am package -DskipTests -Danimal.sniffer.skip -Dmaven.javadoc.skip
 * java -cp benchmarks/target/benchmarks.jar dev.twinstream.benchmarks.compare.ComparisonBenchmark \
 *     [--warmup-seconds 20] [--rounds 3] [--events 500000] [--heap 512m] \
 *     [--only kinesis|firehose|<contender>,…] [--shards 4] [--endpoint-threads 8]
 * }</pre>
 * Contenders: {@code twinstream-agg}, {@code twinstream-plain}, {@code kpl}, {@code raw-4},
 * {@code raw-16}, {@code twinstream-firehose}, {@code raw-firehose-4}. Linux only (it reads
 * {@code /proc}); the KPL contender needs a platform the KPL ships a native binary for.
 */
public final class ComparisonBenchmark {
    private static final long CONTENDER_TIMEOUT_MINUTES = 20;

    private ComparisonBenchmark() {}

    /**
     * Runs the batch and prints progress, then the tables.
     *
     * @param args see the class comment
     * @throws Exception if a contender fails (the batch stops: a missing event is a result, not noise)
     */
    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Map<ContenderKind, List<RunResult>> results = run(options, System.out);
        System.out.println();
        System.out.print(Report.markdown(options, results));
    }

    /**
     * Starts the endpoint, runs every round, stops the endpoint.
     *
     * @param options what to run
     * @param progress where progress lines go
     * @return each contender's results, one per round, in round order
     * @throws Exception if the endpoint or a contender fails
     */
    static Map<ContenderKind, List<RunResult>> run(BenchOptions options, PrintStream progress) throws Exception {
        Map<ContenderKind, List<RunResult>> results = new EnumMap<>(ContenderKind.class);
        progress.printf(Locale.ROOT, "# %s%n", Report.header(options));
        try (EndpointProcess endpoint = EndpointProcess.start(options.shards(), options.endpointThreads())) {
            progress.printf(Locale.ROOT, "# null endpoint: http=%d https=%d, %d shards, %d threads%n", endpoint.httpPort(),
                    endpoint.httpsPort(), options.shards(), options.endpointThreads());
            List<ContenderKind> order = options.contenders();
            for (int round = 0; round < options.rounds(); round++) {
                for (int i = 0; i < order.size(); i++) {
                    ContenderKind kind = order.get((i + round) % order.size());
                    long t0 = System.nanoTime();
                    RunResult r = runContender(kind, endpoint, options, progress);
                    results.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
                    progress.printf(Locale.ROOT, "round %d/%d %-20s %s (JVM %.0f s)%n", round + 1, options.rounds(), kind.id(),
                            r.summary(), (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        return results;
    }

    /** System properties with this prefix are handed to every contender JVM. */
    static final String CONTENDER_PROPERTY_PREFIX = "twinstream.bench.";

    private static RunResult runContender(ContenderKind kind, EndpointProcess endpoint, BenchOptions options,
                                          PrintStream progress) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Jvm.java(), "-Xms" + options.heap(), "-Xmx" + options.heap(),
                // The KPL relays its native process's log through SLF4J; info is chatty.
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", Jvm.classPath(), ContenderMain.class.getName(),
                "--contender", kind.id(), "--events", String.valueOf(options.events()),
                "--warmup-seconds", String.valueOf(options.warmupSeconds()),
                "--http-port", String.valueOf(endpoint.httpPort()), "--https-port", String.valueOf(endpoint.httpsPort())));
        // Settings a contender reads (e.g. TwinstreamContender.JOURNAL_MAX_BYTES_PROPERTY) pass through.
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(CONTENDER_PROPERTY_PREFIX)) {
                command.add(1, "-D" + name + "=" + System.getProperty(name));
            }
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        RunResult result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RunResult.PREFIX)) {
                    result = RunResult.parse(line);
                } else {
                    progress.println("  [" + kind.id() + "] " + line);
                }
            }
        }
        if (!p.waitFor(CONTENDER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(kind.id() + " did not finish in " + CONTENDER_TIMEOUT_MINUTES + " minutes");
        }
        if (p.exitValue() != 0 || result == null) {
            throw new IllegalStateException(kind.id() + " failed (exit " + p.exitValue() + "); see its stderr above");
        }
        return result;
    }
}
