package dev.twinstream.core.internal;

import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.SinkLimits;
import java.time.Duration;
import java.util.List;

/**
 * Collects configuration violations as "field must be between A and B but was C", so
 * {@code build()} can report all of them in one {@link dev.twinstream.core.ConfigurationException}.
 */
public final class Validation {
    private final List<String> violations;

    /** Collects into {@code violations}. */
    public Validation(List<String> violations) {
        this.violations = violations;
    }

    /** {@code field} must lie in {@code [min, max]}. */
    public void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            violations.add(field + " must be between " + min + " and " + max + " but was " + value);
        }
    }

    /** {@code field} must lie in {@code [min, max]}. */
    public void duration(String field, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            violations.add(field + " must be between " + min + " and " + max + " but was " + value);
        }
    }

    /** Checks a retry policy's delays, attempts and delivery timeout. */
    public void retry(String prefix, RetryPolicy retry) {
        duration(prefix + ".baseDelay", retry.baseDelay(), Duration.ofMillis(1), Duration.ofHours(1));
        duration(prefix + ".maxDelay", retry.maxDelay(), retry.baseDelay(), Duration.ofHours(1));
        range(prefix + ".maxAttempts", retry.maxAttempts(), 1, RetryPolicy.UNLIMITED_ATTEMPTS);
        retry.deliveryTimeout().ifPresent(t ->
                duration(prefix + ".deliveryTimeout", t, Duration.ofMillis(1), Duration.ofDays(7)));
    }

    /** Checks a journal's capacity, its BLOCK timeout, quota and the disk settings. */
    public void journal(String prefix, Journal journal) {
        range(prefix + ".maxBytes", journal.maxBytes(), Journal.MIN_MAX_BYTES, Journal.MAX_MAX_BYTES);
        if (journal.overflow().kind() == OverflowPolicy.Kind.BLOCK) {
            duration(prefix + ".overflow.timeout", journal.overflow().timeout(), Duration.ZERO, Duration.ofHours(1));
        }
        if (journal.perSinkQuotaBytes() != Journal.NO_QUOTA) {
            range(prefix + ".perSinkQuotaBytes", journal.perSinkQuotaBytes(), Journal.MIN_MAX_BYTES,
                    Math.max(Journal.MIN_MAX_BYTES, journal.maxBytes()));
        }
        duration(prefix + ".durableTimeout", journal.durableTimeout(), Duration.ofMillis(1), Duration.ofHours(1));
        if (journal.kind() == Journal.Kind.MEMORY) {
            journal.fsync().ifPresent(f -> violations.add(prefix + ".fsync: only a disk journal has an fsync policy "
                    + "but a memory journal was given " + f));
            if (journal.segmentBytes() != Journal.DEFAULT_SEGMENT_BYTES) {
                violations.add(prefix + ".segmentBytes: only a disk journal has segments but a memory journal was given "
                        + journal.segmentBytes());
            }
            return;
        }
        range(prefix + ".segmentBytes", journal.segmentBytes(), Journal.MIN_SEGMENT_BYTES, Journal.MAX_SEGMENT_BYTES);
        journal.fsync().ifPresent(f -> {
            if (f.kind() == dev.twinstream.core.FsyncPolicy.Kind.INTERVAL) {
                duration(prefix + ".fsync.interval", f.interval(), Duration.ofMillis(1), Duration.ofHours(1));
            }
        });
    }

    /** Checks one sink's options against the limits the sink declares. */
    public void sinkOptions(String prefix, SinkOptions options, SinkLimits limits) {
        if (options.maxBatchRecords() != SinkOptions.SINK_LIMIT) {
            range(prefix + ".maxBatchRecords", options.maxBatchRecords(), 1, limits.maxRecordsPerBatch());
        }
        if (options.maxBatchBytes() != SinkOptions.SINK_LIMIT) {
            range(prefix + ".maxBatchBytes", options.maxBatchBytes(), 1, limits.maxBytesPerBatch());
        }
        duration(prefix + ".linger", options.linger(), Duration.ZERO, Duration.ofMinutes(1));
        range(prefix + ".maxInFlightRequests", options.maxInFlightRequests(), 1, 64);
        if (options.retry() != null) {
            retry(prefix + ".retry", options.retry());
        }
    }
}
