package dev.twinstream.testkit;

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
     * @param sink the sink to check
     * @return the assertion
     */
    public static InMemorySinkAssert assertThat(InMemorySink sink) {
        return new InMemorySinkAssert(sink);
    }

    /**
     * Starts assertions on what a {@link FakeFirehose} received and delivered.
     *
     * @param firehose the fake to check
     * @return the assertion
     */
    public static FakeFirehoseAssert assertThat(FakeFirehose firehose) {
        return new FakeFirehoseAssert(firehose);
    }

    /**
     * Starts assertions on a tracker's metrics, such as conservation.
     *
     * @param metrics the snapshot to check
     * @return the assertion
     */
    public static TrackerMetricsAssert assertThat(dev.twinstream.core.TrackerMetrics metrics) {
        return new TrackerMetricsAssert(metrics);
    }

    /** Starts assertions on a {@link FakeKinesis}; pick the stream with {@code .stream(name)}. */
    public static FakeKinesisAssert assertThat(FakeKinesis kinesis) { return new FakeKinesisAssert(kinesis); }
}
