/**
 * An in-memory Amazon Data Firehose for tests: {@link dev.twinstream.testkit.firehose.FakeFirehose}
 * implements {@code FirehoseAsyncClient} with the service's limits and exceptions, buffers records
 * into S3-like objects ({@link dev.twinstream.testkit.firehose.DeliveredObject}, optionally also
 * written to a local directory), counts billed bytes ({@link dev.twinstream.testkit.firehose.StreamStats})
 * and injects seeded faults; assertions in {@link dev.twinstream.testkit.firehose.FakeFirehoseAssert}.
 *
 * <p>Needs the AWS SDK's {@code software.amazon.awssdk:firehose} on the test class path (module
 * {@code software.amazon.awssdk.services.firehose}), an optional dependency of the testkit;
 * {@code twinstream-firehose} brings it.
 */
@NullMarked
package dev.twinstream.testkit.firehose;

import org.jspecify.annotations.NullMarked;
