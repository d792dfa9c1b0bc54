package dev.twinstream.testkit.firehose;

import dev.twinstream.core.Clock;
import dev.twinstream.testkit.internal.FaultPlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamType;
import software.amazon.awssdk.services.firehose.model.DestinationDescription;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationDescription;

/**
 * One delivery stream of a {@link FakeFirehose}: the records it accepted, the buffer that becomes
 * the next S3 object, the objects delivered so far (and, with an {@link S3Directory}, their files),
 * and its counters. Guarded by the fake's lock.
 *
 * <p>Object keys follow the service's naming, in UTC: {@code <prefix>YYYY/MM/dd/HH/} and
 * {@code <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid>[.gz]}, both times being the arrival of the
 * object's oldest record; the version is 1, as the fake never updates a destination.
 */
final class DeliveryStream {
    private static final DateTimeFormatter DATE_PREFIX =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HH/", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OBJECT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int VERSION = 1;

    /** Told when a buffer opens, so that its interval can be kept on a scheduler. */
    interface BufferListener {
        void opened(DeliveryStream stream, long intervalNanos);
    }

    final String name;
    final String arn;
    final String bucketArn;
    final String bucket;
    final int bufferSizeMiB;
    final int bufferIntervalSeconds;
    final boolean gzip;
    final String prefix;
    final long createdMillis;
    final List<byte[]> records = new ArrayList<>();
    final List<DeliveredObject> objects = new ArrayList<>();
    /** Throttling of this stream only ({@code throttleFor(stream, window)}). */
    final FaultPlan.Window throttle;
    long bytes;
    long billedBytes;
    long entriesReceived;
    long entriesFailed;
    long putCalls;
    long failedCalls;

    private final Clock clock;
    private final Random keys;
    private final @Nullable S3Directory directory;
    private final @Nullable BufferListener bufferListener;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private int bufferedRecords;
    private long bufferOpenedNanos;
    private long bufferOpenedMillis;

    /**
     * @param keys draws the random part of object keys (shared by the fake's streams, seeded)
     * @param directory where objects are also written, or null
     * @param bufferListener told when a buffer opens, or null
     */
    DeliveryStream(String name, Destination destination, FaultPlan.Window throttle, Clock clock, Random keys,
                   @Nullable S3Directory directory, @Nullable BufferListener bufferListener) {
        this.name = name;
        this.arn = "arn:aws:firehose:" + FakeFirehose.REGION + ":" + FakeFirehose.ACCOUNT_ID + ":deliverystream/" + name;
        this.bucketArn = destination.bucketArn;
        this.bucket = destination.bucket;
        this.bufferSizeMiB = destination.bufferSizeMiB;
        this.bufferIntervalSeconds = destination.bufferIntervalSeconds;
        this.gzip = destination.gzip;
        this.prefix = destination.prefix;
        this.throttle = throttle;
        this.clock = clock;
        this.createdMillis = clock.epochMillis();
        this.keys = keys;
        this.directory = directory;
        this.bufferListener = bufferListener;
    }

    /** Accepts one record: bills it and buffers it, delivering the buffer when it reaches the size hint. */
    void accept(byte[] data) {
        deliverIfDue();
        byte[] copy = data.clone();
        records.add(copy);
        bytes += copy.length;
        billedBytes += (copy.length + FakeFirehose.BILLING_INCREMENT_BYTES - 1L) / FakeFirehose.BILLING_INCREMENT_BYTES
                * FakeFirehose.BILLING_INCREMENT_BYTES;
        if (bufferedRecords == 0) {
            bufferOpenedNanos = clock.nanoTime();
            bufferOpenedMillis = clock.epochMillis();
            if (bufferListener != null) {
                bufferListener.opened(this, bufferIntervalSeconds * 1_000_000_000L);
            }
        }
        buffer.write(copy, 0, copy.length);
        bufferedRecords++;
        if (buffer.size() >= (long) bufferSizeMiB * 1024 * 1024) {
            deliver(clock.epochMillis());
        }
    }

    /** Delivers the buffer if its interval has passed, as of the instant it passed. */
    void deliverIfDue() {
        long intervalNanos = bufferIntervalSeconds * 1_000_000_000L;
        if (bufferedRecords > 0 && clock.nanoTime() - bufferOpenedNanos >= intervalNanos) {
            deliver(bufferOpenedMillis + bufferIntervalSeconds * 1000L);
        }
    }

    /** Delivers what is buffered, if anything, as one object: in memory, then to the directory. */
    void deliver(long deliveredAtMillis) {
        if (bufferedRecords == 0) {
            return;
        }
        byte[] data = buffer.toByteArray();
        Instant opened = Instant.ofEpochMilli(bufferOpenedMillis);
        String key = prefix + DATE_PREFIX.format(opened) + name + "-" + VERSION + "-" + OBJECT_TIME.format(opened) + "-"
                + new UUID(keys.nextLong(), keys.nextLong()) + (gzip ? ".gz" : "");
        DeliveredObject object = new DeliveredObject(key, gzip ? gzip(data) : data, gzip, bufferedRecords, deliveredAtMillis);
        objects.add(object);
        buffer.reset();
        bufferedRecords = 0;
        if (directory != null) {
            directory.write(name, bucket, object);
        }
    }

    StreamStats stats() {
        return new StreamStats(name, records.size(), bytes, billedBytes, entriesReceived, entriesFailed, putCalls, failedCalls);
    }

    /** ACTIVE, DirectPut, one S3 destination with its buffering hints. */
    DeliveryStreamDescription describe() {
        return DeliveryStreamDescription.builder()
                .deliveryStreamName(name)
                .deliveryStreamARN(arn)
                .deliveryStreamStatus(DeliveryStreamStatus.ACTIVE)
                .deliveryStreamType(DeliveryStreamType.DIRECT_PUT)
                .versionId(String.valueOf(VERSION))
                .createTimestamp(Instant.ofEpochMilli(createdMillis))
                .destinations(DestinationDescription.builder()
                        .destinationId("destinationId-000000000001")
                        .extendedS3DestinationDescription(ExtendedS3DestinationDescription.builder()
                                .bucketARN(bucketArn)
                                .roleARN("arn:aws:iam::" + FakeFirehose.ACCOUNT_ID + ":role/firehose")
                                .prefix(prefix)
                                .bufferingHints(BufferingHints.builder().sizeInMBs(bufferSizeMiB)
                                        .intervalInSeconds(bufferIntervalSeconds).build())
                                .compressionFormat(gzip ? CompressionFormat.GZIP : CompressionFormat.UNCOMPRESSED)
                                .build())
                        .build())
                .hasMoreDestinations(false)
                .build();
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Where and how a stream delivers, from its destination configuration (validated by the fake). */
    static final class Destination {
        final String bucketArn;
        final String bucket;
        final int bufferSizeMiB;
        final int bufferIntervalSeconds;
        final boolean gzip;
        final String prefix;

        Destination(String bucketArn, String bucket, int bufferSizeMiB, int bufferIntervalSeconds, boolean gzip,
                    String prefix) {
            this.bucketArn = bucketArn;
            this.bucket = bucket;
            this.bufferSizeMiB = bufferSizeMiB;
            this.bufferIntervalSeconds = bufferIntervalSeconds;
            this.gzip = gzip;
            this.prefix = prefix;
        }
    }
}
