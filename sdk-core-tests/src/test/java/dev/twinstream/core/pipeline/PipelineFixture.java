package dev.twinstream.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.ManualClock;
import java.time.Duration;
import java.util.Random;

/** Shared pieces of the pipeline tests: an event type, a virtual-time tracker builder, and driving helpers. */
final class PipelineFixture {
    /** A typical ~250-byte analytics event once enveloped. */
    record PageView(String userId, String sessionId, String page, String referrer, int seq) {
        static PageView number(int seq) {
            return new PageView("user-" + (seq % 977), "session-" + (seq % 131), "/books/" + seq + "/chapter/3",
                    "https://example.com/search?q=distributed+systems", seq);
        }
    }

    static final EventType<PageView> PAGE_VIEW = EventType.builder(PageView.class, "page_view")
            .partitionKey(PageView::userId)
            .routingKey(view -> view.page().startsWith("/books/") ? "books" : null)
            .requireFields("userId", "sessionId")
            .build();

    final VirtualScheduler time;

    /** Virtual time starting at {@link ManualClock#DEFAULT_START}. */
    PipelineFixture() {
        this(ManualClock.DEFAULT_START);
    }

    /** Virtual time starting at {@code start}: a later start stands for a restart some time later. */
    PipelineFixture(java.time.Instant start) {
        time = new VirtualScheduler(new ManualClock(start));
    }

    /** A tracker on virtual time with a seeded jitter source. */
    EventTracker.Builder tracker(long seed) {
        return EventTracker.builder()
                .register(PAGE_VIEW)
                .clock(time.clock())
                .scheduler(time)
                .random(new Random(seed));
    }

    /** Advances virtual time until nothing is pending in any sink, failing after {@code maxVirtual}. */
    void drain(EventTracker tracker, Duration maxVirtual) {
        boolean idle = time.advanceUntil(() -> isIdle(tracker), maxVirtual);
        assertThat(idle).as("tracker idle within %s of virtual time: %s", maxVirtual, tracker.metrics()).isTrue();
        time.runPending(); // listener callbacks queued by the last outcomes
    }

    static boolean isIdle(EventTracker tracker) {
        for (SinkMetrics m : tracker.metrics().sinks().values()) {
            if (m.pendingRecords() != 0) {
                return false;
            }
        }
        return true;
    }
}
