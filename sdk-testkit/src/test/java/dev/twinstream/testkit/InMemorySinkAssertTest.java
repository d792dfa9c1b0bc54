package dev.twinstream.testkit;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.SinkLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySinkAssertTest {

    private static final String ORDER_PLACED = "{\"eventId\":\"e1\",\"eventType\":\"OrderPlaced\","
            + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"data\":{\"orderId\":\"o-1\",\"amount\":12.5,\"items\":3,"
            + "\"gift\":false,\"note\":null}}\n";

    private final InMemorySink sink = InMemorySink.create();

    private void receive(String eventId, String type, String payload) {
        sink.send(TestBatches.builder().add(eventId, type, "pk", payload.getBytes(StandardCharsets.UTF_8), 1).build());
    }

    @Test
    void passesOnWhatTheSinkReceived() {
        receive("e1", "OrderPlaced", ORDER_PLACED);
        receive("e2", "PageViewed", "{\"path\":\"/home\",\"count\":2}");

        assertThat(sink)
                .hasReceivedEvents(2)
                .hasReceivedEventsOfType("OrderPlaced", 1)
                .hasReceivedEventsOfType("Missing", 0)
                .hasReceivedEventWithField("OrderPlaced", "orderId", "o-1")
                .hasReceivedEventWithField("OrderPlaced", "eventId", "e1")
                .hasReceivedEventWithField("OrderPlaced", "amount", 12.5)
                .hasReceivedEventWithField("OrderPlaced", "items", 3L)
                .hasReceivedEventWithField("OrderPlaced", "items", 3.0)
                .hasReceivedEventWithField("OrderPlaced", "gift", false)
                .hasReceivedEventWithField("OrderPlaced", "note", null)
                .hasReceivedEventWithField("PageViewed", "path", "/home")
                .hasReceivedEventWithField("PageViewed", "count", 2)
                .hasNoDuplicateEventIds()
                .hasReceivedEventIdsExactly(List.of("e2", "e1"))
                .neverExceededItsLimits();
    }

    @Test
    void hasReceivedEventsSaysWhatItFound() {
        receive("e1", "A", "{}");

        assertThatThrownBy(() -> assertThat(sink).hasReceivedEvents(3))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected the sink to have received 3 events but it received 1");
    }

    @Test
    void hasReceivedEventsOfTypeListsTheTypesFound() {
        receive("e1", "A", "{}");
        receive("e2", "B", "{}");

        assertThatThrownBy(() -> assertThat(sink).hasReceivedEventsOfType("A", 2))
                .hasMessageContaining("2 events of type \"A\" but it received 1")
                .hasMessageContaining("{A=1, B=1}");
    }

    @Test
    void hasReceivedEventWithFieldSaysWhichValuesItSaw() {
        receive("e1", "OrderPlaced", ORDER_PLACED);
        receive("e2", "OrderPlaced", "not json at all, 100%");

        assertThatThrownBy(() -> assertThat(sink).hasReceivedEventWithField("OrderPlaced", "orderId", "o-2"))
                .hasMessageContaining("field \"orderId\" is \"o-2\"")
                .hasMessageContaining("among 2 events of that type (1 not JSON objects)")
                .hasMessageContaining("values seen: [\"o-1\"]");
        assertThatThrownBy(() -> assertThat(sink).hasReceivedEventWithField("OrderPlaced", "items", "3"))
                .as("a string does not match a number")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void hasNoDuplicateEventIdsNamesTheDuplicates() {
        receive("e1", "A", "{}");
        receive("e2", "A", "{}");
        receive("e1", "A", "{}");

        assertThatThrownBy(() -> assertThat(sink).hasNoDuplicateEventIds())
                .hasMessageContaining("1 of 2 distinct ids were received more than once")
                .hasMessageContaining("e1=2");
    }

    @Test
    void hasReceivedEventIdsExactlyNamesMissingAndUnexpectedIds() {
        receive("e1", "A", "{}");
        receive("e3", "A", "{}");

        assertThatThrownBy(() -> assertThat(sink).hasReceivedEventIdsExactly(List.of("e1", "e2")))
                .hasMessageContaining("missing (1): [e2]")
                .hasMessageContaining("unexpected (1): [e3]");
    }

    @Test
    void neverExceededItsLimitsReportsTheViolations() {
        InMemorySink small = InMemorySink.builder().limits(SinkLimits.of(1, 10, 10)).build();
        small.send(TestBatches.ofUtf8("a", "b"));

        assertThatThrownBy(() -> assertThat(small).neverExceededItsLimits())
                .hasMessageContaining("but 1 did (largest call: 2 records, 2 bytes)")
                .hasMessageContaining("maxRecordsPerBatch (1) but was 2");
    }

    @Test
    void recordAssertionsNeedRetainedPayloads() {
        InMemorySink counting = InMemorySink.builder().retainPayloads(false).build();
        counting.send(TestBatches.ofUtf8("a"));

        assertThat(counting).hasReceivedEvents(1);
        assertThatThrownBy(() -> assertThat(counting).hasNoDuplicateEventIds())
                .hasMessageContaining("retainPayloads(false)");
    }

    @Test
    void describedAssertionsKeepTheDescription() {
        assertThatThrownBy(() -> assertThat(sink).as("orders sink").hasReceivedEvents(1))
                .hasMessageContaining("[orders sink]");
    }
}
