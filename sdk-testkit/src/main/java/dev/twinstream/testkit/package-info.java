/**
 * Test support for Twinstream: virtual time ({@link dev.twinstream.testkit.ManualClock},
 * {@link dev.twinstream.testkit.VirtualScheduler}), an in-memory sink with deterministic fault
 * injection ({@link dev.twinstream.testkit.InMemorySink}), in-memory fakes of the AWS clients
 * ({@link dev.twinstream.testkit.FakeFirehose}, {@link dev.twinstream.testkit.FakeKinesis}), AssertJ assertions
 * ({@link dev.twinstream.testkit.TwinstreamAssertions}) and the suite every sink implementation
 * passes ({@link dev.twinstream.testkit.SinkCompatibilityKit}, with
 * {@link dev.twinstream.testkit.TestBatches} to build batches).
 */
@NullMarked
package dev.twinstream.testkit;

import org.jspecify.annotations.NullMarked;
