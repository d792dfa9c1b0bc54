package dev.twinstream.core.internal.journal;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.OverflowPolicy;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk {@link EventLog}: a {@link MemoryLog} index (cursors, capacity, overflow policy) plus a
 * write-ahead journal of segment files and a checkpoint of every sink's commit position.
 *
 * <p>Appenders frame each record into a shared write buffer under the index's monitor (one copy,
 * no system call). One writer — the {@code twinstream-journal-N} thread, or a test calling
 * {@link #syncOnce} — takes the buffer, writes it, and forces it as the {@link FsyncPolicy} says:
 * under ALWAYS one force covers everything written since the last one (group commit). The durable
 * position advances only after a successful force. A failed write or force truncates the file back
 * to what was last forced and keeps the unforced data to write again; while the journal cannot
 * write, new appends meet the overflow policy (BLOCK waits for the writer to recover, the DROP
 * policies drop with {@link DropReason#JOURNAL_WRITE_FAILED}) and the writer retries with backoff.
 *
 * <p>The checkpoint is rewritten atomically (temp file, force, rename, directory fsync) at most every
 * {@link #CHECKPOINT_INTERVAL_NANOS} while commits happen, and on close; a segment is deleted once the
 * durable checkpoint shows every sink past its last record. Recovery ({@link #open}) is described in
 * {@code docs/JOURNAL.md}.
 */
public final class DiskLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(DiskLog.class);
    /** Longest time commit positions wait to be checkpointed: what a crash can make sinks re-send. */
    static final long CHECKPOINT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** About 100 years: far beyond any delivery timeout, and well inside a long of nanoseconds. */
    static final long MAX_RECOVERED_AGE_MILLIS = TimeUnit.DAYS.toMillis(36_500);
    /** Longest single park of the writer or a waiting caller, so a virtual clock's deadlines are noticed. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Park of an idle writer; appends wake it earlier. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MemoryLog index;
    private final JournalStorage storage;
    private final Closeable lock;
    private final Clock clock;
    private final OverflowPolicy overflow;
    private final LogObserver observer;
    private final FsyncPolicy.Kind fsync;
    private final long intervalNanos;
    private final long segmentBytes;
    private final String[] sinkNames;
    private final int[] slots;
    private final int headerLength;
    private final JournalRecovery recovery;

    // Append side: guarded by the index's monitor (the StoreHook runs under it).
    private final CRC32 appendCrc = new CRC32();
    private final ArrayDeque<Chunk> sealed = new ArrayDeque<>();
    private @Nullable Chunk filling;
    /** Bytes the newest segment will hold once everything buffered is written; -1: start a new one. */
    private long segmentFill = -1;
    /** The sequence number after the last framed record. */
    private volatile long bufferedEnd;

    // Writer side: guarded by writerLock.
    private final ReentrantLock writerLock = new ReentrantLock();
    private final ArrayDeque<Chunk> retry = new ArrayDeque<>();
    /** Written to the active file and not yet forced: written again after a failed force. */
    private final ArrayDeque<Chunk> unforced = new ArrayDeque<>();
    /** First sequence numbers of the segment files, oldest first; the last is the active one. */
    private final ArrayDeque<Long> segments = new ArrayDeque<>();
    private JournalStorage.@Nullable JournalFile active;
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

    // The writer thread.
    private volatile @Nullable Thread writer;
    private volatile boolean writerParked;
    private volatile boolean stopping;

    /** Everything the journal needs besides its storage. */
    public static final class Config {
        public Clock clock;
        public long maxBytes;
        public long quotaBytes = Long.MAX_VALUE;
        public OverflowPolicy overflow;
        public FsyncPolicy fsync = FsyncPolicy.always();
        public long segmentBytes;
        public LogObserver observer;
        public String[] sinkNames;
        public int[] slots;
        public int[] wakeRecords;
        public long[] wakeBytes;
    }

    private DiskLog(Config c, JournalStorage storage, Closeable lock, Recovered r) {
        this.storage = storage;
        this.lock = lock;
        this.clock = c.clock;
        this.overflow = c.overflow;
        this.observer = c.observer;
        this.fsync = c.fsync.kind();
        this.intervalNanos = c.fsync.interval().toNanos();
        this.segmentBytes = c.segmentBytes;
        this.sinkNames = c.sinkNames.clone();
        this.slots = c.slots.clone();
        this.headerLength = JournalFormat.segmentHeader(0, sinkNames, slots).length;
        this.recovery = r.report;
        this.index = new MemoryLog(c.clock, c.maxBytes, c.quotaBytes, c.overflow, c.observer, c.slots, c.wakeRecords,
                c.wakeBytes, r.firstSeq, this::frame);
        for (LogRecord record : r.live) {
            index.restoreHoles(record.seq - index.appendPosition());
            index.restore(record);
        }
        index.restoreHoles(r.nextSeq - index.appendPosition());
        for (int s = 0; s < sinkNames.length; s++) {
            index.restorePosition(s, r.positions[s]);
        }
        this.bufferedEnd = r.nextSeq;
        this.takenEnd = r.nextSeq;
        this.durableSeq = r.nextSeq;
        this.segments.addAll(r.segments);
        long now = clock.nanoTime();
        this.lastForceNanos = now;
        this.lastCheckpointNanos = now;
    }

    /**
     * Opens the journal: takes the directory lock, recovers segments and checkpoint, writes a
     * checkpoint consistent with what was found. Damaged data never makes it throw.
     *
     * @throws ConfigurationException if another tracker holds the directory, or it cannot be read or written
     */
    public static DiskLog open(Config c, JournalStorage storage) {
        Closeable lock;
        try {
            lock = storage.tryLock(JournalFormat.LOCK);
        } catch (IOException e) {
            throw new ConfigurationException(Collections.singletonList("journal.directory: cannot lock "
                    + storage.describe() + " (" + e + ")"));
        }
        if (lock == null) {
            throw new ConfigurationException(Collections.singletonList("journal.directory: " + storage.describe()
                    + " is in use by another tracker (it holds " + JournalFormat.LOCK
                    + "); give every tracker its own directory"));
        }
        try {
            Recovered r = new Recovery(c, storage).run();
            DiskLog log = new DiskLog(c, storage, lock, r);
            log.writeCheckpoint(r.positions);
            return log;
        } catch (IOException | RuntimeException e) {
            try {
                lock.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ConfigurationException) {
                throw (ConfigurationException) e;
            }
            throw new ConfigurationException(Collections.singletonList("journal.directory: cannot open the disk journal in "
                    + storage.describe() + " (" + e + ")"));
        }
    }

    /** Starts the journal writer thread. Without it, a caller must drive {@link #syncOnce}. */
    public void start(ThreadFactory threadFactory) {
        Thread t = threadFactory.newThread(this::runWriter);
        writer = t;
        t.start();
    }

    // ---------------------------------------------------------------------------------- appends

    @Override
    public boolean append(LogRecord record) {
        if (failure != null && !awaitWritable(record)) {
            return false;
        }
        return index.append(record);
    }

    /** While the writer cannot write: BLOCK waits for it to recover, the DROP policies drop. */
    private boolean awaitWritable(LogRecord record) {
        if (overflow.kind() != OverflowPolicy.Kind.BLOCK) {
            for (int s = 0; s < sinkNames.length; s++) {
                if (record.goesTo(s)) {
                    observer.dropped(s, record, DropReason.JOURNAL_WRITE_FAILED);
                }
            }
            return false;
        }
        long deadline = clock.nanoTime() + overflow.timeout().toNanos();
        synchronized (progress) {
            IOException cause;
            while ((cause = failure) != null) {
                if (stopping) {
                    throw new IllegalStateException("EventTracker is closed");
                }
                long remaining = deadline - clock.nanoTime();
                if (remaining <= 0) {
                    throw new BufferFullException("the disk journal in " + storage.describe() + " cannot write ("
                            + cause.getMessage() + ") and did not recover within the overflow policy's timeout of "
                            + overflow.timeout());
                }
                waitSlice(progress, remaining);
            }
        }
        return true;
    }

    /** The StoreHook: frames the record into the write buffer; runs under the index's monitor. */
    private void frame(LogRecord r) {
        if (segmentFill < 0 || segmentFill >= segmentBytes) {
            if (filling != null) {
                sealed.add(filling);
            }
            filling = new Chunk(true, r.seq);
            segmentFill = headerLength;
        } else if (filling == null) {
            filling = new Chunk(false, r.seq);
        }
        int before = filling.bytes.len;
        JournalFormat.writeFrame(filling.bytes, r, appendCrc);
        segmentFill += filling.bytes.len - before;
        filling.endSeq = r.seq + 1;
        filling.records++;
        bufferedEnd = r.seq + 1;
        if (writerParked) {
            writerParked = false;
            LockSupport.unpark(writer);
        }
    }

    // ---------------------------------------------------------------------------- the writer

    private void runWriter() {
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
                writerParked = true;
                if (failure == null && hasWork()) {
                    writerParked = false;
                    continue;
                }
                LockSupport.parkNanos(this, Math.min(wait, nextDeadlineNanos()));
                writerParked = false;
            }
        } catch (RuntimeException | Error e) {
            LOG.error("Twinstream journal writer for {} stopped", storage.describe(), e);
            failure = new IOException("the journal writer stopped: " + e, e);
            throw e;
        }
    }

    private boolean hasWork() {
        return bufferedEnd != takenEnd || stopping;
    }

    /** Real nanos until the next INTERVAL force or checkpoint is due; a virtual clock is re-read each slice. */
    private long nextDeadlineNanos() {
        long now = clock.nanoTime();
        long next = Long.MAX_VALUE;
        if (fsync == FsyncPolicy.Kind.INTERVAL && !unforcedIsEmpty()) {
            next = Math.min(next, lastForceNanos + intervalNanos - now);
        }
        if (checkpointDirty) {
            next = Math.min(next, lastCheckpointNanos + CHECKPOINT_INTERVAL_NANOS - now);
        }
        return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, Math.min(next, MAX_PARK_NANOS));
    }

    private boolean unforcedIsEmpty() {
        writerLock.lock();
        try {
            return unforced.isEmpty();
        } finally {
            writerLock.unlock();
        }
    }

    /**
     * One writer cycle: write what was appended, force if the policy says so, checkpoint if due,
     * delete segments every sink has passed.
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
            ArrayDeque<Chunk> work = new ArrayDeque<>(retry);
            retry.clear();
            synchronized (index) {
                if (filling != null) {
                    sealed.add(filling);
                    filling = null;
                }
                work.addAll(sealed);
                sealed.clear();
                takenEnd = bufferedEnd;
            }
            long now = clock.nanoTime();
            try {
                while (!work.isEmpty()) {
                    Chunk c = work.peekFirst();
                    write(c);
                    work.pollFirst();
                    if (fsync == FsyncPolicy.Kind.NEVER) {
                        forcedSize = activeSize; // nothing is ever forced: what the OS has is all there is
                    } else {
                        unforced.add(c);
                    }
                }
                boolean forceDue = fsync == FsyncPolicy.Kind.ALWAYS
                        || (fsync == FsyncPolicy.Kind.INTERVAL && (closing || now - lastForceNanos >= intervalNanos));
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
            }
            if (checkpointDirty && (closing || now - lastCheckpointNanos >= CHECKPOINT_INTERVAL_NANOS)) {
                checkpointDirty = false;
                long[] positions = new long[sinkNames.length];
                for (int s = 0; s < positions.length; s++) {
                    positions[s] = index.checkpointPosition(s);
                }
                try {
                    writeCheckpoint(positions);
                    lastCheckpointNanos = now;
                } catch (IOException e) {
                    checkpointDirty = true;
                    LOG.warn("Twinstream journal in {} could not write its checkpoint; will retry", storage.describe(), e);
                    return false;
                }
            }
            return true;
        } finally {
            writerLock.unlock();
        }
    }

    private void write(Chunk c) throws IOException {
        if (c.newSegment) {
            if (active != null) {
                if (fsync != FsyncPolicy.Kind.NEVER && !unforced.isEmpty()) {
                    forceActive(); // the old segment's data becomes durable before we leave it
                }
                JournalStorage.JournalFile old = active;
                active = null;
                old.close();
            }
            JournalStorage.JournalFile f = storage.open(JournalFormat.segmentName(c.firstSeq));
            active = f;
            activeSize = 0;
            forcedSize = 0;
            f.truncate(0); // a segment re-created after a failure holds only unforced data
            Long newest = segments.peekLast();
            if (newest == null || newest != c.firstSeq) {
                segments.add(c.firstSeq);
            }
            directoryDirty = true;
            byte[] header = JournalFormat.segmentHeader(c.firstSeq, sinkNames, slots);
            writeFully(f, ByteBuffer.wrap(header), 0);
            activeSize = header.length;
        }
        writeFully(active, ByteBuffer.wrap(c.bytes.buf, 0, c.bytes.len), activeSize);
        activeSize += c.bytes.len;
    }

    private static void writeFully(JournalStorage.JournalFile f, ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += f.write(src, p);
        }
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
        synchronized (progress) {
            durableSeq = Math.max(durableSeq, end);
            durableRecords += records;
            forces++;
            forcedBytes += bytes;
            progress.notifyAll();
        }
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
        if (active == null && !again.isEmpty()) {
            again.peekFirst().newSegment = true;
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

    /** Replaces the checkpoint atomically, then deletes the segments every sink has passed. */
    private void writeCheckpoint(long[] positions) throws IOException {
        byte[] data = JournalFormat.checkpoint(sinkNames, positions);
        JournalStorage.JournalFile tmp = storage.open(JournalFormat.CHECKPOINT_TEMP);
        try {
            tmp.truncate(0);
            writeFully(tmp, ByteBuffer.wrap(data), 0);
            if (fsync != FsyncPolicy.Kind.NEVER) {
                tmp.force();
            }
        } finally {
            tmp.close();
        }
        storage.rename(JournalFormat.CHECKPOINT_TEMP, JournalFormat.CHECKPOINT);
        if (fsync != FsyncPolicy.Kind.NEVER) {
            storage.syncDirectory();
        }
        long min = Long.MAX_VALUE;
        for (long p : positions) {
            min = Math.min(min, p);
        }
        deleteSegmentsBelow(min);
    }

    private void deleteSegmentsBelow(long position) throws IOException {
        while (segments.size() >= 2) {
            Long first = segments.pollFirst();
            Long second = segments.peekFirst();
            if (second == null || second > position) {
                segments.addFirst(first);
                return;
            }
            storage.delete(JournalFormat.segmentName(first));
            directoryDirty = true;
        }
    }

    // --------------------------------------------------------------------------- durability

    /**
     * Waits until the record with {@code seq} is forced, at most {@code timeoutNanos} of the clock.
     *
     * @return true once durable; false on timeout, close or while the journal cannot write
     */
    public boolean awaitDurable(long seq, long timeoutNanos) {
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

    private static void waitSlice(Object monitor, long remainingNanos) {
        long slice = Math.min(remainingNanos, MAX_PARK_NANOS);
        try {
            monitor.wait(slice / 1_000_000, (int) (slice % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BufferFullException("interrupted while waiting for the disk journal");
        }
    }

    /** Every sequence number below this is forced. */
    long durablePosition() {
        synchronized (progress) {
            return durableSeq;
        }
    }

    /** Records forced since open. */
    public long durableRecords() {
        synchronized (progress) {
            return durableRecords;
        }
    }

    /** Calls to {@code force} on segment data since open. */
    public long forces() {
        synchronized (progress) {
            return forces;
        }
    }

    /** Segment bytes (frames and headers) those forces made durable. */
    public long forcedBytes() {
        synchronized (progress) {
            return forcedBytes;
        }
    }

    /** Failed write cycles since open. */
    public long writeFailures() {
        synchronized (progress) {
            return writeFailures;
        }
    }

    /** The current write failure, or null. */
    public @Nullable IOException failure() {
        return failure;
    }

    public JournalRecovery recovery() {
        return recovery;
    }

    // ------------------------------------------------------------------------- EventLog reads

    @Override
    public long read(int sink, int maxRecords, long maxBytes, List<LogRecord> out) {
        return index.read(sink, maxRecords, maxBytes, out);
    }

    @Override
    public void peek(int sink, Unread out) {
        index.peek(sink, out);
    }

    @Override
    public long appendPosition() {
        return index.appendPosition();
    }

    @Override
    public void commit(int sink, long seq) {
        index.commit(sink, seq);
        if (!checkpointDirty) {
            checkpointDirty = true;
        }
    }

    @Override
    public long sizeBytes() {
        return index.sizeBytes();
    }

    /** Refuses further appends; the files stay open until {@link #shutdown}. */
    @Override
    public void close() {
        index.close();
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /**
     * Writes, forces and checkpoints what is left, stops the writer, closes the files and releases
     * the directory. Records not yet committed stay in the journal for the next tracker.
     */
    public void shutdown(long timeoutNanos) {
        close();
        stopping = true;
        Thread t = writer;
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
            if (t == null || !t.isAlive()) {
                checkpointDirty = true;
                syncOnce(true);
            }
            release();
        } finally {
            writerLock.unlock();
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Closes the active segment and the directory lock; under writerLock. */
    private void release() {
        shutDown = true;
        closeQuietly(active);
        active = null;
        closeQuietly(lock);
    }

    /**
     * Simulates the process dying: drops the files and the lock without writing anything more.
     * For tests only (the tracker never abandons its journal).
     */
    void abandon() {
        stopping = true;
        index.close();
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
        }
        writerLock.lock();
        try {
            release();
        } finally {
            writerLock.unlock();
        }
    }

    private static void closeQuietly(@Nullable Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a journal file failed", e);
            }
        }
    }

    /** The underlying index, for tests. */
    MemoryLog index() {
        return index;
    }

    /** Frames appended together and written together; a new segment starts at a chunk with {@code newSegment}. */
    private static final class Chunk {
        boolean newSegment;
        final long firstSeq;
        long endSeq;
        int records;
        final JournalFormat.Bytes bytes = new JournalFormat.Bytes(4096);

        Chunk(boolean newSegment, long firstSeq) {
            this.newSegment = newSegment;
            this.firstSeq = firstSeq;
            this.endSeq = firstSeq;
        }
    }

    /** What recovery found. */
    static final class Recovered {
        JournalRecovery report;
        List<LogRecord> live = new ArrayList<>();
        long firstSeq;
        long nextSeq;
        long[] positions;
        List<Long> segments = new ArrayList<>();
    }

    /** Reads the checkpoint and every segment, keeps what validates, truncates torn tails. */
    private static final class Recovery {
        private final Config c;
        private final JournalStorage storage;
        private final Map<String, Integer> sinkIndex = new HashMap<>();
        private final List<JournalRecovery.Damage> damages = new ArrayList<>();
        private final CRC32 crc = new CRC32();
        private long framesSkipped;
        private long bytesSkipped;
        private long bytesTruncated;
        private long bytesScanned;
        private long recordsRecovered;
        private int segmentCount;

        Recovery(Config c, JournalStorage storage) {
            this.c = c;
            this.storage = storage;
            for (int i = 0; i < c.sinkNames.length; i++) {
                sinkIndex.put(c.sinkNames[i], i);
            }
        }

        Recovered run() throws IOException {
            List<String> names = storage.list();
            if (names.contains(JournalFormat.CHECKPOINT_TEMP)) {
                storage.delete(JournalFormat.CHECKPOINT_TEMP); // a checkpoint write that never got renamed
            }
            boolean checkpointDamaged = false;
            Map<String, Long> checkpoint = Collections.emptyMap();
            if (names.contains(JournalFormat.CHECKPOINT)) {
                byte[] b = readAll(JournalFormat.CHECKPOINT);
                Map<String, Long> read = JournalFormat.readCheckpoint(b, b.length);
                if (read == null) {
                    checkpointDamaged = true;
                    damage(JournalFormat.CHECKPOINT, 0, b.length, "checkpoint does not validate; every sink "
                            + "replays everything on disk");
                } else {
                    checkpoint = read;
                }
            }
            List<Long> firstSeqs = new ArrayList<>();
            for (String name : names) {
                long first = JournalFormat.segmentFirstSeq(name);
                if (first >= 0) {
                    firstSeqs.add(first);
                }
            }
            Collections.sort(firstSeqs);

            Recovered r = new Recovered();
            int sinks = c.sinkNames.length;
            long[] cp = new long[sinks];
            for (int s = 0; s < sinks; s++) {
                Long p = checkpoint.get(c.sinkNames[s]);
                cp[s] = p == null ? 0 : p;
            }
            long nowNanos = c.clock.nanoTime();
            long nowMillis = c.clock.epochMillis();
            long lastSeq = -1;
            JournalFormat.Header layout = new JournalFormat.Header(0, c.sinkNames, c.slots, 0);
            for (long first : firstSeqs) {
                String name = JournalFormat.segmentName(first);
                int keptFrames = 0;
                try (JournalStorage.JournalFile f = storage.open(name)) {
                    byte[] b = readAll(f);
                    int size = b.length;
                    bytesScanned += size;
                    segmentCount++;
                    if (size == 0 && first != firstSeqs.get(firstSeqs.size() - 1)) {
                        // The newest segment may be empty after a crash; an older one was emptied by damage.
                        damage(name, 0, 0, "segment is empty although newer segments follow");
                    }
                    JournalFormat.Header header = JournalFormat.readHeader(b, size);
                    int pos;
                    if (header != null) {
                        layout = header;
                        pos = header.length;
                    } else {
                        // Frames validate on their own: search for the first one after the damaged header.
                        int next = findFrame(b, 0, size, lastSeq);
                        pos = next < 0 ? size : next;
                        if (size > 0) {
                            damage(name, 0, pos, next < 0 ? "segment header does not validate and no intact frame follows"
                                    : "segment header does not validate; frames after it read with the previous segment's sink layout");
                            if (next < 0) {
                                bytesTruncated += size;
                            } else {
                                bytesSkipped += next;
                            }
                        }
                    }
                    while (pos < size) {
                        JournalFormat.Frame frame = JournalFormat.readFrame(b, pos, size, crc);
                        if (frame != null && frame.seq > lastSeq) {
                            keptFrames++;
                            recordsRecovered++;
                            lastSeq = frame.seq;
                            LogRecord record = restore(frame, layout, cp, nowNanos, nowMillis, r);
                            if (record != null) {
                                r.live.add(record);
                            }
                            pos += frame.length;
                            continue;
                        }
                        if (frame != null) {
                            pos += frame.length; // written again after a failed force: keep the first copy
                            continue;
                        }
                        int next = findFrame(b, pos + 1, size, lastSeq);
                        if (next < 0) {
                            damage(name, pos, size - pos, first == firstSeqs.get(firstSeqs.size() - 1)
                                    ? "torn tail truncated" : "no intact frame after this offset; truncated");
                            bytesTruncated += size - pos;
                            f.truncate(pos);
                            break;
                        }
                        damage(name, pos, next - pos, "frame does not validate (length, CRC or content); skipped");
                        framesSkipped++;
                        bytesSkipped += next - pos;
                        pos = next;
                    }
                }
                if (keptFrames == 0) {
                    storage.delete(name); // nothing intact in it: an empty segment or pure damage
                } else {
                    r.segments.add(first);
                }
            }
            r.nextSeq = lastSeq + 1;
            r.firstSeq = r.live.isEmpty() ? r.nextSeq : r.live.get(0).seq;
            r.positions = new long[sinks];
            for (int s = 0; s < sinks; s++) {
                // A checkpoint past the last intact record means records a sink had delivered were lost
                // (never forced); new records reuse those numbers, so the position must come back.
                r.positions[s] = Math.min(cp[s], r.nextSeq);
            }
            if (damages.size() > JournalRecovery.MAX_DAMAGES_LISTED) {
                damages.subList(JournalRecovery.MAX_DAMAGES_LISTED, damages.size()).clear();
            }
            r.report = new JournalRecovery(segmentCount, bytesScanned, recordsRecovered, r.live.size(), framesSkipped,
                    bytesSkipped, bytesTruncated, checkpointDamaged, damages);
            return r;
        }

        /**
         * When a recovered record was accepted, on the clock's monotonic scale: its {@code occurredAt}
         * was read at the same instant as its original {@code acceptedNanos}, so the delivery timeout
         * and the pending age keep counting from the original {@code track()} across the restart. A
         * wall clock that went backwards counts as no age; ages are capped so the arithmetic cannot overflow.
         */
        static long acceptedNanos(long occurredAtMillis, long nowNanos, long nowMillis) {
            long ageMillis = Math.min(Math.max(0, nowMillis - occurredAtMillis), MAX_RECOVERED_AGE_MILLIS);
            return nowNanos - TimeUnit.MILLISECONDS.toNanos(ageMillis);
        }

        /** The record for the sinks that still need it (by name), or null if none does. */
        private @Nullable LogRecord restore(JournalFormat.Frame frame, JournalFormat.Header layout, long[] cp, long nowNanos,
                                  long nowMillis, Recovered r) {
            int mask = 0;
            byte[][] payloads = new byte[slotCount()][];
            for (int old = 0; old < layout.sinkNames.length && old < 32; old++) {
                if ((frame.sinkMask & (1 << old)) == 0) {
                    continue;
                }
                Integer s = sinkIndex.get(layout.sinkNames[old]);
                if (s == null || frame.seq < cp[s] || layout.slots[old] >= frame.payloads.length) {
                    continue;
                }
                byte[] payload = frame.payloads[layout.slots[old]];
                if (payload == null) {
                    continue;
                }
                int slot = c.slots[s];
                if (payloads[slot] == null) {
                    payloads[slot] = payload;
                }
                mask |= 1 << s;
            }
            if (mask == 0) {
                return null;
            }
            LogRecord record = new LogRecord(frame.eventId, frame.eventType, frame.partitionKey, frame.routingKey,
                    frame.occurredAtMillis, acceptedNanos(frame.occurredAtMillis, nowNanos, nowMillis), payloads, mask, null);
            record.seq = frame.seq;
            return record;
        }

        private int slotCount() {
            int n = 0;
            for (int slot : c.slots) {
                n = Math.max(n, slot + 1);
            }
            return n;
        }

        /** The first offset from {@code from} holding an intact frame numbered after {@code lastSeq}, or -1. */
        private int findFrame(byte[] b, int from, int size, long lastSeq) {
            for (int p = from; p + JournalFormat.FRAME_PREFIX + JournalFormat.MIN_BODY <= size; p++) {
                JournalFormat.Frame f = JournalFormat.readFrame(b, p, size, crc);
                if (f != null && f.seq > lastSeq) {
                    return p;
                }
            }
            return -1;
        }

        private void damage(String file, long offset, long length, String problem) {
            if (damages.size() <= JournalRecovery.MAX_DAMAGES_LISTED) {
                damages.add(new JournalRecovery.Damage(file, offset, length, problem));
            }
        }

        private byte[] readAll(String name) throws IOException {
            try (JournalStorage.JournalFile f = storage.open(name)) {
                return readAll(f);
            }
        }

        private static byte[] readAll(JournalStorage.JournalFile f) throws IOException {
            long size = f.size();
            if (size > Integer.MAX_VALUE - 16) {
                size = Integer.MAX_VALUE - 16; // beyond any segment this journal writes; the rest is not read
            }
            byte[] b = new byte[(int) size];
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                if (f.read(buf, buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == b.length ? b : java.util.Arrays.copyOf(b, buf.position());
        }
    }
}
