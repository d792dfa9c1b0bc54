package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.OverflowPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Damages a journal in {@value #CASES} seeded ways — bit flips, truncation at every offset of the
 * tail, zeroed pages, empty segments, a damaged checkpoint — and checks that opening it never
 * throws, recovers every frame the damage did not touch (for the sinks that had not committed it),
 * counts the damage, and keeps accepting appends.
 */
class CorruptionFuzzTest {
    static final int CASES = 1250;
    private static final long SEED = Long.getLong("twinstream.fuzz.seed", 20_240_501L);
    private static final int KINDS = 5;

    /** Where one frame of the undamaged journal lives. */
    private record FrameAt(String file, int offset, int length, long seq, String eventId, int mask) {}

    private final FaultyStorage storage = new FaultyStorage();
    private final DiskLog.Config config = DiskLogs.config(new dev.twinstream.core.Clock() {
        @Override
        public long nanoTime() {
            return 0;
        }

        @Override
        public long epochMillis() {
            return 0;
        }
    }, DiskLogs.QUIET, OverflowPolicy.dropNewest(), 1 << 20, 2, FsyncPolicy.always());

    @Test
    void openingADamagedJournalNeverThrowsKeepsEveryIntactRecordAndCountsTheLoss() {
        config.segmentBytes = 2048;
        long[] checkpoint = buildJournal();
        Map<String, byte[]> pristine = storage.snapshot();
        // With one slot of the checkpoint damaged, the other (the previous generation, or the same
        // one) is used: what is safely committed is below the older slot's positions.
        long[] olderSlot = olderSlot(pristine.get(JournalFormat.CHECKPOINT));
        List<FrameAt> frames = frames(pristine);
        assertThat(frames).hasSize(60);
        List<String> segments = new ArrayList<>();
        for (String name : pristine.keySet()) {
            if (JournalFormat.segmentFirstSeq(name) >= 0) {
                segments.add(name);
            }
        }
        assertThat(segments.size()).isGreaterThanOrEqualTo(4);
        String last = segments.get(segments.size() - 1);

        int[] perKind = new int[KINDS];
        int damaged = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + i;
            Random random = new Random(seed);
            int kind = i % KINDS;
            int caseOfKind = perKind[kind]++;
            Map<String, byte[]> files = copy(pristine);
            // file -> damaged [from, to) ranges
            Map<String, List<int[]>> ranges = new LinkedHashMap<>();
            boolean checkpointDamaged = false;
            boolean lossDetectable = true;
            String what;
            switch (kind) {
                case 0: { // bit flips
                    String f = segments.get(random.nextInt(segments.size()));
                    byte[] b = files.get(f);
                    int at = random.nextInt(b.length);
                    int flips = 1 + random.nextInt(3);
                    for (int k = 0; k < flips; k++) {
                        int p = Math.min(b.length - 1, at + random.nextInt(16));
                        b[p] ^= (byte) (1 << random.nextInt(8));
                        ranges.computeIfAbsent(f, x -> new ArrayList<>()).add(new int[] {p, p + 1});
                    }
                    what = flips + " bit flips near " + f + "@" + at;
                    break;
                }
                case 1: { // truncation at every offset of the tail
                    byte[] b = files.get(last);
                    int cut = b.length - 1 - (caseOfKind % b.length);
                    files.put(last, java.util.Arrays.copyOf(b, cut));
                    ranges.computeIfAbsent(last, x -> new ArrayList<>()).add(new int[] {cut, b.length});
                    lossDetectable = !isFrameBoundary(frames, last, cut);
                    what = "truncated " + last + " at " + cut;
                    break;
                }
                case 2: { // a zeroed page
                    String f = segments.get(random.nextInt(segments.size()));
                    byte[] b = files.get(f);
                    int from = random.nextInt(b.length);
                    int to = Math.min(b.length, from + 512);
                    java.util.Arrays.fill(b, from, to, (byte) 0);
                    ranges.computeIfAbsent(f, x -> new ArrayList<>()).add(new int[] {from, to});
                    what = "zeroed " + f + "@" + from + ".." + to;
                    break;
                }
                case 3: { // an empty segment: a new empty one after the last, or an old one emptied
                    if (random.nextBoolean()) {
                        files.put(JournalFormat.segmentName(1000), new byte[0]);
                        what = "empty newest segment";
                    } else {
                        String f = segments.get(random.nextInt(segments.size() - 1));
                        ranges.computeIfAbsent(f, x -> new ArrayList<>()).add(new int[] {0, files.get(f).length});
                        files.put(f, new byte[0]);
                        what = "emptied " + f;
                    }
                    break;
                }
                default: { // a damaged checkpoint
                    byte[] b = files.get(JournalFormat.CHECKPOINT);
                    if (random.nextBoolean()) {
                        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                        what = "bit flip in the checkpoint";
                    } else {
                        int cut = random.nextInt(b.length);
                        files.put(JournalFormat.CHECKPOINT, java.util.Arrays.copyOf(b, cut));
                        what = "checkpoint truncated at " + cut;
                    }
                    checkpointDamaged = true;
                }
            }
            boolean changed = !sameContent(files, pristine);
            storage.restore(files);

            DiskLog log;
            try {
                log = DiskLog.open(config, storage);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " (seed " + seed + ", " + what + "): open threw", e);
            }
            JournalRecovery report = log.recovery();
            String context = "case " + i + " (seed " + seed + ", " + what + "): " + report;
            Set<String> touched = new HashSet<>();
            for (FrameAt frame : frames) {
                for (int[] r : ranges.getOrDefault(frame.file, List.of())) {
                    if (r[0] < frame.offset + frame.length && frame.offset < r[1]) {
                        touched.add(frame.eventId);
                    }
                }
            }
            for (int s = 0; s < 2; s++) {
                List<LogRecord> out = new ArrayList<>();
                log.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, out);
                Set<String> got = new HashSet<>();
                for (LogRecord r : out) {
                    if (!got.add(r.eventId)) {
                        fail(context + ": sink " + s + " got " + r.eventId + " twice");
                    }
                }
                Set<String> allowed = new HashSet<>();
                for (FrameAt frame : frames) {
                    if ((frame.mask & (1 << s)) == 0) {
                        continue;
                    }
                    allowed.add(frame.eventId);
                    boolean committed = frame.seq < (checkpointDamaged ? olderSlot[s] : checkpoint[s]);
                    if (!committed && !touched.contains(frame.eventId) && !got.contains(frame.eventId)) {
                        fail(context + ": sink " + s + " lost intact record " + frame.eventId + " (seq " + frame.seq + ")");
                    }
                }
                if (!allowed.containsAll(got)) {
                    fail(context + ": sink " + s + " got records that were never written");
                }
            }
            if (changed && lossDetectable && (!touched.isEmpty() || checkpointDamaged)) {
                // A sealed segment is summarised from its trailer at open: damage inside it is found,
                // skipped and counted when a sink reads that far (above), not by the recovery scan.
                assertThat(report.hasDamage() || log.damagedBytesRead() > 0).as(context).isTrue();
                damaged++;
            }
            // Appends keep working and survive another restart.
            log.append(DiskLogs.record("new-" + i, 0b11, 50));
            log.syncOnce(true);
            log.shutdown(TimeUnit.SECONDS.toNanos(5));
            DiskLog again = DiskLog.open(config, storage);
            List<LogRecord> out = new ArrayList<>();
            again.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, out);
            assertThat(out).extracting(r -> r.eventId).as(context).contains("new-" + i);
            again.shutdown(TimeUnit.SECONDS.toNanos(5));
        }
        assertThat(damaged).as("cases whose damage had to be reported").isGreaterThan(CASES / 2);
    }

    /** 60 records for two sinks over several segments; sink 0 committed the first 10. */
    private long[] buildJournal() {
        DiskLog log = DiskLog.open(config, storage);
        Random random = new Random(SEED);
        for (int i = 0; i < 60; i++) {
            int mask = i % 5 == 0 ? 0b01 : i % 7 == 0 ? 0b10 : 0b11;
            log.append(DiskLogs.record("r" + i, mask, 50 + random.nextInt(200)));
            if (i % 8 == 0) {
                log.syncOnce(false);
            }
        }
        List<LogRecord> out = new ArrayList<>();
        log.read(0, 10, Long.MAX_VALUE, out);
        log.commit(0, out.get(out.size() - 1).seq + 1);
        log.syncOnce(true);
        long[] positions = {log.checkpointPosition(0), log.checkpointPosition(1)};
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
        return positions;
    }

    /** Per sink, the smaller position of the checkpoint's two slots. */
    private static long[] olderSlot(byte[] file) {
        long[] min = {Long.MAX_VALUE, Long.MAX_VALUE};
        int half = file.length / 2;
        for (int from = 0; from < file.length; from += half) {
            JournalFormat.Checkpoint c;
            try {
                c = JournalFormat.readSlot(file, from, from + half, "slot");
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertThat(c).as("checkpoint slot at %d", from).isNotNull();
            for (int s = 0; s < 2; s++) {
                min[s] = Math.min(min[s], c.positions.get("s" + s));
            }
        }
        return min;
    }

    private static List<FrameAt> frames(Map<String, byte[]> files) {
        List<FrameAt> out = new ArrayList<>();
        CRC32 crc = new CRC32();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (JournalFormat.segmentFirstSeq(e.getKey()) < 0) {
                continue;
            }
            byte[] b = e.getValue();
            JournalFormat.Header h;
            try {
                h = JournalFormat.readHeader(b, b.length, e.getKey());
            } catch (java.io.IOException ex) {
                throw new AssertionError(ex);
            }
            int pos = h.length;
            int trailer = JournalFormat.trailerLength(java.util.Arrays.copyOfRange(b, b.length - 8, b.length));
            int end = trailer < 0 ? b.length : b.length - trailer; // a sealed segment ends with its trailer
            while (pos < end) {
                JournalFormat.Frame f = JournalFormat.readFrame(b, pos, b.length, crc, h.version, JournalFormat.ALL_SINKS);
                out.add(new FrameAt(e.getKey(), pos, f.length, f.seq, f.eventId, f.sinkMask));
                pos += f.length;
            }
        }
        return out;
    }

    private static boolean isFrameBoundary(List<FrameAt> frames, String file, int offset) {
        for (FrameAt f : frames) {
            if (f.file.equals(file) && (f.offset == offset || f.offset + f.length == offset)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, byte[]> copy(Map<String, byte[]> files) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        files.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    private static boolean sameContent(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            if (!java.util.Arrays.equals(a.get(k), b.get(k))) {
                return false;
            }
        }
        return true;
    }
}
