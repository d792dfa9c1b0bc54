package dev.twinstream.core.journal;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The process {@link KillNineTest} kills: {@value #PRODUCERS} threads track events into a disk
 * journal (ALWAYS) with two fake sinks, of which {@code b} fails {@value #FAILING_PERCENT} % of its
 * records retryably, and it reports on stdout, one line each: {@code D <eventId>} once
 * {@code trackDurable} returned, and {@code S <sink> <eventId>} when a sink accepted an event
 * (printed inside {@code send}, before the tracker can commit or checkpoint it); after a drain,
 * {@code L <sink> <count> <digest>}, the sink's delivery ledger summed over its buckets. Arguments:
 * journal directory, {@code run} (track until killed) or {@code drain} (deliver the backlog, then exit).
 */
public final class KillNineChild {
    /** The event. */
    public static final class Ping {
        private final int n;

        Ping(int n) {
            this.n = n;
        }

        /** Serialized by Jackson. */
        public int getN() {
            return n;
        }
    }

    static final int PRODUCERS = 4;
    static final int FAILING_PERCENT = 30;
    /** Per sink: calls in flight × records per call, the most records read and not yet final. */
    static final int MAX_IN_FLIGHT = 2;
    static final int MAX_BATCH_RECORDS = 100;
    static final int IN_FLIGHT_WINDOW = MAX_IN_FLIGHT * MAX_BATCH_RECORDS;

    private KillNineChild() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        boolean drain = args[1].equals("drain");
        SinkOptions options = SinkOptions.defaults().linger(Duration.ofMillis(2)).maxInFlightRequests(MAX_IN_FLIGHT)
                .maxBatchRecords(MAX_BATCH_RECORDS)
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(50)));
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Ping.class, "ping").build())
                .sink("a", new PrintingSink("a", out, 0), options)
                .sink("b", new PrintingSink("b", out, FAILING_PERCENT), options)
                .journal(Journal.disk(Paths.get(args[0])).fsync(FsyncPolicy.always())
                        .overflow(OverflowPolicy.block(Duration.ofSeconds(30))))
                .closeTimeout(Duration.ofSeconds(30))
                .build()) {
            if (drain) {
                tracker.flush(Duration.ofSeconds(30));
                synchronized (out) {
                    for (String sink : new String[] {"a", "b"}) {
                        dev.twinstream.core.DeliveryLedger ledger = tracker.ledger(sink);
                        long digest = 0;
                        for (dev.twinstream.core.LedgerBucket bucket : ledger.buckets()) {
                            digest += bucket.digest();
                        }
                        out.println("L " + sink + " " + ledger.totalCount() + " " + digest);
                    }
                    out.println("DRAINED");
                    out.flush();
                }
                return;
            }
            synchronized (out) {
                out.println("READY");
                out.flush();
            }
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            Thread[] producers = new Thread[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++) {
                producers[p] = new Thread(() -> {
                    while (true) {
                        String id = tracker.trackDurable(new Ping(next.getAndIncrement()));
                        synchronized (out) {
                            out.println("D " + id);
                            out.flush();
                        }
                    }
                }, "producer-" + p);
                producers[p].start();
            }
            for (Thread t : producers) {
                t.join(); // until the parent kills the process
            }
        }
    }

    /** Accepts records, printing each accepted one; fails {@code failingPercent} % of them retryably. */
    private static final class PrintingSink implements Sink {
        private final String name;
        private final PrintStream out;
        private final int failingPercent;
        private final java.util.Random random = new java.util.Random();

        PrintingSink(String name, PrintStream out, int failingPercent) {
            this.name = name;
            this.out = out;
            this.failingPercent = failingPercent;
        }

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            java.util.List<RecordResult> results = new java.util.ArrayList<>(batch.size());
            synchronized (out) {
                for (int i = 0; i < batch.size(); i++) {
                    if (random.nextInt(100) < failingPercent) {
                        results.add(RecordResult.retryable("Throttled", "injected"));
                    } else {
                        results.add(RecordResult.ok());
                        out.println("S " + name + " " + batch.eventId(i));
                    }
                }
                out.flush();
            }
            return CompletableFuture.completedFuture(BatchResult.of(results));
        }
    }
}
