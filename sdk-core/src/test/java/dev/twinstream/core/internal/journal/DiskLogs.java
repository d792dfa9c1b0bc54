package dev.twinstream.core.internal.journal;

import dev.twinstream.core.Clock;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.util.Arrays;

/** Builds disk journal configurations for tests. */
final class DiskLogs {
    private DiskLogs() {}

    /** Sinks named s0, s1 … sharing format slot 0. */
    static DiskLog.Config config(Clock clock, LogObserver observer, OverflowPolicy policy, long maxBytes, int sinks,
                                 FsyncPolicy fsync) {
        DiskLog.Config c = new DiskLog.Config();
        c.clock = clock;
        c.observer = observer;
        c.overflow = policy;
        c.maxBytes = maxBytes;
        c.fsync = fsync;
        c.segmentBytes = 64 * 1024;
        c.sinkNames = new String[sinks];
        for (int i = 0; i < sinks; i++) {
            c.sinkNames[i] = "s" + i;
        }
        c.slots = new int[sinks];
        c.wakeRecords = new int[sinks];
        Arrays.fill(c.wakeRecords, 500);
        c.wakeBytes = new long[sinks];
        Arrays.fill(c.wakeBytes, 1 << 20);
        return c;
    }

    /** A record of {@code payloadBytes} bytes (content derived from the id) for the sinks in {@code mask}. */
    static LogRecord record(String id, int mask, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) (id.hashCode() + i);
        }
        return new LogRecord(id, "type", "key-" + id, null, 1_700_000_000_000L, 0, new byte[][] {payload}, mask, null);
    }

    /** Records every drop as {@code sink:eventId:reason}, under its own monitor; ignores wake-ups. */
    static final class RecordingObserver implements LogObserver {
        final java.util.List<String> drops = new java.util.ArrayList<>();

        @Override
        public synchronized void dropped(int sink, LogRecord record, dev.twinstream.core.DropReason reason) {
            drops.add(sink + ":" + record.eventId + ":" + reason);
        }

        @Override
        public void wake(boolean batchReady) {}
    }

    /** A log observer that ignores everything. */
    static final LogObserver QUIET = new LogObserver() {
        @Override
        public void dropped(int sink, LogRecord record, dev.twinstream.core.DropReason reason) {}

        @Override
        public void wake(boolean batchReady) {}
    };
}
