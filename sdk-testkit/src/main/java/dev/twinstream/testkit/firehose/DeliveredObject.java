package dev.twinstream.testkit.firehose;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One object {@link FakeFirehose} wrote to the destination bucket: what Firehose delivers per
 * buffer flush ({@link FakeFirehose#objects(String)}). Immutable.
 */
public final class DeliveredObject {
    private final String key;
    private final byte[] stored;
    private final boolean gzip;
    private final int recordCount;
    private final long deliveredAtMillis;

    DeliveredObject(String key, byte[] stored, boolean gzip, int recordCount, long deliveredAtMillis) {
        this.key = key;
        this.stored = stored;
        this.gzip = gzip;
        this.recordCount = recordCount;
        this.deliveredAtMillis = deliveredAtMillis;
    }

    /** {@return the S3 key} */
    public String key() {
        return key;
    }

    /** {@return a copy of the object's bytes as stored (GZIP-compressed when the stream compresses)} */
    public byte[] storedBytes() {
        return stored.clone();
    }

    /** {@return whether the object is GZIP-compressed} */
    public boolean isGzip() {
        return gzip;
    }

    /** {@return the object's content, decompressed} */
    public byte[] content() {
        if (!gzip) {
            return stored.clone();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("object " + key + " is not valid GZIP", e);
        }
    }

    /** {@return the content's lines, decoded as UTF-8, without their {@code '\n'}} */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        splitLines(content(), lines);
        return lines;
    }

    /** {@return the number of Firehose records concatenated into this object} */
    public int recordCount() {
        return recordCount;
    }

    /** {@return when the object was delivered, in epoch milliseconds of the fake's clock} */
    public long deliveredAtMillis() {
        return deliveredAtMillis;
    }

    @Override
    public String toString() {
        return "DeliveredObject{" + key + ", " + stored.length + " bytes, " + recordCount + " records}";
    }

    /** The stored bytes themselves, for writing them out without a copy; never modify them. */
    byte[] storedBytesShared() {
        return stored;
    }

    /** Adds the {@code '\n'}-separated lines of {@code data} to {@code into}, decoded as UTF-8; a last line needs no {@code '\n'}. */
    static void splitLines(byte[] data, List<String> into) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                into.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < data.length) {
            into.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
        }
    }
}
