package dev.twinstream.core.journal;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The process {@link KillNineTest} kills: tracks events into a disk journal (ALWAYS) with two fake
 * sinks and reports on stdout, one line each: {@code D <eventId>} once {@code trackDurable}
 * returned, and {@code S <sink> <eventId>} when a sink accepted an event (printed inside
 * {@code send}, before the tracker can commit or checkpoint it). Arguments: journal directory,
 * {@code run} (track until killed) or {@code drain} (deliver the backlog, then exit).
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

    private KillNineChild() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        boolean drain = args[1].equals("drain");
        SinkOptions options = SinkOptions.defaults().linger(Duration.ofMillis(2));
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Ping.class, "ping").build())
                .sink("a", new PrintingSink("a", out), options)
                .sink("b", new PrintingSink("b", out), options)
                .journal(Journal.disk(Paths.get(args[0])).fsync(FsyncPolicy.always())
                        .overflow(OverflowPolicy.block(Duration.ofSeconds(30))))
                .closeTimeout(Duration.ofSeconds(30))
                .build()) {
            if (drain) {
                tracker.flush(Duration.ofSeconds(30));
                synchronized (out) {
                    out.println("DRAINED");
                    out.flush();
                }
                return;
            }
            synchronized (out) {
                out.println("READY");
                out.flush();
            }
            for (int n = 0; ; n++) {
                String id = tracker.trackDurable(new Ping(n));
                synchronized (out) {
                    out.println("D " + id);
                    out.flush();
                }
            }
        }
    }

    /** Accepts everything, after printing it. */
    private static final class PrintingSink implements Sink {
        private final String name;
        private final PrintStream out;

        PrintingSink(String name, PrintStream out) {
            this.name = name;
            this.out = out;
        }

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            synchronized (out) {
                for (int i = 0; i < batch.size(); i++) {
                    out.println("S " + name + " " + batch.eventId(i));
                }
                out.flush();
            }
            return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
        }
    }
}
