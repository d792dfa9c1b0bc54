package example.modular;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.PartitionKeys;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.testkit.FakeKinesis;
import java.lang.module.ModuleDescriptor;
import java.time.Duration;

/**
 * Tracks events to a Kinesis sink from a named module and exits 1 unless every one arrived; fails
 * too if it is not on the module path or a Twinstream module exports an implementation package.
 */
public final class Main {
    public record Click(String userId, String page) {}

    private static final int EVENTS = 2_000;

    public static void main(String[] args) throws Exception {
        if (Main.class.getModule().getName() == null || KinesisSink.class.getModule().getName() == null) {
            throw new IllegalStateException("not on the module path: " + Main.class.getModule());
        }
        for (Module module : new Module[] {EventTracker.class.getModule(), KinesisSink.class.getModule(),
                FakeKinesis.class.getModule()}) {
            for (ModuleDescriptor.Exports exports : module.getDescriptor().exports()) {
                if (exports.source().contains(".internal")) {
                    throw new IllegalStateException(module.getName() + " exports " + exports);
                }
            }
        }
        FakeKinesis kinesis = FakeKinesis.builder().build().createStream("clicks", 2);
        EventType<Click> clicks = EventType.builder(Click.class, "click")
                .partitionKey(PartitionKeys.md5Hex(Click::userId, Click::page))
                .requireFields("userId")
                .build();
        SinkMetrics metrics;
        try (EventTracker tracker = EventTracker.builder()
                .register(clicks)
                .sink("kinesis", KinesisSink.builder(kinesis, "clicks").build())
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(new Click("user-" + (i % 50), "/page/" + (i % 7)));
            }
            if (!tracker.flush(Duration.ofSeconds(30))) {
                throw new IllegalStateException("flush timed out: " + tracker.metrics());
            }
            metrics = tracker.metrics().sink("kinesis");
        }
        int received = kinesis.eventCount("clicks");
        System.out.println("named modules: " + Main.class.getModule().getName() + ", "
                + KinesisSink.class.getModule().getName() + "; " + metrics);
        if (received != EVENTS || metrics.delivered() != EVENTS || !metrics.isConserved()) {
            System.out.println("FAILED: the stream received " + received + " of " + EVENTS + " events");
            System.exit(1);
        }
        System.out.println("OK: " + received + " events delivered through twinstream-kinesis on the module path");
    }
}
