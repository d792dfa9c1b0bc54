package dev.twinstream.core.internal.journal;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.internal.journal.JournalStorage.JournalFile;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file behind a persistent {@code DeadLetterStore}: an append-only log of ADD and REMOVE
 * records in one directory, written through {@link JournalStorage} (so tests can fail writes and
 * forces, fill the disk or cut the power). It mirrors the store's retained dead letters, each
 * under an id the store assigns (increasing, never reused within a file).
 *
 * <pre>
 * dead-letters.tsd   (big-endian; docs/JOURNAL.md has the same tables)
 *   header   magic "TSDL" (4) | format version (2)
 *   frame    body length (4) | CRC32 of the body (4) | body
 *   ADD      type 1 (1) | id (8) | occurredAt millis (8) | reason (1) | attempts (4)
 *            | sink | eventId | eventType | partitionKey | routingKey | errorCode | errorMessage (strings)
 *            | payload (bytes)
 *   REMOVE   type 2 (1) | range count (4) | per range: first id (8) | last id (8)   (inclusive; ids
 *            no longer present are ignored)
 *   string / bytes   byte length (4; -1 = null) | bytes (UTF-8 for strings)
 *   reason   1 PERMANENT_ERROR, 2 DELIVERY_TIMEOUT, 3 MAX_ATTEMPTS
 * dead-letters.tsd.tmp   only while the file is being rewritten
 * dead-letters.lock      held while the file is open, so a second store cannot write it
 * </pre>
 *
 * <p><b>Guarantees.</b> {@link #commit()} writes every record added since the last commit in one
 * positional write at the end of what was last forced, then forces; only then does it report the
 * records persisted. A failed write or force cuts the file back to the last forced size and keeps
 * the records to write again on the next commit (after a failed {@code fsync} the page cache cannot
 * be trusted, so the data is written and forced again rather than assumed written). If even the cut
 * fails, or the records waiting grow beyond what a rewrite would write, the next commit rewrites the
 * whole file from memory instead. A rewrite (also the compaction, once the file is over
 * {@link #COMPACT_MIN_BYTES} and more than twice the bytes of the records still present) goes to
 * the temp file, is forced, renamed over the file and the directory is synced: a crash leaves
 * either the old or the new file, both complete.
 *
 * <p><b>Loading.</b> A file whose magic is not "TSDL" or whose version is not {@link #VERSION} is
 * refused with an {@link IOException} naming the file and both versions, and left untouched. Every
 * frame must have a plausible length, a matching CRC, a known type and a body that parses exactly;
 * an ADD must carry an id above every earlier one (a second copy of a frame is ignored). A frame
 * that fails is skipped by scanning forward byte by byte for the next one that validates; if none
 * follows, the rest is a torn tail and is truncated. A file with skipped damage is rewritten clean.
 * Damage never makes loading throw: it is reported in one WARN line (offsets and byte counts, never
 * payloads). Not thread-safe: the store calls it under its own lock.
 */
public final class DeadLetterFile implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFile.class);

    /** The file's name in its directory. */
    public static final String NAME = "dead-letters.tsd";
    /** The rewrite's temp file. */
    static final String TEMP = NAME + ".tmp";
    /** The lock file that keeps a second store out. */
    static final String LOCK = "dead-letters.lock";
    /** "TSDL". */
    static final int MAGIC = 0x5453444C;
    /** The only format version this code reads and writes. */
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 6;
    static final int FRAME_PREFIX_BYTES = 8;
    static final int ADD = 1;
    static final int REMOVE = 2;
    /** type, id, occurredAt, reason, attempts, seven string lengths and the payload's. */
    static final int MIN_ADD_BODY_BYTES = 1 + 8 + 8 + 1 + 4 + 8 * 4;
    /** type, range count, one range. */
    static final int MIN_REMOVE_BODY_BYTES = 1 + 4 + 16;
    static final int MIN_BODY_BYTES = Math.min(MIN_ADD_BODY_BYTES, MIN_REMOVE_BODY_BYTES);
    /** Largest body accepted on load: nothing bigger is ever written (sink record limits are far below). */
    static final int MAX_BODY_BYTES = 1 << 30;
    /** Below this size the file is never compacted: a rewrite would save less than it costs. */
    static final long COMPACT_MIN_BYTES = 64 * 1024;

    private final JournalStorage storage;
    private final String path;
    private final Closeable lock;
    private final CRC32 crc = new CRC32();
    /** The dead letters present, by id, in id order (ids are added in increasing order). */
    private final LinkedHashMap<Long, Live> live = new LinkedHashMap<>();
    /** Frame bytes of the ADD records in {@link #live}: what a rewrite writes after the header. */
    private long liveFrameBytes;
    /** The highest id added, loaded or new. */
    private long lastId;
    /** Every ADD with an id up to this is forced to the file. */
    private long persistedThroughId;
    /** Live dead letters whose ADD is not forced yet. */
    private int unpersisted;
    /** Frames appended since the last successful commit. */
    private final JournalFormat.Bytes pending = new JournalFormat.Bytes(256);
    /** The file cannot be trusted to hold what was committed: the next commit rewrites it from {@link #live}. */
    private boolean rewriteNeeded;
    private @Nullable JournalFile file;
    /** Bytes of the file known good and forced; appends go here. */
    private long fileBytes;
    private boolean failing;
    private boolean compactionWarned;
    private long writeFailures;
    private boolean closed;
    private boolean warnedClosed;

    // What loading found (for the WARN and for tests).
    int damagedRegions;
    long damagedBytes;
    long firstDamageOffset = -1;
    long truncatedBytes;

    /** One dead letter present in the file. */
    private static final class Live {
        final DeadLetter letter;
        final int frameBytes;

        Live(DeadLetter letter, int frameBytes) {
            this.letter = letter;
            this.frameBytes = frameBytes;
        }
    }

    private DeadLetterFile(JournalStorage storage, Closeable lock) {
        this.storage = storage;
        this.path = storage.describe() + File.separator + NAME;
        this.lock = lock;
    }

    /**
     * Takes the directory's dead-letter lock and loads the file, creating it if absent. Damage
     * is repaired and reported, never thrown.
     *
     * @param storage the directory
     * @return the open file
     * @throws IOException if another store holds the lock, the file is not a dead-letter file or has
     *     a format version this code does not know (it is left untouched), or it cannot be read
     */
    public static DeadLetterFile open(JournalStorage storage) throws IOException {
        Closeable lock = storage.tryLock(LOCK);
        if (lock == null) {
            throw new IOException(storage.describe() + File.separator + NAME + " is in use by another dead-letter store "
                    + "(it holds " + LOCK + "); give every store its own directory");
        }
        DeadLetterFile f = new DeadLetterFile(storage, lock);
        try {
            f.load();
            return f;
        } catch (IOException | RuntimeException e) {
            f.closeFiles();
            throw e;
        }
    }

    /** {@return the file, for messages} */
    public String path() {
        return path;
    }

    /** {@return the dead letters present, by id, oldest first (a copy)} */
    public Map<Long, DeadLetter> letters() {
        Map<Long, DeadLetter> out = new LinkedHashMap<>();
        for (Map.Entry<Long, Live> e : live.entrySet()) {
            out.put(e.getKey(), e.getValue().letter);
        }
        return out;
    }

    /** {@return the highest id ever added to this file (0 if none); new ids must be above it} */
    public long lastId() {
        return lastId;
    }

    /**
     * Records a new dead letter, to be written by the next {@link #commit()}.
     *
     * @param id above {@link #lastId()}
     * @param letter the dead letter
     * @throws IllegalArgumentException if {@code id} is not above {@link #lastId()}
     */
    public void add(long id, DeadLetter letter) {
        if (id <= lastId) {
            throw new IllegalArgumentException("id must be above " + lastId + " but was " + id);
        }
        int start = pending.len;
        encodeAdd(pending, id, letter);
        int frameBytes = pending.len - start;
        live.put(id, new Live(letter, frameBytes));
        liveFrameBytes += frameBytes;
        lastId = id;
        unpersisted++;
        boundPending();
    }

    /**
     * Records the removal of dead letters, to be written by the next {@link #commit()}. Ids not
     * present are ignored.
     *
     * @param ids the ids to remove, in any order
     */
    public void remove(long[] ids) {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        int removed = 0;
        for (int i = 0; i < sorted.length; i++) {
            Live l = live.remove(sorted[i]);
            if (l != null) {
                liveFrameBytes -= l.frameBytes;
                if (sorted[i] > persistedThroughId) {
                    unpersisted--;
                }
                sorted[removed++] = sorted[i];
            }
        }
        if (removed == 0) {
            return;
        }
        List<long[]> ranges = ranges(Arrays.copyOf(sorted, removed));
        JournalFormat.Bytes out = pending;
        int start = out.len;
        out.putInt(0);
        out.putInt(0);
        int body = out.len;
        out.putByte(REMOVE);
        out.putInt(ranges.size());
        for (long[] r : ranges) {
            out.putLong(r[0]);
            out.putLong(r[1]);
        }
        seal(out, start, body);
        boundPending();
    }

    /**
     * The fewest inclusive ranges that cover {@code removed} (sorted, distinct) and no id still
     * present: a drain, an eviction of the oldest or the removal of an earlier snapshot is one range.
     */
    private List<long[]> ranges(long[] removed) {
        List<long[]> ranges = new ArrayList<>();
        Iterator<Long> remaining = live.keySet().iterator();
        long nextRemaining = remaining.hasNext() ? remaining.next() : Long.MAX_VALUE;
        long first = removed[0];
        long last = removed[0];
        for (int i = 1; i < removed.length; i++) {
            while (nextRemaining < last) {
                nextRemaining = remaining.hasNext() ? remaining.next() : Long.MAX_VALUE;
            }
            if (nextRemaining < removed[i]) {
                ranges.add(new long[] {first, last});
                first = removed[i];
            }
            last = removed[i];
        }
        ranges.add(new long[] {first, last});
        return ranges;
    }

    /** What waits for the next commit never needs more than a rewrite would write: past that, rewrite. */
    private void boundPending() {
        if (rewriteNeeded) {
            pending.reset();
        } else if (pending.len > Math.max(COMPACT_MIN_BYTES, 2 * (HEADER_BYTES + liveFrameBytes))) {
            needRewrite();
        }
    }

    private void needRewrite() {
        rewriteNeeded = true;
        pending.reset();
    }

    /**
     * Writes and forces everything added or removed since the last successful commit; never throws.
     * On failure everything stays in memory to be written by the next commit, and the first failure
     * of an episode is logged as a WARN (the recovery as INFO).
     *
     * @return whether everything is persisted now
     */
    public boolean commit() {
        if (pending.len == 0 && !rewriteNeeded) {
            return true;
        }
        if (closed) {
            if (!warnedClosed && unpersisted > 0) {
                warnedClosed = true;
                LOG.warn("Twinstream dead-letter file {} is closed: {} dead letter(s) arriving after close are kept "
                        + "in memory only", path, unpersisted);
            }
            return false;
        }
        try {
            JournalFile f = file;
            if (rewriteNeeded || f == null) {
                rewrite();
            } else {
                append(f);
            }
        } catch (IOException e) {
            writeFailures++;
            if (!failing) {
                failing = true;
                LOG.warn("Twinstream dead-letter file {} cannot be written ({}): {} dead letter(s), and the removals "
                        + "since the last write, are kept in memory only; every later dead letter or removal tries "
                        + "again", path, e.toString(), unpersisted);
            }
            return false;
        }
        pending.reset();
        persistedThroughId = lastId;
        unpersisted = 0;
        if (failing) {
            failing = false;
            LOG.info("Twinstream dead-letter file {} is written again after {} failed attempt(s)", path, writeFailures);
        }
        compactIfOversized();
        return true;
    }

    private void append(JournalFile f) throws IOException {
        try {
            f.writeFully(ByteBuffer.wrap(pending.buf, 0, pending.len), fileBytes);
            f.force();
        } catch (IOException e) {
            // A partial frame must not stay in front of the next write: cut back to what was forced.
            try {
                f.truncate(fileBytes);
            } catch (IOException cut) {
                e.addSuppressed(cut);
                needRewrite();
            }
            throw e;
        }
        fileBytes += pending.len;
    }

    private void compactIfOversized() {
        if (fileBytes <= COMPACT_MIN_BYTES || fileBytes <= 2 * (HEADER_BYTES + liveFrameBytes)) {
            return;
        }
        try {
            rewrite();
            compactionWarned = false;
        } catch (IOException e) {
            if (!compactionWarned) {
                compactionWarned = true;
                LOG.warn("Twinstream dead-letter file {} cannot be compacted ({}); it holds {} bytes for {} bytes of "
                        + "dead letters and is compacted on a later write", path, e.toString(), fileBytes,
                        HEADER_BYTES + liveFrameBytes);
            }
        }
    }

    /**
     * Replaces the file with the header and one ADD per dead letter present: temp file, force,
     * rename, directory sync. Until the sync succeeds the next commit rewrites again.
     */
    private void rewrite() throws IOException {
        JournalFormat.Bytes out = new JournalFormat.Bytes((int) Math.min(Integer.MAX_VALUE - 8, HEADER_BYTES + liveFrameBytes));
        header(out);
        for (Map.Entry<Long, Live> e : live.entrySet()) {
            encodeAdd(out, e.getKey(), e.getValue().letter);
        }
        storage.delete(TEMP);
        JournalFile tmp = storage.open(TEMP);
        try {
            tmp.writeFully(ByteBuffer.wrap(out.buf, 0, out.len), 0);
            tmp.force();
            tmp.close();
            storage.rename(TEMP, NAME);
        } catch (IOException e) {
            closeQuietly(tmp, e);
            try {
                storage.delete(TEMP);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
        // The name is the new file now: the handle on the old one must not be written again.
        JournalFile old = file;
        file = null;
        if (old != null) {
            closeQuietly(old, null);
        }
        needRewrite();
        file = storage.open(NAME);
        fileBytes = out.len;
        storage.syncDirectory();
        rewriteNeeded = false;
        liveFrameBytes = out.len - HEADER_BYTES;
    }

    /** {@return live dead letters whose ADD is not forced to the file yet} */
    public int unpersistedCount() {
        return unpersisted;
    }

    /** {@return failed commit attempts since open} */
    public long writeFailures() {
        return writeFailures;
    }

    /** {@return bytes of the file known good: the header and every committed frame} */
    public long sizeBytes() {
        return fileBytes;
    }

    /**
     * Tries one last commit, then closes the file and releases the lock. Later adds and removals
     * are kept in memory only (counted in {@link #unpersistedCount()}, one WARN). Never throws.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        commit();
        closed = true;
        if (unpersisted > 0) {
            warnedClosed = true;
            LOG.warn("Twinstream dead-letter file {} closed with {} dead letter(s) it could not write; they are "
                    + "lost when the process exits", path, unpersisted);
        }
        closeFiles();
    }

    private void closeFiles() {
        JournalFile f = file;
        file = null;
        if (f != null) {
            closeQuietly(f, null);
        }
        closeQuietly(lock, null);
    }

    // ----------------------------------------------------------------------------------- loading

    private void load() throws IOException {
        List<String> names = storage.list();
        if (names.contains(TEMP)) {
            storage.delete(TEMP); // a rewrite that never got renamed: the file itself is complete
        }
        if (!names.contains(NAME)) {
            // Created by a rewrite of nothing, so a crash never leaves a file with a torn header.
            rewrite();
            return;
        }
        JournalFile f = storage.open(NAME);
        file = f;
        byte[] b = f.readAll("the dead-letter file");
        if (b.length < HEADER_BYTES) {
            JournalFormat.Bytes header = new JournalFormat.Bytes(HEADER_BYTES);
            header(header);
            if (!Arrays.equals(b, Arrays.copyOf(header.buf, b.length))) {
                throw notOurs(b);
            }
            if (b.length > 0) {
                truncatedBytes = b.length;
                firstDamageOffset = 0;
                LOG.warn("Twinstream dead-letter file {} had a torn header ({} of {} bytes) and no dead letters; "
                        + "it was started again", path, b.length, HEADER_BYTES);
            }
            f.truncate(0);
            f.writeFully(ByteBuffer.wrap(header.buf, 0, header.len), 0);
            f.force();
            fileBytes = HEADER_BYTES;
            return;
        }
        if (JournalFormat.getInt(b, 0) != MAGIC) {
            throw notOurs(b);
        }
        int version = (b[4] & 0xFF) << 8 | (b[5] & 0xFF);
        if (version != VERSION) {
            throw new IOException(path + " has dead-letter format version " + version + ", but this version of "
                    + "Twinstream reads only version " + VERSION + "; the file was left untouched (open it with the "
                    + "Twinstream version that wrote it to drain it, or move it away)");
        }
        int end = b.length;
        int pos = HEADER_BYTES;
        while (pos < end) {
            int length = frameAt(b, pos, end, true);
            if (length > 0) {
                pos += length;
                continue;
            }
            int next = pos + 1;
            while (next + FRAME_PREFIX_BYTES + MIN_BODY_BYTES <= end && frameAt(b, next, end, false) < 0) {
                next++;
            }
            if (firstDamageOffset < 0) {
                firstDamageOffset = pos;
            }
            if (next + FRAME_PREFIX_BYTES + MIN_BODY_BYTES > end) {
                truncatedBytes = end - pos;
                break;
            }
            damagedRegions++;
            damagedBytes += next - pos;
            pos = next;
        }
        fileBytes = end - truncatedBytes;
        persistedThroughId = lastId;
        if (firstDamageOffset < 0) {
            compactIfOversized();
            return;
        }
        String repair;
        try {
            if (damagedRegions > 0) {
                rewrite();
                repair = "rewritten without the damage";
            } else {
                f.truncate(fileBytes);
                f.force();
                repair = "torn tail truncated";
            }
        } catch (IOException e) {
            // Appends go to the end of the intact part anyway; the next load finds the same damage.
            repair = "not repaired (" + e + ")";
        }
        StringBuilder found = new StringBuilder();
        if (damagedRegions > 0) {
            found.append("skipped ").append(damagedRegions).append(" damaged region(s) of ").append(damagedBytes)
                    .append(" bytes in total; ");
        }
        if (truncatedBytes > 0) {
            found.append("a torn tail of ").append(truncatedBytes).append(" bytes; ");
        }
        LOG.warn("Twinstream dead-letter file {} was damaged: kept {} intact dead letter(s); {}first damage at offset {}; {}",
                path, live.size(), found, firstDamageOffset, repair);
    }

    private IOException notOurs(byte[] b) {
        int n = Math.min(4, b.length);
        StringBuilder magic = new StringBuilder();
        for (int i = 0; i < n; i++) {
            magic.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
        }
        return new IOException(path + " is not a Twinstream dead-letter file (it starts with 0x" + magic
                + ", expected the magic \"TSDL\" and format version " + VERSION + "); it was left untouched");
    }

    /**
     * The length of the valid frame at {@code pos}, applied to {@link #live} if {@code apply}; or -1.
     * A valid ADD whose id is not above every earlier one is a second copy: skipped, not applied.
     */
    private int frameAt(byte[] b, int pos, int end, boolean apply) {
        if (end - pos < FRAME_PREFIX_BYTES + MIN_BODY_BYTES) {
            return -1;
        }
        int bodyLength = JournalFormat.getInt(b, pos);
        if (bodyLength < MIN_BODY_BYTES || bodyLength > MAX_BODY_BYTES || bodyLength > end - pos - FRAME_PREFIX_BYTES) {
            return -1;
        }
        int body = pos + FRAME_PREFIX_BYTES;
        int type = b[body];
        if (type != ADD && type != REMOVE) {
            return -1;
        }
        crc.reset();
        crc.update(b, body, bodyLength);
        if ((int) crc.getValue() != JournalFormat.getInt(b, pos + 4)) {
            return -1;
        }
        JournalFormat.Reader in = new JournalFormat.Reader(b, body + 1, body + bodyLength);
        try {
            if (type == ADD) {
                long id = in.getLong();
                DeadLetter letter = decodeAdd(in);
                if (letter == null || id < 1 || in.pos != in.end) {
                    return -1;
                }
                if (apply && id > lastId) {
                    int frameBytes = FRAME_PREFIX_BYTES + bodyLength;
                    live.put(id, new Live(letter, frameBytes));
                    liveFrameBytes += frameBytes;
                    lastId = id;
                }
            } else {
                int count = in.getInt();
                if (count < 1 || (long) count * 16 != in.end - in.pos) {
                    return -1;
                }
                long[] ranges = new long[count * 2];
                for (int i = 0; i < ranges.length; i += 2) {
                    ranges[i] = in.getLong();
                    ranges[i + 1] = in.getLong();
                    if (ranges[i] < 1 || ranges[i] > ranges[i + 1]) {
                        return -1;
                    }
                }
                if (apply) {
                    for (int i = 0; i < ranges.length; i += 2) {
                        removeRange(ranges[i], ranges[i + 1]);
                    }
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
        return FRAME_PREFIX_BYTES + bodyLength;
    }

    private void removeRange(long first, long last) {
        if (last - first < live.size()) {
            for (long id = first; id <= last; id++) {
                Live l = live.remove(id);
                if (l != null) {
                    liveFrameBytes -= l.frameBytes;
                }
            }
            return;
        }
        for (Iterator<Map.Entry<Long, Live>> it = live.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Live> e = it.next();
            if (e.getKey() >= first && e.getKey() <= last) {
                liveFrameBytes -= e.getValue().frameBytes;
                it.remove();
            }
        }
    }

    // ----------------------------------------------------------------------------------- encoding

    private static void header(JournalFormat.Bytes out) {
        out.putInt(MAGIC);
        out.putShort((short) VERSION);
    }

    private void encodeAdd(JournalFormat.Bytes out, long id, DeadLetter dl) {
        int start = out.len;
        out.putInt(0); // body length, patched by seal
        out.putInt(0); // CRC, patched by seal
        int body = out.len;
        out.putByte(ADD);
        out.putLong(id);
        out.putLong(dl.occurredAtMillis());
        out.putByte(reasonCode(dl.reason()));
        out.putInt(dl.attempts());
        out.putString(dl.sink());
        out.putString(dl.eventId());
        out.putString(dl.eventType());
        out.putString(dl.partitionKey());
        out.putString(dl.routingKey());
        out.putString(dl.errorCode());
        out.putString(dl.errorMessage());
        out.putBytes(dl.payload());
        seal(out, start, body);
    }

    private void seal(JournalFormat.Bytes out, int start, int body) {
        int bodyLength = out.len - body;
        crc.reset();
        crc.update(out.buf, body, bodyLength);
        out.patchInt(start, bodyLength);
        out.patchInt(start + 4, (int) crc.getValue());
    }

    private static @Nullable DeadLetter decodeAdd(JournalFormat.Reader in) {
        long occurredAtMillis = in.getLong();
        DeadLetter.Reason reason = reason(in.getByte());
        int attempts = in.getInt();
        String sink = in.getString();
        String eventId = in.getString();
        String eventType = in.getString();
        String partitionKey = in.getString();
        String routingKey = in.getString();
        String errorCode = in.getString();
        String errorMessage = in.getString();
        byte[] payload = in.getBytes();
        if (reason == null || attempts < 0 || sink == null || eventId == null || eventType == null
                || partitionKey == null || payload == null) {
            return null;
        }
        return new DeadLetter(sink, new LogRecord(eventId, eventType, partitionKey, routingKey, occurredAtMillis, 0, new byte[0][], 0, null),
                payload, reason, attempts, errorCode, errorMessage);
    }

    /** Stable codes, not ordinals: a new reason needs a new format version. */
    private static int reasonCode(DeadLetter.Reason reason) {
        switch (reason) {
            case PERMANENT_ERROR:
                return 1;
            case DELIVERY_TIMEOUT:
                return 2;
            case MAX_ATTEMPTS:
                return 3;
            default:
                throw new IllegalStateException("no code for " + reason);
        }
    }

    private static DeadLetter.@Nullable Reason reason(int code) {
        switch (code) {
            case 1:
                return DeadLetter.Reason.PERMANENT_ERROR;
            case 2:
                return DeadLetter.Reason.DELIVERY_TIMEOUT;
            case 3:
                return DeadLetter.Reason.MAX_ATTEMPTS;
            default:
                return null;
        }
    }

    /** A loaded dead letter's identity, keys and time, to construct the {@link DeadLetter} from. */

    // ----------------------------------------------------------------------------------- helpers

    private static void closeQuietly(Closeable c, @Nullable Exception into) {
        try {
            c.close();
        } catch (IOException e) {
            if (into != null) {
                into.addSuppressed(e);
            } else {
                LOG.debug("Twinstream dead-letter file: close failed", e);
            }
        }
    }
}
