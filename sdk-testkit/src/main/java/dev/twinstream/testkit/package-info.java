/**
 * Test support for Twinstream: virtual time ({@link dev.twinstream.testkit.ManualClock},
 * {@link dev.twinstream.testkit.VirtualScheduler}), an in-memory sink with deterministic fault
 * injection ({@link dev.twinstream.testkit.InMemorySink}), AssertJ assertions
 * ({@link dev.twinstream.testkit.TwinstreamAssertions}) and the suite every sink implementation
 * passes ({@link dev.twinstream.testkit.SinkCompatibilityKit}, with
 * {@link dev.twinstream.testkit.TestBatches} to build batches). Needs no AWS SDK.
 *
 * <p>The in-memory fakes of the AWS clients are in {@link dev.twinstream.testkit.kinesis} and
 * {@link dev.twinstream.testkit.firehose}, each needing its optional AWS service module.
 */
@NullMarked
package dev.twinstream.testkit;

import org.jspecify.annotations.NullMarked;
