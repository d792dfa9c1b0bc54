package dev.twinstream.benchmarks.compare;

import java.nio.charset.StandardCharsets;

/**
 * What {@link CborRecords} and {@link JsonRecords} report for each Kinesis record of a request: where
 * its {@code Data}, {@code PartitionKey} and {@code ExplicitHashKey} values lie in the request body,
 * so the endpoint decodes nothing it does not need. A start of -1 means the field was absent.
 *
 * <p>In CBOR the data is the record's bytes and the keys are UTF-8; in JSON the data is base64 text
 * and the keys are the raw bytes between the quotes (JSON escapes not yet undone).
 */
@FunctionalInterface
interface RecordFields {
    /** The field names both parsers look for, as the ASCII bytes they match against. */
    byte[] RECORDS = "Records".getBytes(StandardCharsets.US_ASCII);
    byte[] DATA = "Data".getBytes(StandardCharsets.US_ASCII);
    byte[] PARTITION_KEY = "PartitionKey".getBytes(StandardCharsets.US_ASCII);
    byte[] EXPLICIT_HASH_KEY = "ExplicitHashKey".getBytes(StandardCharsets.US_ASCII);

    /**
     * One record.
     *
     * @param body the request body
     * @param dataStart offset of the data value (the base64 text in JSON), or -1
     * @param dataLength its length in bytes
     * @param keyStart offset of the partition key, or -1
     * @param keyLength its length in bytes
     * @param hashKeyStart offset of the explicit hash key (decimal digits), or -1
     * @param hashKeyLength its length in bytes
     */
    void record(byte[] body, int dataStart, int dataLength, int keyStart, int keyLength, int hashKeyStart, int hashKeyLength);
}
