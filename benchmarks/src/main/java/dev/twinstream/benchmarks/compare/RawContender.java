package dev.twinstream.benchmarks.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The raw baseline: what an application writes by hand with the AWS SDK. Each event is serialized
 * with Jackson into the tracker's envelope shape and added to a batch; a full batch
 * ({@value #RECORDS_PER_CALL} records) is sent at once, with at most {@code inFlight} calls
 * outstanding (the caller waits for a permit). No retries: any failed call or record fails the run.
 * One hand-off is adding one event, including the send (and the wait for a permit) when it fills the
 * batch.
 *
 * @param <E> the SDK's record entry type
 */
abstract class RawContender<E> implements Contender {
    static final int RECORDS_PER_CALL = 500;
    private static final long DRAIN_TIMEOUT_SECONDS = 120;

    private final int inFlight;
    private final Semaphore permits;
    private final ObjectWriter writer = new ObjectMapper().writerFor(BenchEvents.RawEnvelope.class);
    private final BenchEvents events = new BenchEvents();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private long next;

    /**
     * @param inFlight the most calls outstanding at once
     */
    RawContender(int inFlight) {
        this.inFlight = inFlight;
        this.permits = new Semaphore(inFlight);
    }

    /**
     * {@return one record entry}
     *
     * @param partitionKey the event's partition key
     * @param json the serialized envelope (owned by the entry from now on)
     */
    abstract E entry(String partitionKey, byte[] json);

    /**
     * Sends one batch.
     *
     * @param batch the entries, owned by the call from now on
     * @return the number of records that failed in a call that succeeded
     */
    abstract CompletableFuture<Integer> send(List<E> batch);

    @Override
    public void run(int count, @Nullable Histogram latencies) throws Exception {
        long before = delivered.get();
        List<E> batch = new ArrayList<>(RECORDS_PER_CALL);
        for (int i = 0; i < count; i++) {
            long t0 = latencies == null ? 0 : System.nanoTime();
            BenchEvents.RawEnvelope e = events.envelope(next++);
            batch.add(entry(e.data().userId(), writer.writeValueAsBytes(e)));
            if (batch.size() == RECORDS_PER_CALL || i == count - 1) {
                dispatch(batch);
                batch = new ArrayList<>(RECORDS_PER_CALL);
            }
            if (latencies != null) {
                latencies.recordValue(System.nanoTime() - t0);
            }
        }
        if (!permits.tryAcquire(inFlight, DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("calls still outstanding after " + DRAIN_TIMEOUT_SECONDS + " s");
        }
        permits.release(inFlight);
        if (failures.get() != 0 || delivered.get() - before != count) {
            throw new IllegalStateException(failures.get() + " failures (first: " + firstFailure.get() + "); delivered "
                    + (delivered.get() - before) + " of " + count);
        }
    }

    private void dispatch(List<E> batch) throws InterruptedException {
        int size = batch.size();
        permits.acquire();
        send(batch).whenComplete((failed, error) -> {
            if (error != null || failed != 0) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, error != null ? error.toString() : failed + " of " + size + " records failed");
            } else {
                delivered.addAndGet(size);
            }
            permits.release();
        });
    }
}
