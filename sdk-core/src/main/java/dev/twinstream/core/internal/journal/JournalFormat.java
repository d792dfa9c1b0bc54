package dev.twinstream.core.internal.journal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The disk journal's byte layout, version 3 (big-endian throughout; {@code docs/JOURNAL.md} has the
 * same tables). Version 2 added the seal trailer and the two-slot checkpoint, version 3 the ledger
 * term in each frame; journals written as version 1 (no trailers, a checkpoint replaced by rename)
 * or 2 (no ledger term) are read as they are, each segment by the version of its header.
 *
 * <pre>
 * segment file  segment-&lt;firstSeq, 20 digits&gt;.tsj
 *   header      magic "TSJS" (4) | version (2) | sink count (2) | first seq (8)
 *               | per sink: name (string) | format slot (1) | CRC32 of the header so far (4)
 *   frames      length of body (4) | CRC32 of body (4) | body
 *   body        seq (8) | occurredAt millis (8) | sink mask (4) | ledger term (8, version 3)
 *               | eventId | eventType | partitionKey | routingKey (strings) | slot count (1)
 *               | per slot: payload
 *   ledger term the event id's term of the delivery ledger's digest, in [0, 2^32), or -1 when
 *               the tracker computed none (it keeps no ledger): a record read back from the file
 *               then needs no MD5 of its id at delivery
 *   string      byte length (4, -1 for null) | UTF-8 bytes
 *   payload     byte length (4, -1 for none) | bytes
 *
 * seal trailer  after the last frame of a segment that is full (version 2):
 *               magic "TSST" (4) | end seq (8) | data end (8) | sink count (2)
 *               | per header sink: records (8) | payload bytes (8) | CRC32 of all before (4)
 *               | trailer length (4) | magic "TSSE" (4)
 *
 * checkpoint    checkpoint.tsc, two slots of {@link #CHECKPOINT_SLOT_BYTES} rewritten in place, alternately
 *   slot        magic "TSCP" (4) | version (2) | generation (8) | sink count (2)
 *               | per sink: name (string) | committed seq (8) | zero padding | CRC32 of the slot before it (4)
 *   version 1   one record replaced by rename: magic | version 1 | sink count | per sink: name | seq | CRC32
 * </pre>
 *
 * CRC32 rather than CRC32C: {@code java.util.zip.CRC32C} needs Android API 34 and sdk-core supports
 * API 26; both detect every burst error up to 32 bits and both are hardware-accelerated on the JVM.
 * The sink layout in every segment header lets a restarted tracker map sink masks and payload slots
 * by sink name even after sinks were added, removed or reordered.
 */
final class JournalFormat {
    static final int SEGMENT_MAGIC = 0x54534A53; // "TSJS"
    static final int CHECKPOINT_MAGIC = 0x54534350; // "TSCP"
    static final int TRAILER_MAGIC = 0x54535354; // "TSST"
    static final int TRAILER_END_MAGIC = 0x54535345; // "TSSE"
    /** The format this code writes. */
    static final short VERSION = 3;
    /** The oldest format this code reads. */
    static final short OLDEST_READABLE_VERSION = 1;
    /** One checkpoint slot; the file holds two, so a torn slot write leaves the other intact. */
    static final int CHECKPOINT_SLOT_BYTES = 4096;
    /**
     * Largest frame this journal writes or accepts back: records are bounded far below by the sinks'
     * record limits; a length field claiming more is damage, and no read buffer grows beyond it.
     */
    static final int MAX_FRAME_BYTES = 16 << 20;
    /** Length and CRC fields before a frame's body. */
    static final int FRAME_PREFIX = 8;
    /** seq, occurredAt, mask, four string lengths, slot count: the smallest body of any version. */
    static final int MIN_BODY = 8 + 8 + 4 + 4 * 4 + 1;
    /** The first version whose checkpoint is two slots rewritten in place (the layout has not changed since). */
    static final int SLOTTED_CHECKPOINT_VERSION = 2;
    /** The first version whose frames carry the ledger term. */
    static final int LEDGER_TERM_VERSION = 3;
    /** {@link #readFrame}'s mask for decoding every frame whole. */
    static final int ALL_SINKS = -1;
    /** Largest body accepted on recovery. */
    static final int MAX_BODY = MAX_FRAME_BYTES - FRAME_PREFIX;
    static final String SEGMENT_PREFIX = "segment-";
    static final String SEGMENT_SUFFIX = ".tsj";
    static final String CHECKPOINT = "checkpoint.tsc";
    /** Left behind by a version 1 checkpoint write that never got renamed. */
    static final String CHECKPOINT_TEMP = "checkpoint.tsc.tmp";
    static final String LOCK = "journal.lock";

    private JournalFormat() {}

    static String segmentName(long firstSeq) {
        return SEGMENT_PREFIX + String.format(java.util.Locale.ROOT, "%020d", firstSeq) + SEGMENT_SUFFIX;
    }

    /** The first seq a segment file name declares, or -1 if the name is not a segment's. */
    static long segmentFirstSeq(String name) {
        if (!name.startsWith(SEGMENT_PREFIX) || !name.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        String digits = name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length());
        if (digits.length() != 20) {
            return -1;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static byte @Nullable [] utf8(@Nullable String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** A segment header for the given layout. */
    static byte[] segmentHeader(long firstSeq, String[] sinkNames, int[] slots) {
        Bytes out = new Bytes(64);
        out.putInt(SEGMENT_MAGIC);
        out.putShort(VERSION);
        out.putShort((short) sinkNames.length);
        out.putLong(firstSeq);
        for (int i = 0; i < sinkNames.length; i++) {
            out.putBytes(utf8(sinkNames[i]));
            out.putByte(slots[i]);
        }
        out.putInt(crc(out.buf, 0, out.len));
        return out.toArray();
    }

    /** A parsed segment header. */
    static final class Header {
        final long firstSeq;
        final String[] sinkNames;
        final int[] slots;
        final int length;
        final int version;

        Header(long firstSeq, String[] sinkNames, int[] slots, int length, int version) {
            this.firstSeq = firstSeq;
            this.sinkNames = sinkNames;
            this.slots = slots;
            this.length = length;
            this.version = version;
        }
    }

    /**
     * A file that validates (magic and CRC) but declares a format version this code does not read:
     * written by newer code. Never damage: the journal refuses to open rather than touch it.
     */
    static final class UnknownVersionException extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        final int version;

        UnknownVersionException(String file, int version) {
            this(version, file + " is journal format version " + version + "; this Twinstream reads versions "
                    + OLDEST_READABLE_VERSION + " to " + VERSION);
        }

        /** With the whole message: for the journal's other files, whose versions are their own. */
        UnknownVersionException(int version, String message) {
            super(message);
            this.version = version;
        }
    }

    private static boolean readable(int version) {
        return version >= OLDEST_READABLE_VERSION && version <= VERSION;
    }

    /**
     * Parses a segment header, or returns null if it does not validate.
     *
     * @throws UnknownVersionException if it validates but has a version this code does not read
     */
    static @Nullable Header readHeader(byte[] b, int size, String file) throws UnknownVersionException {
        try {
            Reader in = new Reader(b, 0, size);
            if (in.getInt() != SEGMENT_MAGIC) {
                return null;
            }
            int version = in.getShort();
            int count = in.getShort();
            if (count < 0 || count > 32) {
                return null;
            }
            long firstSeq = in.getLong();
            String[] names = new String[count];
            int[] slots = new int[count];
            for (int i = 0; i < count; i++) {
                names[i] = in.getString();
                slots[i] = in.getByte() & 0xFF;
                if (names[i] == null) {
                    return null;
                }
            }
            int end = in.pos;
            if (in.getInt() != crc(b, 0, end)) {
                return null;
            }
            if (!readable(version)) {
                throw new UnknownVersionException(file, version);
            }
            return new Header(firstSeq, names, slots, in.pos, version);
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Appends one record's frame to {@code out}; {@code crc} is the caller's reusable CRC32. */
    static void writeFrame(Bytes out, LogRecord r, CRC32 crc) {
        int start = out.len;
        out.putInt(0); // body length, patched below
        out.putInt(0); // CRC, patched below
        int body = out.len;
        out.putLong(r.seq);
        out.putLong(r.occurredAtMillis);
        out.putInt(r.sinkMask);
        out.putLong(r.ledgerTerm);
        out.putAscii(r.eventId);
        out.putString(r.eventType);
        out.putString(r.partitionKey);
        out.putString(r.routingKey);
        out.putByte(r.payloads.length);
        for (byte[] p : r.payloads) {
            out.putBytes(p);
        }
        int bodyLength = out.len - body;
        crc.reset();
        crc.update(out.buf, body, bodyLength);
        out.patchInt(start, bodyLength);
        out.patchInt(start + 4, (int) crc.getValue());
    }

    /** A frame decoded from disk, in the layout it was written with. */
    static final class Frame {
        long seq;
        long occurredAtMillis;
        int sinkMask;
        /** The ledger term, or -1: none computed, or a version before {@link #LEDGER_TERM_VERSION}. */
        long ledgerTerm = -1;
        String eventId;
        String eventType;
        String partitionKey;
        @Nullable String routingKey;
        /** Per slot; null for a slot without a payload, and all of it null for a frame not decoded whole. */
        byte[] @Nullable [] payloads;
        /** Bytes the frame takes, prefix included. */
        int length;
    }

    /**
     * Decodes the frame at {@code pos} if its length and CRC validate and its body parses as the
     * layout of {@code version} (its segment header's). A frame for none of the sinks in {@code
     * wantMask} (bits of its segment's layout; {@link #ALL_SINKS} for every frame) comes back with its
     * seq, sink mask and length only, its strings and payloads not decoded: a sink reading its backlog
     * skips the frames of other sinks for little more than their CRC.
     *
     * @return the frame, or null
     */
    static @Nullable Frame readFrame(byte[] b, int pos, int size, CRC32 crc, int version, int wantMask) {
        if (size - pos < FRAME_PREFIX + MIN_BODY) {
            return null;
        }
        int bodyLength = getInt(b, pos);
        if (bodyLength < MIN_BODY || bodyLength > MAX_BODY || bodyLength > size - pos - FRAME_PREFIX) {
            return null;
        }
        int body = pos + FRAME_PREFIX;
        crc.reset();
        crc.update(b, body, bodyLength);
        if ((int) crc.getValue() != getInt(b, pos + 4)) {
            return null;
        }
        try {
            Reader in = new Reader(b, body, body + bodyLength);
            Frame f = new Frame();
            f.seq = in.getLong();
            f.occurredAtMillis = in.getLong();
            f.sinkMask = in.getInt();
            if (version >= LEDGER_TERM_VERSION) {
                f.ledgerTerm = in.getLong();
                if (f.ledgerTerm < -1 || f.ledgerTerm > 0xFFFF_FFFFL) {
                    return null;
                }
            }
            if ((f.sinkMask & wantMask) == 0) {
                f.length = FRAME_PREFIX + bodyLength; // intact (its CRC holds), and not the reader's
                return f.seq < 0 ? null : f;
            }
            f.eventId = in.getString();
            f.eventType = in.getString();
            f.partitionKey = in.getString();
            f.routingKey = in.getString();
            int slots = in.getByte() & 0xFF;
            f.payloads = new byte[slots][];
            for (int i = 0; i < slots; i++) {
                f.payloads[i] = in.getBytes();
            }
            if (in.pos != body + bodyLength || f.eventId == null || f.eventType == null || f.partitionKey == null
                    || f.seq < 0) {
                return null;
            }
            f.length = FRAME_PREFIX + bodyLength;
            return f;
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** One checkpoint slot of {@code slotBytes}: the committed position per sink, zero-padded. */
    static byte[] checkpointSlot(long generation, String[] sinkNames, long[] positions, int slotBytes) {
        Bytes out = new Bytes(slotBytes);
        out.putInt(CHECKPOINT_MAGIC);
        out.putShort(VERSION);
        out.putLong(generation);
        out.putShort((short) sinkNames.length);
        for (int i = 0; i < sinkNames.length; i++) {
            out.putBytes(utf8(sinkNames[i]));
            out.putLong(positions[i]);
        }
        if (out.len + 4 > slotBytes) {
            throw new IllegalArgumentException("checkpoint of " + out.len + " bytes does not fit a slot of " + slotBytes);
        }
        byte[] slot = java.util.Arrays.copyOf(out.buf, slotBytes);
        // The CRC covers the whole slot, padding included: any damaged byte of it is noticed.
        int crc = crc(slot, 0, slotBytes - 4);
        out.len = 0;
        out.putInt(crc);
        System.arraycopy(out.buf, 0, slot, slotBytes - 4, 4);
        return slot;
    }

    /** Bytes a checkpoint slot needs for these sinks, rounded up to {@link #CHECKPOINT_SLOT_BYTES}. */
    static int checkpointSlotBytes(String[] sinkNames) {
        int need = 4 + 2 + 8 + 2 + 4; // the fixed fields and the CRC
        for (String name : sinkNames) {
            need += 4 + utf8(name).length + 8;
        }
        return (need + CHECKPOINT_SLOT_BYTES - 1) / CHECKPOINT_SLOT_BYTES * CHECKPOINT_SLOT_BYTES;
    }

    /** A checkpoint read back: positions by sink name and the generation of the slot it came from. */
    static final class Checkpoint {
        final Map<String, Long> positions;
        final long generation;
        final int version;
        /** A slotted file (version 2 on) whose other slot did not validate (a torn write, or damage). */
        boolean otherSlotDamaged;

        Checkpoint(Map<String, Long> positions, long generation, int version) {
            this.positions = positions;
            this.generation = generation;
            this.version = version;
        }
    }

    /**
     * The newest valid checkpoint in a two-slot file (version 2 on) or a version 1 file, or null if
     * none validates.
     *
     * @throws UnknownVersionException if a slot validates but has a version this code does not read
     */
    static @Nullable Checkpoint readCheckpoint(byte[] b, int size, String file) throws UnknownVersionException {
        Checkpoint v1 = readCheckpointV1(b, size);
        if (v1 != null) {
            return v1;
        }
        Checkpoint best = null;
        int valid = 0;
        int slot = size / 2;
        for (int from = 0; slot > 0 && from + slot <= size; from += slot) {
            Checkpoint c = readSlot(b, from, from + slot, file);
            if (c != null) {
                valid++;
                if (best == null || c.generation > best.generation) {
                    best = c;
                }
            }
        }
        if (best != null) {
            best.otherSlotDamaged = valid < 2 || size % 2 != 0;
        }
        return best;
    }

    static @Nullable Checkpoint readSlot(byte[] b, int from, int end, String file) throws UnknownVersionException {
        try {
            Reader in = new Reader(b, from, end);
            if (in.getInt() != CHECKPOINT_MAGIC) {
                return null;
            }
            int version = in.getShort();
            long generation = in.getLong();
            Map<String, Long> positions = readPositions(in);
            if (positions == null) {
                return null;
            }
            if (getInt(b, end - 4) != crc(b, from, end - from - 4)) {
                return null;
            }
            if (!readable(version)) {
                throw new UnknownVersionException(file, version);
            }
            return version >= SLOTTED_CHECKPOINT_VERSION ? new Checkpoint(positions, generation, version) : null;
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Sink count, then per sink its name and committed position; null if they do not parse. */
    private static @Nullable Map<String, Long> readPositions(Reader in) {
        int count = in.getShort();
        if (count < 0 || count > 32) {
            return null;
        }
        Map<String, Long> positions = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.getString();
            long position = in.getLong();
            if (name == null || position < 0) {
                return null;
            }
            positions.put(name, position);
        }
        return positions;
    }

    /** A version 1 checkpoint: exactly one record filling the file. */
    private static @Nullable Checkpoint readCheckpointV1(byte[] b, int size) {
        try {
            Reader in = new Reader(b, 0, size);
            if (in.getInt() != CHECKPOINT_MAGIC || in.getShort() != 1) {
                return null;
            }
            Map<String, Long> positions = readPositions(in);
            if (positions == null) {
                return null;
            }
            int end = in.pos;
            if (in.getInt() != crc(b, 0, end) || in.pos != size) {
                return null;
            }
            return new Checkpoint(positions, 0, 1);
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * The seal trailer of a segment: per sink of its header the payload bytes bound for it, and how
     * many records carry each distinct sink mask (a handful of masks in practice), so recovery knows
     * what every sink, and any set of sinks, still needs without reading a frame.
     */
    static byte[] trailer(long endSeq, long dataEnd, long[] payloadBytes, int[] masks, long[] maskCounts, int maskCount) {
        Bytes out = new Bytes(64);
        out.putInt(TRAILER_MAGIC);
        out.putLong(endSeq);
        out.putLong(dataEnd);
        out.putShort((short) payloadBytes.length);
        for (long b : payloadBytes) {
            out.putLong(b);
        }
        out.putInt(maskCount);
        for (int i = 0; i < maskCount; i++) {
            out.putInt(masks[i]);
            out.putLong(maskCounts[i]);
        }
        out.putInt(crc(out.buf, 0, out.len));
        out.putInt(out.len + 8);
        out.putInt(TRAILER_END_MAGIC);
        return out.toArray();
    }

    /** A seal trailer read back. */
    static final class Trailer {
        final long endSeq;
        final long dataEnd;
        /** Per sink of the segment's header. */
        final long[] payloadBytes;
        final int[] masks;
        final long[] maskCounts;
        /** Bytes the trailer takes at the end of the file. */
        final int length;

        Trailer(long endSeq, long dataEnd, long[] payloadBytes, int[] masks, long[] maskCounts, int length) {
            this.endSeq = endSeq;
            this.dataEnd = dataEnd;
            this.payloadBytes = payloadBytes;
            this.masks = masks;
            this.maskCounts = maskCounts;
            this.length = length;
        }
    }

    /** Most distinct masks a trailer may list: beyond it the length field is damage. */
    static final int MAX_TRAILER_MASKS = 1 << 16;

    /** The length a trailer ending at the end of {@code tail} (the file's last 8 bytes) declares, or -1. */
    static int trailerLength(byte[] tail) {
        if (tail.length < 8 || getInt(tail, tail.length - 4) != TRAILER_END_MAGIC) {
            return -1;
        }
        int length = getInt(tail, tail.length - 8);
        return length < 4 + 8 + 8 + 2 + 4 + 12 || length > 64 + 32 * 8 + MAX_TRAILER_MASKS * 12 ? -1 : length;
    }

    /** The trailer in {@code b} (exactly its bytes), or null if it does not validate. */
    static @Nullable Trailer readTrailer(byte[] b, int headerSinks) {
        try {
            int size = b.length;
            if (trailerLength(b) != size) {
                return null;
            }
            Reader in = new Reader(b, 0, size - 8);
            if (in.getInt() != TRAILER_MAGIC) {
                return null;
            }
            long endSeq = in.getLong();
            long dataEnd = in.getLong();
            int count = in.getShort();
            if (count != headerSinks) {
                return null;
            }
            long[] bytes = new long[count];
            for (int i = 0; i < count; i++) {
                bytes[i] = in.getLong();
            }
            int masks = in.getInt();
            if (masks < 0 || masks > MAX_TRAILER_MASKS) {
                return null;
            }
            int[] mask = new int[masks];
            long[] counts = new long[masks];
            for (int i = 0; i < masks; i++) {
                mask[i] = in.getInt();
                counts[i] = in.getLong();
            }
            int end = in.pos;
            if (in.getInt() != crc(b, 0, end) || endSeq < 0 || dataEnd < 0 || in.pos != size - 8) {
                return null;
            }
            return new Trailer(endSeq, dataEnd, bytes, mask, counts, size);
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Bytes {@link #writeFrame} will write for {@code r}. */
    static int frameLength(LogRecord r) {
        int n = FRAME_PREFIX + 8 + 8 + 4 + 8 + 4 + r.eventId.length() + 4 + utf8Length(r.eventType) + 4
                + utf8Length(r.partitionKey) + 4 + (r.routingKey == null ? 0 : utf8Length(r.routingKey)) + 1;
        for (byte[] p : r.payloads) {
            n += 4 + (p == null ? 0 : p.length);
        }
        return n;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    static int getInt(byte[] b, int p) {
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    /** A growable big-endian byte buffer; not thread-safe. */
    static final class Bytes {
        byte[] buf;
        int len;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        void ensure(int more) {
            if (len + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void putByte(int v) {
            ensure(1);
            buf[len++] = (byte) v;
        }

        void putShort(short v) {
            ensure(2);
            buf[len++] = (byte) (v >> 8);
            buf[len++] = (byte) v;
        }

        void putInt(int v) {
            ensure(4);
            patchInt(len, v);
            len += 4;
        }

        void patchInt(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        void putLong(long v) {
            putInt((int) (v >>> 32));
            putInt((int) v);
        }

        void putBytes(byte @Nullable [] b) {
            if (b == null) {
                putInt(-1);
                return;
            }
            putInt(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void putString(@Nullable String s) {
            putBytes(utf8(s));
        }

        /** Event ids are ASCII: copy chars without an intermediate array. */
        void putAscii(String s) {
            int n = s.length();
            putInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(buf, len);
        }

        /** Empties the buffer, giving back the memory of a large one. */
        void reset() {
            len = 0;
            if (buf.length > 64 * 1024) {
                buf = new byte[256];
            }
        }
    }

    /** Bounds-checked big-endian reads; throws IndexOutOfBoundsException past {@code end}. */
    static final class Reader {
        final byte[] b;
        final int end;
        int pos;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        private void need(int n) {
            if (n < 0 || pos + n > end) {
                throw new IndexOutOfBoundsException();
            }
        }

        int getByte() {
            need(1);
            return b[pos++];
        }

        short getShort() {
            need(2);
            short v = (short) ((b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF));
            pos += 2;
            return v;
        }

        int getInt() {
            need(4);
            int v = JournalFormat.getInt(b, pos);
            pos += 4;
            return v;
        }

        long getLong() {
            return (long) getInt() << 32 | (getInt() & 0xFFFFFFFFL);
        }

        byte @Nullable [] getBytes() {
            int n = getInt();
            if (n == -1) {
                return null;
            }
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        /** Decodes straight from the buffer: no intermediate copy of the bytes. */
        @Nullable String getString() {
            int n = getInt();
            if (n == -1) {
                return null;
            }
            need(n);
            String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
