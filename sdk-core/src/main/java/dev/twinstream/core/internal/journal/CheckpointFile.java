package dev.twinstream.core.internal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The checkpoint: every sink's committed position, in a file of two fixed slots rewritten in place,
 * alternately, each with a generation and a CRC. A write never needs a new block on disk (the file
 * is preallocated once), so a full disk cannot stop the checkpoint, and a torn write of one slot
 * leaves the other intact. Not thread-safe: the journal writer owns it.
 */
final class CheckpointFile {
    private final JournalStorage storage;
    private final String[] sinkNames;
    private final boolean force;
    private final int slotBytes;
    private long generation;
    /** False until both slots exist at their full size (a fresh or version 1 file). */
    private boolean preallocated;

    CheckpointFile(JournalStorage storage, String[] sinkNames, boolean force, long lastGeneration, boolean preallocated) {
        this.storage = storage;
        this.sinkNames = sinkNames.clone();
        this.force = force;
        this.slotBytes = JournalFormat.checkpointSlotBytes(sinkNames);
        this.generation = lastGeneration;
        this.preallocated = preallocated;
    }

    /** Whether a file of {@code size} bytes already has two slots for these sinks. */
    static boolean hasSlots(long size, String[] sinkNames) {
        return size == 2L * JournalFormat.checkpointSlotBytes(sinkNames);
    }

    /** {@return the generation of the last slot written (or found at open)} */
    long generation() {
        return generation;
    }

    /** Writes the positions into the older slot and forces it (unless the fsync policy is NEVER). */
    void write(long[] positions) throws IOException {
        long next = generation + 1;
        try (JournalStorage.JournalFile f = storage.open(JournalFormat.CHECKPOINT)) {
            if (!preallocated) {
                // Both slots at once: the file reaches its final size and never grows again.
                byte[] both = new byte[2 * slotBytes];
                byte[] slot = JournalFormat.checkpointSlot(next, sinkNames, positions, slotBytes);
                System.arraycopy(slot, 0, both, 0, slotBytes);
                System.arraycopy(slot, 0, both, slotBytes, slotBytes);
                f.writeFully(ByteBuffer.wrap(both), 0);
                f.truncate(both.length);
                if (force) {
                    f.force();
                    storage.syncDirectory();
                }
                preallocated = true;
            } else {
                byte[] slot = JournalFormat.checkpointSlot(next, sinkNames, positions, slotBytes);
                f.writeFully(ByteBuffer.wrap(slot), (next % 2) * slotBytes);
                if (force) {
                    f.force();
                }
            }
        }
        generation = next;
    }
}
