package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.internal.dispatch.LedgerDigest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journals written by earlier formats still open, and formats this code does not know are refused
 * untouched. The golden files in {@code src/test/resources/golden/journal-v<N>} were written by the
 * version N code to one recipe (each folder's README says how; {@link GoldenJournalWriter} writes
 * it); this test never writes to them, only to copies.
 */
class GoldenJournalTest {
    /** The version 1 files, which the refusal tests alter (copies of them). */
    private static final String[] FILES = {"checkpoint.tsc", "segment-00000000000000000523.tsj",
        "segment-00000000000000001040.tsj"};
    private static final long NS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path dir;

    private static DiskLog.Config config() {
        return GoldenJournalWriter.config();
    }

    private Path copyGolden() throws IOException {
        return copyGolden(1);
    }

    /** A copy of the golden journal of {@code version}, without its README. */
    private Path copyGolden(int version) throws IOException {
        Path journal = dir.resolve("journal");
        Files.createDirectories(journal);
        Path golden;
        try {
            golden = Paths.get(getClass().getResource("/golden/journal-v" + version).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.list(golden)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().endsWith(".md")) {
                    Files.copy(f, journal.resolve(f.getFileName()));
                }
            }
        }
        return journal;
    }

    /** The first segment's first seq: the records before it were deleted once both sinks passed them. */
    private static long firstSeq(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.mapToLong(f -> JournalFormat.segmentFirstSeq(f.getFileName().toString()))
                    .filter(seq -> seq >= 0).min().orElseThrow();
        }
    }

    @Test
    void aVersionOneJournalOpensWithEveryFieldAndEachSinkResumesAtItsCheckpoint() throws IOException {
        opensWithEveryFieldAndEachSinkResumesAtItsCheckpoint(1);
    }

    @Test
    void aVersionTwoJournalOpensWithEveryFieldAndEachSinkResumesAtItsCheckpoint() throws IOException {
        opensWithEveryFieldAndEachSinkResumesAtItsCheckpoint(2);
    }

    @Test
    void aVersionThreeJournalOpensWithEveryFieldAndEachSinkResumesAtItsCheckpoint() throws IOException {
        opensWithEveryFieldAndEachSinkResumesAtItsCheckpoint(3);
    }

    private void opensWithEveryFieldAndEachSinkResumesAtItsCheckpoint(int version) throws IOException {
        Path journal = copyGolden(version);
        DiskLog log = DiskLog.open(config(), new FileJournalStorage(journal));
        try {
            assertThat(log.recovery().hasDamage()).as("%s", log.recovery()).isFalse();
            long first = firstSeq(journal);
            assertThat(log.recovery().recordsRecovered()).isEqualTo(1500 - first);
            if (version >= 2) {
                assertSealTrailer(journal.resolve(JournalFormat.segmentName(first)), first);
            }
            List<LogRecord> realtime = readAll(log, 0);
            List<LogRecord> backup = readAll(log, 1);
            assertThat(realtime).extracting(r -> r.seq).containsExactlyElementsOf(range(1000, 1500, false));
            assertThat(backup).extracting(r -> r.seq).containsExactlyElementsOf(range(600, 1500, true));
            for (LogRecord r : realtime) {
                assertGolden(r, 0, version);
            }
            for (LogRecord r : backup) {
                assertGolden(r, 1, version);
            }
            // Written on: appends continue the numbering, in segments of the current version.
            log.append(new LogRecord("after-v1", "page_view", "user-0", null, 1_800_000_000_000L, 0,
                    new byte[][] {new byte[10], new byte[3]}, 0b11, null));
            assertThat(readAll(log, 0)).extracting(r -> r.eventId).containsExactly("after-v1");
            assertThat(readAll(log, 1)).extracting(r -> r.eventId).containsExactly("after-v1");
            log.commit(0, EventLog.ALL_READ);
            log.commit(1, EventLog.ALL_READ);
        } finally {
            log.shutdown(NS);
        }
        assertThat(Files.size(journal.resolve("checkpoint.tsc"))).as("two slots (version 1: migrated)").isEqualTo(2 * 4096);
        DiskLog again = DiskLog.open(config(), new FileJournalStorage(journal));
        try {
            assertThat(again.recovery().hasDamage()).isFalse();
            assertThat(readAll(again, 0)).isEmpty();
            assertThat(again.appendPosition()).isEqualTo(1501);
        } finally {
            again.shutdown(NS);
        }
    }

    @Test
    void aSegmentOfAnUnknownFormatVersionIsRefusedNamingBothVersionsAndNothingIsChanged() throws IOException {
        Path journal = copyGolden();
        Path segment = journal.resolve(FILES[2]);
        byte[] b = Files.readAllBytes(segment);
        JournalFormat.Header header = JournalFormat.readHeader(b, b.length, FILES[2]);
        b[4] = 0;
        int newer = JournalFormat.VERSION + 1;
        b[5] = (byte) newer; // a CRC that matches: written by newer code, not damage
        patchCrc(b, header.length);
        Files.write(segment, b);
        Map<String, byte[]> before = contents(journal);

        assertThatThrownBy(() -> DiskLog.open(config(), new FileJournalStorage(journal)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(journal.toString())
                .hasMessageContaining(FILES[2] + " is journal format version " + newer + "; this Twinstream reads versions 1 to "
                        + JournalFormat.VERSION);
        assertThat(contents(journal)).as("nothing truncated, skipped or deleted").containsExactlyInAnyOrderEntriesOf(before);
    }

    @Test
    void aCheckpointOfAnUnknownFormatVersionIsRefusedToo() throws IOException {
        Path journal = copyGolden();
        DiskLog.open(config(), new FileJournalStorage(journal)).shutdown(NS); // migrates the checkpoint to version 2
        Path checkpoint = journal.resolve("checkpoint.tsc");
        byte[] b = Files.readAllBytes(checkpoint);
        for (int slot = 0; slot < 2; slot++) {
            int from = slot * 4096;
            b[from + 4] = 0;
            b[from + 5] = 9;
            CRC32 crc = new CRC32();
            crc.update(b, from, 4096 - 4);
            putInt(b, from + 4096 - 4, (int) crc.getValue());
        }
        Files.write(checkpoint, b);
        Map<String, byte[]> before = contents(journal);

        assertThatThrownBy(() -> DiskLog.open(config(), new FileJournalStorage(journal)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("checkpoint.tsc is journal format version 9; this Twinstream reads versions 1 to "
                        + JournalFormat.VERSION);
        assertThat(contents(journal)).containsExactlyInAnyOrderEntriesOf(before);
    }

    /** Every field as the golden README describes it. */
    private static void assertGolden(LogRecord r, int sink, int version) {
        long seq = r.seq;
        assertThat(r.eventId).isEqualTo("id-" + seq);
        assertThat(r.eventType).isEqualTo(seq % 2 == 0 ? "page_view" : "book_opened");
        assertThat(r.partitionKey).isEqualTo("user-" + (seq % 7));
        assertThat(r.routingKey).isEqualTo(seq % 5 == 0 ? null : "route-" + (seq % 4));
        assertThat(r.occurredAtMillis()).isEqualTo(1_700_000_000_000L + seq * 1000L);
        String payload = new String(r.payloads[sink], StandardCharsets.UTF_8);
        assertThat(payload).isEqualTo(sink == 0 ? "{\"n\":" + seq + ",\"pad\":\"" + "x".repeat((int) (seq % 50)) + "\"}"
                : "n=" + seq);
        assertThat(r.payloads[sink]).as("the writer's recipe").isEqualTo(GoldenJournalWriter.record(seq).payloads[sink]);
        // From version 3 the frame carries the id's ledger term, so a record read back needs no MD5 at delivery.
        assertThat(r.ledgerTerm).isEqualTo(version >= 3 ? LedgerDigest.term(r.eventId) : -1);
    }

    /** The first, sealed segment's trailer still parses, with the counts the recipe gives. */
    private static void assertSealTrailer(Path segment, long firstSeq) throws IOException {
        byte[] file = Files.readAllBytes(segment);
        int length = JournalFormat.trailerLength(java.util.Arrays.copyOfRange(file, file.length - 8, file.length));
        assertThat(length).as("a seal trailer ends the full segment").isPositive();
        JournalFormat.Trailer t = JournalFormat.readTrailer(
                java.util.Arrays.copyOfRange(file, file.length - length, file.length), 2);
        assertThat(t).isNotNull();
        assertThat(t.dataEnd).isEqualTo(file.length - length);
        long records = 0;
        for (long c : t.maskCounts) {
            records += c;
        }
        assertThat(records).isEqualTo(t.endSeq - firstSeq).isPositive();
    }

    private static List<Long> range(long from, long to, boolean backupOnly) {
        List<Long> out = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            if (!backupOnly || seq % 3 != 0) {
                out.add(seq);
            }
        }
        return out;
    }

    private static List<LogRecord> readAll(DiskLog log, int sink) {
        List<LogRecord> out = new ArrayList<>();
        while (log.read(sink, 1000, Long.MAX_VALUE, out) > 0) {
            // a cold read returns at most what one call allows; read until the sink has nothing left
        }
        return out;
    }

    private static void patchCrc(byte[] b, int headerLength) {
        CRC32 crc = new CRC32();
        crc.update(b, 0, headerLength - 4);
        putInt(b, headerLength - 4, (int) crc.getValue());
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static Map<String, byte[]> contents(Path journal) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> files = Files.list(journal)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("journal.lock")) {
                    out.put(f.getFileName().toString(), Files.readAllBytes(f));
                }
            }
        }
        return out;
    }
}
