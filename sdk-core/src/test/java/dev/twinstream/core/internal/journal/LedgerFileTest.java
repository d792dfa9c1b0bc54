package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The delivery ledger's file on its own: round trips, torn tails, versions, failures, compaction and expiry. */
class LedgerFileTest {
    private static final String[] SINKS = {"realtime", "backup"};
    private static final long H0 = 1_700_000_000_000L / LedgerFile.HOUR_MILLIS * LedgerFile.HOUR_MILLIS;
    private static final long H1 = H0 + LedgerFile.HOUR_MILLIS;

    private final FaultyStorage storage = new FaultyStorage();

    private static LedgerFile.Entry entry(String sink, String destination, long hour, long count, long digest) {
        return new LedgerFile.Entry(new LedgerFile.Key(sink, destination, "page_view", hour), count, digest);
    }

    /** The file's buckets as "sink/destination/type@hour=count:digest", sorted. */
    private static Map<String, String> state(LedgerFile f) {
        Map<String, String> out = new TreeMap<>();
        for (LedgerFile.Entry e : f.entries()) {
            out.put(e.key.toString(), e.count + ":" + e.digest);
        }
        return out;
    }

    private LedgerFile reopen() throws IOException {
        return LedgerFile.open(storage, SINKS, true);
    }

    @Test
    void aMissingFileIsAnEmptyLedgerAndFramesRoundTrip() throws IOException {
        LedgerFile f = reopen();
        assertThat(f.entries()).isEmpty();
        assertThat(f.generation()).isZero();
        assertThat(f.position(0)).isEqualTo(-1);
        assertThat(storage.list()).doesNotContain(LedgerFile.NAME);

        f.rewriteAtOpen(new long[] {0, 0}, 3, H0);
        assertThat(f.append(new long[] {10, 4}, 4, List.of(entry("realtime", "rt", H0, 10, 100),
                entry("backup", "b1", H0, 3, 30)), H0)).isTrue();
        assertThat(f.append(new long[] {12, 9}, 5, List.of(entry("realtime", "rt", H0, 12, 120),
                entry("backup", "b2", H1, 5, 50)), H0)).isTrue();
        f.close();
        assertThat(f.append(new long[] {99, 99}, 6, List.of(entry("realtime", "rt", H0, 99, 9)), H0))
                .as("nothing is written after close").isFalse();

        LedgerFile again = reopen();
        assertThat(again.generation()).isEqualTo(5);
        assertThat(again.position(0)).isEqualTo(12);
        assertThat(again.position(1)).isEqualTo(9);
        assertThat(state(again)).containsExactly(
                Map.entry("backup/b1/page_view@" + H0, "3:30"),
                Map.entry("backup/b2/page_view@" + H1, "5:50"),
                Map.entry("realtime/rt/page_view@" + H0, "12:120"));
    }

    @Test
    void aTornLastFrameAtAnyOffsetLeavesTheStateOfTheFrameBefore() throws IOException {
        LedgerFile f = reopen();
        f.rewriteAtOpen(new long[] {0, 0}, 1, H0);
        f.append(new long[] {10, 4}, 2, List.of(entry("realtime", "rt", H0, 10, 100)), H0);
        int before = storage.content(LedgerFile.NAME).length;
        f.append(new long[] {20, 8}, 3, List.of(entry("realtime", "rt", H0, 20, 200), entry("backup", "b", H1, 1, 7)), H0);
        f.close();
        byte[] whole = storage.content(LedgerFile.NAME);
        for (int cut = before; cut < whole.length; cut++) {
            storage.setContent(LedgerFile.NAME, Arrays.copyOf(whole, cut));
            LedgerFile torn = reopen();
            assertThat(torn.generation()).as("cut at %d", cut).isEqualTo(2);
            assertThat(torn.position(0)).isEqualTo(10);
            assertThat(state(torn)).containsExactly(Map.entry("realtime/rt/page_view@" + H0, "10:100"));
            assertThat(torn.droppedBytes).isEqualTo(cut - before);
        }
        // Damage inside an earlier frame drops it and everything after it: never a later total without its position.
        byte[] damaged = whole.clone();
        damaged[before - 3] ^= 0x40;
        storage.setContent(LedgerFile.NAME, damaged);
        LedgerFile d = reopen();
        assertThat(d.generation()).isEqualTo(1);
        assertThat(d.entries()).isEmpty();
        assertThat(d.position(0)).isZero();
    }

