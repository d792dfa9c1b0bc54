package dev.twinstream.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.testkit.TestBatches;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where {@link FirehoseSink} does its work: {@code send} only hands the batch over; routing,
 * packing and the client's synchronous part of {@code putRecordBatch} run on the sink's own thread
 * or the injected scheduler; {@code close()} never leaves an accepted send incomplete.
 */
class FirehoseSinkThreadingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static SinkBatch lines(String... lines) {
        TestBatches.Builder b = TestBatches.builder();
        for (int i = 0; i < lines.length; i++) {
            b.add("evt-" + lines[i], "t", "pk", (lines[i] + "\n").getBytes(StandardCharsets.UTF_8), 1);
        }
        return b.build();
    }

    static boolean allOk(BatchResult result) {
        for (int i = 0; i < result.size(); i++) {
            if (!result.get(i).isOk()) {
                return false;
            }
        }
        return true;
    }

    private static void assertEveryEvent(BatchResult result, int size, String code) {
        assertThat(result.size()).isEqualTo(size);
        for (int i = 0; i < size; i++) {
            assertThat(result.get(i).status()).isEqualTo(RecordResult.Status.RETRYABLE);
            assertThat(result.get(i).code()).isEqualTo(code);
        }
    }

    @Test
    void sendReturnsBeforeBuildingAnyRequestWhichRunsOnTheInjectedScheduler() {
        VirtualScheduler time = new VirtualScheduler();
        FakeFirehose firehose = FakeFirehose.builder().scheduler(time).build().createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).deliveryStream("s").scheduler(time).build();

        CompletableFuture<BatchResult> f = sink.send(lines("a", "b")).toCompletableFuture();

        assertThat(firehose.stats("s").putCalls()).as("nothing built or sent on the caller's thread").isZero();
        assertThat(time.pendingTaskCount()).as("the send waits on the scheduler").isEqualTo(1);
        assertThat(f).isNotDone();
        time.runPending();
        assertThat(firehose.stats("s").putCalls()).isEqualTo(1);
        assertThat(time.advanceUntil(f::isDone, Duration.ofMinutes(1))).isTrue();
        assertThat(allOk(f.join())).isTrue();
        assertThat(firehose.lines("s")).containsExactly("a", "b");
        assertThat(sink.deliveredRecords("s")).isEqualTo(2);
    }

    @Test
    void closeCompletesASendTheSchedulerHasNotRunYetAndLaterSendsRunOnTheCaller() {
        VirtualScheduler time = new VirtualScheduler();
        FakeFirehose firehose = FakeFirehose.builder().scheduler(time).build().createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).deliveryStream("s").scheduler(time).build();
        CompletableFuture<BatchResult> queued = sink.send(lines("a", "b", "c")).toCompletableFuture();

        sink.close();

        assertThat(queued).as("completed by close() itself, without running the scheduler").isDone();
        assertEveryEvent(queued.join(), 3, "SinkClosed");
        assertThat(queued.join().get(0).message()).contains("closed before this batch was sent");
        time.runPending();
        assertThat(firehose.stats("s").putCalls()).as("the abandoned send never runs").isZero();
        assertThat(sink.failedRecords("s")).as("it never reached the stream").isZero();

        CompletableFuture<BatchResult> late = sink.send(lines("d")).toCompletableFuture();
        assertThat(firehose.stats("s").putCalls()).as("after close, sent from the calling thread").isEqualTo(1);
        assertThat(time.advanceUntil(late::isDone, Duration.ofMinutes(1))).isTrue();
        assertThat(allOk(late.join())).isTrue();
        sink.close(); // idempotent
    }

    @Test
    void closeCompletesASendQueuedBehindABlockedOneAndTheBlockedOneStillFinishes() throws Exception {
        FakeFirehose fake = FakeFirehose.builder().build().createStream("s"); // completes calls at once
        BlockingFirehose client = new BlockingFirehose(fake, WAIT);
        FirehoseSink sink = FirehoseSink.builder(client).deliveryStream("s").build();
        try {
            CompletableFuture<BatchResult> first = sink.send(lines("a", "b")).toCompletableFuture();
            assertThat(client.awaitCalls(1, WAIT)).as("the first send reached putRecordBatch").isTrue();
            CompletableFuture<BatchResult> second = sink.send(lines("c")).toCompletableFuture();
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();

            sink.close();

            assertThat(client.blockedCalls()).as("close() did not wait for the blocked call").isEqualTo(1);
            assertThat(second).as("the queued send is completed by close()").isDone();
            assertEveryEvent(second.join(), 1, "SinkClosed");
            assertThat(first).isNotDone();
            client.release();
            BatchResult firstResult = first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(allOk(firstResult)).as("the send already building completes as usual").isTrue();
            assertThat(fake.lines("s")).containsExactly("a", "b");
            assertThat(fake.stats("s").putCalls()).isEqualTo(1);

            Thread sender = client.callers().get(0);
            assertThat(sender.getName()).matches("twinstream-firehose-\\d+");
            assertThat(sender.isDaemon()).isTrue();
            sender.join(WAIT.toMillis());
            assertThat(sender.isAlive()).as("close() stopped the sink's own thread").isFalse();
        } finally {
            client.release();
            sink.close();
        }
    }

    @Test
    void theOwnThreadIsStartedByTheFirstSendAndSharedByLaterSends() throws Exception {
        FakeFirehose fake = FakeFirehose.builder().build().createStream("s");
        BlockingFirehose client = new BlockingFirehose(fake, WAIT);
        client.release(); // no blocking here: only where the calls run
        try (FirehoseSink sink = FirehoseSink.builder(client).deliveryStream("s").build()) {
            for (int i = 0; i < 3; i++) {
                BatchResult r = sink.send(lines("x" + i)).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(allOk(r)).isTrue();
            }
            assertThat(client.callers()).hasSize(3).allSatisfy(t -> assertThat(t).isSameAs(client.callers().get(0)));
            assertThat(client.callers().get(0)).isNotSameAs(Thread.currentThread());
            assertThat(client.callers().get(0).getName()).startsWith("twinstream-firehose-");
        }
    }

    @Test
    void aBugWhilePlanningOnTheSenderThreadCompletesTheSendInsteadOfLeavingItHanging() {
        VirtualScheduler time = new VirtualScheduler();
        FakeFirehose firehose = FakeFirehose.builder().scheduler(time).build().createStream("s");
        FirehoseSink sink = FirehoseSink.builder(firehose).scheduler(time)
                .deliveryStream("s").build();
        SinkBatch good = TestBatches.builder()
                .add("e0", "t", "pk", "a\n".getBytes(StandardCharsets.UTF_8), 1)
                .add("e1", "t", "pk", "b\n".getBytes(StandardCharsets.UTF_8), 1)
                .build();
        SinkBatch buggy = new SinkBatch() { // a null payload: the packer's NullPointerException
            @Override
            public int size() {
                return good.size();
            }

            @Override
            public long totalBytes() {
                return good.totalBytes();
            }

            @Override
            public byte[] payload(int index) {
                return index == 1 ? null : good.payload(index);
            }

            @Override
            public String eventId(int index) {
                return good.eventId(index);
            }

            @Override
            public String eventType(int index) {
                return good.eventType(index);
            }

            @Override
            public String partitionKey(int index) {
                return good.partitionKey(index);
            }

            @Override
            public int attempt(int index) {
                return 1;
            }
        };

        CompletableFuture<BatchResult> f = sink.send(buggy).toCompletableFuture();
        time.runPending();

        assertThat(f).isDone();
        for (int i = 0; i < 2; i++) {
            assertThat(f.join().get(i).status()).isEqualTo(RecordResult.Status.PERMANENT);
            assertThat(f.join().get(i).code()).isEqualTo("NullPointerException");
        }
        assertThat(firehose.stats("s").putCalls()).isZero();
    }

    /**
     * The {@link Scheduler} contract allows tasks to run concurrently: sends then route, pack and
     * count on several threads at once, and every event is still counted exactly once per stream.
     */
    @Test
    void sendsRunningConcurrentlyOnAMultiThreadedSchedulerCountEveryEventOnce() throws Exception {
        FakeFirehose fake = FakeFirehose.builder().seed(3).build();
        List<String> streams = List.of("s0", "s1", "s2", "s3");
        for (String s : streams) {
            fake.createStream(s);
        }
        fake.failFraction(0.2, "ServiceUnavailableException");
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(4);
        try {
            FirehoseSink sink = FirehoseSink.builder(fake).scheduler(schedulerOn(pool))
                    .routeBy((type, key) -> type) // event type = stream: s2 and s3 are known only once sent to
                    .route("s0", "s0").route("s1", "s1")
                    .packingTargetBytes(12) // a few events per record
                    .build();
            List<CompletableFuture<BatchResult>> sends = new ArrayList<>();
            List<SinkBatch> batches = new ArrayList<>();
            for (int n = 0; n < 200; n++) {
                TestBatches.Builder b = TestBatches.builder();
                for (int i = 0; i < 40; i++) {
                    b.add("e" + n + "-" + i, streams.get((n + i) % 4), "pk", String.format("%04d\n", i).getBytes(StandardCharsets.UTF_8), 1);
                }
                SinkBatch batch = b.build();
                batches.add(batch);
                sends.add(sink.send(batch).toCompletableFuture());
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

            long[] delivered = new long[4];
            long[] failed = new long[4];
            for (int n = 0; n < sends.size(); n++) {
                BatchResult r = sends.get(n).join();
                for (int i = 0; i < r.size(); i++) {
                    int s = streams.indexOf(batches.get(n).eventType(i));
                    if (r.get(i).isOk()) {
                        delivered[s]++;
                    } else {
                        failed[s]++;
                    }
                }
            }
            assertThat(sink.destinations()).containsExactlyInAnyOrderElementsOf(streams).hasSize(4);
            for (int s = 0; s < 4; s++) {
                String stream = streams.get(s);
                assertThat(delivered[s] + failed[s]).isEqualTo(2_000);
                assertThat(failed[s]).isPositive();
                assertThat(sink.deliveredRecords(stream)).as("%s delivered", stream).isEqualTo(delivered[s]);
                assertThat(sink.failedRecords(stream)).as("%s failed", stream).isEqualTo(failed[s]);
                assertThat(fake.lines(stream)).hasSize((int) delivered[s]);
            }
            assertThat(fake.limitViolations()).isEmpty();
            sink.close();
        } finally {
            pool.shutdownNow();
        }
    }

    private static Scheduler schedulerOn(ScheduledExecutorService pool) {
        return new Scheduler() {
            @Override
            public void execute(Runnable task) {
                pool.execute(task);
            }

            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> f = pool.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }
        };
    }
}
