package dev.twinstream.testkit.kinesis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * {@link FakeKinesis}'s request validation: the service's limits, checked in its order, failing
 * with its exception types ({@code ValidationException} for model constraints,
 * {@code InvalidArgumentException} for the request size and hash keys).
 */
final class KinesisRequests {
    private static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private KinesisRequests() {}

    /** Checks a {@code PutRecords} request: 1 to 500 entries, each valid, at most {@code maxRequestBytes} in all. */
    static void checkEntries(KinesisStream s, List<PutRecordsRequestEntry> entries, long maxRequestBytes) {
        if (entries.isEmpty() || entries.size() > FakeKinesis.MAX_RECORDS_PER_REQUEST) {
            throw KinesisExceptions.validation("1 validation error detected: Value at 'records' failed to satisfy"
                    + " constraint: Member must have length between 1 and " + FakeKinesis.MAX_RECORDS_PER_REQUEST
                    + " but had " + entries.size());
        }
        long total = 0;
        for (int i = 0; i < entries.size(); i++) {
            PutRecordsRequestEntry e = entries.get(i);
            checkEntry(s, e.partitionKey(), e.explicitHashKey(), e.data(), i);
            total += sizeOf(e.data(), e.partitionKey());
        }
        if (total > maxRequestBytes) {
            throw KinesisExceptions.invalidArgument("Records size exceeds " + maxRequestBytes + " bytes limit: " + total);
        }
    }

    /** Checks one record (of {@code PutRecord}, or entry {@code index} of {@code PutRecords}) against the stream's limits. */
    static void checkEntry(KinesisStream s, @Nullable String partitionKey, @Nullable String explicitHashKey,
                           @Nullable SdkBytes data, int index) {
        if (partitionKey == null || partitionKey.isEmpty()
                || partitionKey.codePointCount(0, partitionKey.length()) > FakeKinesis.MAX_PARTITION_KEY_CHARS) {
            throw KinesisExceptions.validation("1 validation error detected: Value at 'records." + (index + 1)
                    + ".member.partitionKey' failed to satisfy constraint: Member must have length between 1 and "
                    + FakeKinesis.MAX_PARTITION_KEY_CHARS);
        }
        if (data == null) {
            throw KinesisExceptions.validation("records." + (index + 1) + ".data is required");
        }
        long size = sizeOf(data, partitionKey);
        if (size > s.maxRecordSizeKiB * 1024L) {
            throw KinesisExceptions.validation("Record " + index + " is " + size
                    + " bytes (data plus partition key), over the stream's limit of " + s.maxRecordSizeKiB + " KiB");
        }
        if (explicitHashKey != null) {
            BigInteger h;
            try {
                h = new BigInteger(explicitHashKey);
            } catch (NumberFormatException e) {
                h = BigInteger.valueOf(-1);
            }
            if (h.signum() < 0 || h.compareTo(MAX_HASH_KEY) > 0) {
                throw KinesisExceptions.invalidArgument(
                        "ExplicitHashKey " + explicitHashKey + " is not a decimal between 0 and 2^128-1");
            }
        }
    }

    /** A record's size as the limits count it: data plus partition key. */
    static long sizeOf(SdkBytes data, String partitionKey) {
        return data.asByteBuffer().remaining() + partitionKey.getBytes(StandardCharsets.UTF_8).length;
    }
}
