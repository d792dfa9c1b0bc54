package dev.twinstream.core.internal.journal;

import dev.twinstream.core.JournalRecovery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Opens what a previous tracker left in a journal directory, in time proportional to the number of
 * segments plus the segments it must scan, and in memory bounded by one read buffer: it never
 * loads a record. A sealed segment whose trailer validates is summarised from its trailer; the
 * others (the newest, one sealed by a crash, a version 1 segment, one where a sink's checkpoint
 * falls inside) are scanned frame by frame through a {@link SegmentScanner}. Damage is skipped,
 * truncated and counted, never thrown ({@code docs/JOURNAL.md}, "Recovery").
 */
final class Recovery {
    /**
     * What is read first of each segment for its header, which holds the sink names: a few dozen
     * bytes usually. Small, because every segment's header is read at open and the kernel reads
     * ahead in proportion to the first read.
     */
    static final int HEADER_PROBE_BYTES = 4096;
    /** The most a header is read for (32 sinks with long names). */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final String[] sinkNames;
    private final int[] slots;
    private final JournalStorage storage;
    private final @Nullable LedgerFile ledger;
    private final List<JournalRecovery.Damage> damages = new ArrayList<>();
    private long framesSkipped;
    private long bytesSkipped;
    private long bytesTruncated;
    private long bytesScanned;
    private long recordsRecovered;
    private long recordsReplayed;
    private int segmentCount;

    /** What recovery found. */
    static final class Result {
        JournalRecovery report;
        /** The segments kept, oldest first, every one sealed. */
        final List<SegmentInfo> segments = new ArrayList<>();
        long nextSeq;
        /** Per current sink: where it resumes, and what it has not committed (records, payload bytes). */
        long[] positions;
        long[] unreadRecords;
        long[] unreadBytes;
        /** The checkpoint's generation and whether its file already has both slots. */
        long checkpointGeneration;
        boolean checkpointPreallocated;
    }

    Recovery(String[] sinkNames, int[] slots, JournalStorage storage) {
        this(sinkNames, slots, storage, null);
    }

    /**
     * @param ledger the delivery ledger, loaded: a frame newer than the checkpoint moves the sinks'
     *     positions to its own (see {@link LedgerFile}); null without a ledger
     */
    Recovery(String[] sinkNames, int[] slots, JournalStorage storage, @Nullable LedgerFile ledger) {
        this.sinkNames = sinkNames;
        this.slots = slots;
        this.storage = storage;
        this.ledger = ledger;
    }

