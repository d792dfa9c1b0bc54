package dev.twinstream.core;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A minimal sink for sdk-core's own tests (sdk-testkit, which has the real InMemorySink, depends on sdk-core). */
final class CollectingSink implements Sink {
    private final SinkLimits limits;
    final List<String> payloads = new ArrayList<>();
    final List<String> routingKeys = new ArrayList<>();
    final List<String> partitionKeys = new ArrayList<>();
    final List<Integer> batchSizes = new ArrayList<>();

    CollectingSink(SinkLimits limits) {
        this.limits = limits;
    }

    CollectingSink() {
        this(SinkLimits.of(500, 4 * 1024 * 1024, 1024 * 1000));
    }

    @Override
    public SinkLimits limits() {
        return limits;
    }

    @Override
    public synchronized CompletionStage<BatchResult> send(SinkBatch batch) {
        batchSizes.add(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            payloads.add(new String(batch.payload(i), StandardCharsets.UTF_8));
            routingKeys.add(batch.routingKey(i));
            partitionKeys.add(batch.partitionKey(i));
        }
        return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
    }

    synchronized List<String> payloads() {
        return new ArrayList<>(payloads);
    }

    synchronized List<String> routingKeys() {
        return new ArrayList<>(routingKeys);
    }

    synchronized List<Integer> batchSizes() {
        return new ArrayList<>(batchSizes);
    }

    synchronized List<String> partitionKeys() {
        return new ArrayList<>(partitionKeys);
    }
}
