package dev.twinstream.core.internal.journal;

/**
 * What the disk journal keeps in memory about one segment file: a few numbers, never its records.
 * Fields are guarded by the {@link DiskLog}'s monitor unless marked volatile.
 */
final class SegmentInfo {
    final long firstSeq;
    final String name;
    /** The sink layout of its header: how its frames' sink masks and payload slots map to today's sinks. */
    final JournalFormat.Header layout;
    /** Per current sink, the index of the same sink (by name) in {@link #layout}, or -1. */
    final int[] layoutIndex;
    /** Where its frames start (after the header; after damage, where recovery found the first intact frame). */
    long dataStart;
    /** One past the last sequence number framed into it. */
    long endSeq;
    /** Bytes it takes on disk once everything framed is written: header, frames and (once sealed) trailer. */
    long bytes;
    /** Per current sink, the payload bytes bound for it: for the seal trailer (segments of this run). */
    final long[] payloadBytes;
    /** How many records carry each distinct sink mask: for the seal trailer. */
    int[] masks = new int[4];
    long[] maskCounts = new long[4];
    int maskCount;
    /** Frames in {@code [header, readableBytes)} are complete on disk (forced, or written under NEVER). */
    volatile long readableBytes;
    /** Set once no frame will follow: the offset where its frames end. -1 while it may still grow. */
    volatile long dataEnd = -1;

    SegmentInfo(long firstSeq, JournalFormat.Header layout, String[] sinkNames) {
        this.firstSeq = firstSeq;
        this.dataStart = layout.length;
        this.endSeq = firstSeq;
        this.name = JournalFormat.segmentName(firstSeq);
        this.layout = layout;
        this.layoutIndex = new int[sinkNames.length];
        for (int s = 0; s < sinkNames.length; s++) {
            layoutIndex[s] = -1;
            for (int i = 0; i < layout.sinkNames.length && i < 32; i++) {
                if (layout.sinkNames[i].equals(sinkNames[s])) {
                    layoutIndex[s] = i;
                    break;
                }
            }
        }
        this.payloadBytes = new long[sinkNames.length];
    }

    /** Counts one framed record (of this run: its mask is in today's sink order, which is this layout's). */
    void count(LogRecord r, int[] slots) {
        endSeq = r.seq + 1;
        for (int s = 0; s < slots.length; s++) {
            if (r.goesTo(s)) {
                payloadBytes[s] += r.payloads[slots[s]].length;
            }
        }
        for (int i = 0; i < maskCount; i++) {
            if (masks[i] == r.sinkMask) {
                maskCounts[i]++;
                return;
            }
        }
        if (maskCount == masks.length) {
            masks = java.util.Arrays.copyOf(masks, maskCount * 2);
            maskCounts = java.util.Arrays.copyOf(maskCounts, maskCount * 2);
        }
        masks[maskCount] = r.sinkMask;
        maskCounts[maskCount++] = 1;
    }

    /** The seal trailer for this segment, whose frames end at {@code dataEnd}. */
    byte[] trailer(long dataEnd) {
        return JournalFormat.trailer(endSeq, dataEnd, payloadBytes, masks, maskCounts, maskCount);
    }

    /** The payload a frame of this segment holds for current sink {@code s}, or null if the frame is not for it. */
    byte @org.jspecify.annotations.Nullable [] payloadFor(JournalFormat.Frame frame, int s) {
        int old = layoutIndex[s];
        if (old < 0 || (frame.sinkMask & (1 << old)) == 0) {
            return null;
        }
        int slot = layout.slots[old];
        return slot < frame.payloads.length ? frame.payloads[slot] : null;
    }

    @Override
    public String toString() {
        return name + "[" + firstSeq + ", " + endSeq + ")";
    }
}
