package dev.twinstream.testkit;

import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.firehose.FakeFirehoseAssert;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.kinesis.FakeKinesisAssert;
import org.jspecify.annotations.Nullable;

/**
 * Entry points for Twinstream's AssertJ assertions. Import statically next to AssertJ's own:
 *
 * <pre>{@code
 * import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
 *
 * assertThat(sink).hasReceivedEvents(3).hasNoDuplicateEventIds();
 * }</pre>
 */
public final class TwinstreamAssertions {

    private TwinstreamAssertions() {}

    /**
     * Starts assertions on what {@code sink} received.
     *
     * @param sink the sink to check, or null (its assertions then fail)
     * @return the assertion
     */
    public static InMemorySinkAssert assertThat(@Nullable InMemorySink sink) {
        return new InMemorySinkAssert(sink);
    }

    /**
     * Starts assertions on what a {@link FakeFirehose} received and delivered.
     *
     * @param firehose the fake to check, or null (its assertions then fail)
     * @return the assertion
     */
    public static FakeFirehoseAssert assertThat(@Nullable FakeFirehose firehose) {
        return new FakeFirehoseAssert(firehose);
    }

    /**
     * Starts assertions on a tracker's metrics, such as conservation.
     *
     * @param metrics the snapshot to check, or null (its assertions then fail)
     * @return the assertion
     */
    public static TrackerMetricsAssert assertThat(dev.twinstream.core.@Nullable TrackerMetrics metrics) {
        return new TrackerMetricsAssert(metrics);
    }

    /**
     * Starts assertions on a {@link FakeKinesis}; pick the stream with {@code .stream(name)}.
     *
     * @param kinesis the fake to check, or null (its assertions then fail)
     * @return the assertion
     */
    public static FakeKinesisAssert assertThat(@Nullable FakeKinesis kinesis) {
        return new FakeKinesisAssert(kinesis);
    }
}
