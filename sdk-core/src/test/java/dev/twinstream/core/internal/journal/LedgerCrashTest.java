package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.LedgerBucket;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.internal.dispatch.DeliveryLedgers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The delivery ledger across a crash at every storage operation of a workload (the process dies:
 * contents stay; or the power goes: only what was forced stays), the dispatcher's part played by
 * hand: sink 0 delivers in order, sink 1 holds its oldest event back for a few steps (a retry) and
 * delivers the later ones meanwhile. After the restart every event the journal still has is sent
 * again if it was not final before, and delivered. Every event is its own event type, so its bucket
 * tells how often the ledger counted it: exactly once if it was delivered (before or after the
 * crash) and the journal kept it; at most once if the crash took it from the journal (delivered
 * before it was written); never when it was never delivered.
 */
class LedgerCrashTest {
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
    private static final long RETENTION_MILLIS = TimeUnit.DAYS.toMillis(7);
    private static final long OCCURRED_AT = 1_700_000_000_000L;
    private static final String[] DESTINATIONS = {null, "stream-b"};

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Clock clock = new NanoClock(nanos);

    /** What a workload run did before the process died. */
    private static final class Run {
        final Map<String, LogRecord> appended = new LinkedHashMap<>();
        final List<Set<String>> delivered = List.of(new HashSet<>(), new HashSet<>());
    }

    private DiskLog.Config config() {
        DiskLog.Config c = DiskLogs.config(clock, DiskLogs.QUIET, OverflowPolicy.dropNewest(), 1 << 20, 2, FsyncPolicy.always());
        c.segmentBytes = 2048;
        c.ledgerRetentionMillis = RETENTION_MILLIS;
        return c;
    }

    private DeliveryLedgers ledgers(DiskLog log) {
        DeliveryLedgers ledgers = new DeliveryLedgers(new String[] {"s0", "s1"}, clock, RETENTION_MILLIS, log.ledgerFile());
        log.checkpointHook(ledgers);
        return ledgers;
    }

    @Test
    void aProcessCrashAtAnyOperationNeitherLosesNorDoubleCountsADelivery() {
        int operations = boundaries();
        assertThat(operations).isGreaterThan(80);
        int resumedAtTheLedger = 0;
        for (int crashAt = 1; crashAt <= operations + 1; crashAt++) {
            FaultyStorage storage = new FaultyStorage();
            Run run = workload(storage, crashAt);
            storage.crash();
            resumedAtTheLedger += reopenAndCheck(storage, run, "process crash at operation " + crashAt);
        }
        assertThat(resumedAtTheLedger).as("crash points between a ledger frame and its checkpoint, where the "
                + "restart resumed at the ledger's positions").isPositive();
    }

    @Test
    void aPowerLossAtAnyOperationNeverCountsADeliveryTwice() {
        int operations = boundaries();
        for (int crashAt = 1; crashAt <= operations + 1; crashAt++) {
            FaultyStorage storage = new FaultyStorage();
            Run run = workload(storage, crashAt);
            storage.powerLoss();
            reopenAndCheck(storage, run, "power lost at operation " + crashAt);
        }
    }

    /**
     * A cycle in which the ledger wrote a frame skips the checkpoint write (the frame carries the
     * positions and the next generation); a cycle that moved positions without a delivery writes the
     * checkpoint; a restart after either resumes where the sinks were, sending nothing again.
     */
    @Test
    void aLedgerFrameStandsInForTheCheckpointItPrecedes() {
        FaultyStorage storage = new FaultyStorage();
        DiskLog log = DiskLog.open(config(), storage);
        DeliveryLedgers ledgers = ledgers(log);
        Run run = new Run();
        for (int i = 0; i < 4; i++) {
            LogRecord r = new LogRecord("e" + i, "t-e" + i, "key", null, OCCURRED_AT, nanos.get(),
                    new byte[][] {new byte[40]}, 0b11, null);
            log.append(r);
        }
        log.syncOnce(true);
        byte[] checkpoint = storage.content(JournalFormat.CHECKPOINT);
        int ledgerBytes = storage.content(LedgerFile.NAME).length;

        for (int s = 0; s < 2; s++) {
            List<LogRecord> read = new ArrayList<>();
            log.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, read);
            deliver(ledgers, log, s, read, run.delivered.get(s));
            log.commit(s, EventLog.ALL_READ);
            ledgers.committed(s, Long.MAX_VALUE);
        }
        log.syncOnce(true);
        assertThat(storage.content(LedgerFile.NAME).length).as("ledger frame written").isGreaterThan(ledgerBytes);
        assertThat(storage.content(JournalFormat.CHECKPOINT)).as("checkpoint not rewritten").isEqualTo(checkpoint);

