package dev.twinstream.core.internal.journal;

import dev.twinstream.core.OverflowPolicy;

/** The {@link EventLogContractTest} against the in-memory log. */
class MemoryLogTest extends EventLogContractTest {

    @Override
    EventLog newLog(OverflowPolicy policy, long maxBytes, long quotaBytes, int[] wakeRecords) {
        long[] wakeBytes = new long[wakeRecords.length];
        java.util.Arrays.fill(wakeBytes, 10_000);
        return new MemoryLog(clock, maxBytes, quotaBytes, policy, observer, new int[wakeRecords.length], wakeRecords,
                wakeBytes, 0, MemoryLog.StoreHook.NONE);
    }

    @Override
    int blockedAppenders(EventLog log) {
        return ((MemoryLog) log).blockedAppenders();
    }
}
