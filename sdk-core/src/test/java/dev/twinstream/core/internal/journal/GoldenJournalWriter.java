package dev.twinstream.core.internal.journal;

import dev.twinstream.core.Clock;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.internal.dispatch.LedgerDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Writes a golden journal in the format this code writes: the recipe of {@code
 * src/test/resources/golden/journal-v1/README.md}, which {@link GoldenJournalTest} checks field by
 * field. Run once per new format version, into a new {@code golden/journal-v<N>} folder, and never
 * again into an existing one:
 *
 * <pre>
 * mvn -B -o -q -pl sdk-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp sdk-core/target/classes:sdk-core/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.twinstream.core.internal.journal.GoldenJournalWriter sdk-core/src/test/resources/golden/journal-vN
 * </pre>
 */
final class GoldenJournalWriter {
    /** Records written, seq 0 to {@code RECORDS - 1}. */
    static final int RECORDS = 1500;
    /** Where each sink's checkpoint ends up. */
    static final long REALTIME_COMMIT = 1000;
    static final long BACKUP_COMMIT = 600;

    private GoldenJournalWriter() {}

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists: golden files are written once and never rewritten");
        }
        Files.createDirectories(dir);
        DiskLog log = DiskLog.open(config(), new FileJournalStorage(dir));
        log.start(Thread::new);
        for (int seq = 0; seq < RECORDS; seq++) {
            log.append(record(seq));
        }
        log.commit(0, REALTIME_COMMIT);
        log.commit(1, BACKUP_COMMIT);
        log.shutdown(TimeUnit.SECONDS.toNanos(10));
        Files.deleteIfExists(dir.resolve(JournalFormat.LOCK));
    }

    /** Two sinks, {@code realtime} (format slot 0) and {@code backup} (slot 1), 64 KiB segments. */
    static DiskLog.Config config() {
        DiskLog.Config c = DiskLogs.config(Clock.system(), DiskLogs.QUIET, OverflowPolicy.block(Duration.ofSeconds(1)),
                1L << 26, 2, FsyncPolicy.always());
        c.sinkNames = new String[] {"realtime", "backup"};
        c.slots = new int[] {0, 1};
        return c;
    }

    /** Record {@code seq} of the recipe; {@link GoldenJournalTest} checks each field against it. */
    static LogRecord record(long seq) {
        boolean backup = seq % 3 != 0;
        byte[] realtimePayload = ("{\"n\":" + seq + ",\"pad\":\"" + "x".repeat((int) (seq % 50)) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] backupPayload = backup ? ("n=" + seq).getBytes(StandardCharsets.UTF_8) : null;
        LogRecord r = new LogRecord("id-" + seq, seq % 2 == 0 ? "page_view" : "book_opened", "user-" + (seq % 7),
                seq % 5 == 0 ? null : "route-" + (seq % 4), 1_700_000_000_000L + seq * 1000L, 0,
                new byte[][] {realtimePayload, backupPayload}, backup ? 0b11 : 0b01, null);
        r.ledgerTerm = LedgerDigest.term(r.eventId); // as a tracker with a delivery ledger computes it
        return r;
    }
}