    Result run() throws IOException {
        List<String> names = storage.list();
        if (names.contains(JournalFormat.CHECKPOINT_TEMP)) {
            storage.delete(JournalFormat.CHECKPOINT_TEMP); // a version 1 checkpoint write that never got renamed
        }
        Result r = new Result();
        int sinks = sinkNames.length;
        long[] cp = readCheckpoint(names, r);
        if (ledger != null && ledger.generation() > r.checkpointGeneration) {
            // The ledger was written just before a checkpoint that did not land (a crash between the
            // two, or a torn slot): its positions are final for each sink just as a checkpoint's, and
            // the ledger counted the deliveries below them, so resuming there sends nothing it counted.
            for (int s = 0; s < sinks; s++) {
                long p = ledger.position(s);
                if (p >= 0) {
                    cp[s] = p;
                }
            }
        }
        List<Long> firstSeqs = new ArrayList<>();
        for (String name : names) {
            long first = JournalFormat.segmentFirstSeq(name);
            if (first >= 0) {
                firstSeqs.add(first);
            }
        }
        Collections.sort(firstSeqs);
        r.unreadRecords = new long[sinks];
        r.unreadBytes = new long[sinks];
        long lastSeq = -1;
        JournalFormat.Header layout = new JournalFormat.Header(0, sinkNames, slots, 0, JournalFormat.VERSION);
        for (int i = 0; i < firstSeqs.size(); i++) {
            long first = firstSeqs.get(i);
            boolean newest = i == firstSeqs.size() - 1;
            String name = JournalFormat.segmentName(first);
            SegmentInfo kept;
            try (SegmentScanner in = SegmentScanner.open(storage, name, Long.MAX_VALUE)) {
                long size = in.file().size();
                in.end(size);
                segmentCount++;
                if (size == 0 && !newest) {
                    damage(name, 0, 0, "segment is empty although newer segments follow");
                }
                byte[] head = in.head(HEADER_PROBE_BYTES);
                JournalFormat.Header header = JournalFormat.readHeader(head, head.length, name);
                if (header == null && head.length == HEADER_PROBE_BYTES) { // a header of long sink names, or damage
                    head = in.head(MAX_HEADER_BYTES);
                    header = JournalFormat.readHeader(head, head.length, name);
                }
                if (header != null) {
                    layout = header;
                }
                in.formatVersion(layout.version); // a damaged header: the previous segment's layout and version
                long pos;
                if (header != null) {
                    pos = header.length;
                } else {
                    // Frames validate on their own: search for the first one after the damaged header.
                    long next = in.findFrame(0, lastSeq);
                    pos = next < 0 ? size : next;
                    if (size > 0) {
                        damage(name, 0, pos, next < 0 ? "segment header does not validate and no intact frame follows"
                                : "segment header does not validate; frames after it read with the previous segment's sink layout");
                        if (next < 0) {
                            bytesTruncated += size;
                        } else {
                            bytesSkipped += next;
                        }
                    }
                }
                SegmentInfo info = new SegmentInfo(first, layout, sinkNames);
                info.dataStart = pos;
                JournalFormat.Trailer trailer = header == null ? null : trailer(in, size, header);
                if (trailer != null && trailer.endSeq > lastSeq && summarise(info, trailer, cp, r)) {
                    bytesScanned += header.length + trailer.length;
                    lastSeq = Math.max(lastSeq, trailer.endSeq - 1);
                    info.endSeq = trailer.endSeq;
                    info.dataEnd = trailer.dataEnd;
                } else {
                    long end = trailer != null ? trailer.dataEnd : size;
                    bytesScanned += size;
                    lastSeq = scan(in, info, pos, end, size, newest, lastSeq, cp, r);
                    if (trailer != null) {
                        info.dataEnd = trailer.dataEnd;
                    }
                }
                info.bytes = in.file().size();
                info.readableBytes = info.dataEnd;
                kept = info.endSeq > info.firstSeq ? info : null;
            }
            if (kept == null) {
                storage.delete(name); // nothing intact in it: an empty segment or pure damage
            } else {
                r.segments.add(kept);
            }
        }
        r.nextSeq = lastSeq + 1;
        r.positions = new long[sinks];
        for (int s = 0; s < sinks; s++) {
            // A checkpoint past the last intact record means records a sink had delivered were lost
            // (never forced); new records reuse those numbers, so the position must come back.
            r.positions[s] = Math.min(cp[s], r.nextSeq);
        }
        if (damages.size() > JournalRecovery.MAX_DAMAGES_LISTED) {
            damages.subList(JournalRecovery.MAX_DAMAGES_LISTED, damages.size()).clear();
        }
        r.report = new JournalRecovery(segmentCount, bytesScanned, recordsRecovered, recordsReplayed, framesSkipped,
                bytesSkipped, bytesTruncated, r.report != null && r.report.checkpointDamaged(), damages);
        return r;
    }

    /** The checkpoint's position per current sink (0 for a sink it does not list). */
    private long[] readCheckpoint(List<String> names, Result r) throws IOException {
        long[] cp = new long[sinkNames.length];
        if (!names.contains(JournalFormat.CHECKPOINT)) {
            return cp;
        }
        byte[] b;
        try (SegmentScanner in = SegmentScanner.open(storage, JournalFormat.CHECKPOINT, Long.MAX_VALUE)) {
            long size = Math.min(in.file().size(), 64L * JournalFormat.CHECKPOINT_SLOT_BYTES);
            in.end(size);
            b = in.head((int) size);
        }
        JournalFormat.Checkpoint c = JournalFormat.readCheckpoint(b, b.length, JournalFormat.CHECKPOINT);
        if (c == null) {
            damage(JournalFormat.CHECKPOINT, 0, b.length, "checkpoint does not validate; every sink replays everything on disk");
            r.report = new JournalRecovery(0, 0, 0, 0, 0, 0, 0, true, Collections.emptyList());
            return cp;
        }
        if (c.otherSlotDamaged) {
            damage(JournalFormat.CHECKPOINT, 0, b.length, "one checkpoint slot does not validate (a torn write or damage); "
                    + "the other, generation " + c.generation + ", is used: sinks may re-send what they committed since");
        }
        Map<String, Long> positions = c.positions;
        for (int s = 0; s < sinkNames.length; s++) {
            Long p = positions.get(sinkNames[s]);
            cp[s] = p == null ? 0 : p;
        }
        r.checkpointGeneration = c.generation;
        r.checkpointPreallocated = c.version >= JournalFormat.SLOTTED_CHECKPOINT_VERSION
                && CheckpointFile.hasSlots(b.length, sinkNames);
        return cp;
    }

