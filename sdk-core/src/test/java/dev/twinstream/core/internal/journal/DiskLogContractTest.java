package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The {@link EventLogContractTest} against the disk journal, with its writer thread running on a
 * {@link FaultyStorage} without faults. After every test the journal is closed and reopened: each
 * sink must get back exactly the records it had not committed, with their ids, and no damage.
 */
class DiskLogContractTest extends EventLogContractTest {
    private final FaultyStorage storage = new FaultyStorage();
    private DiskLog open;
    private DiskLog.Config config;

    @Override
    EventLog newLog(OverflowPolicy policy, long maxBytes, long quotaBytes, int[] wakeRecords) {
        config = DiskLogs.config(clock, observer, policy, maxBytes, wakeRecords.length, FsyncPolicy.always());
        config.quotaBytes = quotaBytes;
        config.wakeRecords = wakeRecords;
        config.segmentBytes = 1024; // several segments even in these small tests
        open = DiskLog.open(config, storage);
        open.start(r -> {
            Thread t = new Thread(r, "test-journal-writer");
            t.setDaemon(true);
            return t;
        });
        return open;
    }

    @Override
    long capacityFor(int records) {
        // Header plus the frames of records with two-character ids (this suite's longer ids add a few
        // bytes each), plus half a frame: room for exactly this many, never one more.
        LogRecord sample = new LogRecord("r0", "t", "k", null, 0, 0, new byte[][] {new byte[100]}, 1, null);
        int frame = JournalFormat.frameLength(sample);
        int header = JournalFormat.segmentHeader(0, new String[] {"s0", "s1"}, new int[2]).length;
        return header + (long) records * frame + frame / 2;
    }

    @Override
    void assertHeldPayloadBytes(EventLog log, long payloadBytes) {
        // Capacity is released a segment at a time by the writer: DiskLogTest covers it.
    }

    @Override
    int blockedAppenders(EventLog log) {
        return ((DiskLog) log).blockedAppenders();
    }

    @AfterEach
    void reopenedJournalHoldsExactlyWhatEachSinkHadNotCommitted() {
        if (open == null) {
            return;
        }
        int sinks = config.sinkNames.length;
        List<List<String>> expected = new ArrayList<>();
        for (int s = 0; s < sinks; s++) {
            List<String> ids = new ArrayList<>();
            long position = open.checkpointPosition(s);
            for (LogRecord r : created) {
                if (r.seq >= position && r.goesTo(s) && !r.evicted) {
                    ids.add(r.eventId);
                }
            }
            expected.add(ids);
        }
        open.shutdown(5_000_000_000L);
        DiskLog reopened = DiskLog.open(config, storage);
        try {
            assertThat(reopened.recovery().hasDamage()).as("%s", reopened.recovery()).isFalse();
            for (int s = 0; s < sinks; s++) {
                List<LogRecord> out = new ArrayList<>();
                reopened.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, out);
                assertThat(out).extracting(r -> r.eventId).as("sink %d after reopening", s).containsExactlyElementsOf(expected.get(s));
            }
        } finally {
            reopened.shutdown(5_000_000_000L);
        }
    }
}
