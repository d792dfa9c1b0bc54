package dev.twinstream.firehose;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;

/**
 * A {@link FirehoseAsyncClient} whose {@code putRecordBatch} blocks the calling thread before it
 * returns its future, as the SDK's synchronous marshalling and signing of a 4 MiB request does, only
 * longer: until {@link #release()}, or at most {@code maxBlock} per call so that a failing test
 * cannot hang. Then it delegates (to a {@code FakeFirehose} in the tests).
 */
public final class BlockingFirehose implements FirehoseAsyncClient {
    private final FirehoseAsyncClient delegate;
    private final Duration maxBlock;
    private final CountDownLatch release = new CountDownLatch(1);
    private final Semaphore entered = new Semaphore(0);
    private final AtomicInteger inside = new AtomicInteger();
    private final List<Thread> callers = new CopyOnWriteArrayList<>();

    public BlockingFirehose(FirehoseAsyncClient delegate, Duration maxBlock) {
        this.delegate = delegate;
        this.maxBlock = maxBlock;
    }

    @Override
    public CompletableFuture<PutRecordBatchResponse> putRecordBatch(PutRecordBatchRequest request) {
        callers.add(Thread.currentThread());
        inside.incrementAndGet();
        entered.release();
        try {
            if (!release.await(maxBlock.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("BlockingFirehose was not released within " + maxBlock);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted inside putRecordBatch", e);
        } finally {
            inside.decrementAndGet();
        }
        return delegate.putRecordBatch(request);
    }

    /**
     * Waits until {@code calls} more calls have entered {@code putRecordBatch} (blocked or not).
     *
     * @return whether they did within {@code timeout}
     */
    public boolean awaitCalls(int calls, Duration timeout) throws InterruptedException {
        return entered.tryAcquire(calls, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Lets every blocked and later call through. */
    public void release() {
        release.countDown();
    }

    /** {@return how many calls are blocked inside {@code putRecordBatch} right now} */
    public int blockedCalls() {
        return inside.get();
    }

    /** {@return the threads that called {@code putRecordBatch}, in call order} */
    public List<Thread> callers() {
        return callers;
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        release();
    }
}
