package dev.twinstream.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.DestinationMetrics;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.testkit.FakeFirehose;
import dev.twinstream.testkit.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;

/** {@link FirehoseSink} as {@link DestinationMetrics}: per delivery stream, events delivered and attempts failed. */
class FirehoseSinkDestinationMetricsTest {
    private final VirtualScheduler time = new VirtualScheduler();
    private final FakeFirehose firehose = FakeFirehose.builder().scheduler(time).seed(11).build();

    /** Events with a type and a routing key each. */
    private static final class Batch implements SinkBatch {
        final List<String> types = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        Batch add(String type, String routingKey, String line) {
            types.add(type);
            keys.add(routingKey);
            payloads.add(line.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public int size() {
            return payloads.size();
        }

        @Override
        public long totalBytes() {
            return payloads.stream().mapToLong(p -> p.length).sum();
        }

        @Override
        public byte[] payload(int index) {
            return payloads.get(index);
        }

        @Override
        public String eventId(int index) {
            return "evt-" + index;
        }

        @Override
        public String eventType(int index) {
            return types.get(index);
        }

        @Override
        public String partitionKey(int index) {
            return "pk";
        }

        @Override
        public String routingKey(int index) {
            return keys.get(index);
        }

        @Override
        public int attempt(int index) {
            return 1;
        }
    }

    private BatchResult send(FirehoseSink sink, SinkBatch batch) {
        CompletableFuture<BatchResult> f = sink.send(batch).toCompletableFuture();
        assertThat(time.advanceUntil(f::isDone, Duration.ofMinutes(1))).isTrue();
        return f.join();
    }

    @Test
    void countsEachStreamsDeliveredAndFailedEventsAndListsStreamsInTheOrderFirstKnown() {
        firehose.createStream("dynamic").createStream("clicks").createStream("books").failEntries(0.3, "InternalFailure");
        FirehoseSink sink = FirehoseSink.builder(firehose)
                .deliveryStream("dynamic")
                .route("click", "clicks")
                .routeBy((type, key) -> key)
                .packingTargetBytes(8) // two four-byte events per record: a failed record fails both
                .build();
        DestinationMetrics metrics = sink;
        assertThat(metrics.destinations()).as("known from the configuration").containsExactly("dynamic", "clicks");
        assertThat(metrics.deliveredRecords("dynamic")).isZero();
        assertThat(metrics.failedRecords("nowhere")).isZero();

        long[] delivered = new long[3];
        long[] failed = new long[3];
        List<String> streams = List.of("dynamic", "clicks", "books");
        for (int round = 0; round < 5; round++) {
            Batch batch = new Batch();
            List<String> streamOfEvent = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                String stream = streams.get(i % 3);
                batch.add(stream.equals("clicks") ? "click" : "page_view", stream.equals("books") ? "books" : null,
                        String.format("%03d\n", i));
                streamOfEvent.add(stream);
            }
            batch.add("page_view", "not a valid name!", "bad\n"); // PERMANENT, reaches no stream
            BatchResult result = send(sink, batch);
            for (int i = 0; i < streamOfEvent.size(); i++) {
                int s = streams.indexOf(streamOfEvent.get(i));
                if (result.get(i).isOk()) {
                    delivered[s]++;
                } else {
                    failed[s]++;
                }
            }
            assertThat(result.get(120).isOk()).isFalse();
        }
        assertThat(metrics.destinations()).as("the router's stream once sent to")
                .containsExactly("dynamic", "clicks", "books");
        for (int s = 0; s < 3; s++) {
            assertThat(metrics.deliveredRecords(streams.get(s))).as("%s delivered", streams.get(s)).isEqualTo(delivered[s]);
            assertThat(metrics.failedRecords(streams.get(s))).as("%s failed", streams.get(s)).isEqualTo(failed[s]);
            assertThat(delivered[s] + failed[s]).isEqualTo(200);
        }
        assertThat(failed[0]).isPositive();
        long deliveredTotal = delivered[0] + delivered[1] + delivered[2];
        assertThat(deliveredTotal).isEqualTo(firehose.lines("dynamic").size() + firehose.lines("clicks").size()
                + firehose.lines("books").size());
        assertThat(metrics.destinations()).doesNotContain("not a valid name!");
    }

    @Test
    void aWholeCallFailureCountsEveryEventOfThatRequestAsFailed() {
        firehose.createStream("a").createStream("b");
        FirehoseSink sink = FirehoseSink.builder(firehose).deliveryStream("a").route("to-b", "b").build();
        firehose.failNextCalls(1, () -> InvalidArgumentException.builder().message("no").build());
        Batch batch = new Batch();
        for (int i = 0; i < 10; i++) {
            batch.add("t", null, "a" + i + "\n");
        }
        BatchResult first = send(sink, batch);
        assertThat(first.get(0).isOk()).isFalse();
        assertThat(sink.failedRecords("a")).isEqualTo(10);
        assertThat(sink.deliveredRecords("a")).isZero();

        send(sink, batch); // the retry succeeds
        send(sink, new Batch().add("to-b", null, "b\n"));
        assertThat(sink.deliveredRecords("a")).isEqualTo(10);
        assertThat(sink.failedRecords("a")).isEqualTo(10);
        assertThat(sink.deliveredRecords("b")).isEqualTo(1);
        assertThat(sink.destinations()).containsExactly("a", "b");
    }
}
