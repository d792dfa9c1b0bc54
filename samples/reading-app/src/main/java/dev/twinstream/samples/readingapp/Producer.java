package dev.twinstream.samples.readingapp;

import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;

/**
 * The producer of the crash phase, run as a child process so the sample can kill it with SIGKILL:
 * {@code Producer <endpoint> <journal dir> <realtime>,<books>,<other> produce <threads> <seed>}
 * tracks events with {@code trackDurable} from several threads until it is killed, printing
 * {@code ACK <eventId>} for each event the disk journal confirmed durable; {@code ... resume}
 * reopens the same journal, delivers what the killed run left, prints {@code DRAINED} and exits.
 */
public final class Producer {
    private Producer() {}

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        Path journal = Path.of(args[1]);
        String[] names = args[2].split(",");
        Pipeline.Streams streams = new Pipeline.Streams(names[0], names[1], names[2]);
        // Autoflush: each ACK line leaves the process before the next event is tracked.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        try (FirehoseAsyncClient client = Target.client(endpoint);
                EventTracker tracker = Pipeline.tracker(client, streams, journal, new DeliveryListener() { })) {
            if (args[3].equals("resume")) {
                boolean drained = tracker.flush(Duration.ofSeconds(120));
                StringBuilder line = new StringBuilder(drained ? "DRAINED" : "NOT-DRAINED");
                tracker.metrics().sinks().values().forEach(m -> line.append(' ').append(m.sink()).append('=')
                        .append(m.delivered()).append('/').append(m.accepted()));
                out.println(line);
                return;
            }
            int threads = Integer.parseInt(args[4]);
            long seed = Long.parseLong(args[5]);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ReadingEvents events = new ReadingEvents(seed + t);
                Thread producer = new Thread(() -> {
                    while (true) {
                        out.println("ACK " + tracker.trackDurable(events.next()));
                    }
                }, "producer-" + t);
                producer.setDaemon(true);
                producers.add(producer);
                producer.start();
            }
            for (Thread p : producers) {
                p.join(); // until the parent kills this process
            }
        }
    }
}
