package example.modular;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.PartitionKeys;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.micrometer.TwinstreamMetrics;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.module.ModuleDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes every event twice, to a Kinesis sink and a Firehose sink, from a named module, with the
 * tracker bound to a Micrometer registry. Exits 1 unless it runs on the module path, no Twinstream
 * module exports an implementation package, and every event arrived in both fakes and in the meters.
 */
public final class Main {
    /** What the application tracks. */
    public record Click(String userId, String page) {}

    private static final int EVENTS = 2_000;

    public static void main(String[] args) {
        List<String> problems = new ArrayList<>();
        Class<?>[] twinstream = {EventTracker.class, KinesisSink.class, FirehoseSink.class, TwinstreamMetrics.class,
                FakeKinesis.class};
        for (Class<?> type : twinstream) {
            Module module = type.getModule();
            if (!module.isNamed() || module.getDescriptor().isAutomatic()) {
                problems.add(type.getName() + " is not in an explicit named module: " + module);
                continue;
            }
            for (ModuleDescriptor.Exports exports : module.getDescriptor().exports()) {
                if (exports.source().contains(".internal")) {
                    problems.add(module.getName() + " exports " + exports);
                }
            }
        }

        FakeKinesis kinesis = FakeKinesis.builder().build().createStream("clicks", 2);
        FakeFirehose firehose = FakeFirehose.builder().build().createStream("clicks-backup");
        EventType<Click> clicks = EventType.builder(Click.class, "click")
                .partitionKey(PartitionKeys.md5Hex(Click::userId, Click::page))
                .requireFields("userId")
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrackerMetrics metrics;
        try (EventTracker tracker = EventTracker.builder()
                .register(clicks)
                .sink("kinesis", KinesisSink.builder(kinesis, "clicks").build())
                .sink("backup", FirehoseSink.builder(firehose).deliveryStream("clicks-backup").build())
                .build()) {
            TwinstreamMetrics.builder(tracker).snapshotTtl(Duration.ZERO).build().bindTo(registry);
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(new Click("user-" + (i % 50), "/page/" + (i % 7)));
            }
            if (!tracker.flush(Duration.ofSeconds(30))) {
                problems.add("flush timed out: " + tracker.metrics());
            }
            metrics = tracker.metrics();
            for (String sink : List.of("kinesis", "backup")) {
                double delivered = registry.get("twinstream.sink.delivered").tag("sink", sink).functionCounter().count();
                if (delivered != EVENTS) {
                    problems.add("twinstream.sink.delivered{sink=" + sink + "} is " + delivered);
                }
            }
        }
        for (SinkMetrics sink : metrics.sinks().values()) {
            if (sink.delivered() != EVENTS || !sink.isConserved()) {
                problems.add(sink.toString());
            }
        }
        if (kinesis.eventCount("clicks") != EVENTS) {
            problems.add("Kinesis received " + kinesis.eventCount("clicks") + " events");
        }
        if (firehose.lines("clicks-backup").size() != EVENTS) {
            problems.add("Firehose received " + firehose.lines("clicks-backup").size() + " lines");
        }

        System.out.println(metrics);
        if (!problems.isEmpty()) {
            System.out.println("FAILED: " + problems);
            System.exit(1);
        }
        System.out.println("OK: " + EVENTS + " events to Kinesis and Firehose from named module "
                + Main.class.getModule().getName() + ", with " + registry.getMeters().size() + " Micrometer meters");
    }
}
