package dev.twinstream.samples.clickstream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisServiceClientConfiguration;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The real Kinesis client, with a tally of what Kinesis accepted: records, bytes, PUT payload units
 * and {@code PutRecords} calls, read from each response. The sink reports events, not Kinesis
 * records; against AWS or another endpoint this tally is the only place the aggregation ratio and
 * the bill can come from. It passes on only the calls {@code KinesisSink} makes.
 */
final class CountingKinesisClient implements KinesisAsyncClient {
    /** Kinesis bills PUT payload units of 25 KB (25,600 bytes) of data plus partition key per record. */
    static final int PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

    private final KinesisAsyncClient delegate;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();

    /** @param delegate the real client; the caller closes it */
    CountingKinesisClient(KinesisAsyncClient delegate) {
        this.delegate = delegate;
    }

    /** {@return the PUT payload units one record of {@code bytes} (data plus key) costs} */
    static long unitsOf(long bytes) {
        return Math.max(1, (bytes + PUT_PAYLOAD_UNIT_BYTES - 1) / PUT_PAYLOAD_UNIT_BYTES);
    }

    @Override
    public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
        return delegate.putRecords(request).whenComplete((response, error) -> {
            if (response == null) {
                return; // the call failed as a whole: nothing stored, nothing billed
            }
            calls.incrementAndGet();
            List<PutRecordsRequestEntry> sent = request.records();
            List<PutRecordsResultEntry> results = response.records();
            for (int i = 0; i < results.size() && i < sent.size(); i++) {
                if (results.get(i).errorCode() == null) {
                    PutRecordsRequestEntry entry = sent.get(i);
                    long size = entry.data().asByteArrayUnsafe().length
                            + entry.partitionKey().getBytes(StandardCharsets.UTF_8).length;
                    records.incrementAndGet();
                    bytes.addAndGet(size);
                    units.addAndGet(unitsOf(size));
                }
            }
        });
    }

    @Override
    public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
        return delegate.listShards(request);
    }

    @Override
    public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest request) {
        return delegate.describeStreamSummary(request);
    }

    @Override
    public KinesisServiceClientConfiguration serviceClientConfiguration() {
        return delegate.serviceClientConfiguration(); // the sink checks that SDK retries are off
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        // The delegate is closed by whoever built it.
    }

    /** {@return the Kinesis records accepted (an aggregated record counts once)} */
    long records() {
        return records.get();
    }

    /** {@return the bytes accepted, data plus partition keys} */
    long bytes() {
        return bytes.get();
    }

    /** {@return the PUT payload units of the accepted records} */
    long putPayloadUnits() {
        return units.get();
    }

    /** {@return the {@code PutRecords} calls that were answered} */
    long putCalls() {
        return calls.get();
    }
}
