package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Cuts the power at every write/force/directory-sync boundary of a workload (the storage keeps only
 * what was forced under names made durable) and reopens: under ALWAYS no record the journal had
 * reported durable is lost; under INTERVAL only records accepted within the last interval are, and
 * the test counts them.
 */
class PowerLossTest {
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
    private static final Duration INTERVAL = Duration.ofMillis(10);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Clock clock = new NanoClock(nanos);

    /** What a workload run saw before the power went. */
    private static final class Run {
        final Map<String, LogRecord> appended = new LinkedHashMap<>();
        final Map<String, Long> appendedAt = new LinkedHashMap<>();
        final Set<String> durable = new HashSet<>();
        final List<Set<String>> committed = List.of(new HashSet<>(), new HashSet<>());
        long crashNanos;
    }

    @Test
    void alwaysLosesNoDurableRecordWhereverThePowerGoes() {
        int operations = boundaries(FsyncPolicy.always());
        assertThat(operations).isGreaterThan(50);
        long durableChecked = 0;
        for (int crashAt = 1; crashAt <= operations + 1; crashAt++) {
            FaultyStorage storage = new FaultyStorage();
            Run run = workload(storage, FsyncPolicy.always(), crashAt);
            Map<Integer, Set<String>> lost = powerLossAndReopen(storage, run, "ALWAYS, power lost at operation " + crashAt);
            for (int s = 0; s < 2; s++) {
                Set<String> lostDurable = new HashSet<>(lost.get(s));
                lostDurable.retainAll(run.durable);
                assertThat(lostDurable).as("ALWAYS, power lost at operation %d: sink %d lost durable records", crashAt, s)
                        .isEmpty();
            }
            durableChecked += run.durable.size();
        }
        assertThat(durableChecked).as("durable records checked over all crash points").isGreaterThan(1000);
    }

    @Test
    void intervalLosesOnlyRecordsAcceptedWithinTheLastInterval() {
        int operations = boundaries(FsyncPolicy.interval(INTERVAL));
        long lostTotal = 0;
        for (int crashAt = 1; crashAt <= operations + 1; crashAt++) {
            FaultyStorage storage = new FaultyStorage();
            Run run = workload(storage, FsyncPolicy.interval(INTERVAL), crashAt);
            String context = "INTERVAL, power lost at operation " + crashAt;
            Map<Integer, Set<String>> lost = powerLossAndReopen(storage, run, context);
            Set<String> lostAny = new HashSet<>(lost.get(0));
            lostAny.addAll(lost.get(1));
            for (String id : lostAny) {
                long age = run.crashNanos - run.appendedAt.get(id);
                assertThat(run.durable).as(context).doesNotContain(id);
                assertThat(age).as("%s: lost %s, accepted %d ms before the power went", context, id,
                        TimeUnit.NANOSECONDS.toMillis(age)).isLessThanOrEqualTo(INTERVAL.toNanos() + STEP_NANOS);
            }
            lostTotal += lostAny.size();
        }
        assertThat(lostTotal).as("records lost within the window over all crash points (counted)").isPositive();
    }

    /** How many storage operations the workload does without faults. */
    private int boundaries(FsyncPolicy fsync) {
        FaultyStorage storage = new FaultyStorage();
        workload(storage, fsync, -1);
        return (int) storage.operations();
    }

    /** Appends, syncs, delivers and checkpoints for 40 steps, or until the storage "loses power". */
    private Run workload(FaultyStorage storage, FsyncPolicy fsync, long crashAt) {
        Run run = new Run();
        storage.crashAtOperation(crashAt);
        DiskLog.Config c = DiskLogs.config(clock, DiskLogs.QUIET, OverflowPolicy.dropNewest(), 1 << 20, 2, fsync);
        c.segmentBytes = 2048;
        DiskLog log;
        try {
            log = DiskLog.open(c, storage);
        } catch (ConfigurationException e) {
            run.crashNanos = nanos.get();
            return run; // the power went while opening
        }
        int n = 0;
        for (int step = 0; step < 40 && !storage.crashed(); step++) {
            for (int k = 0; k < 3; k++) {
                LogRecord r = DiskLogs.record("e" + n++, k == 2 ? 0b01 : 0b11, 80);
                run.appended.put(r.eventId, r);
                run.appendedAt.put(r.eventId, nanos.get());
                log.append(r);
            }
            boolean checkpoint = step % 5 == 4;
            if (checkpoint) {
                deliverAll(log, 0, run);
                if (step % 10 == 9) {
                    deliverAll(log, 1, run);
                }
            }
            log.syncOnce(checkpoint);
            long durable = log.durablePosition();
            for (LogRecord r : run.appended.values()) {
                if (r.seq < durable) {
                    run.durable.add(r.eventId);
                }
            }
            run.crashNanos = nanos.get();
            nanos.addAndGet(STEP_NANOS);
        }
        log.abandon();
        return run;
    }

    private static void deliverAll(DiskLog log, int sink, Run run) {
        List<LogRecord> out = new ArrayList<>();
        log.read(sink, Integer.MAX_VALUE, Long.MAX_VALUE, out);
        log.commit(sink, EventLog.ALL_READ);
        for (LogRecord r : out) {
            run.committed.get(sink).add(r.eventId);
        }
    }

    /** Per sink, the durable-or-not records it had not committed and did not get back. */
    private Map<Integer, Set<String>> powerLossAndReopen(FaultyStorage storage, Run run, String context) {
        storage.powerLoss();
        DiskLog.Config c = DiskLogs.config(clock, DiskLogs.QUIET, OverflowPolicy.dropNewest(), 1 << 20, 2, FsyncPolicy.always());
        DiskLog reopened = DiskLog.open(c, storage);
        Map<Integer, Set<String>> lost = new LinkedHashMap<>();
        for (int s = 0; s < 2; s++) {
            List<LogRecord> out = new ArrayList<>();
            reopened.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, out);
            Set<String> got = new HashSet<>();
            for (LogRecord r : out) {
                LogRecord original = run.appended.get(r.eventId);
                if (original == null || !got.add(r.eventId)) {
                    fail(context + ": sink " + s + " got " + r.eventId + (original == null ? ", never appended" : " twice"));
                }
            }
            Set<String> missing = new HashSet<>();
            for (LogRecord r : run.appended.values()) {
                if (r.goesTo(s) && !run.committed.get(s).contains(r.eventId) && !got.contains(r.eventId)) {
                    missing.add(r.eventId);
                }
            }
            lost.put(s, missing);
        }
        // What survived stays usable: append, sync, reopen.
        reopened.append(DiskLogs.record("after", 0b11, 10));
        reopened.syncOnce(true);
        reopened.abandon();
        storage.crash();
        List<LogRecord> out = new ArrayList<>();
        DiskLog third = DiskLog.open(c, storage);
        third.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, out);
        assertThat(out).extracting(r -> r.eventId).as(context).contains("after");
        third.abandon();
        return lost;
    }
}
