package dev.twinstream.kinesis.internal;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.twinstream.core.Clock;
import dev.twinstream.core.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The stream's {@link ShardMap}, loaded with {@code ListShards} (all pages) and held in a Caffeine
 * async cache on the sink's {@link Clock} and {@link Scheduler}:
 * <ul>
 *   <li>the first {@link #get()} starts the load, and sends wait for it (asynchronously);
 *   <li>once the map is older than the refresh interval, the next {@code get} returns it at once
 *       and reloads it in the background ({@code refreshAfterWrite}); a failed reload keeps the
 *       old map;
 *   <li>{@link #refresh()} reloads now, when a put revealed a reshard; concurrent calls share one
 *       load;
 *   <li>a failed first load is not cached: the next {@code get} tries again.
 * </ul>
 */
public final class ShardMapCache {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMapCache.class);
    private static final String KEY = "stream";

    private final KinesisAsyncClient client;
    private final StreamId stream;
    private final AsyncLoadingCache<String, ShardMap> cache;

    /**
     * A cache for one stream; nothing is loaded until {@link #get()}.
     *
     * @param client the client to list the shards with
     * @param stream the stream
     * @param refreshInterval the age after which the map is reloaded
     * @param clock the clock of the map's age
     * @param scheduler runs the loads
     */
    public ShardMapCache(KinesisAsyncClient client, StreamId stream, Duration refreshInterval, Clock clock,
                         Scheduler scheduler) {
        this.client = client;
        this.stream = stream;
        this.cache = Caffeine.newBuilder()
                .ticker(clock::nanoTime)
                .executor(scheduler)
                .refreshAfterWrite(refreshInterval)
                .buildAsync((key, executor) -> load());
    }

    /** {@return the current map, loading it if there is none} */
    public CompletableFuture<ShardMap> get() {
        return cache.get(KEY);
    }

    /** Reloads the map now (for example after a put landed on an unexpected shard). */
    public void refresh() {
        cache.synchronous().refresh(KEY);
    }

    private CompletableFuture<ShardMap> load() {
        List<Shard> shards = new ArrayList<>();
        ListShardsRequest first = stream.apply(ListShardsRequest.builder()).build();
        return page(first, shards).thenApply(done -> {
            ShardMap map = ShardMap.of(shards);
            LOG.debug("Loaded the shard map of {}: {} open shards of {}", stream, map.size(), shards.size());
            return map;
        });
    }

    private CompletableFuture<@Nullable Void> page(ListShardsRequest request, List<Shard> into) {
        return client.listShards(request).thenCompose(response -> {
            into.addAll(response.shards());
            String next = response.nextToken();
            if (next == null || next.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            // With a NextToken the stream name must not be given again (ListShards API reference).
            return page(ListShardsRequest.builder().nextToken(next).build(), into);
        });
    }
}
