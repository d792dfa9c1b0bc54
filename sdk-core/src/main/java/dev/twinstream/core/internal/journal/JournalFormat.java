package dev.twinstream.core.internal.journal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The disk journal's byte layout, version 1 (big-endian throughout; {@code docs/JOURNAL.md} has the
 * same tables).
 *
 * <pre>
 * segment file  segment-&lt;firstSeq, 20 digits&gt;.tsj
 *   header      magic "TSJS" (4) | version (2) | sink count (2) | first seq (8)
 *               | per sink: name (string) | format slot (1) | CRC32 of the header so far (4)
 *   frames      length of body (4) | CRC32 of body (4) | body
 *   body        seq (8) | occurredAt millis (8) | sink mask (4) | eventId | eventType
 *               | partitionKey | routingKey (strings) | slot count (1) | per slot: payload
 *   string      byte length (4, -1 for null) | UTF-8 bytes
 *   payload     byte length (4, -1 for none) | bytes
 *
 * checkpoint    checkpoint.tsc, replaced atomically (temp file, force, rename, directory fsync)
 *               magic "TSCP" (4) | version (2) | sink count (2)
 *               | per sink: name (string) | committed seq (8) | CRC32 of all before (4)
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
    static final short VERSION = 1;
    /** Length and CRC fields before a frame's body. */
    static final int FRAME_PREFIX = 8;
    /** seq, occurredAt, mask, four string lengths, slot count. */
    static final int MIN_BODY = 8 + 8 + 4 + 4 * 4 + 1;
    /** Largest body accepted on recovery: nothing bigger is ever written (records are bounded far below). */
    static final int MAX_BODY = 1 << 30;
    static final String SEGMENT_PREFIX = "segment-";
    static final String SEGMENT_SUFFIX = ".tsj";
    static final String CHECKPOINT = "checkpoint.tsc";
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

        Header(long firstSeq, String[] sinkNames, int[] slots, int length) {
            this.firstSeq = firstSeq;
            this.sinkNames = sinkNames;
            this.slots = slots;
            this.length = length;
        }
    }

    /** Parses a segment header, or returns null if it does not validate. */
    static @Nullable Header readHeader(byte[] b, int size) {
        try {
            Reader in = new Reader(b, 0, size);
            if (in.getInt() != SEGMENT_MAGIC || in.getShort() != VERSION) {
                return null;
            }
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
            return new Header(firstSeq, names, slots, in.pos);
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
        String eventId;
        String eventType;
        String partitionKey;
        @Nullable String routingKey;
        /** Per slot; null for a slot without a payload. */
        byte[] @Nullable [] payloads;
        /** Bytes the frame takes, prefix included. */
        int length;
    }

    /**
     * Decodes the frame at {@code pos} if its length and CRC validate and its body parses.
     *
     * @return the frame, or null
     */
    static @Nullable Frame readFrame(byte[] b, int pos, int size, CRC32 crc) {
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

    static byte[] checkpoint(String[] sinkNames, long[] positions) {
        Bytes out = new Bytes(64);
        out.putInt(CHECKPOINT_MAGIC);
        out.putShort(VERSION);
        out.putShort((short) sinkNames.length);
        for (int i = 0; i < sinkNames.length; i++) {
            out.putBytes(utf8(sinkNames[i]));
            out.putLong(positions[i]);
        }
        out.putInt(crc(out.buf, 0, out.len));
        return out.toArray();
    }

    /** The committed position per sink name, or null if the content does not validate. */
    static @Nullable Map<String, Long> readCheckpoint(byte[] b, int size) {
        try {
            Reader in = new Reader(b, 0, size);
            if (in.getInt() != CHECKPOINT_MAGIC || in.getShort() != VERSION) {
                return null;
            }
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
            int end = in.pos;
            if (in.getInt() != crc(b, 0, end) || in.pos != size) {
                return null;
            }
            return positions;
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
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
    }

    /** Bounds-checked big-endian reads; throws IndexOutOfBoundsException past {@code end}. */
    private static final class Reader {
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

        @Nullable String getString() {
            byte[] s = getBytes();
            return s == null ? null : new String(s, StandardCharsets.UTF_8);
        }
    }
}
