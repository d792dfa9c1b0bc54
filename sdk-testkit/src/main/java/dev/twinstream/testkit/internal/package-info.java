/**
 * Implementation; not API, may change without notice, not exported by the module: what the
 * testkit's fakes share ({@code FaultPlan}, the fault state of {@code InMemorySink},
 * {@code FakeKinesis} and {@code FakeFirehose}; {@code Durations}) and the decoder of KPL aggregated
 * records that {@code FakeKinesis} uses to read back the events a sink wrote. Public only because
 * the fakes live in sibling packages.
 */
@NullMarked
package dev.twinstream.testkit.internal;

import org.jspecify.annotations.NullMarked;
