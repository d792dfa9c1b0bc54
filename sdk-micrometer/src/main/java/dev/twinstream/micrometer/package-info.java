/** Binds a Twinstream tracker's metrics to a Micrometer {@code MeterRegistry}. */
package dev.twinstream.micrometer;
