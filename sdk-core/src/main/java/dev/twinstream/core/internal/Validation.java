package dev.twinstream.core.internal;

import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.SinkLimits;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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

    /** A batch limit: {@link SinkOptions#SINK_LIMIT}, or between 1 and the sink's own limit. */
    private void batchLimit(String field, long value, long sinkLimit) {
        if (value == SinkOptions.SINK_LIMIT) {
            return;
        }
        if (value < 0) {
            violations.add(field + " must be between 1 and " + sinkLimit + " but was " + value
                    + " (or 0, SinkOptions.SINK_LIMIT, for the sink's own limit)");
        } else {
            range(field, value, 1, sinkLimit);
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
            if (journal.memoryBytes() != Journal.DEFAULT_MEMORY_BYTES) {
                violations.add(prefix + ".memoryBytes: only a disk journal has a memory window (a memory journal keeps "
                        + "every event in memory, bounded by maxBytes) but a memory journal was given " + journal.memoryBytes());
            }
            if (journal.segmentBytes() != Journal.DEFAULT_SEGMENT_BYTES) {
                violations.add(prefix + ".segmentBytes: only a disk journal has segments but a memory journal was given "
                        + journal.segmentBytes());
            }
            return;
        }
        range(prefix + ".segmentBytes", journal.segmentBytes(), Journal.MIN_SEGMENT_BYTES, Journal.MAX_SEGMENT_BYTES);
        range(prefix + ".memoryBytes", journal.memoryBytes(), Journal.MIN_MEMORY_BYTES, Journal.MAX_MEMORY_BYTES);
        if (journal.overflow().kind() == OverflowPolicy.Kind.DROP_OLDEST) {
            violations.add(prefix + ".overflow: a disk journal supports block(timeout) and dropNewest() but was given "
                    + journal.overflow() + ", which would delete events already written to disk (and perhaps confirmed durable)");
        }
        journal.directory().ifPresent(dir -> directory(prefix + ".directory", dir));
        journal.fsync().ifPresent(f -> {
            if (f.kind() == dev.twinstream.core.FsyncPolicy.Kind.INTERVAL) {
                duration(prefix + ".fsync.interval", f.interval(), Duration.ofMillis(1), Duration.ofHours(1));
            }
        });
    }

    /**
     * A journal directory must be a directory, or not exist yet under an existing directory (it is
     * created, with its missing parents). Problems the file system reports only when the directory is
     * created (permissions, a read-only volume) are reported by {@code build()} then.
     */
    private void directory(String field, Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            violations.add(field + ": " + dir + " is not a directory");
            return;
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                return;
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                violations.add(field + ": cannot create " + dir + " because " + p + " is not a directory");
                return;
            }
        }
    }

    /**
     * Checks one sink's options against the limits the sink declares. A batch limit of
     * {@link SinkOptions#SINK_LIMIT} (0) means the sink's own; any other value must lie between 1
     * and the sink's.
     */
    public void sinkOptions(String prefix, SinkOptions options, SinkLimits limits) {
        batchLimit(prefix + ".maxBatchRecords", options.maxBatchRecords(), limits.maxRecordsPerBatch());
        batchLimit(prefix + ".maxBatchBytes", options.maxBatchBytes(), limits.maxBytesPerBatch());
        if (!options.linger().equals(SinkOptions.SINK_DEFAULT_LINGER)) {
            duration(prefix + ".linger", options.linger(), Duration.ZERO, Duration.ofMinutes(1));
        }
        range(prefix + ".maxInFlightRequests", options.maxInFlightRequests(), 1, 64);
        if (options.retry() != null) {
            retry(prefix + ".retry", options.retry());
        }
    }
}
