/**
 * Implementation; not API, may change without notice: the decoder of KPL aggregated records that
 * {@code FakeKinesis} uses to read back the events a sink wrote.
 */
@NullMarked
package dev.twinstream.testkit.internal;

import org.jspecify.annotations.NullMarked;
