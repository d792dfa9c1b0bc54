/**
 * Binds a Twinstream tracker's metrics to a Micrometer {@code MeterRegistry}:
 * {@link dev.twinstream.micrometer.TwinstreamMetrics} is a {@code MeterBinder} that publishes every
 * figure of {@link dev.twinstream.core.TrackerMetrics} (per sink, per destination and tracker-wide)
 * without adding work to {@code track()}. See {@code docs/MICROMETER.md} for the meters. Everything
 * here is non-null unless annotated {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.micrometer;
