package dev.twinstream.testkit.firehose;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.RedshiftDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.S3DestinationConfiguration;

/**
 * {@link FakeFirehose}'s request validation, with the service's limits and messages
 * ({@code InvalidArgumentException}), and what it remembers of the put requests it checked: the
 * largest ones and the messages of those it rejected for a limit. Guarded by the fake's lock.
 */
final class FirehoseRequests {
    private final List<String> limitViolations = new ArrayList<>();
    private int maxRecordsInOneCall;
    private long maxBytesInOneCall;
    private int maxRecordBytes;

    /** Returns {@code name} if it is a valid delivery stream name; throws InvalidArgumentException otherwise. */
    static String checkName(@Nullable String name) {
        if (name == null || !FakeFirehose.DELIVERY_STREAM_NAME.matcher(name).matches()) {
            throw FirehoseExceptions.invalidArgument("1 validation error detected: Value '" + name + "' at"
                    + " 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + FakeFirehose.DELIVERY_STREAM_NAME.pattern());
        }
        return name;
    }

    /** The destination of a create request, validated as the service does. */
    static DeliveryStream.Destination destinationOf(CreateDeliveryStreamRequest request) {
        String bucketArn = null;
        BufferingHints hints = null;
        CompressionFormat compression = null;
        String prefix = null;
        ExtendedS3DestinationConfiguration s3 = request.extendedS3DestinationConfiguration();
        RedshiftDestinationConfiguration redshift = request.redshiftDestinationConfiguration();
        if (s3 != null) {
            bucketArn = s3.bucketARN();
            hints = s3.bufferingHints();
            compression = s3.compressionFormat();
            prefix = s3.prefix();
        } else {
            S3DestinationConfiguration plain = redshift != null ? redshift.s3Configuration() : legacyS3(request);
            if (plain != null) {
                bucketArn = plain.bucketARN();
                hints = plain.bufferingHints();
                compression = plain.compressionFormat();
                prefix = plain.prefix();
            }
        }
        if (bucketArn == null) {
            bucketArn = FakeFirehose.DEFAULT_BUCKET_ARN;
        }
        Matcher bucket = FakeFirehose.BUCKET_ARN.matcher(bucketArn);
        if (!bucket.matches()) {
            throw FirehoseExceptions.invalidArgument("1 validation error detected: Value '" + bucketArn + "' at 'bucketARN'"
                    + " failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + FakeFirehose.BUCKET_ARN.pattern());
        }
        int sizeMiB = hints == null || hints.sizeInMBs() == null ? FakeFirehose.DEFAULT_BUFFER_SIZE_MIB : hints.sizeInMBs();
        int intervalSeconds = hints == null || hints.intervalInSeconds() == null
                ? FakeFirehose.DEFAULT_BUFFER_INTERVAL_SECONDS : hints.intervalInSeconds();
        if (sizeMiB < 1 || sizeMiB > 128) {
            throw FirehoseExceptions.invalidArgument("BufferingHints.SizeInMBs must be between 1 and 128 but was " + sizeMiB);
        }
        if (intervalSeconds < 0 || intervalSeconds > 900) {
            throw FirehoseExceptions.invalidArgument(
                    "BufferingHints.IntervalInSeconds must be between 0 and 900 but was " + intervalSeconds);
        }
        boolean gzip;
        if (compression == null || compression == CompressionFormat.UNCOMPRESSED) {
            gzip = false;
        } else if (compression == CompressionFormat.GZIP) {
            gzip = true;
        } else {
            throw new UnsupportedOperationException("FakeFirehose models UNCOMPRESSED and GZIP only, not " + compression);
        }
        return new DeliveryStream.Destination(bucketArn, bucket.group(1), sizeMiB, intervalSeconds, gzip,
                prefix == null ? "" : prefix);
    }

    /** The deprecated plain S3 destination, still accepted by the service. */
    @SuppressWarnings("deprecation")
    private static @Nullable S3DestinationConfiguration legacyS3(CreateDeliveryStreamRequest request) {
        return request.s3DestinationConfiguration();
    }

    /** {@return the data of a {@code PutRecord} record, within the limits} */
    byte[] checkRecord(@Nullable Record record) {
        if (record == null || record.data() == null) {
            throw FirehoseExceptions.invalidArgument("1 validation error detected: Value null at 'record' failed to"
                    + " satisfy constraint: Member must not be null");
        }
        byte[] data = record.data().asByteArray();
        check(Collections.singletonList(data));
        return data;
    }

    /** {@return the data of a {@code PutRecordBatch}'s records, in order, within the limits} */
    List<byte[]> checkRecords(PutRecordBatchRequest request) {
        List<byte @Nullable []> data = new ArrayList<>(request.hasRecords() ? request.records().size() : 0);
        if (request.hasRecords()) {
            for (Record r : request.records()) {
                data.add(r == null || r.data() == null ? null : r.data().asByteArray());
            }
        }
        check(data);
        List<byte[]> valid = new ArrayList<>(data.size());
        for (byte[] d : data) {
            valid.add(Objects.requireNonNull(d, "checked above"));
        }
        return valid;
    }

    List<String> limitViolations() {
        return new ArrayList<>(limitViolations);
    }

    int maxRecordsInOneCall() {
        return maxRecordsInOneCall;
    }

    long maxBytesInOneCall() {
        return maxBytesInOneCall;
    }

    int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Counts the call's sizes, then rejects it if it breaks a limit, remembering why. */
    private void check(List<byte @Nullable []> data) {
        long bytes = 0;
        int largest = 0;
        for (byte[] d : data) {
            if (d != null) {
                bytes += d.length;
                largest = Math.max(largest, d.length);
            }
        }
        maxRecordsInOneCall = Math.max(maxRecordsInOneCall, data.size());
        maxBytesInOneCall = Math.max(maxBytesInOneCall, bytes);
        maxRecordBytes = Math.max(maxRecordBytes, largest);
        String problem = null;
        if (data.isEmpty()) {
            problem = "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1";
        } else if (data.size() > FakeFirehose.MAX_RECORDS_PER_REQUEST) {
            problem = "1 validation error detected: Value at 'records' failed to satisfy constraint: "
                    + "Member must have length less than or equal to " + FakeFirehose.MAX_RECORDS_PER_REQUEST + " (was " + data.size() + ")";
        } else {
            for (int i = 0; i < data.size() && problem == null; i++) {
                byte[] d = data.get(i);
                if (d == null) {
                    problem = "1 validation error detected: Value null at 'records." + (i + 1)
                            + ".member.data' failed to satisfy constraint: Member must not be null";
                } else if (d.length > FakeFirehose.MAX_BYTES_PER_RECORD) {
                    problem = "1 validation error detected: Value at 'records." + (i + 1) + ".member.data' failed to "
                            + "satisfy constraint: Member must have length less than or equal to " + FakeFirehose.MAX_BYTES_PER_RECORD
                            + " (was " + d.length + ")";
                }
            }
            if (problem == null && bytes > FakeFirehose.MAX_BYTES_PER_REQUEST) {
                problem = "Records size exceeds " + FakeFirehose.MAX_BYTES_PER_REQUEST + " bytes limit of PutRecordBatch (was "
                        + bytes + " bytes)";
            }
        }
        if (problem != null) {
            limitViolations.add(problem);
            throw FirehoseExceptions.invalidArgument(problem);
        }
    }
}
