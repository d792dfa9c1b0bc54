package dev.twinstream.core.internal.encode;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids: UUID version 7 (RFC 9562) strings, whose first 48 bits are the Unix time in
 * milliseconds, so ids sort by creation time at millisecond granularity and downstream stores can
 * use them as a deduplication key. The remaining 74 bits are random.
 */
public final class EventIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Length of an id in characters (and in bytes: ids are ASCII). */
    private static final int LENGTH = 36;

    private EventIds() {}

    /**
     * A new id for an event tracked at {@code epochMillis}, as ASCII bytes: the JSON encoder copies
     * these directly, and the {@code String} made from them with ISO-8859-1 is a plain array copy.
     */
    public static byte[] nextAscii(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        byte[] out = new byte[LENGTH];
        hex(msb >>> 32, 8, out, 0);
        out[8] = '-';
        hex(msb >>> 16, 4, out, 9);
        out[13] = '-';
        hex(msb, 4, out, 14);
        out[18] = '-';
        hex(lsb >>> 48, 4, out, 19);
        out[23] = '-';
        hex(lsb, 12, out, 24);
        return out;
    }

    private static void hex(long value, int digits, byte[] out, int offset) {
        for (int i = digits - 1; i >= 0; i--) {
            out[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
