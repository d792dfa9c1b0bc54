package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class InMemorySinkTest {

    private static final RecordResult THROTTLED = RecordResult.retryable("Throttled", "slow down");
    private static final RecordResult REJECTED = RecordResult.permanent("Invalid", "bad record");

    private static BatchResult sendNow(InMemorySink sink, SinkBatch batch) {
        CompletableFuture<BatchResult> future = sink.send(batch).toCompletableFuture();
        assertThat(future).as("with zero latency the result is ready when send returns").isDone();
        return future.join();
    }

    private static List<RecordResult.Status> statuses(BatchResult result) {
        List<RecordResult.Status> statuses = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            statuses.add(result.get(i).status());
        }
        return statuses;
    }

    @Test
    void defaultsMatchTheDocumentedLimits() {
        InMemorySink sink = InMemorySink.create();

        assertThat(sink.limits().maxRecordsPerBatch()).isEqualTo(500);
        assertThat(sink.limits().maxBytesPerBatch()).isEqualTo(4L * 1024 * 1024);
        assertThat(sink.limits().maxBytesPerRecord()).isEqualTo(1000 * 1024);
    }

    @Test
    void storesWhatItAcceptsInArrivalOrder() {
        InMemorySink sink = InMemorySink.create();

        BatchResult first = sendNow(sink, TestBatches.ofUtf8("{\"n\":1}", "{\"n\":2}"));
        BatchResult second = sendNow(sink, TestBatches.builder().add("id-x", "click", "user-1", new byte[] {'x'}, 3).build());

        assertThat(statuses(first)).containsExactly(RecordResult.Status.OK, RecordResult.Status.OK);
        assertThat(second.get(0).isOk()).isTrue();
        assertThat(sink.receivedEventIds()).containsExactly("evt-0", "evt-1", "id-x");
        ReceivedRecord last = sink.received().get(2);
        assertThat(last.eventType()).isEqualTo("click");
        assertThat(last.partitionKey()).isEqualTo("user-1");
        assertThat(last.attempt()).isEqualTo(3);
        assertThat(last.payloadAsString()).isEqualTo("x");
        assertThat(sink.received().get(0).payloadAsString()).isEqualTo("{\"n\":1}");
        assertThat(sink.receivedCount()).isEqualTo(3);
        assertThat(sink.callCount()).isEqualTo(2);
        assertThat(sink.sentRecordCount()).isEqualTo(3);
        assertThat(sink.failedRecordCount()).isZero();
        assertThat(sink.maxRecordsInOneCall()).isEqualTo(2);
        assertThat(sink.maxBytesInOneCall()).isEqualTo(14);
        assertThat(sink.calls().get(0).recordCount()).isEqualTo(2);
        assertThat(sink.calls().get(0).byteCount()).isEqualTo(14);
        assertThat(sink.calls().get(0).allOk()).isTrue();
    }

    @Test
    void copiesPayloads() {
        InMemorySink sink = InMemorySink.create();
        byte[] payload = {'a', 'b'};

        sendNow(sink, TestBatches.of(payload));
        payload[0] = 'z';
        sink.received().get(0).payload()[1] = 'z';

        assertThat(sink.received().get(0).payloadAsString()).isEqualTo("ab");
    }

    @Test
    void failNextCallsFailsWholeCallsThenRecovers() {
        InMemorySink sink = InMemorySink.create().failNextCalls(2, THROTTLED);

        BatchResult first = sendNow(sink, TestBatches.ofUtf8("a", "b", "c"));
        BatchResult second = sendNow(sink, TestBatches.ofUtf8("d"));
        BatchResult third = sendNow(sink, TestBatches.ofUtf8("e", "f"));

        assertThat(statuses(first)).containsOnly(RecordResult.Status.RETRYABLE).hasSize(3);
        assertThat(first.get(1).code()).isEqualTo("Throttled");
        assertThat(statuses(second)).containsExactly(RecordResult.Status.RETRYABLE);
        assertThat(statuses(third)).containsOnly(RecordResult.Status.OK).hasSize(2);
        assertThat(sink.receivedCount()).isEqualTo(2);
        assertThat(sink.sentRecordCount()).isEqualTo(6);
        assertThat(sink.failedRecordCount()).isEqualTo(4);
        assertThat(sink.calls()).extracting(InMemorySink.Call::retryableCount).containsExactly(3, 1, 0);
    }

    @Test
    void failNextCallsWithAPermanentResult() {
        InMemorySink sink = InMemorySink.create().failNextCalls(1, REJECTED);

        BatchResult result = sendNow(sink, TestBatches.ofUtf8("a", "b"));

        assertThat(statuses(result)).containsOnly(RecordResult.Status.PERMANENT);
        assertThat(sink.calls().get(0).permanentCount()).isEqualTo(2);
        assertThat(sink.received()).isEmpty();
    }

    @Test
    void failFractionIsDeterministicForASeed() {
        List<RecordResult.Status> first = statusesWithFraction(42, 0.3);
        List<RecordResult.Status> again = statusesWithFraction(42, 0.3);
        List<RecordResult.Status> otherSeed = statusesWithFraction(43, 0.3);

        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        long failed = first.stream().filter(s -> s != RecordResult.Status.OK).count();
        assertThat(failed).as("about 30%% of 1,000 records fail").isBetween(220L, 380L);
    }

    private static List<RecordResult.Status> statusesWithFraction(long seed, double fraction) {
        InMemorySink sink = InMemorySink.builder().seed(seed).build().failFraction(fraction, THROTTLED);
        List<RecordResult.Status> all = new ArrayList<>();
        for (int call = 0; call < 4; call++) {
            BatchResult result = sendNow(sink, TestBatches.of(TestBatches.payloads(250, 10)));
            all.addAll(statuses(result));
        }
        assertThat(sink.receivedCount() + sink.failedRecordCount()).isEqualTo(1000);
        return all;
    }

    @Test
    void failFractionStoresOnlyTheOkRecordsAndZeroTurnsItOff() {
        InMemorySink sink = InMemorySink.builder().seed(7).build().failFraction(0.5, THROTTLED);
        SinkBatch batch = TestBatches.of(TestBatches.payloads(100, 8));

        BatchResult result = sendNow(sink, batch);

        List<String> okIds = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            if (result.get(i).isOk()) {
                okIds.add(batch.eventId(i));
            }
        }
        assertThat(okIds).isNotEmpty().hasSizeLessThan(100);
        assertThat(sink.receivedEventIds()).isEqualTo(okIds);

        sink.failFraction(0, THROTTLED);
        assertThat(statuses(sendNow(sink, batch))).containsOnly(RecordResult.Status.OK);
    }

    @Test
    void clearResetsTheRecordsAndTheRandomSequence() {
        InMemorySink sink = InMemorySink.builder().seed(3).build().failFraction(0.5, THROTTLED);
        SinkBatch batch = TestBatches.of(TestBatches.payloads(50, 8));
        List<RecordResult.Status> before = statuses(sendNow(sink, batch));

        sink.clear();

        assertThat(sink.receivedCount()).isZero();
        assertThat(sink.callCount()).isZero();
        assertThat(sink.received()).isEmpty();
        assertThat(statuses(sendNow(sink, batch))).isEqualTo(before);
    }

    @Test
    void latencyCompletesOnVirtualTime() {
        VirtualScheduler scheduler = new VirtualScheduler();
        InMemorySink sink = InMemorySink.builder().scheduler(scheduler).build().latency(Duration.ofMillis(100));

        CompletableFuture<BatchResult> future = sink.send(TestBatches.ofUtf8("a", "b")).toCompletableFuture();

        assertThat(future).isNotDone();
        assertThat(sink.callCount()).as("the call is recorded at once").isEqualTo(1);
        assertThat(sink.inFlightCount()).isEqualTo(1);
        assertThat(sink.receivedCount()).as("records become visible on completion").isZero();

        scheduler.advance(Duration.ofMillis(99));
        assertThat(future).isNotDone();

        scheduler.advance(Duration.ofMillis(1));
        assertThat(future).isCompleted();
        assertThat(future.join().size()).isEqualTo(2);
        assertThat(sink.receivedEventIds()).containsExactly("evt-0", "evt-1");
        assertThat(sink.inFlightCount()).isZero();
    }

    @Test
    void latencyWithoutASchedulerIsRejected() {
        InMemorySink sink = InMemorySink.create();

        assertThatThrownBy(() -> sink.latency(Duration.ofMillis(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scheduler");
        sink.latency(Duration.ZERO);
    }

    @Test
    void downWindowThenUp() {
        VirtualScheduler scheduler = new VirtualScheduler();
        InMemorySink sink = InMemorySink.builder().scheduler(scheduler).build();

        sink.downFor(Duration.ofSeconds(30));
        BatchResult during = sendNow(sink, TestBatches.ofUtf8("a", "b"));
        assertThat(statuses(during)).containsOnly(RecordResult.Status.RETRYABLE);
        assertThat(during.get(0).code()).isEqualTo(InMemorySink.UNAVAILABLE_CODE);
        assertThat(sink.isDown()).isTrue();

        scheduler.advance(Duration.ofSeconds(29));
        assertThat(statuses(sendNow(sink, TestBatches.ofUtf8("c")))).containsOnly(RecordResult.Status.RETRYABLE);

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(sink.isDown()).isFalse();
        assertThat(statuses(sendNow(sink, TestBatches.ofUtf8("d")))).containsOnly(RecordResult.Status.OK);

        sink.downFor(Duration.ofHours(1));
        assertThat(statuses(sendNow(sink, TestBatches.ofUtf8("e")))).containsOnly(RecordResult.Status.RETRYABLE);
        sink.up();
        assertThat(statuses(sendNow(sink, TestBatches.ofUtf8("f")))).containsOnly(RecordResult.Status.OK);
        assertThat(sink.received()).extracting(ReceivedRecord::payloadAsString).containsExactly("d", "f");
    }

    @Test
    void downWindowTakesPrecedenceAndDoesNotUseUpFailNextCalls() {
        ManualClock clock = new ManualClock();
        InMemorySink sink = InMemorySink.builder().clock(clock).build()
                .failNextCalls(1, REJECTED)
                .downUntilNanos(clock.nanoTime() + 1_000);

        assertThat(sendNow(sink, TestBatches.ofUtf8("a")).get(0).code()).isEqualTo(InMemorySink.UNAVAILABLE_CODE);
        clock.advanceNanos(1_000);
        assertThat(sendNow(sink, TestBatches.ofUtf8("b")).get(0).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(sendNow(sink, TestBatches.ofUtf8("c")).get(0).isOk()).isTrue();
    }

    @Test
    void batchOverTheRecordLimitIsDetectedAsACallerBug() {
        InMemorySink sink = InMemorySink.builder().limits(SinkLimits.of(3, 100, 10)).build();

        CompletionStage<BatchResult> stage = sink.send(TestBatches.ofUtf8("a", "b", "c", "d"));

        assertThatThrownBy(() -> stage.toCompletableFuture().get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRecordsPerBatch (3)")
                .hasMessageContaining("was 4");
        assertThat(sink.limitViolations()).isEqualTo(1);
        assertThat(sink.callCount()).isZero();
        assertThat(sink.receivedCount()).isZero();
        assertThat(sink.maxRecordsInOneCall()).isEqualTo(4);
    }

    @Test
    void recordAndBatchByteLimitsAreDetected() {
        InMemorySink sink = InMemorySink.builder().limits(SinkLimits.of(10, 20, 10)).build();

        CompletableFuture<BatchResult> tooBigRecord = sink.send(TestBatches.of(new byte[11])).toCompletableFuture();
        CompletableFuture<BatchResult> tooBigBatch =
                sink.send(TestBatches.of(new byte[10], new byte[10], new byte[1])).toCompletableFuture();
        CompletableFuture<BatchResult> exactlyAtLimits =
                sink.send(TestBatches.of(new byte[10], new byte[10])).toCompletableFuture();

        assertThat(tooBigRecord).isCompletedExceptionally();
        assertThat(tooBigBatch).isCompletedExceptionally();
        assertThat(exactlyAtLimits).isCompleted();
        assertThat(sink.limitViolationMessages()).hasSize(2);
        assertThat(sink.limitViolationMessages().get(0)).contains("maxBytesPerRecord (10 bytes)", "was 11 bytes");
        assertThat(sink.limitViolationMessages().get(1)).contains("maxBytesPerBatch (20)", "were 21");
    }

    @Test
    void emptyBatchAndWrongTotalBytesBreakTheBatchContract() {
        InMemorySink sink = InMemorySink.create();
        SinkBatch empty = new FixedBatch(0, 0);
        SinkBatch lying = new FixedBatch(1, 99);

        assertThat(sink.send(empty).toCompletableFuture()).isCompletedExceptionally();
        assertThat(sink.send(lying).toCompletableFuture()).isCompletedExceptionally();
        assertThat(sink.limitViolationMessages().get(0)).contains("at least 1");
        assertThat(sink.limitViolationMessages().get(1)).contains("totalBytes()", "was 99");
    }

    @Test
    void sendAfterCloseFails() {
        InMemorySink sink = InMemorySink.create();
        sink.close();

        assertThat(sink.send(TestBatches.ofUtf8("a")).toCompletableFuture()).isCompletedExceptionally();
        assertThat(sink.sendsAfterClose()).isEqualTo(1);
        assertThat(sink.isClosed()).isTrue();
    }

    @Test
    void retainPayloadsFalseOnlyCounts() {
        InMemorySink sink = InMemorySink.builder().retainPayloads(false).build().failNextCalls(1, THROTTLED);

        sendNow(sink, TestBatches.ofUtf8("a", "b"));
        sendNow(sink, TestBatches.ofUtf8("c", "d", "e"));

        assertThat(sink.retainsPayloads()).isFalse();
        assertThat(sink.receivedCount()).isEqualTo(3);
        assertThat(sink.failedRecordCount()).isEqualTo(2);
        assertThat(sink.sentRecordCount()).isEqualTo(5);
        assertThatThrownBy(sink::received)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retainPayloads(false)");
        assertThatThrownBy(sink::receivedEventIds).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void faultControlsValidateTheirArguments() {
        InMemorySink sink = InMemorySink.create();

        assertThatThrownBy(() -> sink.failNextCalls(-1, THROTTLED)).hasMessageContaining("was -1");
        assertThatThrownBy(() -> sink.failNextCalls(1, RecordResult.ok())).hasMessageContaining("was OK");
        assertThatThrownBy(() -> sink.failFraction(1.5, THROTTLED)).hasMessageContaining("was 1.5");
        assertThatThrownBy(() -> sink.failFraction(Double.NaN, THROTTLED)).hasMessageContaining("was NaN");
        assertThatThrownBy(() -> sink.downFor(Duration.ofSeconds(-1))).hasMessageContaining("must not be negative");
    }

    @Test
    void controlsCanChangeWhileCallsAreInFlight() {
        VirtualScheduler scheduler = new VirtualScheduler();
        InMemorySink sink = InMemorySink.builder().scheduler(scheduler).build().latency(Duration.ofMillis(50));

        CompletableFuture<BatchResult> slow = sink.send(TestBatches.ofUtf8("slow")).toCompletableFuture();
        sink.latency(Duration.ZERO);
        CompletableFuture<BatchResult> fast = sink.send(TestBatches.ofUtf8("fast")).toCompletableFuture();

        assertThat(fast).isCompleted();
        assertThat(slow).isNotDone();
        scheduler.runUntilIdle(Duration.ofSeconds(1));
        assertThat(slow).isCompleted();
        assertThat(sink.received()).extracting(ReceivedRecord::payloadAsString).containsExactly("fast", "slow");
    }

    /** A batch of {@code size} one-byte records that reports {@code totalBytes} whatever it holds. */
    private record FixedBatch(int size, long totalBytes) implements SinkBatch {
        @Override
        public byte[] payload(int index) {
            return new byte[] {'x'};
        }

        @Override
        public String eventId(int index) {
            return "id-" + index;
        }

        @Override
        public String eventType(int index) {
            return "t";
        }

        @Override
        public String partitionKey(int index) {
            return "k";
        }

        @Override
        public int attempt(int index) {
            return 1;
        }
    }
}
