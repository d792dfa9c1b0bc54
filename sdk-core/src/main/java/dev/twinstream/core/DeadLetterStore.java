package dev.twinstream.core;

import dev.twinstream.core.internal.journal.DeadLetterFile;
import dev.twinstream.core.internal.journal.FileJournalStorage;
import dev.twinstream.core.spi.DeadLetterHandler;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link DeadLetterHandler}: keeps dead letters for inspection and
 * {@link EventTracker#replay replay}, bounded by the sum of their payload bytes, and logs a
 * rate-limited warning (at most one per {@link #WARN_INTERVAL_MILLIS}, counting what it summarises).
 * When full it evicts the oldest dead letter and logs an error with the running count of evicted
 * ones ({@link #evictedCount()}) — never silently. Payloads are never logged. Thread-safe.
 *
 * <p><b>In memory or on disk.</b> {@link #DeadLetterStore(long, Clock) new DeadLetterStore(…)} keeps
 * them in memory: they are gone when the process ends. {@link #persistent(Path, long, Clock)} also
 * writes them to {@value #FILE_NAME} in a directory, so they survive restarts, crashes and power
 * loss, and a later store on the same directory lists them again. A tracker with a
 * {@link Journal#disk(Path) disk journal} and no handler of the application's own uses a persistent
 * store in the journal's directory ({@link EventTracker#deadLetterStore()}), opened once the
 * journal holds the directory's lock and closed with the tracker.
 *
 * <p><b>What a persistent store guarantees.</b> Every change — a new dead letter, an eviction, a
 * {@link #remove}, a {@link #drain} — is written and forced ({@code fsync}) before the method returns,
 * whatever the journal's fsync policy (dead letters are rare). So a dead letter survives a crash
 * and a power loss once {@link #onDeadLetter} returned; before that it is in the tracker's
 * listener queue, and a crash then loses it only if the journal had already checkpointed the sink
 * past the event (otherwise the restarted tracker sends it again). If the file cannot be written
 * (a full disk, an I/O error) nothing is thrown: the store keeps working in memory, counts the dead
 * letters not on disk in {@link #unpersistedCount()}, logs one warning per episode, and writes
 * everything on its next change. A removal that could not be written makes the dead letter come
 * back after a restart: a duplicate on replay, never a loss. The file is bounded: about twice
 * {@code maxBytes} plus each letter's keys and error text, compacted by an atomic rewrite.
 *
 * <p><b>Replaying without a loss window.</b> {@link #drain()} removes the dead letters before they
 * are replayed; a process that dies in between loses them. Instead:
 *
 * <pre>{@code
 * DeadLetterStore store = tracker.deadLetterStore();
 * List<DeadLetter> letters = store.snapshot();  // still stored
 * tracker.replay(letters);                      // appended to the journal again
 * if (tracker.flush(Duration.ofSeconds(30))) {  // delivered, or dead-lettered again (as new letters)
 *     store.remove(letters);                    // exactly these: letters stored since are kept
 * }
 * }</pre>
 *
 * A process that dies before {@code remove} returned replays them again after the restart
 * (duplicates, same {@code eventId}); none is lost. {@code replay} returns once the events are
 * <em>accepted</em>: removing right after it, without waiting, risks them if the process dies before
 * the disk journal wrote them (normally within a millisecond) or the machine loses power before it
 * forced them (see {@code docs/JOURNAL.md}).
 */
public final class DeadLetterStore implements DeadLetterHandler, Closeable {
    /** Default bound on retained payload bytes: 16 MiB. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** Shortest time between two warnings. */
    public static final long WARN_INTERVAL_MILLIS = 10_000;
    /** The name of a persistent store's file in its directory. */
    public static final String FILE_NAME = DeadLetterFile.NAME;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    /** One retained dead letter under the id its file knows it by (memory stores number them too). */
    private static final class Entry {
        final long id;
        final DeadLetter letter;

        Entry(long id, DeadLetter letter) {
            this.id = id;
            this.letter = letter;
        }
    }

    private final long maxBytes;
    private final Clock clock;
    private final @Nullable DeadLetterFile file;
    private final ArrayDeque<Entry> letters = new ArrayDeque<>();
    private long nextId = 1;
    private long bytes;
    private long evicted;
    private long total;
    private long sinceLastWarning;
    private long lastWarningNanos;
    private boolean warnedOnce;

    /** A store of {@link #DEFAULT_MAX_BYTES} in memory, on the system clock. */
    public DeadLetterStore() {
        this(DEFAULT_MAX_BYTES, Clock.system());
    }

    /**
     * A store in memory bounded by {@code maxBytes} of payload, rate-limiting its warnings on {@code clock}.
     *
     * @param maxBytes most payload bytes retained, at least 1
     * @param clock the clock the warnings are rate-limited on
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public DeadLetterStore(long maxBytes, Clock clock) {
        this(checkMaxBytes(maxBytes), clock, null);
    }

    private DeadLetterStore(long maxBytes, Clock clock, @Nullable DeadLetterFile file) {
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.file = file;
        if (file == null) {
            return;
        }
        for (Map.Entry<Long, DeadLetter> e : file.letters().entrySet()) {
            letters.addLast(new Entry(e.getKey(), e.getValue()));
            bytes += e.getValue().payloadBytes();
        }
        nextId = file.lastId() + 1;
        long evictedNow = evictOverBound();
        if (evictedNow > 0) {
            file.commit();
            LOG.error("Dead-letter store {} holds more than its bound of {} bytes: evicted its {} oldest dead "
                    + "letter(s)", file.path(), maxBytes, evictedNow);
        }
        if (!letters.isEmpty()) {
            LOG.info("Dead-letter store {} holds {} dead letter(s) from earlier runs; list them with snapshot() and "
                    + "send them again with EventTracker.replay", file.path(), letters.size());
        }
    }

    /**
     * Opens a store that also keeps its dead letters in {@value #FILE_NAME} in {@code directory}
     * (created, owner-only where POSIX permissions exist), with what an earlier store left there,
     * oldest first; a file beyond {@code maxBytes} loses its oldest (counted in
     * {@link #evictedCount()}). Damage from a crash is repaired and reported in one warning, never
     * thrown. The store holds a lock file ({@code dead-letters.lock}) until {@link #close()}: close
     * it when done (the tracker closes the default store it opened itself). Use a directory no other
     * store uses; the journal directory of a tracker is fine, as long as that tracker does not open
     * its own default store there (give it this one as its handler).
     *
     * @param directory the directory of the file
     * @param maxBytes most payload bytes retained, at least 1
     * @param clock the clock the warnings are rate-limited on
     * @return the open store
     * @throws IOException if the directory cannot be created or read, another store holds it, or the
     *     file is not a dead-letter file or has a format version this Twinstream does not know (the
     *     message names the file and both versions; the file is left untouched)
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public static DeadLetterStore persistent(Path directory, long maxBytes, Clock clock) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(clock, "clock");
        checkMaxBytes(maxBytes);
        return new DeadLetterStore(maxBytes, clock, DeadLetterFile.open(new FileJournalStorage(directory)));
    }

    private static long checkMaxBytes(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1 but was " + maxBytes);
        }
        return maxBytes;
    }

    /**
     * Keeps the dead letter (written to the file and forced before returning, for a persistent
     * store), evicting the oldest ones beyond the bound. Never throws for I/O: see
     * {@link #unpersistedCount()}.
     *
     * @param deadLetter the event a sink could not deliver
     */
    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
        long evictedNow;
        String warning = null;
        synchronized (this) {
            Entry entry = new Entry(nextId++, deadLetter);
            letters.addLast(entry);
            bytes += deadLetter.payloadBytes();
            total++;
            sinceLastWarning++;
            if (file != null) {
                file.add(entry.id, deadLetter);
            }
            evictedNow = evictOverBound();
            if (file != null) {
                file.commit(); // the new letter and the evictions in one write and one force
            }
            long now = clock.nanoTime();
            if (!warnedOnce || now - lastWarningNanos >= TimeUnit.MILLISECONDS.toNanos(WARN_INTERVAL_MILLIS)) {
                warning = sinceLastWarning + " event(s) dead-lettered since the last warning (" + total
                        + " in total, " + letters.size() + " retained); latest: " + deadLetter;
                warnedOnce = true;
                lastWarningNanos = now;
                sinceLastWarning = 0;
            }
        }
        if (warning != null) {
            LOG.warn(warning);
        }
        if (evictedNow > 0) {
            LOG.error("Dead-letter store is full ({} bytes): evicted {} oldest dead letter(s), {} evicted in total",
                    maxBytes, evictedNow, evictedCount());
        }
    }

    /** Evicts the oldest beyond the bound (the newest always stays); under the monitor. */
    private long evictOverBound() {
        int n = 0;
        long[] ids = null;
        while (bytes > maxBytes && letters.size() > 1) {
            Entry oldest = letters.removeFirst();
            bytes -= oldest.letter.payloadBytes();
            if (ids == null || n == ids.length) {
                ids = ids == null ? new long[4] : Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = oldest.id;
        }
        if (ids != null) {
            evicted += n;
            if (file != null) {
                file.remove(Arrays.copyOf(ids, n));
            }
        }
        return n;
    }

    /** {@return a copy of the retained dead letters, oldest first} */
    public synchronized List<DeadLetter> snapshot() {
        List<DeadLetter> out = new ArrayList<>(letters.size());
        for (Entry e : letters) {
            out.add(e.letter);
        }
        return out;
    }

    /**
     * Removes and returns the retained dead letters, oldest first. A persistent store writes the
     * removal before returning, so a process that dies before it replayed them loses them: prefer
     * {@link #snapshot()}, replay, then {@link #remove(Collection)}.
     *
     * @return the dead letters removed
     */
    public synchronized List<DeadLetter> drain() {
        List<DeadLetter> out = snapshot();
        long[] ids = new long[letters.size()];
        int i = 0;
        for (Entry e : letters) {
            ids[i++] = e.id;
        }
        letters.clear();
        bytes = 0;
        if (file != null && ids.length > 0) {
            file.remove(ids);
            file.commit();
        }
        return out;
    }

    /**
     * Removes exactly the given dead letters — the instances {@link #snapshot()} or {@link #drain()}
     * returned, compared by identity, so a dead letter stored since (even of the same event, dead-lettered
     * again after a replay) stays. A persistent store writes the removal before returning (see the class
     * comment for what a failed write means). Letters no longer retained are ignored.
     *
     * @param deadLetters the dead letters to remove
     * @return how many were retained and are removed now
     */
    public synchronized int remove(Collection<DeadLetter> deadLetters) {
        Set<DeadLetter> gone = Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(deadLetters);
        long[] ids = new long[Math.min(gone.size(), letters.size())];
        int n = 0;
        for (Iterator<Entry> it = letters.iterator(); it.hasNext() && n < ids.length; ) {
            Entry e = it.next();
            if (gone.contains(e.letter)) {
                it.remove();
                bytes -= e.letter.payloadBytes();
                ids[n++] = e.id;
            }
        }
        if (file != null && n > 0) {
            file.remove(Arrays.copyOf(ids, n));
            file.commit();
        }
        return n;
    }

    /** {@return the number of retained dead letters} */
    public synchronized int size() {
        return letters.size();
    }

    /** {@return the number of dead letters received by {@link #onDeadLetter} since this store was created (not those loaded from its file)} */
    public synchronized long totalCount() {
        return total;
    }

    /** {@return the number of dead letters this store evicted because it was full (at open included)} */
    public synchronized long evictedCount() {
        return evicted;
    }

    /**
     * {@return the number of retained dead letters a persistent store could not write to its file yet
     * (a full disk, an I/O error, or received after {@link #close()}); 0 for a memory store} They are
     * written with the store's next change; until then a crash loses them.
     */
    public synchronized int unpersistedCount() {
        return file == null ? 0 : file.unpersistedCount();
    }

    /** {@return whether this store keeps its dead letters in a file ({@link #persistent}) rather than in memory only} */
    public boolean isPersistent() {
        return file != null;
    }

    /**
     * Closes a persistent store's file and releases its directory, after one last attempt to write
     * what could not be written; the dead letters stay listed in memory, and later ones are kept in
     * memory only (counted in {@link #unpersistedCount()}). Nothing to do for a memory store.
     * Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (file != null) {
            file.close();
        }
    }
}
