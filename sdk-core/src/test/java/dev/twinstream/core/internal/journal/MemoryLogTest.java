package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link EventLogContractTest} against the in-memory log, plus what only it does: DROP_OLDEST,
 * and capacity released record by record as sinks commit.
 */
class MemoryLogTest extends EventLogContractTest {
    /** What the memory log counts for one of this suite's records: its 100-byte payload and the record around it. */
    private static final long RECORD_COST = 100 + LogRecord.HEAP_OVERHEAD_BYTES;


    @Override
    EventLog newLog(OverflowPolicy policy, long maxBytes, long quotaBytes, int[] wakeRecords) {
        long[] wakeBytes = new long[wakeRecords.length];
        java.util.Arrays.fill(wakeBytes, 10_000);
        return new MemoryLog(clock, maxBytes, quotaBytes, policy, observer, new int[wakeRecords.length], wakeRecords,
                wakeBytes);
    }

    @Override
    int blockedAppenders(EventLog log) {
        return ((MemoryLog) log).blockedAppenders();
    }

    @Override
    long capacityFor(int records) {
        return records * RECORD_COST;
    }

    @Override
    void assertHeldPayloadBytes(EventLog log, long payloadBytes) {
        assertThat(log.sizeBytes()).isEqualTo(payloadBytes / 100 * RECORD_COST); // this suite's payloads are 100 bytes
    }

    @Test
    void dropOldestEvictsTheHeadAndFlagsItForSinksThatAlreadyReadIt() {
        EventLog log = log(OverflowPolicy.dropOldest());
        LogRecord first = record("r0", BOTH);
        log.append(first);
        log.append(record("r1", BOTH));
        log.append(record("r2", BOTH));
        List<LogRecord> out = new ArrayList<>();
        log.read(0, 1, Long.MAX_VALUE, out); // sink 0 has r0 in flight; sink 1 has read nothing

        assertThat(log.append(record("r3", BOTH))).isTrue();
        assertThat(drops).as("only the sink that never read r0 loses it here").containsExactly("1:r0:OVERFLOW_DROP_OLDEST");
        assertThat(first.evicted).isTrue();
        assertThat(peek(log, 1).count).isEqualTo(3);
        assertThat(log.sizeBytes()).isEqualTo(3 * RECORD_COST);
        out.clear();
        log.read(1, 10, Long.MAX_VALUE, out);
        assertThat(out).extracting(r -> r.eventId).containsExactly("r1", "r2", "r3");
    }

    @Test
    void blockWaitsForSpaceOnTheClockAndGivesUpWithAClearError() throws Exception {
        EventLog log = log(OverflowPolicy.block(Duration.ofSeconds(5)));
        for (int i = 0; i < 3; i++) {
            log.append(record("r" + i, ONLY_FIRST));
        }
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> log.append(record("waits", ONLY_FIRST)));
        List<LogRecord> out = new ArrayList<>();
        log.read(0, 1, Long.MAX_VALUE, out);
        log.commit(0, 1); // frees r0
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> timesOut = CompletableFuture.supplyAsync(() -> log.append(record("never", ONLY_FIRST)));
        awaitUntil(() -> blockedAppenders(log) == 1);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(6)); // virtual time passes the 5 s timeout
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BufferFullException.class)
                .hasMessage("the event journal is full (" + 3 * RECORD_COST + " of " + 3 * RECORD_COST
                        + " bytes) and stayed full for the overflow policy's timeout of PT5S");
    }

}
