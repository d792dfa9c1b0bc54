package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.SinkLimits;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrackValidationTest {
    record PageView(String userId, String page, int durationMillis) {}

    record Unregistered(String x) {}

    /** Jackson cannot serialize a getter that throws. */
    public static final class Broken {
        public String getValue() {
            throw new IllegalStateException("boom");
        }
    }

    record Big(String userId, String blob) {}

    /** A POJO whose required properties are a public field, a private field's getter, and a getter that throws. */
    static final class Order {
        public String orderId;
        private final String customer;
        private final boolean failing;

        Order(String orderId, String customer, boolean failing) {
            this.orderId = orderId;
            this.customer = customer;
            this.failing = failing;
        }

        public String getCustomer() {
            return customer;
        }

        public String getRegion() {
            if (failing) {
                throw new IllegalStateException("region lookup failed");
            }
            return "eu";
        }
    }

    private final CollectingSink small = new CollectingSink(SinkLimits.of(10, 10_000, 1_000));
    private final CollectingSink large = new CollectingSink();
    private EventTracker tracker;

    @BeforeEach
    void setUp() {
        tracker = EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view")
                        .partitionKey(PageView::userId)
                        .requireFields("userId")
                        .requireField("page", PageView::page)
                        .rule("durationMillis >= 0", e -> e.durationMillis() >= 0)
                        .build())
                .register(EventType.builder(Broken.class, "broken").build())
                .register(EventType.builder(Big.class, "big").partitionKey(Big::userId).build())
                .sink("small", small)
                .sink("large", large)
                .build();
    }

    @AfterEach
    void tearDown() {
        tracker.close();
    }

    @Test
    void anEventThatWithItsRecordDoesNotFitTheWholeJournalIsRejectedNamingBothSizes() {
        CollectingSink sink = new CollectingSink();
        try (EventTracker t = EventTracker.builder().register(EventType.builder(Big.class, "big").partitionKey(Big::userId).build())
                .sink("s", sink).journal(Journal.memory().maxBytes(Journal.MIN_MAX_BYTES)).build()) {
            // Its payload alone fits the 64 KiB journal; with the 256 bytes the journal counts per event it does not.
            String blob = "x".repeat((int) Journal.MIN_MAX_BYTES - 200);
            assertThatThrownBy(() -> t.track(new Big("u1", blob)))
                    .isInstanceOf(EventRejectedException.class)
                    .hasMessageMatching("Event of type 'big' rejected: it encodes to \\d+ bytes, which with the 256 bytes the"
                            + " journal counts per event is more than the whole journal \\(65536 bytes\\)")
                    .extracting(e -> ((EventRejectedException) e).reason()).isEqualTo(EventRejectedException.Reason.TOO_LARGE);
            t.track(new Big("u1", "small")); // the next event is unaffected
            assertThat(t.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.payloads()).hasSize(1);
        }
    }

    @Test
    void rejectsEachBadEventWithAClearMessageAndKeepsGoing() {
        assertThatThrownBy(() -> tracker.track(new Unregistered("x")))
                .isInstanceOf(EventRejectedException.class)
                .hasMessageContaining("Event of class " + Unregistered.class.getName() + " rejected: no EventType is registered for it")
                .extracting(e -> ((EventRejectedException) e).reason()).isEqualTo(EventRejectedException.Reason.UNREGISTERED_TYPE);
        assertThatThrownBy(() -> tracker.track(new PageView(null, "/home", 1)))
                .hasMessage("Event of type 'page_view' rejected: required field 'userId' is missing (null)");
        assertThatThrownBy(() -> tracker.track(new PageView("u1", "  ", 1)))
                .hasMessage("Event of type 'page_view' rejected: required field 'page' is missing (blank)");
        assertThatThrownBy(() -> tracker.track(new PageView("u1", "/home", -1)))
                .hasMessage("Event of type 'page_view' rejected: rule 'durationMillis >= 0' failed");
        assertThatThrownBy(() -> tracker.track(new Broken()))
                .isInstanceOf(EventRejectedException.class)
                .hasMessageStartingWith("Event of type 'broken' rejected: it cannot be serialized to JSON")
                .hasMessageContaining("boom");
        assertThatThrownBy(() -> tracker.track(new Big("u1", "x".repeat(2_000))))
                .hasMessageMatching("Event of type 'big' rejected: it encodes to \\d+ bytes for sink 'small', whose limit is 1000 bytes per record");
        assertThatThrownBy(() -> tracker.track(new Big(null, "x")))
                .hasMessage("Event of type 'big' rejected: the partition-key function returned null");
        assertThatThrownBy(() -> tracker.track(null)).isInstanceOf(NullPointerException.class);

        tracker.track(new PageView("u1", "/home", 5));
        assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(small.payloads()).singleElement().asString().contains("\"userId\":\"u1\"");
        assertThat(large.payloads()).hasSize(1);

        TrackerMetrics m = tracker.metrics();
        assertThat(m.rejectedByReason())
                .containsEntry(EventRejectedException.Reason.UNREGISTERED_TYPE, 1L)
                .containsEntry(EventRejectedException.Reason.MISSING_REQUIRED_FIELD, 2L)
                .containsEntry(EventRejectedException.Reason.VALIDATION_FAILED, 1L)
                .containsEntry(EventRejectedException.Reason.NOT_SERIALIZABLE, 1L)
                .containsEntry(EventRejectedException.Reason.TOO_LARGE, 1L)
                .containsEntry(EventRejectedException.Reason.INVALID_PARTITION_KEY, 1L);
        assertThat(m.sink("small").accepted()).isEqualTo(1);
        assertThat(m.sink("small").delivered()).isEqualTo(1);
        assertThat(m.isConserved()).isTrue();
    }

    @Test
    void readsRequiredPropertiesOfAPojoThroughFieldsAndGetters() {
        CollectingSink sink = new CollectingSink();
        try (EventTracker orders = EventTracker.builder()
                .register(EventType.builder(Order.class, "order").requireFields("orderId", "customer", "region").build())
                .sink("all", sink)
                .build()) {
            orders.track(new Order("o1", "c1", false));
            assertThatThrownBy(() -> orders.track(new Order(null, "c1", false)))
                    .hasMessage("Event of type 'order' rejected: required field 'orderId' is missing (null)");
            assertThatThrownBy(() -> orders.track(new Order("o2", "", false)))
                    .hasMessage("Event of type 'order' rejected: required field 'customer' is missing (blank)");
            assertThatThrownBy(() -> orders.track(new Order("o3", "c3", true)))
                    .hasMessageStartingWith("Event of type 'order' rejected: required field 'region' could not be read: ")
                    .hasMessageContaining("region lookup failed")
                    .hasRootCauseMessage("region lookup failed");
            assertThat(orders.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.payloads()).singleElement().asString()
                    .contains("\"orderId\":\"o1\"", "\"customer\":\"c1\"", "\"region\":\"eu\"");
        }
    }

    @Test
    void trackAfterCloseThrowsIllegalState() {
        tracker.close();
        assertThatThrownBy(() -> tracker.track(new PageView("u1", "/", 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("EventTracker is closed");
    }
}
