package dev.twinstream.core.internal.encode;

import java.time.Instant;

/**
 * Formats epoch milliseconds as ISO-8601 UTC with milliseconds ({@code 2026-11-22T10:15:30.123Z},
 * always 24 ASCII characters). The date-time part is cached per second because formatting it with
 * {@code java.time} on every event costs more than the rest of the envelope.
 */
final class Timestamps {
    /** Length of every formatted timestamp. */
    public static final int LENGTH = 24;

    private static volatile CachedSecond cached = new CachedSecond(Long.MIN_VALUE, new byte[0]);

    private Timestamps() {}

    /** Writes the timestamp as ASCII into {@code out} at {@code offset}. */
    public static void write(long epochMillis, byte[] out, int offset) {
        long second = Math.floorDiv(epochMillis, 1000L);
        CachedSecond c = cached;
        if (c.second != second) {
            c = new CachedSecond(second, prefix(second));
            cached = c;
        }
        System.arraycopy(c.prefix, 0, out, offset, 20);
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        out[offset + 20] = (byte) ('0' + millis / 100);
        out[offset + 21] = (byte) ('0' + millis / 10 % 10);
        out[offset + 22] = (byte) ('0' + millis % 10);
        out[offset + 23] = 'Z';
    }

    /** The timestamp as a string. */
    public static String format(long epochMillis) {
        byte[] out = new byte[LENGTH];
        write(epochMillis, out, 0);
        return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** "yyyy-MM-ddTHH:mm:ss." for years 0000-9999, which is what every plausible clock yields. */
    private static byte[] prefix(long second) {
        String iso = Instant.ofEpochSecond(second).toString(); // e.g. 2026-11-22T10:15:30Z
        byte[] prefix = new byte[20];
        for (int i = 0; i < 19; i++) {
            prefix[i] = (byte) iso.charAt(i);
        }
        prefix[19] = '.';
        return prefix;
    }

    private static final class CachedSecond {
        final long second;
        final byte[] prefix;

        CachedSecond(long second, byte[] prefix) {
            this.second = second;
            this.prefix = prefix;
        }
    }
}
