package dev.twinstream.benchmarks.compare;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/** {@link RawContender} with {@code KinesisAsyncClient.putRecords}: one record per event, the envelope as its data. */
final class RawKinesisContender extends RawContender<PutRecordsRequestEntry> {
    private final KinesisAsyncClient client;

    /**
     * @param httpPort the endpoint's plain HTTP port
     * @param inFlight the most calls outstanding at once
     */
    RawKinesisContender(int httpPort, int inFlight) {
        super(inFlight);
        this.client = AwsClients.kinesis(httpPort);
    }

    @Override
    PutRecordsRequestEntry entry(String partitionKey, byte[] json) {
        return PutRecordsRequestEntry.builder().partitionKey(partitionKey).data(SdkBytes.fromByteArrayUnsafe(json)).build();
    }

    @Override
    CompletableFuture<Integer> send(List<PutRecordsRequestEntry> batch) {
        return client.putRecords(PutRecordsRequest.builder().streamName(AwsClients.STREAM).records(batch).build())
                .thenApply(r -> r.failedRecordCount() == null ? 0 : r.failedRecordCount());
    }

    /** Nothing: the SDK client dies with the JVM (closing it idles 2 s in Netty's graceful shutdown). */
    @Override
    public void close() {
        // The client's threads are daemons; ContenderMain exits the JVM.
    }
}
