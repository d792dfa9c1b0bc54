package dev.twinstream.testkit.kinesis;

import dev.twinstream.testkit.TwinstreamAssertions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;

/**
 * AssertJ assertions on one stream of a {@link FakeKinesis}. Start with
 * {@link TwinstreamAssertions#assertThat(FakeKinesis)} and pick the stream with {@link #stream(String)}
 * first. Events are counted after de-aggregation.
 */
public final class FakeKinesisAssert extends AbstractAssert<FakeKinesisAssert, FakeKinesis> {
    private @Nullable String stream;

    /**
     * Creates the assertion; use {@link TwinstreamAssertions#assertThat(FakeKinesis)} instead.
     *
     * @param actual the fake to check, or null (the assertions then fail)
     */
    public FakeKinesisAssert(@Nullable FakeKinesis actual) {
        super(actual, FakeKinesisAssert.class);
    }

    /**
     * Selects the stream the following assertions look at.
     *
     * @param name the stream name
     * @return this assertion
     */
    public FakeKinesisAssert stream(String name) {
        this.stream = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * Verifies that the stream holds exactly {@code n} events (after de-aggregation).
     *
     * @param n the expected number
     * @return this assertion
     */
    public FakeKinesisAssert hasReceivedEvents(long n) {
        isNotNull();
        int count = actual.eventCount(stream());
        if (count != n) {
            failWithMessage("Expected stream \"%s\" to hold %d events but it holds %d (in %d Kinesis records; per shard: %s)",
                    stream(), n, count, actual.recordCount(stream()), actual.eventsPerShard(stream()));
        }
        return this;
    }

    /**
     * Verifies that no payload is stored twice.
     *
     * @return this assertion
     */
    public FakeKinesisAssert hasNoDuplicatePayloads() {
        isNotNull();
        Map<String, Integer> seen = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (StoredEvent e : actual.events(stream())) {
            String key = e.dataAsUtf8();
            if (seen.merge(key, 1, Integer::sum) == 2 && duplicates.size() < 10) {
                duplicates.add(key.length() > 60 ? key.substring(0, 60) + "…" : key);
            }
        }
        if (!duplicates.isEmpty()) {
            failWithMessage("Expected no duplicate payloads in stream \"%s\" but found: %s", stream(), duplicates);
        }
        return this;
    }

    /**
     * Verifies that every event is stored on the shard its own partition key hashes to (what a
     * hash-range-checking consumer such as the KCL requires of aggregated records).
     *
     * @return this assertion
     */
    public FakeKinesisAssert hasEveryEventOnItsPartitionKeysShard() {
        isNotNull();
        List<String> wrong = new ArrayList<>();
        for (StoredEvent e : actual.events(stream())) {
            BigInteger[] range = actual.hashKeyRange(stream(), e.shardId());
            BigInteger h = md5(e.partitionKey());
            if ((h.compareTo(range[0]) < 0 || h.compareTo(range[1]) > 0) && wrong.size() < 10) {
                wrong.add(e.toString());
            }
        }
        if (!wrong.isEmpty()) {
            failWithMessage("Expected every event of stream \"%s\" on the shard of its partition key, but these are not: %s",
                    stream(), wrong);
        }
        return this;
    }

    /**
     * Verifies that events are spread over the shards that received any: no shard holds more than
     * {@code maxRatio} times the fewest events a shard holds. Closed shards with no events are ignored.
     *
     * @param maxRatio for example 1.5
     * @return this assertion
     */
    public FakeKinesisAssert hasEvenShardDistribution(double maxRatio) {
        isNotNull();
        Map<String, Integer> perShard = actual.eventsPerShard(stream());
        Collection<Integer> counts = new ArrayList<>(perShard.values());
        counts.removeIf(c -> c == 0);
        if (counts.isEmpty()) {
            failWithMessage("Expected events in stream \"%s\" but it holds none", stream());
            return this;
        }
        int min = Collections.min(counts);
        int max = Collections.max(counts);
        if (max > min * maxRatio) {
            failWithMessage("Expected events of stream \"%s\" spread evenly (max/min <= %s) but per shard: %s",
                    stream(), maxRatio, perShard);
        }
        return this;
    }

    private String stream() {
        if (stream == null) {
            throw new IllegalStateException("choose the stream first: assertThat(fake).stream(\"name\")");
        }
        return stream;
    }

    private static BigInteger md5(String key) {
        try {
            return new BigInteger(1, MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
