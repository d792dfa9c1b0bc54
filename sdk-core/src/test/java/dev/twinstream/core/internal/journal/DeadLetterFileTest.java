package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.TrackedEvent;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The persistent dead-letter file on a {@link FaultyStorage}: format, restart, damage, version gate, faults. */
class DeadLetterFileTest {
    private final FaultyStorage storage = new FaultyStorage();

    record Event(String eventId, String eventType, String partitionKey, @Nullable String routingKey,
                 long occurredAtMillis) implements TrackedEvent {}

    /** Every field set, with a payload of {@code payloadBytes}. */
    private static DeadLetter letter(int i, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) ('a' + i % 26));
        return new DeadLetter("sink-" + (i % 3), new Event("0190a1b2-c3d4-7e5f-8a9b-" + String.format("%012d", i),
                "page_view", "user-" + i, "books", 1_700_000_000_000L + i), payload, DeadLetter.Reason.MAX_ATTEMPTS,
                i, "ProvisionedThroughputExceededException", "Rate exceeded for shard " + i);
    }

    private static DeadLetter letter(int i) {
        return letter(i, 40);
    }

    /** Every field of a dead letter, payload included, as one comparable string. */
    private static String fields(DeadLetter d) {
        return String.join("|", d.sink(), d.eventId(), d.eventType(), d.partitionKey(), String.valueOf(d.routingKey()),
                Long.toString(d.occurredAtMillis()), d.reason().name(), Integer.toString(d.attempts()),
                String.valueOf(d.errorCode()), String.valueOf(d.errorMessage()),
                Base64.getEncoder().encodeToString(d.payload()));
    }

    private static List<String> fields(List<DeadLetter> letters) {
        return letters.stream().map(DeadLetterFileTest::fields).collect(Collectors.toList());
    }

    private static List<String> fields(Map<Long, DeadLetter> letters) {
        return fields(new ArrayList<>(letters.values()));
    }

    private DeadLetterFile open() throws IOException {
        return DeadLetterFile.open(storage);
    }

    /** Opens the file, adds {@code letters} under ids 1, 2, … committing each, and closes it. */
    private List<Long> write(List<DeadLetter> letters) throws IOException {
        List<Long> sizes = new ArrayList<>();
        try (DeadLetterFile f = open()) {
            long id = f.lastId();
            for (DeadLetter d : letters) {
                f.add(++id, d);
                assertThat(f.commit()).isTrue();
                sizes.add(f.sizeBytes());
            }
        }
        return sizes;
    }

    @Test
    void everyFieldIncludingNullsAndUnicodeRoundTripsAcrossARestartAndAPowerLoss() throws IOException {
        DeadLetter full = letter(1);
        DeadLetter nulls = new DeadLetter("backup", new Event("0190a1b2-c3d4-7e5f-8a9b-000000000002", "signup", "k", null, 0L),
                new byte[0], DeadLetter.Reason.DELIVERY_TIMEOUT, 0, null, null);
        DeadLetter unicode = new DeadLetter("realtime", new Event("0190a1b2-c3d4-7e5f-8a9b-000000000003", "achat_payé",
                "clé-日本", "routé", -1L), "{\"emoji\":\"\uD83D\uDE00\"}".getBytes(StandardCharsets.UTF_8),
                DeadLetter.Reason.PERMANENT_ERROR, Integer.MAX_VALUE, "KMS.DisabledException", "clé désactivée — 鍵");
        List<DeadLetter> letters = List.of(full, nulls, unicode);

        try (DeadLetterFile f = open()) {
            assertThat(f.letters()).isEmpty();
            assertThat(f.lastId()).isZero();
            f.add(1, full);
            f.add(2, nulls);
            f.add(7, unicode);
            assertThat(f.unpersistedCount()).isEqualTo(3);
            assertThat(f.commit()).isTrue();
            assertThat(f.unpersistedCount()).isZero();
        }
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).containsExactly(1L, 2L, 7L);
            assertThat(fields(f.letters())).containsExactlyElementsOf(fields(letters));
            assertThat(f.letters().get(2L).routingKey()).isNull();
            assertThat(f.letters().get(2L).errorCode()).isNull();
            assertThat(f.letters().get(2L).errorMessage()).isNull();
            assertThat(f.lastId()).isEqualTo(7);
            assertThat(f.damagedRegions + f.truncatedBytes).isZero();
            assertThatThrownBy(() -> f.add(7, full)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("id must be above 7 but was 7");
        }
        storage.powerLoss(); // commit forced every byte, and the file's creation synced the directory
        try (DeadLetterFile f = open()) {
            assertThat(fields(f.letters())).containsExactlyElementsOf(fields(letters));
        }
        assertThat(storage.list()).containsExactlyInAnyOrder(DeadLetterFile.NAME);
    }

    @Test
    void aTornTailAtEveryOffsetOfTheLastFrameKeepsEveryIntactRecordAndIsTruncated() throws IOException {
        List<Long> sizes = write(List.of(letter(1), letter(2), letter(3)));
        byte[] whole = storage.content(DeadLetterFile.NAME);
        int lastFrame = sizes.get(1).intValue();
        assertThat(whole).hasSize(sizes.get(2).intValue());
        for (int cut = lastFrame; cut < whole.length; cut++) {
            storage.setContent(DeadLetterFile.NAME, Arrays.copyOf(whole, cut));
            try (DeadLetterFile f = open()) {
                assertThat(fields(f.letters())).as("cut at %d", cut).containsExactlyElementsOf(fields(List.of(letter(1), letter(2))));
                assertThat(f.truncatedBytes).as("cut at %d", cut).isEqualTo(cut - lastFrame);
                assertThat(f.damagedRegions).isZero();
                assertThat(storage.content(DeadLetterFile.NAME)).as("truncated").hasSize(lastFrame);
                f.add(f.lastId() + 1, letter(4));
                assertThat(f.commit()).isTrue();
            }
            try (DeadLetterFile f = open()) {
                assertThat(fields(f.letters())).as("cut at %d, then appended", cut)
                        .containsExactlyElementsOf(fields(List.of(letter(1), letter(2), letter(4))));
                assertThat(f.truncatedBytes + f.damagedRegions).isZero();
            }
        }
    }

    @Test
    void aTornHeaderStartsAnEmptyFileAndForeignBytesAreRefused() throws IOException {
        write(List.of(letter(1)));
        byte[] whole = storage.content(DeadLetterFile.NAME);
        for (int cut = 0; cut < DeadLetterFile.HEADER_BYTES; cut++) {
            storage.setContent(DeadLetterFile.NAME, Arrays.copyOf(whole, cut));
            try (DeadLetterFile f = open()) {
                assertThat(f.letters()).isEmpty();
                assertThat(f.truncatedBytes).isEqualTo(cut);
            }
            assertThat(storage.content(DeadLetterFile.NAME)).isEqualTo(Arrays.copyOf(whole, DeadLetterFile.HEADER_BYTES));
        }
        byte[] foreign = "PK\u0003\u0004 a zip file".getBytes(StandardCharsets.ISO_8859_1);
        storage.setContent(DeadLetterFile.NAME, foreign);
        assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessage("faulty-storage" + File.separator + "dead-letters.tsd is not a Twinstream dead-letter file "
                        + "(it starts with 0x504b0304, expected the magic \"TSDL\" and format version 1); it was left untouched");
        assertThat(storage.content(DeadLetterFile.NAME)).isEqualTo(foreign);
    }

    @Test
    void aBadCrcSkipsOnlyThatRecordKeepsTheOnesAfterItAndRewritesTheFileClean() throws IOException {
        List<Long> sizes = write(List.of(letter(1), letter(2), letter(3)));
        byte[] damaged = storage.content(DeadLetterFile.NAME);
        int second = sizes.get(0).intValue();
        damaged[second + 30] ^= 0x10; // inside the second frame's body
        storage.setContent(DeadLetterFile.NAME, damaged);
        try (DeadLetterFile f = open()) {
            assertThat(fields(f.letters())).containsExactlyElementsOf(fields(List.of(letter(1), letter(3))));
            assertThat(f.letters().keySet()).containsExactly(1L, 3L);
            assertThat(f.damagedRegions).isEqualTo(1);
            assertThat(f.damagedBytes).isEqualTo(sizes.get(1) - sizes.get(0));
            assertThat(f.firstDamageOffset).isEqualTo(second);
            assertThat(f.truncatedBytes).isZero();
        }
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).as("the rewrite kept both").containsExactly(1L, 3L);
            assertThat(f.damagedRegions + f.truncatedBytes).as("and dropped the damage").isZero();
        }
    }

    @Test
    void aDamagedRemovalBringsTheDeadLetterBackRatherThanLosingAnother() throws IOException {
        write(List.of(letter(1), letter(2)));
        long beforeRemove;
        try (DeadLetterFile f = open()) {
            beforeRemove = f.sizeBytes();
            f.remove(new long[] {1});
            assertThat(f.commit()).isTrue();
        }
        byte[] damaged = storage.content(DeadLetterFile.NAME);
        damaged[(int) beforeRemove + DeadLetterFile.FRAME_PREFIX_BYTES + 1] ^= 0x01;
        storage.setContent(DeadLetterFile.NAME, damaged);
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).containsExactly(1L, 2L);
            assertThat(f.truncatedBytes).isEqualTo(damaged.length - beforeRemove);
        }
    }

    @Test
    void aFormatVersionThisCodeDoesNotKnowIsRefusedNamingTheFileAndBothVersionsAndIsNeverTouched() throws IOException {
        write(List.of(letter(1)));
        byte[] newer = storage.content(DeadLetterFile.NAME);
        newer[5] = 2;
        storage.setContent(DeadLetterFile.NAME, newer);
        for (int attempt = 0; attempt < 2; attempt++) { // the failed open released the lock
            assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                    .hasMessage("faulty-storage" + File.separator + "dead-letters.tsd has dead-letter format version 2, "
                            + "but this version of Twinstream reads only version 1; the file was left untouched (open "
                            + "it with the Twinstream version that wrote it to drain it, or move it away)");
        }
        assertThat(storage.content(DeadLetterFile.NAME)).isEqualTo(newer);
        assertThat(storage.list()).containsExactlyInAnyOrder(DeadLetterFile.NAME);
    }

    @Test
    void aSecondOpenOfTheDirectoryIsRefusedUntilTheFirstIsClosed() throws IOException {
        try (DeadLetterFile first = open()) {
            assertThat(first.path()).isEqualTo("faulty-storage" + File.separator + "dead-letters.tsd");
            assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                    .hasMessageContaining("is in use by another dead-letter store (it holds dead-letters.lock)");
        }
        open().close();
    }

    @Test
    void removalsAndDrainsAreWrittenAndHoldAcrossRestarts() throws IOException {
        write(List.of(letter(1), letter(2), letter(3), letter(4), letter(5)));
        try (DeadLetterFile f = open()) {
            f.remove(new long[] {4, 2, 99});
            assertThat(f.commit()).isTrue();
        }
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).containsExactly(1L, 3L, 5L);
            assertThat(f.lastId()).as("new ids stay above every id the file holds").isEqualTo(5);
            f.add(6, letter(6));
            f.remove(new long[] {1, 3, 5, 6}); // a drain: one range
            assertThat(f.commit()).isTrue();
        }
        storage.powerLoss();
        try (DeadLetterFile f = open()) {
            assertThat(f.letters()).isEmpty();
            f.add(f.lastId() + 1, letter(7));
            assertThat(f.commit()).isTrue();
        }
        try (DeadLetterFile f = open()) {
            assertThat(fields(f.letters())).containsExactlyElementsOf(fields(List.of(letter(7))));
        }
    }

    @Test
    void aFullDiskKeepsLettersInMemoryCountedAndWritesThemOnceSpaceReturns() throws IOException {
        try (DeadLetterFile f = open()) {
            f.add(1, letter(1));
            assertThat(f.commit()).isTrue();
            long size = f.sizeBytes();

            storage.diskFull(true);
            f.add(2, letter(2));
            assertThat(f.commit()).isFalse();
            f.add(3, letter(3));
            f.remove(new long[] {1});
            assertThat(f.commit()).isFalse();
            assertThat(f.unpersistedCount()).isEqualTo(2);
            assertThat(f.writeFailures()).isEqualTo(2);
            assertThat(storage.content(DeadLetterFile.NAME)).as("nothing half-written").hasSize((int) size);
            assertThat(f.letters().keySet()).containsExactly(2L, 3L);

            storage.diskFull(false);
            storage.failWritesAfterBytes(10); // the next write stops after 10 bytes: a partial frame
            f.add(4, letter(4));
            assertThat(f.commit()).isFalse();
            assertThat(storage.content(DeadLetterFile.NAME)).as("the partial frame was cut").hasSize((int) size);

            storage.diskFull(false);
            storage.failNextForces(1); // written, but the force fails: the page cache cannot be trusted
            assertThat(f.commit()).isFalse();
            assertThat(f.unpersistedCount()).isEqualTo(3);

            assertThat(f.commit()).isTrue();
            assertThat(f.unpersistedCount()).isZero();
        }
        storage.powerLoss();
        try (DeadLetterFile f = open()) {
            assertThat(fields(f.letters())).containsExactlyElementsOf(fields(List.of(letter(2), letter(3), letter(4))));
            assertThat(f.damagedRegions + f.truncatedBytes).isZero();
        }
    }

    @Test
    void whileTheDiskStaysFullWhatWaitsIsBoundedAndOneRewriteCatchesUp() throws IOException {
        try (DeadLetterFile f = open()) {
            storage.diskFull(true);
            for (int i = 1; i <= 300; i++) {
                f.add(i, letter(i, 1024));
                if (i > 5) {
                    f.remove(new long[] {i - 5}); // keep the newest five, as a store at its bound does
                }
                assertThat(f.commit()).isFalse();
            }
            assertThat(f.unpersistedCount()).isEqualTo(5);
            storage.diskFull(false);
            assertThat(f.commit()).isTrue();
            assertThat(f.sizeBytes()).as("header and five frames only").isLessThan(5 * 1300)
                    .isEqualTo(storage.content(DeadLetterFile.NAME).length);
        }
        storage.powerLoss();
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).containsExactly(296L, 297L, 298L, 299L, 300L);
            assertThat(fields(f.letters())).containsExactlyElementsOf(
                    fields(List.of(letter(296, 1024), letter(297, 1024), letter(298, 1024), letter(299, 1024), letter(300, 1024))));
        }
    }

    @Test
    void compactionKeepsTheFileWithinTwiceItsLiveBytes() throws IOException {
        try (DeadLetterFile f = open()) {
            for (int i = 1; i <= 200; i++) {
                f.add(i, letter(i, 1000));
                assertThat(f.commit()).isTrue();
                if (i % 10 != 0) {
                    f.remove(new long[] {i});
                    assertThat(f.commit()).isTrue();
                }
                assertThat(f.sizeBytes()).as("after %d", i).isLessThanOrEqualTo(
                        Math.max(DeadLetterFile.COMPACT_MIN_BYTES, 2 * (i / 10 + 1) * 1200L));
            }
            assertThat(storage.content(DeadLetterFile.NAME)).hasSize((int) f.sizeBytes());
        }
        assertThat(storage.list()).containsExactlyInAnyOrder(DeadLetterFile.NAME);
        try (DeadLetterFile f = open()) {
            assertThat(f.letters().keySet()).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, 20).map(i -> i * 10).boxed().collect(Collectors.toList()));
        }
    }

    @Test
    void aPowerCutAtEveryOperationOfARemovalAndItsCompactionLeavesTheOldOrTheNewSetComplete() throws IOException {
        try (DeadLetterFile f = open()) {
            for (int i = 1; i <= 80; i++) {
                f.add(i, letter(i, 1000));
            }
            assertThat(f.commit()).isTrue();
        }
        storage.crash(); // count operations from here
        Map<String, byte[]> before = storage.snapshot();
        List<Long> all = LongStream.rangeClosed(1, 80).boxed().collect(Collectors.toList());
        List<Long> kept = LongStream.rangeClosed(71, 80).boxed().collect(Collectors.toList());
        boolean sawOld = false;
        boolean sawNew = false;
        boolean completed = false;
        for (long cutAt = 1; cutAt < 50 && !completed; cutAt++) {
            storage.restore(before);
            DeadLetterFile dying = open(); // never closed: the process dies with it
            storage.crashAtOperation(cutAt);
            dying.remove(LongStream.rangeClosed(1, 70).toArray()); // leaves 10 of 80: the commit compacts
            boolean committed = dying.commit();
            completed = !storage.crashed();
            storage.powerLoss();
            try (DeadLetterFile f = open()) {
                List<Long> ids = new ArrayList<>(f.letters().keySet());
                assertThat(ids).as("power cut at operation %d", cutAt).isIn(all, kept);
                if (committed) {
                    assertThat(ids).as("a removal reported written is never undone (cut at %d)", cutAt).isEqualTo(kept);
                }
                sawOld |= ids.equals(all);
                sawNew |= ids.equals(kept);
                if (completed) {
                    assertThat(committed).isTrue();
                    assertThat(f.sizeBytes()).as("compacted").isLessThan(11 * 1300);
                }
            }
        }
        assertThat(completed).as("the workload ran to its end").isTrue();
        assertThat(sawOld).isTrue();
        assertThat(sawNew).isTrue();
    }
}
