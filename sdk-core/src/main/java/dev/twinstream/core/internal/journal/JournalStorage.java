package dev.twinstream.core.internal.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The disk journal's only way to the file system: a flat directory of named files. Small on
 * purpose, so tests can put a storage in its place that fails writes after a number of bytes, fails
 * {@code force}, writes short, reports a full disk, or loses everything not forced (power loss).
 */
public interface JournalStorage {

    /** The directory, for messages. */
    String describe();

    /** Opens a file for reading and writing, creating it (owner-only where supported) if absent. */
    JournalFile open(String name) throws IOException;

    /** The names of the files in the directory. */
    List<String> list() throws IOException;

    /** Deletes a file if it exists. */
    void delete(String name) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    void rename(String from, String to) throws IOException;

    /** Makes creations, renames and deletions so far durable (fsync of the directory). */
    void syncDirectory() throws IOException;

    /**
     * Takes the exclusive lock that keeps a second tracker out of the directory.
     *
     * @return the held lock, released by closing it; null if another holder has it
     */
    @Nullable Closeable tryLock(String name) throws IOException;

    /** One open file: positional reads and writes, force, truncate. */
    interface JournalFile extends Closeable {
        /** Writes some bytes of {@code src} at {@code position}; may write fewer than remain. */
        int write(ByteBuffer src, long position) throws IOException;

        /** Writes all of {@code src} from {@code position}, looping over short writes. */
        default void writeFully(ByteBuffer src, long position) throws IOException {
            long p = position;
            while (src.hasRemaining()) {
                int n = write(src, p);
                if (n <= 0) {
                    throw new IOException("the file system accepted no bytes at offset " + p);
                }
                p += n;
            }
        }

        /** Reads into {@code dst} from {@code position}; -1 at the end. */
        int read(ByteBuffer dst, long position) throws IOException;

        /**
         * Reads the whole file, for the small files that are loaded whole (the dead-letter file, the
         * delivery ledger); what the file is, for the message if it is too large to load.
         */
        default byte[] readAll(String what) throws IOException {
            long size = size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(what + " has " + size + " bytes, more than can be loaded");
            }
            byte[] b = new byte[(int) size];
            ByteBuffer dst = ByteBuffer.wrap(b);
            long position = 0;
            while (dst.hasRemaining()) {
                int n = read(dst, position);
                if (n < 0) {
                    return Arrays.copyOf(b, (int) position);
                }
                position += n;
            }
            return b;
        }

        /** Forces the file's content (not its metadata) to the storage device. */
        void force() throws IOException;

        /** Cuts the file to {@code size} bytes. */
        void truncate(long size) throws IOException;

        /** The file's size in bytes. */
        long size() throws IOException;
    }
}
