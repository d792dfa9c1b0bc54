package dev.twinstream.kinesis.contract;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.PartitionKeys;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.kinesis.internal.HashKeys;
import dev.twinstream.kinesis.internal.ShardMap;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Tracker -> KinesisSink -> kinesis-mock -> GetRecords -> KCL de-aggregation: every event arrives
 * exactly once, with its partition key, on the shard the sink predicted.
 */
class KinesisMockEndToEndTest {
    static final String STREAM = "e2e";
    static final int EVENTS = 3000;
    static final ObjectMapper JSON = new ObjectMapper();

    record UserEvent(String userId, String eventType, String page, int seq) {}

    private static KinesisMockServer server;
    private static KinesisAsyncClient client;

    @BeforeAll
    static void start() {
        server = KinesisMockServer.start(STREAM + ":4");
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyTrackedEventArrivesOnceWithItsKeyOnThePredictedShard() {
        EventType<UserEvent> type = EventType.builder(UserEvent.class, "user_event")
                .partitionKey(PartitionKeys.md5Hex(UserEvent::userId, UserEvent::eventType)).build();
        Map<String, String> keyByEventId = new HashMap<>();
        KinesisSink sink = KinesisSink.builder(client, STREAM).buildAsync().join();
        try (EventTracker tracker = EventTracker.builder().register(type).sink("kinesis", sink).build()) {
            for (int i = 0; i < EVENTS; i++) {
                UserEvent e = new UserEvent("user-" + (i % 211), i % 4 == 0 ? "purchase" : "page_view", "/p/" + i, i);
                String id = tracker.track(e);
                keyByEventId.put(id, PartitionKeys.<UserEvent>md5Hex(UserEvent::userId, UserEvent::eventType).apply(e));
            }
            assertThat(tracker.flush(Duration.ofSeconds(60))).as("flushed").isTrue();
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
            assertThat(tracker.metrics().sinks().get("kinesis").delivered()).isEqualTo(EVENTS);
        }

        KinesisContract reader = new KinesisContract() {
            @Override
            protected KinesisAsyncClient client() {
                return client;
            }
        };
        ShardMap map = ShardMap.of(reader.shards(STREAM));
        Map<String, Integer> seen = new HashMap<>();
        int kinesisRecords = 0;
        for (Map.Entry<String, List<Record>> shard : reader.readAll(STREAM).entrySet()) {
            int index = map.indexOfShardId(shard.getKey());
            List<KinesisClientRecord> in = new ArrayList<>();
            shard.getValue().forEach(r -> in.add(KinesisClientRecord.fromRecord(r)));
            kinesisRecords += in.size();
            BigInteger end = index + 1 < map.size() ? new BigInteger(map.startingHashKey(index + 1)).subtract(BigInteger.ONE)
                    : HashKeys.MAX_HASH_KEY;
            for (KinesisClientRecord e : new AggregatorUtil().deaggregate(in, new BigInteger(map.startingHashKey(index)), end)) {
                String eventId = eventId(e.data());
                seen.merge(eventId, 1, Integer::sum);
                assertThat(e.partitionKey()).as("key of %s", eventId).isEqualTo(keyByEventId.get(eventId));
                assertThat(map.indexOf(HashKeys.md5(e.partitionKey().getBytes(StandardCharsets.UTF_8))))
                        .as("predicted shard of %s", eventId).isEqualTo(index);
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(keyByEventId.keySet());
        assertThat(seen).allSatisfy((id, times) -> assertThat(times).as("copies of %s", id).isEqualTo(1));
        assertThat(kinesisRecords).as("aggregated").isLessThan(EVENTS / 20);
    }

    private static String eventId(ByteBuffer data) {
        ByteBuffer b = data.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        try {
            JsonNode node = JSON.readTree(bytes);
            return node.get("eventId").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