        // Sink 1 gives up on an event without delivering it: positions move, the ledger has nothing new.
        LogRecord dropped = new LogRecord("e4", "t-e4", "key", null, OCCURRED_AT, nanos.get(),
                new byte[][] {new byte[40]}, 0b10, null);
        log.append(dropped);
        log.read(1, Integer.MAX_VALUE, Long.MAX_VALUE, new ArrayList<>());
        log.commit(1, EventLog.ALL_READ);
        ledgers.committed(1, Long.MAX_VALUE);
        ledgerBytes = storage.content(LedgerFile.NAME).length;
        log.syncOnce(true);
        assertThat(storage.content(LedgerFile.NAME).length).as("no ledger frame").isEqualTo(ledgerBytes);
        assertThat(checkpointPositions(storage)).as("checkpoint written").containsEntry("s1", dropped.seq + 1);
        log.abandon();

        storage.crash();
        DiskLog reopened = DiskLog.open(config(), storage);
        for (int s = 0; s < 2; s++) {
            List<LogRecord> again = new ArrayList<>();
            reopened.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, again);
            assertThat(again).as("sink %d sends nothing again", s).isEmpty();
        }
        reopened.abandon();
    }

    private int boundaries() {
        FaultyStorage storage = new FaultyStorage();
        workload(storage, -1);
        return (int) storage.operations();
    }

    /** Appends, delivers, commits and syncs for 30 steps, or until the storage "crashes". */
    private Run workload(FaultyStorage storage, long crashAt) {
        Run run = new Run();
        storage.crashAtOperation(crashAt);
        DiskLog log;
        try {
            log = DiskLog.open(config(), storage);
        } catch (ConfigurationException e) {
            return run; // died while opening
        }
        DeliveryLedgers ledgers = ledgers(log);
        List<LogRecord> held = new ArrayList<>(); // sink 1's read, unfinished records, oldest first
        int n = 0;
        for (int step = 0; step < 30 && !storage.crashed(); step++) {
            for (int k = 0; k < 3; k++) {
                String id = "e" + n;
                LogRecord r = new LogRecord(id, "t-" + id, "key", null, OCCURRED_AT + n, nanos.get(),
                        new byte[][] {new byte[40]}, k == 2 ? 0b01 : 0b11, null);
                n++;
                run.appended.put(id, r);
                log.append(r);
            }
            List<LogRecord> fresh = new ArrayList<>();
            log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, fresh);
            deliver(ledgers, log, 0, fresh, run.delivered.get(0));
            log.commit(0, EventLog.ALL_READ);
            ledgers.committed(0, Long.MAX_VALUE);

            log.read(1, Integer.MAX_VALUE, Long.MAX_VALUE, held);
            boolean retrySucceeds = step % 4 == 3;
            List<LogRecord> now = new ArrayList<>(held.subList(retrySucceeds || held.isEmpty() ? 0 : 1, held.size()));
            deliver(ledgers, log, 1, now, run.delivered.get(1));
            held.removeAll(now);
            long position = held.isEmpty() ? EventLog.ALL_READ : held.get(0).seq;
            log.commit(1, position);
            ledgers.committed(1, held.isEmpty() ? Long.MAX_VALUE : position);

            log.syncOnce(step % 3 == 2);
            nanos.addAndGet(STEP_NANOS);
        }
        log.abandon();
        return run;
    }

    private static void deliver(DeliveryLedgers ledgers, DiskLog log, int sink, List<LogRecord> records, Set<String> into) {
        if (records.isEmpty()) {
            return;
        }
        LogRecord[] array = records.toArray(new LogRecord[0]);
        String[] destinations = new String[array.length];
        java.util.Arrays.fill(destinations, DESTINATIONS[sink]);
        ledgers.delivered(sink, array, destinations, array.length);
        for (LogRecord r : records) {
            into.add(r.eventId);
        }
    }

    /**
     * Reopens, delivers what the journal sends again, checks every event's count, then restarts once
     * more cleanly and checks that the ledger came back the same.
     *
     * @return 1 if recovery resumed a sink at the ledger's position rather than the checkpoint's
     */
    private int reopenAndCheck(FaultyStorage storage, Run run, String context) {
        Map<String, Long> checkpointed = checkpointPositions(storage);
        DiskLog log = DiskLog.open(config(), storage);
        int resumedAtLedger = 0;
        for (int s = 0; s < 2; s++) {
            Long cp = checkpointed.get("s" + s);
            if (cp != null && log.checkpointPosition(s) > cp) {
                resumedAtLedger = 1;
            }
        }
        long nextSeq = log.appendPosition(); // the journal lost the records from here on, if any
        DeliveryLedgers ledgers = ledgers(log);
        List<Set<String>> deliveredAfter = List.of(new HashSet<>(), new HashSet<>());
        // Two new events: sequence numbers the crash freed are used again, and count as new events.
        for (int k = 0; k < 2; k++) {
            LogRecord r = new LogRecord("after" + k, "t-after" + k, "key", null, OCCURRED_AT, nanos.get(),
                    new byte[][] {new byte[40]}, 0b11, null);
            log.append(r);
        }
        for (int s = 0; s < 2; s++) {
            List<LogRecord> replay;
            do { // a sink reading back from the files gets the window's records by a later read
                replay = new ArrayList<>();
                log.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, replay);
                deliver(ledgers, log, s, replay, deliveredAfter.get(s));
                log.commit(s, EventLog.ALL_READ);
                ledgers.committed(s, Long.MAX_VALUE);
            } while (!replay.isEmpty());
        }
        log.syncOnce(true);
        List<Map<String, Long>> counts = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            Map<String, Long> count = countsByType(ledgers.snapshot(s));
            counts.add(count);
            for (LogRecord r : run.appended.values()) {
                if (!r.goesTo(s)) {
                    assertThat(count).as("%s: sink %d never receives %s", context, s, r.eventId).doesNotContainKey(r.eventType);
                    continue;
                }
                boolean delivered = run.delivered.get(s).contains(r.eventId) || deliveredAfter.get(s).contains(r.eventId);
                long got = count.getOrDefault(r.eventType, 0L);
                if (r.seq < nextSeq) {
                    assertThat(got).as("%s: sink %d counted %s (seq %d, delivered: %s)", context, s, r.eventId, r.seq, delivered)
                            .isEqualTo(delivered ? 1 : 0);
                } else {
                    assertThat(got).as("%s: sink %d counted %s, lost from the journal", context, s, r.eventId)
                            .isLessThanOrEqualTo(run.delivered.get(s).contains(r.eventId) ? 1 : 0);
                }
            }
            assertThat(count).as(context).containsEntry("t-after0", 1L).containsEntry("t-after1", 1L);
            assertThat(ledgers.snapshot(s).buckets()).extracting(LedgerBucket::destination).as(context)
                    .containsOnly(s == 0 ? "s0" : "stream-b");
        }
        log.abandon();
        storage.crash();

        DiskLog third = DiskLog.open(config(), storage);
        DeliveryLedgers back = ledgers(third);
        for (int s = 0; s < 2; s++) {
            List<LogRecord> replay = new ArrayList<>();
            third.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, replay);
            assertThat(replay).as("%s: nothing is sent again after a restart that checkpointed", context).isEmpty();
            assertThat(countsByType(back.snapshot(s))).as("%s: the ledger survives a restart", context)
                    .isEqualTo(counts.get(s));
        }
        third.abandon();
        return resumedAtLedger;
    }

    private static Map<String, Long> countsByType(DeliveryLedger ledger) {
        Map<String, Long> out = new HashMap<>();
        for (LedgerBucket b : ledger.buckets()) {
            out.merge(b.eventType(), b.count(), Long::sum);
        }
        return out;
    }

    private static Map<String, Long> checkpointPositions(FaultyStorage storage) {
        byte[] b = storage.content(JournalFormat.CHECKPOINT);
        if (b == null) {
            return Map.of();
        }
        try {
            JournalFormat.Checkpoint c = JournalFormat.readCheckpoint(b, b.length, JournalFormat.CHECKPOINT);
            return c == null ? Map.of() : c.positions;
        } catch (JournalFormat.UnknownVersionException e) {
            throw new AssertionError(e);
        }
    }
}
