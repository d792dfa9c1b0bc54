package dev.twinstream.benchmarks.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** Turns the rounds' results into the Markdown tables (medians over rounds), one per service. */
final class Report {
    private Report() {}

    /**
     * {@return the machine and settings line}
     *
     * @param options the run's settings
     */
    static String header(BenchOptions options) {
        return String.format(Locale.ROOT, "machine: %d cores (%s), %s %s %s, %s %s; contender heap -Xms%s -Xmx%s; %,d events per run;"
                        + " warm-up >= %d s per JVM; %d rounds, order rotated; endpoint: %d shards, own JVM",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                options.heap(), options.heap(), options.events(), options.warmupSeconds(), options.rounds(), options.shards());
    }

    /**
     * {@return the report: the settings line, then a table per service}
     *
     * @param options the run's settings
     * @param results each contender's runs
     */
    static String markdown(BenchOptions options, Map<ContenderKind, List<RunResult>> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(header(options)).append('\n');
        results.values().stream().flatMap(List::stream).findFirst()
                .ifPresent(r -> sb.append("GC: ").append(r.gc()).append('\n'));
        for (ContenderKind.Service service : ContenderKind.Service.values()) {
            List<ContenderKind> rows = results.keySet().stream().filter(k -> k.service() == service).collect(Collectors.toList());
            if (rows.isEmpty()) {
                continue;
            }
            ContenderKind raw = service == ContenderKind.Service.KINESIS ? ContenderKind.RAW_4 : ContenderKind.RAW_FIREHOSE_4;
            List<RunResult> kpl = service == ContenderKind.Service.KINESIS ? results.get(ContenderKind.KPL) : null;
            List<RunResult> base = results.get(raw);
            sb.append('\n').append("### ").append(service == ContenderKind.Service.KINESIS ? "Kinesis" : "Firehose").append("\n\n");
            sb.append("| contender | events/s median | CPU µs/event median | ratio to KPL (events/s, CPU) | ratio to raw 4 in flight"
                    + " (events/s, CPU) | alloc B/event | GC % | p50/p99/p99.9 µs | peak RSS MiB | records/event"
                    + " | wire bytes/event | endpoint CPU µs/event | runs (events/s) |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (ContenderKind k : rows) {
                List<RunResult> runs = results.get(k);
                double rate = median(runs, RunResult::eventsPerSecond);
                double cpu = median(runs, RunResult::cpuMicrosPerEvent);
                sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s | %s | %,.0f | %.1f | %.2f / %.1f / %.0f | %.0f | %.4f | %.1f | %.2f | %s |%n",
                        k.label(), rate, cpu, ratio(rate, cpu, kpl), ratio(rate, cpu, base),
                        median(runs, RunResult::allocatedBytesPerEvent), median(runs, RunResult::gcPercent),
                        median(runs, r -> r.p50Nanos() / 1e3), median(runs, r -> r.p99Nanos() / 1e3), median(runs, r -> r.p999Nanos() / 1e3),
                        median(runs, r -> r.peakRssKib() / 1024.0), median(runs, RunResult::recordsPerEvent),
                        median(runs, RunResult::wireBytesPerEvent), median(runs, RunResult::endpointCpuMicrosPerEvent),
                        runs.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.eventsPerSecond())).collect(Collectors.joining("; "))));
            }
        }
        return sb.toString();
    }

    /** "events/s ratio, CPU ratio" against a reference's medians, or a dash without one. */
    private static String ratio(double rate, double cpu, List<RunResult> reference) {
        if (reference == null || reference.isEmpty()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×, %.2f×", rate / median(reference, RunResult::eventsPerSecond),
                cpu / median(reference, RunResult::cpuMicrosPerEvent));
    }

    /**
     * {@return the median of a measurement over runs (the mean of the middle two for an even count)}
     *
     * @param runs at least one run
     * @param measure the measurement
     */
    static double median(List<RunResult> runs, ToDoubleFunction<RunResult> measure) {
        double[] v = runs.stream().mapToDouble(measure).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

}