    private static JournalFormat.@Nullable Trailer trailer(SegmentScanner in, long size, JournalFormat.Header header)
            throws IOException {
        if (header.version < 2 || size < header.length + 8) {
            return null;
        }
        byte[] tail = in.bytes(size - 8, 8);
        int length = tail == null ? -1 : JournalFormat.trailerLength(tail);
        if (length < 0 || length > size - header.length) {
            return null;
        }
        byte[] b = in.bytes(size - length, length);
        JournalFormat.Trailer t = b == null ? null : JournalFormat.readTrailer(b, header.sinkNames.length);
        return t != null && t.dataEnd >= header.length && t.dataEnd <= size - length && t.endSeq >= header.firstSeq ? t : null;
    }

    /**
     * Takes a sealed segment's counts from its trailer when every sink's checkpoint lies outside the
     * segment (so each sink needs all of it or none of it).
     *
     * @return false if a checkpoint falls inside: the segment must be scanned
     */
    private boolean summarise(SegmentInfo info, JournalFormat.Trailer t, long[] cp, Result r) {
        int needMask = 0; // header sinks (by index) that still need the whole segment
        for (int s = 0; s < sinkNames.length; s++) {
            int old = info.layoutIndex[s];
            if (old < 0) {
                continue;
            }
            if (cp[s] > info.firstSeq && cp[s] < t.endSeq) {
                return false;
            }
            if (cp[s] <= info.firstSeq) {
                needMask |= 1 << old;
            }
        }
        for (int i = 0; i < t.masks.length; i++) {
            recordsRecovered += t.maskCounts[i];
            if ((t.masks[i] & needMask) != 0) {
                recordsReplayed += t.maskCounts[i];
            }
        }
        for (int s = 0; s < sinkNames.length; s++) {
            int old = info.layoutIndex[s];
            if (old >= 0 && (needMask & (1 << old)) != 0) {
                for (int i = 0; i < t.masks.length; i++) {
                    if ((t.masks[i] & (1 << old)) != 0) {
                        r.unreadRecords[s] += t.maskCounts[i];
                    }
                }
                r.unreadBytes[s] += t.payloadBytes[old];
            }
        }
        return true;
    }

    /** Scans frames {@code [pos, end)}, counting what each sink needs; truncates what follows the last intact frame. */
    private long scan(SegmentScanner in, SegmentInfo info, long pos, long end, long size, boolean newest, long lastSeq,
                      long[] cp, Result r) throws IOException {
        in.end(end);
        while (pos < end) {
            JournalFormat.Frame frame = in.frameAt(pos);
            if (frame != null && frame.seq > lastSeq) {
                recordsRecovered++;
                lastSeq = frame.seq;
                info.endSeq = frame.seq + 1;
                boolean needed = false;
                for (int s = 0; s < sinkNames.length; s++) {
                    byte[] payload = info.payloadFor(frame, s);
                    if (payload != null && frame.seq >= cp[s]) {
                        r.unreadRecords[s]++;
                        r.unreadBytes[s] += payload.length;
                        needed = true;
                    }
                }
                if (needed) {
                    recordsReplayed++;
                }
                pos += frame.length;
                continue;
            }
            if (frame != null) {
                pos += frame.length; // written again after a failed force: keep the first copy
                continue;
            }
            long next = in.findFrame(pos + 1, lastSeq);
            if (next < 0) {
                damage(info.name, pos, size - pos, newest ? "torn tail truncated" : "no intact frame after this offset; truncated");
                bytesTruncated += size - pos;
                in.file().truncate(pos);
                info.dataEnd = pos;
                return lastSeq;
            }
            damage(info.name, pos, next - pos, "frame does not validate (length, CRC or content); skipped");
            framesSkipped++;
            bytesSkipped += next - pos;
            pos = next;
        }
        info.dataEnd = end;
        return lastSeq;
    }

    private void damage(String file, long offset, long length, String problem) {
        if (damages.size() <= JournalRecovery.MAX_DAMAGES_LISTED) {
            damages.add(new JournalRecovery.Damage(file, offset, length, problem));
        }
    }

}
