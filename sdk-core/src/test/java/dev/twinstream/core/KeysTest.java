package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.SinkLimits;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Partition keys (built-in strategies, per-sink length limits) and routing keys. */
class KeysTest {
    record Order(String userId, String category) {}

    @Test
    void md5HexHashesThePartsJoinedByAColon() {
        // md5("u1:page_view"), computed independently with Python's hashlib
        assertThat(PartitionKeys.<Order>md5Hex(Order::userId, o -> "page_view").apply(new Order("u1", "books")))
                .isEqualTo("f22c8e0a78a778a1742de1391fed5b94");
        assertThat(PartitionKeys.<Order>md5Hex(Order::userId, Order::category).apply(new Order("ab", "c")))
                .isNotEqualTo(PartitionKeys.<Order>md5Hex(Order::userId, Order::category).apply(new Order("a", "bc")));
        assertThatThrownBy(PartitionKeys::md5Hex).hasMessage("md5Hex needs at least one part");
    }

    @Test
    void fieldUsesTheValueAndRandomIsFreshHex() {
        assertThat(PartitionKeys.<Order>field(Order::userId).apply(new Order("u7", "x"))).isEqualTo("u7");
        assertThat(PartitionKeys.<Order>field(Order::userId).apply(new Order(null, "x"))).isNull();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            keys.add(PartitionKeys.<Order>random().apply(new Order("u", "c")));
        }
        assertThat(keys).hasSize(1_000).allMatch(k -> k.matches("[0-9a-f]{32}"));
    }

    @Test
    void aKeyLongerThanASinkAllowsIsRejectedCountingCodePoints() {
        CollectingSink bounded = new CollectingSink(SinkLimits.of(10, 10_000, 1_000).withMaxPartitionKeyChars(8));
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Order.class, "order").partitionKey(PartitionKeys.field(Order::userId)).build())
                .sink("unbounded", new CollectingSink())
                .sink("kinesis", bounded)
                .build()) {
            String eightEmoji = "\uD83D\uDE00".repeat(8); // 16 chars, 8 code points
            tracker.track(new Order(eightEmoji, "c"));
            assertThatThrownBy(() -> tracker.track(new Order("123456789", "c")))
                    .isInstanceOf(EventRejectedException.class)
                    .hasMessage("Event of type 'order' rejected: its partition key is 9 characters long, "
                            + "more than the 8 that sink 'kinesis' allows");
            assertThatThrownBy(() -> tracker.track(new Order(null, "c")))
                    .hasMessage("Event of type 'order' rejected: the partition-key function returned null");
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(bounded.partitionKeys()).containsExactly(eightEmoji);
            assertThat(tracker.metrics().rejectedByReason())
                    .containsEntry(EventRejectedException.Reason.INVALID_PARTITION_KEY, 2L);
        }
    }

    @Test
    void theRoutingKeyReachesTheSinkAndAThrowingFunctionRejectsTheEvent() {
        CollectingSink sink = new CollectingSink();
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Order.class, "order")
                        .routingKey(o -> {
                            if (o.category().equals("bad")) {
                                throw new IllegalArgumentException("unknown category");
                            }
                            return o.category().equals("none") ? null : "cat-" + o.category();
                        })
                        .build())
                .sink("firehose", sink)
                .build()) {
            tracker.track(new Order("u1", "books"));
            tracker.track(new Order("u2", "none"));
            assertThatThrownBy(() -> tracker.track(new Order("u3", "bad")))
                    .isInstanceOf(EventRejectedException.class)
                    .hasMessage("Event of type 'order' rejected: the routing-key function threw "
                            + "java.lang.IllegalArgumentException: unknown category")
                    .extracting(e -> ((EventRejectedException) e).reason())
                    .isEqualTo(EventRejectedException.Reason.INVALID_ROUTING_KEY);
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.routingKeys()).containsExactly("cat-books", null);
            assertThat(tracker.metrics().isConserved()).isTrue();
        }
    }
}
