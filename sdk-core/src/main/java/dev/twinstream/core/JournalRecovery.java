package dev.twinstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What opening a disk journal found: how much it read back and what damage it skipped. Reported
 * once per tracker through {@link TrackerMetrics#journalRecovery()},
 * {@link DeliveryListener#onJournalRecovered(JournalRecovery)} and, when anything was damaged, one
 * WARN log line. Recovery never fails on damaged data: it skips what does not validate, counts it
 * here and keeps every intact record. Immutable.
 */
public final class JournalRecovery {
    /** Most {@link #damages()} kept; the counts cover all of them. */
    public static final int MAX_DAMAGES_LISTED = 100;

    private static final JournalRecovery NONE = new JournalRecovery(0, 0, 0, 0, 0, 0, 0, false, Collections.emptyList());

    private final int segments;
    private final long bytesScanned;
    private final long recordsRecovered;
    private final long recordsReplayed;
    private final long framesSkipped;
    private final long bytesSkipped;
    private final long bytesTruncated;
    private final boolean checkpointDamaged;
    private final List<Damage> damages;

    /**
     * Creates a report; the journal does this.
     *
     * @param segments segment files read
     * @param bytesScanned bytes of segment files read
     * @param recordsRecovered intact records found
     * @param recordsReplayed intact records that at least one sink had not committed
     * @param framesSkipped damaged frames skipped
     * @param bytesSkipped bytes skipped inside segments
     * @param bytesTruncated bytes cut off segment ends
     * @param checkpointDamaged whether the checkpoint file was damaged
     * @param damages the damaged places, in the order found; copied
     */
    public JournalRecovery(int segments, long bytesScanned, long recordsRecovered, long recordsReplayed,
                           long framesSkipped, long bytesSkipped, long bytesTruncated, boolean checkpointDamaged,
                           List<Damage> damages) {
        this.segments = segments;
        this.bytesScanned = bytesScanned;
        this.recordsRecovered = recordsRecovered;
        this.recordsReplayed = recordsReplayed;
        this.framesSkipped = framesSkipped;
        this.bytesSkipped = bytesSkipped;
        this.bytesTruncated = bytesTruncated;
        this.checkpointDamaged = checkpointDamaged;
        this.damages = Collections.unmodifiableList(new ArrayList<>(damages));
    }

    /** {@return the report of a journal that recovered nothing: a memory journal, or a new directory} */
    public static JournalRecovery none() {
        return NONE;
    }

    /** {@return the number of segment files read} */
    public int segments() {
        return segments;
    }

    /** {@return the bytes of segment files read} */
    public long bytesScanned() {
        return bytesScanned;
    }

    /** {@return the number of intact records found, whether or not a sink still needed them} */
    public long recordsRecovered() {
        return recordsRecovered;
    }

    /** {@return the number of intact records that at least one sink had not committed, put back in the queue} */
    public long recordsReplayed() {
        return recordsReplayed;
    }

    /** {@return the number of damaged frames skipped (each run of damaged bytes between two intact frames counts one)} */
    public long framesSkipped() {
        return framesSkipped;
    }

    /** {@return the bytes skipped inside segments because they did not validate} */
    public long bytesSkipped() {
        return bytesSkipped;
    }

    /** {@return the bytes cut off segment ends (a torn tail, or damage with no intact frame after it)} */
    public long bytesTruncated() {
        return bytesTruncated;
    }

    /**
     * {@return whether the checkpoint file was missing its content or failed its CRC (sinks then
     * replay everything on disk)}
     */
    public boolean checkpointDamaged() {
        return checkpointDamaged;
    }

    /** {@return whether anything was skipped, truncated or damaged} */
    public boolean hasDamage() {
        return framesSkipped > 0 || bytesSkipped > 0 || bytesTruncated > 0 || checkpointDamaged || !damages.isEmpty();
    }

    /** {@return the first {@link #MAX_DAMAGES_LISTED} damaged places, in the order found} */
    public List<Damage> damages() {
        return damages;
    }

    @Override
    public String toString() {
        return "JournalRecovery{segments=" + segments + ", bytesScanned=" + bytesScanned + ", recordsRecovered="
                + recordsRecovered + ", recordsReplayed=" + recordsReplayed + ", framesSkipped=" + framesSkipped
                + ", bytesSkipped=" + bytesSkipped + ", bytesTruncated=" + bytesTruncated + ", checkpointDamaged="
                + checkpointDamaged + (damages.isEmpty() ? "" : ", damages=" + damages) + '}';
    }

    /** One damaged place: a file, a byte range and what was wrong. */
    public static final class Damage {
        private final String file;
        private final long offset;
        private final long length;
        private final String problem;

        /**
         * Creates a damage entry; the journal does this.
         *
         * @param file the file name inside the journal directory
         * @param offset the offset of the first damaged byte
         * @param length the number of damaged bytes
         * @param problem what was wrong
         */
        public Damage(String file, long offset, long length, String problem) {
            this.file = file;
            this.offset = offset;
            this.length = length;
            this.problem = problem;
        }

        /** {@return the file name inside the journal directory} */
        public String file() {
            return file;
        }

        /** {@return the offset of the first damaged byte} */
        public long offset() {
            return offset;
        }

        /** {@return the number of damaged bytes} */
        public long length() {
            return length;
        }

        /** {@return what was wrong, for example "CRC mismatch" or "torn tail"} */
        public String problem() {
            return problem;
        }

        @Override
        public String toString() {
            return file + "@" + offset + "+" + length + ": " + problem;
        }
    }
}
