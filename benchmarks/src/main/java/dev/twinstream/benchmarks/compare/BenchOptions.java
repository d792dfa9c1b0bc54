package dev.twinstream.benchmarks.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison's settings, from the command line.
 *
 * @param warmupSeconds least warm-up time per contender JVM, seconds (full runs until it has passed)
 * @param rounds timed runs per contender, each in a fresh JVM; the order rotates by one per round
 * @param events events per run
 * @param heap each contender JVM's heap, as {@code -Xmx}/{@code -Xms} take it (e.g. {@code 512m})
 * @param contenders the contenders, in the first round's order
 * @param shards the endpoint stream's shards
 * @param endpointThreads the endpoint's handler threads
 */
record BenchOptions(long warmupSeconds, int rounds, int events, String heap, List<ContenderKind> contenders, int shards,
                    int endpointThreads) {
    static final long DEFAULT_WARMUP_SECONDS = 20;
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_EVENTS = 500_000;
    static final String DEFAULT_HEAP = "512m";

    /**
     * Parses {@code [--warmup-seconds s] [--rounds n] [--events n] [--heap size] [--only a,b,…]
     * [--shards n] [--endpoint-threads n]}; {@code --only} takes contender names and {@code kinesis} or
     * {@code firehose}.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException on an unknown option or value
     */
    static BenchOptions parse(String... args) {
        long warmup = DEFAULT_WARMUP_SECONDS;
        int rounds = DEFAULT_ROUNDS;
        int events = DEFAULT_EVENTS;
        String heap = DEFAULT_HEAP;
        String only = "";
        int shards = NullEndpoint.DEFAULT_SHARDS;
        int threads = NullEndpoint.DEFAULT_THREADS;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--warmup-seconds":
                    warmup = Long.parseLong(v);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(v);
                    break;
                case "--events":
                    events = Integer.parseInt(v);
                    break;
                case "--heap":
                    heap = v;
                    break;
                case "--only":
                    only = v;
                    break;
                case "--shards":
                    shards = Integer.parseInt(v);
                    break;
                case "--endpoint-threads":
                    threads = Integer.parseInt(v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; known: --warmup-seconds --rounds --events --heap --only --shards --endpoint-threads");
            }
        }
        if (warmup < 0 || rounds < 1 || events < 1 || !heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("need --warmup-seconds >= 0, --rounds >= 1, --events >= 1, --heap like 512m");
        }
        return new BenchOptions(warmup, rounds, events, heap, select(only), shards, threads);
    }

    private static List<ContenderKind> select(String only) {
        List<ContenderKind> chosen = new ArrayList<>();
        if (only.isBlank()) {
            chosen.addAll(List.of(ContenderKind.values()));
            return chosen;
        }
        for (String word : only.toLowerCase(Locale.ROOT).split(",")) {
            boolean any = false;
            for (ContenderKind k : ContenderKind.values()) {
                if (k.selectedBy(word.trim())) {
                    any = true;
                    if (!chosen.contains(k)) {
                        chosen.add(k);
                    }
                }
            }
            if (!any) {
                ContenderKind.of(word.trim());
            }
        }
        return chosen;
    }
}