    @Test
    void anUnknownVersionOrAForeignFileIsRefusedAndLeftUntouched() throws IOException {
        LedgerFile f = reopen();
        f.rewriteAtOpen(new long[] {1, 1}, 1, H0);
        f.close();
        byte[] newer = storage.content(LedgerFile.NAME);
        newer[5] = 2;
        storage.setContent(LedgerFile.NAME, newer);
        assertThatThrownBy(this::reopen).isInstanceOf(JournalFormat.UnknownVersionException.class)
                .hasMessage("faulty-storage/" + LedgerFile.NAME + " is delivery ledger format version 2; "
                        + "this Twinstream reads version 1");
        assertThat(storage.content(LedgerFile.NAME)).isEqualTo(newer);

        byte[] foreign = "not a ledger at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        storage.setContent(LedgerFile.NAME, foreign);
        assertThatThrownBy(this::reopen).isInstanceOf(IOException.class).hasMessageContaining("is not a Twinstream delivery ledger");
        assertThat(storage.content(LedgerFile.NAME)).isEqualTo(foreign);
    }

    @Test
    void aFailedAppendIsRewrittenWholeByTheNextOneWithNothingLost() throws IOException {
        LedgerFile f = reopen();
        f.rewriteAtOpen(new long[] {0, 0}, 1, H0);
        f.append(new long[] {5, 5}, 2, List.of(entry("realtime", "rt", H0, 5, 50)), H0);
        storage.failNextForces(1);
        assertThat(f.append(new long[] {8, 5}, 3, List.of(entry("realtime", "rt", H0, 8, 80)), H0)).isFalse();
        assertThat(f.needsWrite()).isTrue();
        assertThat(f.writeFailures()).isEqualTo(1);
        assertThat(f.append(new long[] {8, 6}, 4, Collections.emptyList(), H0)).isTrue();
        assertThat(f.needsWrite()).isFalse();
        f.close();
        LedgerFile again = reopen();
        assertThat(again.generation()).isEqualTo(4);
        assertThat(again.position(1)).isEqualTo(6);
        assertThat(state(again)).containsExactly(Map.entry("realtime/rt/page_view@" + H0, "8:80"));
    }

    @Test
    void compactionKeepsTheTotalsAndDropsExpiredHoursAndSinksNoLongerThere() throws IOException {
        LedgerFile f = reopen();
        f.rewriteAtOpen(new long[] {0, 0}, 1, H0);
        f.append(new long[] {1, 1}, 2, List.of(entry("backup", "old", H0, 1, 1)), H0);
        long round = 0;
        long largest = 0;
        while (f.sizeBytes() >= largest) { // until a compaction made the file smaller
            largest = f.sizeBytes();
            round++;
            List<LedgerFile.Entry> changed = new ArrayList<>();
            for (int d = 0; d < 200; d++) {
                changed.add(entry("realtime", "rt-" + d, H1, round, round * 3));
            }
            assertThat(f.append(new long[] {round, 1}, 2 + round, changed, H0)).isTrue();
        }
        assertThat(largest).as("the size before the append that compacted").isGreaterThan(LedgerFile.COMPACT_MIN_BYTES - 20_000);
        assertThat(f.sizeBytes()).as("one frame of 201 buckets").isLessThan(20_000);
        f.append(new long[] {round, 2}, 99_999, List.of(), H1); // a frame of positions only
        f.close();
        LedgerFile again = reopen();
        assertThat(again.generation()).isEqualTo(99_999);
        assertThat(again.position(1)).isEqualTo(2);
        assertThat(state(again)).hasSize(201).containsEntry("backup/old/page_view@" + H0, "1:1")
                .containsEntry("realtime/rt-199/page_view@" + H1, round + ":" + (round * 3));
        again.rewriteAtOpen(new long[] {round, 2}, 100_000, H1); // H0 has expired
        again.close();
        Map<String, String> onlyRealtime = state(LedgerFile.open(storage, new String[] {"realtime"}, true));
        assertThat(onlyRealtime).as("expired hour and removed sink gone").hasSize(200)
                .containsEntry("realtime/rt-0/page_view@" + H1, round + ":" + (round * 3));
        assertThat(storage.list()).doesNotContain(LedgerFile.TEMP);
    }

    @Test
    void theOldestHourKeptIsTheOneThatEndedLessThanTheRetentionAgo() {
        long day = 24 * LedgerFile.HOUR_MILLIS;
        assertThat(LedgerFile.firstKeptHourMillis(H0 + day, day)).isEqualTo(H0);
        assertThat(LedgerFile.firstKeptHourMillis(H0 + day + 1, day)).isEqualTo(H0);
        assertThat(LedgerFile.firstKeptHourMillis(H1 + day - 1, day)).isEqualTo(H0);
        assertThat(LedgerFile.firstKeptHourMillis(H1 + day, day)).isEqualTo(H1);
    }
}
