/**
 * The Twinstream API: {@link dev.twinstream.core.EventTracker} accepts typed events
 * ({@link dev.twinstream.core.EventType}), keeps them in a {@link dev.twinstream.core.Journal}
 * and delivers each to its sinks with per-sink {@link dev.twinstream.core.SinkOptions} (record
 * format, batching, {@link dev.twinstream.core.RetryPolicy}); {@link dev.twinstream.core.DeliveryListener},
 * dead letters and {@link dev.twinstream.core.TrackerMetrics} report what happened. Everything here is
 * non-null unless annotated {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core;
