package dev.twinstream.benchmarks.compare;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * {@link RawContender} with {@code FirehoseAsyncClient.putRecordBatch}: one record per event, the
 * envelope plus a newline (what makes Firehose's concatenated S3 objects readable as JSON lines, as
 * the tracker's format ends each event).
 */
final class RawFirehoseContender extends RawContender<Record> {
    private final FirehoseAsyncClient client;

    /**
     * @param httpPort the endpoint's plain HTTP port
     * @param inFlight the most calls outstanding at once
     */
    RawFirehoseContender(int httpPort, int inFlight) {
        super(inFlight);
        this.client = AwsClients.firehose(httpPort);
    }

    @Override
    Record entry(String partitionKey, byte[] json) {
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return Record.builder().data(SdkBytes.fromByteArrayUnsafe(line)).build();
    }

    @Override
    CompletableFuture<Integer> send(List<Record> batch) {
        return client.putRecordBatch(PutRecordBatchRequest.builder().deliveryStreamName(AwsClients.STREAM).records(batch).build())
                .thenApply(r -> r.failedPutCount() == null ? 0 : r.failedPutCount());
    }

    /** Nothing: the SDK client dies with the JVM (closing it idles 2 s in Netty's graceful shutdown). */
    @Override
    public void close() {
        // The client's threads are daemons; ContenderMain exits the JVM.
    }
}
