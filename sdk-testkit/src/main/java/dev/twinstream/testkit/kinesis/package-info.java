/**
 * An in-memory Amazon Kinesis Data Streams for tests: {@link dev.twinstream.testkit.kinesis.FakeKinesis}
 * implements {@code KinesisAsyncClient} with shards, sequence numbers, the service's limits and
 * exceptions, throughput metering, resharding, seeded fault injection and billing counters, and
 * reads back de-aggregated events ({@link dev.twinstream.testkit.kinesis.StoredEvent}); assertions
 * in {@link dev.twinstream.testkit.kinesis.FakeKinesisAssert}.
 *
 * <p>Needs the AWS SDK's {@code software.amazon.awssdk:kinesis} on the test class path (module
 * {@code software.amazon.awssdk.services.kinesis}), an optional dependency of the testkit;
 * {@code twinstream-kinesis} brings it.
 */
@NullMarked
package dev.twinstream.testkit.kinesis;

import org.jspecify.annotations.NullMarked;
