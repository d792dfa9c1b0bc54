package dev.twinstream.core.internal.journal;

import dev.twinstream.core.internal.journal.JournalStorage.JournalFile;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery ledger's file in the disk journal's directory: per sink, destination, event type and
 * hour, the count and digest of the events delivered below a position per sink, written just before
 * the checkpoint that records those positions ({@link CheckpointHook}).
 *
 * <pre>
 * ledger.tsl   (big-endian; docs/JOURNAL.md and docs/RECONCILIATION.md have the same table)
 *   header   magic "TSLG" (4) | format version (2)
 *   frame    body length (4) | CRC32 of the body (4) | body
 *   body     checkpoint generation (8) | sink count (2) | per sink: name (string) | position (8)
 *            | entry count (4) | per entry: sink (2, index into this frame's sinks) | destination
 *            | eventType (strings) | hour start, epoch millis (8) | count (8) | digest (8)
 *   string   byte length (4) | UTF-8 bytes
 * ledger.tsl.tmp   only while the file is being rewritten
 * </pre>
 *
 * <p><b>Meaning.</b> Frames are applied in order: an entry sets its bucket's totals (absolute
 * values, not increments, so a frame read twice changes nothing), and each frame's positions replace
 * the previous ones. After any frame, the buckets hold exactly the deliveries, per sink, of the
 * events below that sink's position. The generation is that of the checkpoint write the frame
 * precedes: a frame newer than the valid checkpoint (a crash between the two writes, or a torn
 * checkpoint slot) tells {@link Recovery} to resume each sink at the frame's position, which is
 * final for it just as a checkpoint's is, so what the ledger counted is never sent again.
 *
 * <p><b>Writing.</b> {@link #append} writes one frame at the end of the file and forces it (not
 * under {@code FsyncPolicy.never()}). A failed write or force is cut back and the next append
 * rewrites the whole file instead. A rewrite — at open (so the file never keeps positions of an
 * older journal, whose sequence numbers may have started again), after a failure, and as compaction
 * once the file exceeds {@link #COMPACT_MIN_BYTES} and four times what its buckets need — goes to
 * the temp file, is forced, renamed over the file, and the directory is synced.
 *
 * <p><b>Loading.</b> A file whose magic is not "TSLG" or whose version is not {@link #VERSION} is
 * refused and left untouched. Frames are read until the first that does not validate (length, CRC,
 * content); what follows is a torn tail or damage and is dropped with a WARN: the ledger then lacks
 * what those frames recorded, and recovery resumes from the checkpoint, so nothing counts twice.
 * Not thread-safe: the journal writer calls it (and {@code DiskLog.open} before the writer starts).
 */
public final class LedgerFile implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerFile.class);

    /** The file's name in the journal directory. */
    public static final String NAME = "ledger.tsl";
    static final String TEMP = NAME + ".tmp";
    /** "TSLG". */
    static final int MAGIC = 0x54534C47;
    /** The only format version this code reads and writes. */
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 6;
    static final int FRAME_PREFIX_BYTES = 8;
    /** Generation, sink count, entry count. */
    static final int MIN_BODY_BYTES = 8 + 2 + 4;
    static final int MAX_BODY_BYTES = 1 << 30;
    /** Below this size the file is never compacted. */
    static final long COMPACT_MIN_BYTES = 1 << 20;
    /** Milliseconds in an hour. */
    public static final long HOUR_MILLIS = 3_600_000L;

    private final JournalStorage storage;
    private final String path;
    private final String[] sinkNames;
    private final Set<String> sinkSet;
    private final boolean force;
    private final CRC32 crc = new CRC32();
    /** What the file holds: the totals per bucket, in insertion order. */
    private final LinkedHashMap<Key, Entry> image = new LinkedHashMap<>();
    /** Bytes one entry per bucket of {@link #image} takes in a frame: what a compaction would write. */
    private long imageBytes;
    /** The positions of the last frame, by sink name. */
    private Map<String, Long> positions = Collections.emptyMap();
    private long generation;
    private @Nullable JournalFile file;
    /** Bytes of the file known good and forced; appends go here. */
    private long fileBytes;
    /** The file may lack a frame the image holds: the next append rewrites it. */
    private boolean rewriteNeeded;
    private boolean failing;
    private boolean closed;
    private long writeFailures;

    // What loading found (for the WARN and for tests).
    long droppedBytes;
    long firstDamageOffset = -1;

    /** A bucket: sink name, destination, event type, hour start. */
    public static final class Key {
        /** The sink's registered name. */
        public final String sink;
        /** Where the events went. */
        public final String destination;
        /** Their event type. */
        public final String eventType;
        /** The start of their UTC hour, epoch milliseconds. */
        public final long hourMillis;

        /**
         * @param sink the sink's name
         * @param destination the destination's name
         * @param eventType the event type's name
         * @param hourMillis the hour's start in epoch milliseconds
         */
        public Key(String sink, String destination, String eventType, long hourMillis) {
            this.sink = sink;
            this.destination = destination;
            this.eventType = eventType;
            this.hourMillis = hourMillis;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hourMillis == k.hourMillis && sink.equals(k.sink) && destination.equals(k.destination)
                    && eventType.equals(k.eventType);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sink, destination, eventType, hourMillis);
        }

        @Override
        public String toString() {
            return sink + "/" + destination + "/" + eventType + "@" + hourMillis;
        }
    }

    /** A bucket's totals. Immutable. */
    public static final class Entry {
        /** Which bucket. */
        public final Key key;
        /** Distinct events delivered. */
        public final long count;
        /** The sum of their digest terms. */
        public final long digest;

        /**
         * @param key the bucket
         * @param count distinct events delivered
         * @param digest the sum of their digest terms
         */
        public Entry(Key key, long count, long digest) {
            this.key = key;
            this.count = count;
            this.digest = digest;
        }
    }

    private LedgerFile(JournalStorage storage, String[] sinkNames, boolean force) {
        this.storage = storage;
        this.path = storage.describe() + File.separator + NAME;
        this.sinkNames = sinkNames.clone();
        this.sinkSet = new HashSet<>(Arrays.asList(sinkNames));
        this.force = force;
    }

    /**
     * Loads the file (a missing one is an empty ledger; nothing is written yet). The caller holds the
     * journal's lock.
     *
     * @param storage the journal directory
     * @param sinkNames the tracker's sinks: entries and positions of other sinks are dropped
     * @param force whether writes are forced (not under {@code FsyncPolicy.never()})
     * @return the loaded file
     * @throws JournalFormat.UnknownVersionException if the file has a version this code does not
     *     read (left untouched)
     * @throws IOException if it is not a ledger file or cannot be read
     */
    public static LedgerFile open(JournalStorage storage, String[] sinkNames, boolean force) throws IOException {
        LedgerFile f = new LedgerFile(storage, sinkNames, force);
        f.load();
        return f;
    }

    /**
     * The first hour a ledger with this retention keeps: an hour is dropped once {@code retentionMillis}
     * have passed since it ended.
     *
     * @param nowMillis the wall clock
     * @param retentionMillis the retention
     * @return the start of the oldest hour kept, epoch milliseconds
     */
    public static long firstKeptHourMillis(long nowMillis, long retentionMillis) {
        return Math.floorDiv(nowMillis - retentionMillis, HOUR_MILLIS) * HOUR_MILLIS;
    }

    /** {@return the generation of the last valid frame; 0 if none} */
    public long generation() {
        return generation;
    }

    /**
     * The last frame's position of a sink: every event below it was final for the sink, and its
     * deliveries are in the buckets.
     *
     * @param sink a sink's index in the names given to {@link #open}
     * @return the position, or -1 if the file has none for it
     */
    public long position(int sink) {
        Long p = positions.get(sinkNames[sink]);
        return p == null ? -1 : p;
    }

    /** {@return the buckets' totals as loaded or last written} */
    public Collection<Entry> entries() {
        return Collections.unmodifiableCollection(image.values());
    }

    /** {@return whether an earlier write failed, so the next {@link #append} rewrites the file even with nothing new} */
    public boolean needsWrite() {
        return rewriteNeeded && !closed;
    }

    /** {@return failed writes since open} */
    public long writeFailures() {
        return writeFailures;
    }

    /** {@return bytes of the file known good} */
    public long sizeBytes() {
        return fileBytes;
    }

    /**
     * Records the changed buckets and the positions they are complete below, in one forced frame (or
     * a rewrite of everything when an earlier write failed or the file needs compaction). Never throws:
     * a failure is logged once per episode (WARN, INFO when it writes again), and the next call
     * rewrites the file.
     *
     * @param sinkPositions per sink (the names given to {@link #open}) its position
     * @param nextGeneration the generation of the checkpoint write that follows
     * @param changed the buckets whose totals changed
     * @param firstKeptHourMillis buckets of earlier hours are dropped at the next rewrite
     * @return whether the file now holds them
     */
    public boolean append(long[] sinkPositions, long nextGeneration, List<Entry> changed, long firstKeptHourMillis) {
        for (Entry e : changed) {
            put(e);
        }
        setPositions(sinkPositions);
        generation = nextGeneration;
        if (closed) {
            return false;
        }
        try {
            JournalFile f = file;
            if (rewriteNeeded || f == null) {
                rewrite(firstKeptHourMillis);
            } else {
                appendFrame(f, changed);
                if (fileBytes > COMPACT_MIN_BYTES && fileBytes > 4 * (HEADER_BYTES + FRAME_PREFIX_BYTES + imageBytes)) {
                    rewrite(firstKeptHourMillis);
                }
            }
        } catch (IOException e) {
            writeFailures++;
            rewriteNeeded = true;
            if (!failing) {
                failing = true;
                LOG.warn("Twinstream delivery ledger {} cannot be written ({}); the checkpoint goes on without it, so "
                        + "a crash before it is written again leaves the ledger short of what was delivered meanwhile; "
                        + "retried with every checkpoint", path, e.toString());
            }
            return false;
        }
        if (failing) {
            failing = false;
            LOG.info("Twinstream delivery ledger {} is written again after {} failed attempt(s)", path, writeFailures);
        }
        return true;
    }

    /**
     * Rewrites the file with the loaded buckets (dropping hours before {@code firstKeptHourMillis})
     * and the given positions: what {@code DiskLog.open} does once recovery decided where each sink
     * resumes.
     *
     * @param sinkPositions per sink its position
     * @param nextGeneration the generation of the next checkpoint write
     * @param firstKeptHourMillis the start of the oldest hour kept
     * @throws IOException if the file could not be rewritten (the next append tries again)
     */
    public void rewriteAtOpen(long[] sinkPositions, long nextGeneration, long firstKeptHourMillis) throws IOException {
        setPositions(sinkPositions);
        generation = nextGeneration;
        try {
            rewrite(firstKeptHourMillis);
        } catch (IOException e) {
            rewriteNeeded = true;
            throw e;
        }
    }

    private void setPositions(long[] sinkPositions) {
        Map<String, Long> p = new LinkedHashMap<>();
        for (int s = 0; s < sinkNames.length; s++) {
            p.put(sinkNames[s], sinkPositions[s]);
        }
        positions = p;
    }

    private void put(Entry e) {
        if (image.put(e.key, e) == null) {
            imageBytes += entryBytes(e.key);
        }
    }

    private static long entryBytes(Key k) {
        return 2 + 4 + JournalFormat.utf8(k.destination).length + 4 + JournalFormat.utf8(k.eventType).length + 24;
    }

    private void appendFrame(JournalFile f, Collection<Entry> entries) throws IOException {
        JournalFormat.Bytes out = new JournalFormat.Bytes(256);
        frame(out, entries);
        try {
            f.writeFully(ByteBuffer.wrap(out.buf, 0, out.len), fileBytes);
            if (force) {
                f.force();
            }
        } catch (IOException e) {
            // A partial frame must not stay in front of the next one: cut back to what was forced.
            try {
                f.truncate(fileBytes);
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
        fileBytes += out.len;
    }

    /** Replaces the file with the header and one frame of every bucket kept: temp file, force, rename, directory sync. */
    private void rewrite(long firstKeptHourMillis) throws IOException {
        for (Iterator<Entry> it = image.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.key.hourMillis < firstKeptHourMillis || !sinkSet.contains(e.key.sink)) {
                it.remove();
                imageBytes -= entryBytes(e.key);
            }
        }
        JournalFormat.Bytes out = new JournalFormat.Bytes((int) Math.min(Integer.MAX_VALUE - 8, 64 + imageBytes * 2));
        out.putInt(MAGIC);
        out.putShort((short) VERSION);
        frame(out, image.values());
        storage.delete(TEMP);
        JournalFile tmp = storage.open(TEMP);
        try {
            tmp.writeFully(ByteBuffer.wrap(out.buf, 0, out.len), 0);
            if (force) {
                tmp.force();
            }
            tmp.close();
            storage.rename(TEMP, NAME);
        } catch (IOException e) {
            JournalWriter.closeQuietly(tmp);
            try {
                storage.delete(TEMP);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
        // The name is the new file now: the handle on the old one must not be written again.
        JournalWriter.closeQuietly(file);
        file = null;
        rewriteNeeded = true;
        file = storage.open(NAME);
        fileBytes = out.len;
        if (force) {
            storage.syncDirectory();
        }
        rewriteNeeded = false;
    }

    private void frame(JournalFormat.Bytes out, Collection<Entry> entries) {
        int start = out.len;
        out.putInt(0); // body length, patched below
        out.putInt(0); // CRC, patched below
        int body = out.len;
        out.putLong(generation);
        out.putShort((short) sinkNames.length);
        Map<String, Integer> index = new HashMap<>();
        for (int s = 0; s < sinkNames.length; s++) {
            out.putString(sinkNames[s]);
            Long p = positions.get(sinkNames[s]);
            out.putLong(p == null ? 0 : p);
            index.put(sinkNames[s], s);
        }
        out.putInt(entries.size());
        for (Entry e : entries) {
            out.putShort((short) (int) index.get(e.key.sink));
            out.putString(e.key.destination);
            out.putString(e.key.eventType);
            out.putLong(e.key.hourMillis);
            out.putLong(e.count);
            out.putLong(e.digest);
        }
        int bodyLength = out.len - body;
        crc.reset();
        crc.update(out.buf, body, bodyLength);
        out.patchInt(start, bodyLength);
        out.patchInt(start + 4, (int) crc.getValue());
    }

    /** Closes the file; later appends write nothing. Never throws. */
    @Override
    public void close() {
        closed = true;
        JournalWriter.closeQuietly(file);
        file = null;
    }

    // ----------------------------------------------------------------------------------- loading

    private void load() throws IOException {
        List<String> names = storage.list();
        if (names.contains(TEMP)) {
            storage.delete(TEMP); // a rewrite that never got renamed: the file itself is complete
        }
        if (!names.contains(NAME)) {
            return;
        }
        byte[] b;
        try (JournalFile f = storage.open(NAME)) {
            b = f.readAll("the delivery ledger");
        }
        if (b.length < HEADER_BYTES) {
            if (b.length > 0) {
                LOG.warn("Twinstream delivery ledger {} has a torn header ({} of {} bytes) and is started again",
                        path, b.length, HEADER_BYTES);
            }
            return;
        }
        if (JournalFormat.getInt(b, 0) != MAGIC) {
            throw new IOException(path + " is not a Twinstream delivery ledger (it does not start with the magic "
                    + "\"TSLG\"); it was left untouched");
        }
        int version = (b[4] & 0xFF) << 8 | (b[5] & 0xFF);
        if (version != VERSION) {
            throw new JournalFormat.UnknownVersionException(version, path + " is delivery ledger format version "
                    + version + "; this Twinstream reads version " + VERSION);
        }
        int pos = HEADER_BYTES;
        while (pos < b.length) {
            int length = applyFrame(b, pos);
            if (length < 0) {
                firstDamageOffset = pos;
                droppedBytes = b.length - pos;
                LOG.warn("Twinstream delivery ledger {}: the frame at offset {} does not validate; its {} bytes from "
                        + "there on are dropped (a torn write or damage): the ledger lacks the deliveries they recorded, "
                        + "and no event is counted twice", path, pos, droppedBytes);
                break;
            }
            pos += length;
        }
    }

    /** Applies the valid frame at {@code pos} and returns its length, or -1 (nothing applied). */
    private int applyFrame(byte[] b, int pos) {
        if (b.length - pos < FRAME_PREFIX_BYTES + MIN_BODY_BYTES) {
            return -1;
        }
        int bodyLength = JournalFormat.getInt(b, pos);
        if (bodyLength < MIN_BODY_BYTES || bodyLength > MAX_BODY_BYTES || bodyLength > b.length - pos - FRAME_PREFIX_BYTES) {
            return -1;
        }
        int body = pos + FRAME_PREFIX_BYTES;
        crc.reset();
        crc.update(b, body, bodyLength);
        if ((int) crc.getValue() != JournalFormat.getInt(b, pos + 4)) {
            return -1;
        }
        JournalFormat.Reader in = new JournalFormat.Reader(b, body, body + bodyLength);
        long frameGeneration;
        Map<String, Long> framePositions = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try {
            frameGeneration = in.getLong();
            int sinks = in.getShort();
            if (sinks < 0) {
                return -1;
            }
            String[] names = new String[sinks];
            for (int s = 0; s < sinks; s++) {
                names[s] = in.getString();
                long p = in.getLong();
                if (names[s] == null || p < 0) {
                    return -1;
                }
                framePositions.put(names[s], p);
            }
            int count = in.getInt();
            if (count < 0) {
                return -1;
            }
            for (int i = 0; i < count; i++) {
                int sink = in.getShort();
                String destination = in.getString();
                String eventType = in.getString();
                long hour = in.getLong();
                long n = in.getLong();
                long digest = in.getLong();
                if (sink < 0 || sink >= sinks || destination == null || eventType == null || n < 0 || digest < 0) {
                    return -1;
                }
                entries.add(new Entry(new Key(names[sink], destination, eventType, hour), n, digest));
            }
            if (in.pos != in.end) {
                return -1;
            }
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
        generation = frameGeneration;
        Map<String, Long> kept = new LinkedHashMap<>();
        for (String sink : sinkNames) {
            Long p = framePositions.get(sink);
            if (p != null) {
                kept.put(sink, p);
            }
        }
        positions = kept;
        for (Entry e : entries) {
            if (sinkSet.contains(e.key.sink)) {
                put(e);
            }
        }
        return FRAME_PREFIX_BYTES + bodyLength;
    }
}
