/**
 * Twinstream's Micrometer binder ({@link dev.twinstream.micrometer.TwinstreamMetrics}): publishes a
 * tracker's metrics to a Micrometer {@code MeterRegistry}.
 */
module dev.twinstream.micrometer {
    requires transitive dev.twinstream.core;
    requires transitive micrometer.core;
    requires static transitive org.jspecify;

    exports dev.twinstream.micrometer;
}
