package dev.twinstream.benchmarks.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import software.amazon.kinesis.producer.Attempt;
import software.amazon.kinesis.producer.KinesisProducer;
import software.amazon.kinesis.producer.KinesisProducerConfiguration;
import software.amazon.kinesis.producer.UserRecordFailedException;
import software.amazon.kinesis.producer.UserRecordResult;

/**
 * The Kinesis Producer Library 1.1.1 with aggregation, as its documentation has applications use it:
 * one {@link KinesisProducer} (which runs the native {@code kinesis_producer} process) for the JVM's
 * life; a run is {@code addUserRecord} per event (the envelope serialized with Jackson, like the raw
 * contender), a callback per future, then {@code flushSync}. The caller keeps at most
 * {@value #MAX_OUTSTANDING_RECORDS} records outstanding ({@code getOutstandingRecordsCount()}), the
 * back-pressure the KPL documentation recommends; that wait is outside the measured hand-off.
 *
 * <p>Configuration: the endpoint (Kinesis, STS and CloudWatch all at 127.0.0.1 over HTTPS, the only
 * scheme the KPL speaks) with certificate verification off (self-signed), region us-east-1, static
 * credentials, metrics off (no CloudWatch uploads), aggregation on, and the KPL's own rate limiter
 * raised to {@value #RATE_LIMIT_PERCENT} % of the shard limits: its default of 150 % would pace 4
 * shards to ~6 MB/s, as Twinstream's limiter would (which is off here for the same reason). Every
 * other setting — RecordMaxBufferedTime 100 ms, AggregationMaxSize 50 KiB, CollectionMaxCount 500,
 * MaxConnections 24, RecordTtl 30 s, threading — keeps its default.
 *
 * <p>A run fails unless every future succeeded at its first attempt (a retry would mean the endpoint
 * answered something the KPL did not like, such as a record on the wrong shard).
 */
final class KplContender implements Contender {
    static final int MAX_OUTSTANDING_RECORDS = 20_000;
    static final long RATE_LIMIT_PERCENT = 100_000;
    private static final long BACKPRESSURE_PARK_NANOS = 50_000;
    private static final long CALLBACK_TIMEOUT_SECONDS = 120;
    private static final String REGION = "us-east-1";

    private final KinesisProducer producer;
    private final ObjectWriter writer = new ObjectMapper().writerFor(BenchEvents.RawEnvelope.class);
    private final BenchEvents events = new BenchEvents();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicReference<String> firstProblem = new AtomicReference<>();
    private long next;
    private long waitedNanos;

    /**
     * Starts the KPL (and its native process).
     *
     * @param httpsPort the endpoint's HTTPS port
     */
    KplContender(int httpsPort) {
        KinesisProducerConfiguration config = new KinesisProducerConfiguration()
                .setRegion(REGION)
                .setKinesisEndpoint("127.0.0.1").setKinesisPort(httpsPort)
                .setStsEndpoint("127.0.0.1").setStsPort(httpsPort)
                .setCloudwatchEndpoint("127.0.0.1").setCloudwatchPort(httpsPort)
                .setVerifyCertificate(false)
                .setCredentialsProvider(AwsClients.credentials())
                .setMetricsLevel("none")
                .setAggregationEnabled(true)
                .setRateLimit(RATE_LIMIT_PERCENT)
                // -Dkpl.logLevel=info shows what the native process does (its calls, shard map, retries).
                .setLogLevel(System.getProperty("kpl.logLevel", "warning"));
        producer = new KinesisProducer(config);
    }

    @Override
    public void run(int count, @Nullable Histogram latencies) throws Exception {
        CountDownLatch done = new CountDownLatch(count);
        FutureCallback<UserRecordResult> callback = new FutureCallback<>() {
            @Override
            public void onSuccess(UserRecordResult result) {
                check(result, null);
                done.countDown();
            }

            @Override
            public void onFailure(Throwable t) {
                check(t instanceof UserRecordFailedException ? ((UserRecordFailedException) t).getResult() : null, t);
                done.countDown();
            }
        };
        for (int i = 0; i < count; i++) {
            if (producer.getOutstandingRecordsCount() > MAX_OUTSTANDING_RECORDS) {
                long w0 = System.nanoTime();
                do {
                    LockSupport.parkNanos(BACKPRESSURE_PARK_NANOS);
                } while (producer.getOutstandingRecordsCount() > MAX_OUTSTANDING_RECORDS);
                waitedNanos += System.nanoTime() - w0;
            }
            BenchEvents.RawEnvelope e = events.envelope(next++);
            long t0 = latencies == null ? 0 : System.nanoTime();
            ListenableFuture<UserRecordResult> f = producer.addUserRecord(AwsClients.STREAM, e.data().userId(),
                    ByteBuffer.wrap(writer.writeValueAsBytes(e)));
            if (latencies != null) {
                latencies.recordValue(System.nanoTime() - t0);
            }
            Futures.addCallback(f, callback, MoreExecutors.directExecutor());
        }
        producer.flushSync();
        // flushSync returns once no record is outstanding; a future's callback may still be running.
        if (!done.await(CALLBACK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " of " + count + " futures still open after flushSync");
        }
        if (failed.get() != 0 || retried.get() != 0) {
            throw new IllegalStateException(failed.get() + " records failed, " + retried.get() + " retried; first: " + firstProblem.get());
        }
    }

    private void check(@Nullable UserRecordResult result, @Nullable Throwable error) {
        boolean ok = error == null && result != null && result.isSuccessful();
        int attempts = result == null ? 0 : result.getAttempts().size();
        if (!ok) {
            failed.incrementAndGet();
        } else if (attempts > 1) {
            retried.incrementAndGet();
        }
        if (!ok || attempts > 1) {
            StringBuilder why = new StringBuilder(error == null ? "" : error.toString());
            if (result != null) {
                for (Attempt a : result.getAttempts()) {
                    why.append(" [").append(a.getErrorCode()).append(": ").append(a.getErrorMessage()).append(']');
                }
            }
            firstProblem.compareAndSet(null, why.toString());
        }
    }

    @Override
    public long waitedNanos() {
        return waitedNanos;
    }

    /** Primed once the endpoint saw aggregated records: before the KPL has its shard map it sends each event alone. */
    @Override
    public boolean primed(EndpointStats sinceStart) {
        return sinceStart.aggregatedRecords() > 0;
    }

    @Override
    public void close() {
        producer.flushSync();
        producer.destroy();
    }
}
