package dev.twinstream.core.internal.journal;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.FsyncPolicy;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk journal's only writer: group commit of framed records, the seal trailer, the
 * checkpoint, and deleting segments every sink has passed.
 *
 * <p>Appenders frame each record into a shared buffer under the {@link DiskLog}'s monitor
 * ({@link #frame}: a copy and a CRC, no system call). One writer — the {@code twinstream-journal-N}
 * thread, or a test calling {@link #syncOnce} — takes the whole buffer, writes it, and forces it as
 * the {@link FsyncPolicy} says: under ALWAYS one force covers everything written since the last one.
 * The durable position advances only after a successful force. A failed write or force truncates
 * the file back to what was last forced and keeps the unforced data to write again; the writer
 * retries with backoff. Every cycle, failing or not, first writes the checkpoint if it is due and
 * deletes the segments it lets go, so space the journal frees itself is there for the retry.
 */
final class JournalWriter {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    /** Longest time commit positions wait to reach the checkpoint: what a crash can make sinks re-send. */
    static final long CHECKPOINT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Longest single park of the writer or a waiting caller, so a virtual clock's deadlines are noticed. */
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Park of an idle writer; appends and commits wake it earlier. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A chunk is closed at this size and the next frames start a new one: buffers grow by doubling,
     * and one large chunk would hold up to twice what it contains until it is forced.
     */
    static final int CHUNK_BYTES = 256 * 1024;

    private final DiskLog log;
    private final JournalStorage storage;
    private final Clock clock;
    private final FsyncPolicy.Kind fsync;
    private final long intervalNanos;
    /** Under INTERVAL, force early once this much is unforced: unforced records cannot leave memory. */
    private final long forceAtUnforcedBytes;
    private final String[] sinkNames;
    private final int[] slots;
    private final CheckpointFile checkpoint;
    /** Persists what belongs with each checkpoint (the delivery ledger), or null. */
    private volatile @Nullable CheckpointHook checkpointHook;

    // Append side: guarded by the log's monitor.
    private final CRC32 appendCrc = new CRC32();
    private final ArrayDeque<Chunk> sealed = new ArrayDeque<>();
    private @Nullable Chunk filling;
    /** The sequence number after the last framed record. */
    private volatile long bufferedEnd;

    // Writer side: guarded by writerLock.
    private final ReentrantLock writerLock = new ReentrantLock();
    private final ArrayDeque<Chunk> retry = new ArrayDeque<>();
    /** Written to the active file and not yet forced: written again after a failed force. */
    private final ArrayDeque<Chunk> unforced = new ArrayDeque<>();
    private JournalStorage.@Nullable JournalFile active;
    private @Nullable SegmentInfo activeInfo;
    private long activeSize;
    private long forcedSize;
    private boolean directoryDirty;
    private long takenEnd;
    private long lastForceNanos;
    private long lastCheckpointNanos;
    private boolean shutDown;

    // Progress: guarded by `progress`.
    private final Object progress = new Object();
    private long durableSeq;
    private long durableRecords;
    private long forces;
    private long forcedBytes;
    private long writeFailures;
    private volatile @Nullable IOException failure;
    private volatile boolean checkpointDirty;
    /** The last checkpoint write failed: its WARN was logged (writer side). */
    private boolean checkpointFailing;

    // The writer thread.
    private volatile @Nullable Thread thread;
    private volatile boolean parked;
    private volatile boolean stopping;

    JournalWriter(DiskLog log, JournalStorage storage, Clock clock, FsyncPolicy policy, long memoryBytes,
                  String[] sinkNames, int[] slots, long nextSeq, CheckpointFile checkpoint) {
        this.log = log;
        this.storage = storage;
        this.clock = clock;
        this.fsync = policy.kind();
        this.intervalNanos = policy.interval().toNanos();
        this.forceAtUnforcedBytes = Math.max(1, memoryBytes / 2);
        this.sinkNames = sinkNames;
        this.slots = slots;
        this.checkpoint = checkpoint;
        this.bufferedEnd = nextSeq;
        this.takenEnd = nextSeq;
        this.durableSeq = nextSeq;
        long now = clock.nanoTime();
        this.lastForceNanos = now;
        this.lastCheckpointNanos = now;
    }

    /** Runs {@code hook} before every checkpoint write from now on; set before the writer starts. */
    void checkpointHook(CheckpointHook hook) {
        this.checkpointHook = hook;
    }

    /** {@return the generation the next checkpoint write will have} */
    long nextCheckpointGeneration() {
        return checkpoint.generation() + 1;
    }

    /** Starts the writer thread. Without it, a caller must drive {@link #syncOnce}. */
    void start(ThreadFactory threadFactory) {
        Thread t = threadFactory.newThread(this::run);
        thread = t;
        t.start();
    }

    // ---------------------------------------------------------------------------------- appends

    /** Starts a new segment at the next framed record; under the log's monitor. */
    void startSegment(SegmentInfo segment) {
        if (filling != null) {
            sealed.add(filling);
        }
        filling = new Chunk(segment, segment.firstSeq);
    }

    /** Frames the record into the write buffer; under the log's monitor, in sequence order. */
    void frame(LogRecord r) {
        if (filling == null || filling.bytes.len >= CHUNK_BYTES) {
            if (filling != null) {
                sealed.add(filling);
            }
            filling = new Chunk(null, r.seq);
        }
        JournalFormat.writeFrame(filling.bytes, r, appendCrc);
        filling.endSeq = r.seq + 1;
        filling.records++;
        bufferedEnd = r.seq + 1;
        wake();
    }

    /** A commit moved: the checkpoint is due within {@link #CHECKPOINT_INTERVAL_NANOS}. */
    void commitMoved() {
        if (!checkpointDirty) {
            checkpointDirty = true;
            wake();
        }
    }

    private void wake() {
        if (parked) {
            parked = false;
            LockSupport.unpark(thread);
        }
    }

    // ---------------------------------------------------------------------------- the writer

    private void run() {
        long backoff = MIN_RETRY_NANOS;
        try {
            while (true) {
                boolean last = stopping;
                syncOnce(last);
                if (last) {
                    return;
                }
                long wait;
                if (failure != null) {
                    wait = backoff;
                    backoff = Math.min(MAX_RETRY_NANOS, backoff * 2);
                } else {
                    backoff = MIN_RETRY_NANOS;
                    wait = IDLE_PARK_NANOS;
                }
                parked = true;
                if (failure == null && (bufferedEnd != takenEnd || stopping)) {
                    parked = false;
                    continue;
                }
                LockSupport.parkNanos(this, Math.min(wait, nextDeadlineNanos()));
                parked = false;
            }
        } catch (RuntimeException | Error e) {
            LOG.error("Twinstream journal writer for {} stopped", storage.describe(), e);
            failure = new IOException("the journal writer stopped: " + e, e);
            throw e;
        }
    }

    /** Real nanos until the next INTERVAL force or checkpoint is due; a virtual clock is re-read each slice. */
    private long nextDeadlineNanos() {
        long now = clock.nanoTime();
        long next = Long.MAX_VALUE;
        if (fsync == FsyncPolicy.Kind.INTERVAL && bufferedEnd != durablePosition()) {
            next = Math.min(next, lastForceNanos + intervalNanos - now);
        }
        if (checkpointDirty) {
            next = Math.min(next, lastCheckpointNanos + CHECKPOINT_INTERVAL_NANOS - now);
        }
        return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, Math.min(next, MAX_PARK_NANOS));
    }

    /**
     * One writer cycle: checkpoint if due (and delete what it lets go), then write what was
     * appended and force if the policy says so.
     *
     * @param closing force and checkpoint regardless of intervals
     * @return false if an I/O error stopped the cycle (it is retried by the next one)
     */
    boolean syncOnce(boolean closing) {
        writerLock.lock();
        try {
            if (shutDown) {
                return true;
            }
            long now = clock.nanoTime();
            boolean checkpointed = checkpointIfDue(closing, now);
            ArrayDeque<Chunk> work = new ArrayDeque<>(retry);
            retry.clear();
            synchronized (log) {
                if (filling != null) {
                    sealed.add(filling);
                    filling = null;
                }
                work.addAll(sealed);
                sealed.clear();
                takenEnd = bufferedEnd;
            }
            try {
                long unforcedBytes = activeSize - forcedSize;
                while (!work.isEmpty()) {
                    Chunk c = work.peekFirst();
                    write(c);
                    work.pollFirst();
                    if (fsync == FsyncPolicy.Kind.NEVER) {
                        forcedSize = activeSize; // nothing is ever forced: what the OS has is all there is
                        publish(c.endSeq, c.records, 0, false);
                    } else {
                        unforced.add(c);
                        unforcedBytes += c.bytes.len;
                    }
                }
                boolean forceDue = fsync == FsyncPolicy.Kind.ALWAYS
                        || (fsync == FsyncPolicy.Kind.INTERVAL && (closing || now - lastForceNanos >= intervalNanos
                        || unforcedBytes >= forceAtUnforcedBytes));
                if (forceDue && !unforced.isEmpty()) {
                    forceActive();
                    lastForceNanos = now;
                }
            } catch (IOException e) {
                recoverFromFailure(work, e);
                return false;
            }
            if (failure != null) {
                synchronized (progress) {
                    failure = null;
                    progress.notifyAll();
                }
                LOG.info("Twinstream journal in {} writes again", storage.describe());
                log.writable();
            }
            return checkpointed;
        } finally {
            writerLock.unlock();
        }
    }

    /**
     * Writes the checkpoint if commits moved and it is due, then deletes the segments every sink
     * passed. If the checkpoint cannot be written (one not yet preallocated, on a full disk), those
     * segments are deleted all the same and the checkpoint is tried again at once, so the space goes
     * to it before the retried data: the checkpoint is never what keeps a full journal stuck. Until
     * a checkpoint lands, a crash only makes sinks re-send more (they start at the oldest segment
     * left), never lose.
     */
    private boolean checkpointIfDue(boolean closing, long now) {
        if (!checkpointDirty || !(closing || now - lastCheckpointNanos >= CHECKPOINT_INTERVAL_NANOS)) {
            return true;
        }
        checkpointDirty = false;
        CheckpointHook hook = checkpointHook;
        // The hook persists the ledger up to the positions it reads, before the checkpoint records
        // them: a crash between the two writes leaves a ledger newer than the checkpoint, never older.
        // A ledger frame carries the positions and the next generation, so when the hook wrote one
        // the checkpoint write is skipped: one write and one force less per cycle, and recovery reads
        // the frame's positions (newer generation) as it would the checkpoint's.
        CheckpointHook.Persisted read = hook != null
                ? hook.beforeCheckpoint(log::checkpointPositions, checkpoint.generation() + 1)
                : new CheckpointHook.Persisted(log.checkpointPositions(), false);
        long[] positions = read.positions;
        IOException failed;
        if (read.written) {
            failed = null;
            checkpointLanded(); // the positions are on disk: a failing episode of the slot ends here too
        } else {
            failed = writeCheckpoint(positions);
        }
        boolean deleted = deletePassedSegments(positions);
        if (failed != null && deleted) {
            failed = writeCheckpoint(positions);
        }
        if (failed != null) {
            checkpointFailed(failed, "");
            return false;
        }
        lastCheckpointNanos = now;
        return true;
    }

    /** Writes the checkpoint; returns the failure, or null once written (the first success after failures is logged). */
    private @Nullable IOException writeCheckpoint(long[] positions) {
        try {
            checkpoint.write(positions);
        } catch (IOException e) {
            return e;
        }
        checkpointLanded();
        return null;
    }

    /** The positions reached the disk (the checkpoint, or a ledger frame in its place); logs the end of a failing episode. */
    private void checkpointLanded() {
        if (checkpointFailing) {
            checkpointFailing = false;
            LOG.info("Twinstream journal in {} records its positions again", storage.describe());
        }
    }

    /** Retried by the writer; one WARN per episode, not one per cycle. */
    private void checkpointFailed(IOException e, String when) {
        checkpointDirty = true;
        if (!checkpointFailing) {
            checkpointFailing = true;
            LOG.warn("Twinstream journal in {} could not write its checkpoint{}; will retry", storage.describe(), when, e);
        }
    }

    /** Deletes the segments, oldest first, below every sink's position; returns whether any went. */
    private boolean deletePassedSegments(long[] positions) {
        long min = Long.MAX_VALUE;
        for (long p : positions) {
            min = Math.min(min, p);
        }
        boolean deleted = false;
        for (SegmentInfo doomed : log.releaseSegmentsBelow(min, activeInfo)) {
            try {
                storage.delete(doomed.name);
                directoryDirty = true;
                deleted = true;
            } catch (IOException e) {
                LOG.warn("Twinstream journal in {} could not delete {}", storage.describe(), doomed.name, e);
            }
        }
        return deleted;
    }

    /** Writes the checkpoint now, for {@link DiskLog#open}: what recovery found, before anything is appended. */
    void writeCheckpointNow(long[] positions) {
        IOException failed = writeCheckpoint(positions);
        if (failed != null) {
            // retried by the writer (a full disk must not keep the journal from opening)
            checkpointFailed(failed, " at open");
        }
    }

    private void write(Chunk c) throws IOException {
        if (c.segment != null) {
            SegmentInfo info = c.segment;
            if (active != null && activeInfo == info) {
                // This segment again, after its first write failed: nothing of it was forced, it starts over.
                closeQuietly(active);
                active = null;
            } else if (active != null) {
                seal();
            }
            JournalStorage.JournalFile f = storage.open(info.name);
            active = f;
            activeInfo = info;
            activeSize = 0;
            forcedSize = 0;
            f.truncate(0); // a segment re-created after a failure holds only unforced data
            directoryDirty = true;
            byte[] header = JournalFormat.segmentHeader(info.firstSeq, sinkNames, slots);
            f.writeFully(ByteBuffer.wrap(header), 0);
            activeSize = header.length;
        }
        active.writeFully(ByteBuffer.wrap(c.bytes.buf, 0, c.bytes.len), activeSize);
        activeSize += c.bytes.len;
    }

    /** Leaves the active segment: its data forced, then its trailer written (and forced), then closed. */
    private void seal() throws IOException {
        if (fsync != FsyncPolicy.Kind.NEVER && !unforced.isEmpty()) {
            forceActive(); // the old segment's data becomes durable before we leave it
        }
        SegmentInfo info = activeInfo;
        byte[] trailer;
        synchronized (log) {
            trailer = info.trailer(activeSize);
        }
        active.writeFully(ByteBuffer.wrap(trailer), activeSize);
        if (fsync != FsyncPolicy.Kind.NEVER) {
            active.force();
        }
        info.readableBytes = activeSize;
        info.dataEnd = activeSize;
        // A sealed segment may already be behind every sink, with no commit left to move: the next
        // due cycle checkpoints and deletes it all the same.
        checkpointDirty = true;
        JournalStorage.JournalFile old = active;
        active = null;
        activeInfo = null;
        old.close();
    }

    private void forceActive() throws IOException {
        active.force();
        if (directoryDirty) {
            storage.syncDirectory();
            directoryDirty = false;
        }
        long bytes = activeSize - forcedSize;
        forcedSize = activeSize;
        long end = 0;
        long records = 0;
        for (Chunk c : unforced) {
            end = c.endSeq;
            records += c.records;
        }
        unforced.clear();
        publish(end, records, bytes, true);
    }

    /** Everything below {@code end} is on disk as the policy wants it: it may leave memory and be read back. */
    private void publish(long end, long records, long bytes, boolean forced) {
        if (activeInfo != null) {
            activeInfo.readableBytes = forcedSize;
        }
        synchronized (progress) {
            if (forced) {
                durableSeq = Math.max(durableSeq, end);
                durableRecords += records;
                forces++;
                forcedBytes += bytes;
            }
            progress.notifyAll();
        }
        log.onDisk(end);
    }

    /**
     * A write or force failed: cut the active file back to what was forced (so a partial write
     * never stays behind a later frame), and keep everything unforced to write again.
     */
    private void recoverFromFailure(ArrayDeque<Chunk> unwritten, IOException e) {
        ArrayDeque<Chunk> again = new ArrayDeque<>(unforced);
        again.addAll(unwritten);
        unforced.clear();
        if (active != null) {
            try {
                active.truncate(forcedSize);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // the rewrite starts at forcedSize and covers it
            }
            activeSize = forcedSize;
        }
        if (active == null && !again.isEmpty() && again.peekFirst().segment == null && activeInfo != null) {
            again.peekFirst().segment = activeInfo; // the segment's file could not be opened: open it again
        }
        retry.addAll(again);
        synchronized (progress) {
            writeFailures++;
            if (failure == null) {
                LOG.warn("Twinstream journal in {} cannot write ({}); new events follow the overflow policy "
                        + "until it recovers", storage.describe(), e.toString());
            }
            failure = e;
            progress.notifyAll();
        }
    }

    // --------------------------------------------------------------------------- durability

    /**
     * Waits until the record with {@code seq} is forced, at most {@code timeoutNanos} of the clock.
     *
     * @return true once durable; false on timeout, close or while the journal cannot write
     */
    boolean awaitDurable(long seq, long timeoutNanos) {
        long deadline = clock.nanoTime() + timeoutNanos;
        synchronized (progress) {
            while (durableSeq <= seq) {
                long remaining = deadline - clock.nanoTime();
                if (remaining <= 0 || shutDown) {
                    return false;
                }
                waitSlice(progress, remaining);
            }
            return true;
        }
    }

    /**
     * While the writer cannot write, waits (BLOCK) for it to recover.
     *
     * @throws BufferFullException if it did not recover within {@code timeoutNanos}
     */
    void awaitWritable(long timeoutNanos, String timeout) {
        long deadline = clock.nanoTime() + timeoutNanos;
        synchronized (progress) {
            IOException cause;
            while ((cause = failure) != null) {
                if (stopping) {
                    throw new IllegalStateException("EventTracker is closed");
                }
                long remaining = deadline - clock.nanoTime();
                if (remaining <= 0) {
                    throw new BufferFullException("the disk journal in " + storage.describe() + " cannot write ("
                            + cause.getMessage() + ") and did not recover within the overflow policy's timeout of " + timeout);
                }
                waitSlice(progress, remaining);
            }
        }
    }

    static void waitSlice(Object monitor, long remainingNanos) {
        long slice = Math.min(remainingNanos, MAX_PARK_NANOS);
        try {
            monitor.wait(slice / 1_000_000, (int) (slice % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BufferFullException("interrupted while waiting for the disk journal");
        }
    }

    /** Every sequence number below this is on disk as the policy wants it. */
    long durablePosition() {
        synchronized (progress) {
            return durableSeq;
        }
    }

    long durableRecords() {
        synchronized (progress) {
            return durableRecords;
        }
    }

    long forces() {
        synchronized (progress) {
            return forces;
        }
    }

    long forcedBytes() {
        synchronized (progress) {
            return forcedBytes;
        }
    }

    long writeFailures() {
        synchronized (progress) {
            return writeFailures;
        }
    }

    @Nullable IOException failure() {
        return failure;
    }

    void wakeWaiters() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    // ------------------------------------------------------------------------------- shutdown

    /** Writes, forces and checkpoints what is left, stops the thread, closes the files and the lock. */
    void shutdown(long timeoutNanos, Closeable lock) {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("Twinstream journal writer for {} did not stop within the close timeout", storage.describe());
            }
        }
        writerLock.lock();
        try {
            if (shutDown) {
                return;
            }
            // Holding the lock, the writer thread cannot be in a cycle: write what is left even if it
            // has not stopped yet, or events accepted but not yet written would be lost with it.
            checkpointDirty = true;
            syncOnce(true);
            release(lock);
        } finally {
            writerLock.unlock();
        }
        wakeWaiters();
    }

    /** Simulates the process dying: drops the files and the lock without writing anything more (tests). */
    void abandon(Closeable lock) {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        writerLock.lock();
        try {
            release(lock);
        } finally {
            writerLock.unlock();
        }
    }

    private void release(Closeable lock) {
        shutDown = true;
        closeQuietly(active);
        active = null;
        closeQuietly(lock);
    }

    static void closeQuietly(@Nullable Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a journal file failed", e);
            }
        }
    }

    /** Frames appended together and written together; a chunk with a segment starts that segment's file. */
    private static final class Chunk {
        @Nullable SegmentInfo segment;
        final long firstSeq;
        long endSeq;
        int records;
        final JournalFormat.Bytes bytes = new JournalFormat.Bytes(4096);

        Chunk(@Nullable SegmentInfo segment, long firstSeq) {
            this.segment = segment;
            this.firstSeq = firstSeq;
            this.endSeq = firstSeq;
        }
    }

}
