package dev.twinstream.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where accepted events wait until every sink has them: the event log shared by all sinks, bounded
 * in bytes, with an {@link OverflowPolicy} for when it is full. Immutable; every method returns a
 * new value. Validated when the tracker is built.
 *
 * <p>{@link #memory()} keeps events in memory: fast, but a crash or a {@code close()} that times out
 * loses what was not yet delivered (counted as {@link DropReason#CLOSED_BEFORE_DELIVERY} on close).
 *
 * <p>{@link #disk(Path)} also writes every accepted event to append-only segment files in a
 * directory and keeps one checkpoint per sink, so events survive a crash or a restart of the
 * process and each sink resumes where it stopped. An event is <em>accepted</em> when
 * {@code track()} returns and <em>durable</em> once the {@link FsyncPolicy} forced it to storage
 * ({@link EventTracker#trackDurable(Object)} waits for that). {@link #maxBytes(long)} bounds its
 * segment files on disk and {@link #memoryBytes(long)} the newest events it also keeps in memory;
 * a backlog beyond that window is read back from the files, so memory stays bounded however long
 * a sink is down. A disk journal supports the {@link OverflowPolicy#block block} and
 * {@link OverflowPolicy#dropNewest() dropNewest} policies (dropping the oldest would delete events
 * already written to disk). See {@code docs/JOURNAL.md} for the format and the guarantees.
 */
public final class Journal {

    /** Default capacity of the memory journal: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /** Smallest allowed capacity: 64 KiB. */
    public static final long MIN_MAX_BYTES = 64L * 1024;
    /** Largest allowed capacity: 1 TiB. */
    public static final long MAX_MAX_BYTES = 1L << 40;
    /** Default overflow policy: block the caller for at most one second. */
    public static final OverflowPolicy DEFAULT_OVERFLOW = OverflowPolicy.block(Duration.ofSeconds(1));
    /** Default size at which the disk journal starts a new segment file: 16 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;
    /** Smallest segment size: 64 KiB. */
    public static final long MIN_SEGMENT_BYTES = 64L * 1024;
    /** Largest segment size: 1 GiB (recovery reads one segment at a time into memory). */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;
    /** Default memory window of the disk journal: 8 MiB. */
    public static final long DEFAULT_MEMORY_BYTES = 8L * 1024 * 1024;
    /** Smallest memory window of the disk journal: 64 KiB. */
    public static final long MIN_MEMORY_BYTES = 64L * 1024;
    /** Largest memory window of the disk journal: 1 GiB. */
    public static final long MAX_MEMORY_BYTES = 1L << 30;
    /** Default longest wait of {@link EventTracker#trackDurable(Object)}: 10 s. */
    public static final Duration DEFAULT_DURABLE_TIMEOUT = Duration.ofSeconds(10);
    /** {@link #perSinkQuotaBytes(long)} value meaning "no quota beyond {@link #maxBytes()}". */
    public static final long NO_QUOTA = Long.MAX_VALUE;

    /** Storage kinds. */
    public enum Kind {
        /** Bounded in-memory log. */
        MEMORY,
        /** Append-only segment files with per-sink checkpoints, plus the in-memory index. */
        DISK
    }

    private final Kind kind;
    private final @Nullable Path directory;
    private final long maxBytes;
    private final OverflowPolicy overflow;
    private final @Nullable FsyncPolicy fsync;
    private final long segmentBytes;
    private final long perSinkQuotaBytes;
    private final Duration durableTimeout;
    private final long memoryBytes;

    private Journal(Kind kind, @Nullable Path directory, long maxBytes, OverflowPolicy overflow, @Nullable FsyncPolicy fsync,
                    long segmentBytes, long perSinkQuotaBytes, Duration durableTimeout, long memoryBytes) {
        this.kind = kind;
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.overflow = overflow;
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
        this.perSinkQuotaBytes = perSinkQuotaBytes;
        this.durableTimeout = durableTimeout;
        this.memoryBytes = memoryBytes;
    }

    /** {@return an in-memory journal of {@link #DEFAULT_MAX_BYTES} with {@link #DEFAULT_OVERFLOW}} */
    public static Journal memory() {
        return new Journal(Kind.MEMORY, null, DEFAULT_MAX_BYTES, DEFAULT_OVERFLOW, null, DEFAULT_SEGMENT_BYTES,
                NO_QUOTA, DEFAULT_DURABLE_TIMEOUT, DEFAULT_MEMORY_BYTES);
    }

    /**
     * A disk journal in {@code directory} (created if missing, with owner-only permissions where the
     * file system supports POSIX permissions): {@link #DEFAULT_MAX_BYTES}, {@link #DEFAULT_OVERFLOW},
     * {@link FsyncPolicy#always()}, segments of {@link #DEFAULT_SEGMENT_BYTES}. One tracker at a time
     * may use a directory; {@code build()} refuses a second one.
     *
     * @param directory the journal's directory
     * @return the journal
     */
    public static Journal disk(Path directory) {
        return new Journal(Kind.DISK, Objects.requireNonNull(directory, "directory"), DEFAULT_MAX_BYTES, DEFAULT_OVERFLOW,
                FsyncPolicy.always(), DEFAULT_SEGMENT_BYTES, NO_QUOTA, DEFAULT_DURABLE_TIMEOUT, DEFAULT_MEMORY_BYTES);
    }

    /**
     * The same journal with a different capacity. A memory journal counts what the events it holds
     * take on the heap: their encoded payloads plus 256 bytes per event for the record around them,
     * so that many small events cannot take more heap than this; leave room beside it for the
     * batches in flight and what the sinks' SDK clients copy. A disk journal counts its segment
     * files: each event's payloads plus its frame (about 100 bytes of ids, keys and fields), and
     * delivered events until their segment is deleted (segments are at most a quarter of the
     * capacity).
     *
     * @param maxBytes the capacity, {@link #MIN_MAX_BYTES} to {@link #MAX_MAX_BYTES}
     * @return the same journal with this capacity
     */
    public Journal maxBytes(long maxBytes) {
        return new Journal(kind, directory, maxBytes, overflow, fsync, segmentBytes, perSinkQuotaBytes, durableTimeout, memoryBytes);
    }

    /**
     * The same disk journal with a different memory window: the most bytes of recent events (their
     * payloads plus about 256 bytes each) it also keeps in memory, so sinks that keep up never read
     * the files. Older events stay on disk only and a sink that falls behind reads them back. The
     * journal's memory is bounded by about twice this window (the window, plus the framed copies of
     * its events not yet forced) and the sinks' in-flight batches, whatever the backlog. {@link #MIN_MEMORY_BYTES} to {@link #MAX_MEMORY_BYTES}; default {@link #DEFAULT_MEMORY_BYTES};
     * a memory journal refuses it at {@code build()} (it keeps everything in memory, up to {@link #maxBytes()}).
     *
     * @param memoryBytes the window
     * @return the same journal with this window
     */
    public Journal memoryBytes(long memoryBytes) {
        return new Journal(kind, directory, maxBytes, overflow, fsync, segmentBytes, perSinkQuotaBytes, durableTimeout,
                memoryBytes);
    }

    /**
     * The same journal with a different overflow policy.
     *
     * @param overflow what {@code track()} does when the journal is full
     * @return the same journal with this overflow policy
     */
    public Journal overflow(OverflowPolicy overflow) {
        return new Journal(kind, directory, maxBytes, Objects.requireNonNull(overflow, "overflow"), fsync, segmentBytes,
                perSinkQuotaBytes, durableTimeout, memoryBytes);
    }

    /**
     * The same disk journal with a different fsync policy; a memory journal refuses it at {@code build()}.
     *
     * @param fsync when the journal forces what it wrote
     * @return the same journal with this fsync policy
     */
    public Journal fsync(FsyncPolicy fsync) {
        return new Journal(kind, directory, maxBytes, overflow, Objects.requireNonNull(fsync, "fsync"), segmentBytes,
                perSinkQuotaBytes, durableTimeout, memoryBytes);
    }

    /**
     * The same disk journal with a different segment file size ({@link #MIN_SEGMENT_BYTES} to
     * {@link #MAX_SEGMENT_BYTES}).
     *
     * @param segmentBytes the size at which a new segment file starts
     * @return the same journal with this segment size
     */
    public Journal segmentBytes(long segmentBytes) {
        return new Journal(kind, directory, maxBytes, overflow, fsync, segmentBytes, perSinkQuotaBytes, durableTimeout, memoryBytes);
    }

    /**
     * The same journal with a per-sink quota: the most payload bytes one sink may hold pending (not
     * yet delivered, dead-lettered or dropped) in the journal, so a sink that is down cannot take the
     * whole journal from the others. An event that would take a sink over its quota is dropped for
     * that sink only ({@link DropReason#SINK_QUOTA_EXCEEDED}), whatever the overflow policy; its
     * other sinks still get it. Between {@link #MIN_MAX_BYTES} and {@link #maxBytes()}; default none.
     *
     * @param perSinkQuotaBytes the quota, or {@link #NO_QUOTA}
     * @return the same journal with this quota
     */
    public Journal perSinkQuotaBytes(long perSinkQuotaBytes) {
        return new Journal(kind, directory, maxBytes, overflow, fsync, segmentBytes, perSinkQuotaBytes, durableTimeout, memoryBytes);
    }

    /**
     * How long {@link EventTracker#trackDurable(Object)} waits for the force (1 ms to 1 h).
     *
     * @param durableTimeout the longest wait
     * @return the same journal with this durable timeout
     */
    public Journal durableTimeout(Duration durableTimeout) {
        return new Journal(kind, directory, maxBytes, overflow, fsync, segmentBytes, perSinkQuotaBytes,
                Objects.requireNonNull(durableTimeout, "durableTimeout"), memoryBytes);
    }

    /** {@return the storage kind} */
    public Kind kind() {
        return kind;
    }

    /** {@return the directory of a disk journal; empty for a memory journal} */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** {@return the capacity in bytes: the sum of the distinct encoded payloads of the events held} */
    public long maxBytes() {
        return maxBytes;
    }

    /** {@return what {@code track()} does when the journal is full} */
    public OverflowPolicy overflow() {
        return overflow;
    }

    /**
     * {@return the fsync policy of a disk journal; empty for a memory journal unless one was set
     * (which {@code build()} refuses)}
     */
    public Optional<FsyncPolicy> fsync() {
        return Optional.ofNullable(fsync);
    }

    /** {@return the segment file size of a disk journal} */
    public long segmentBytes() {
        return segmentBytes;
    }

    /** {@return the per-sink quota in bytes, or {@link #NO_QUOTA}} */
    public long perSinkQuotaBytes() {
        return perSinkQuotaBytes;
    }

    /** {@return the memory window of a disk journal} */
    public long memoryBytes() {
        return memoryBytes;
    }

    /** {@return the longest wait of {@link EventTracker#trackDurable(Object)}} */
    public Duration durableTimeout() {
        return durableTimeout;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Journal{").append(kind);
        if (directory != null) {
            sb.append(", directory=").append(directory);
        }
        sb.append(", maxBytes=").append(maxBytes).append(", overflow=").append(overflow);
        if (fsync != null) {
            sb.append(", fsync=").append(fsync).append(", segmentBytes=").append(segmentBytes)
                    .append(", memoryBytes=").append(memoryBytes);
        }
        if (perSinkQuotaBytes != NO_QUOTA) {
            sb.append(", perSinkQuotaBytes=").append(perSinkQuotaBytes);
        }
        return sb.append('}').toString();
    }
}
