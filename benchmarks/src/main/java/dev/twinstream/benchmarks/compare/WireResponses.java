package dev.twinstream.benchmarks.compare;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The null endpoint's answers, in AWS JSON 1.1 (base64 data, epoch-second timestamps) and CBOR 1.1
 * (the SDK for Java's default for Kinesis; tag-1 epoch-millisecond timestamps): Kinesis
 * {@code ListShards}, {@code DescribeStreamSummary}, {@code PutRecords}, {@code PutRecord}, Firehose
 * {@code PutRecordBatch} and STS {@code GetCallerIdentity} (query protocol, XML). Everything that does
 * not depend on the request is built once; a {@code PutRecords} answer is the concatenation of
 * prebuilt per-shard entries. Thread-safe.
 */
final class WireResponses {
    /** The account the endpoint claims to be (STS answer, stream ARN). */
    static final String ACCOUNT = "123456789012";
    private static final String SEQUENCE = "49600000000000000000000000000000000000000000000000000001";
    // The KPL 1.1 reads this from DescribeStreamSummary to decide whether it may aggregate by shard
    // (USER_PARTITION_KEY: the partition key's hash picks the shard, as it always did); without it, it
    // logs a warning and falls back to aggregating while it retries the discovery.
    private static final String DISTRIBUTION = "USER_PARTITION_KEY";
    private static final long CREATED_EPOCH_SECONDS = 1_764_000_000L;
    private static final int CBOR_MAP = 5;
    private static final int CBOR_ARRAY = 4;
    private static final int CBOR_TEXT = 3;
    private static final int CBOR_UINT = 0;
    private static final int CBOR_TAG = 6;

    private final byte[] listShardsJson;
    private final byte[] listShardsCbor;
    private final byte[] describeJson;
    private final byte[] describeCbor;
    private final byte[][] entryJson;
    private final byte[][] entryCbor;
    private final byte[] callerIdentityXml;
    private final ConcurrentHashMap<Integer, byte[]> firehoseByCount = new ConcurrentHashMap<>();

    /**
     * Builds the fixed answers for a stream.
     *
     * @param stream the stream's name
     * @param shards its shards
     */
    WireResponses(String stream, ShardRanges shards) {
        String arn = "arn:aws:kinesis:us-east-1:" + ACCOUNT + ":stream/" + stream;
        StringBuilder json = new StringBuilder("{\"Shards\":[");
        ByteArrayOutputStream cbor = new ByteArrayOutputStream();
        head(cbor, CBOR_MAP, 1);
        text(cbor, "Shards");
        head(cbor, CBOR_ARRAY, shards.size());
        entryJson = new byte[shards.size()][];
        entryCbor = new byte[shards.size()][];
        for (int i = 0; i < shards.size(); i++) {
            String id = ShardRanges.shardId(i);
            json.append(i == 0 ? "" : ",").append("{\"ShardId\":\"").append(id).append("\",\"HashKeyRange\":{\"StartingHashKey\":\"")
                    .append(shards.startingHashKey(i)).append("\",\"EndingHashKey\":\"").append(shards.endingHashKey(i))
                    .append("\"},\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"").append(SEQUENCE).append("\"}}");
            head(cbor, CBOR_MAP, 3);
            text(cbor, "ShardId");
            text(cbor, id);
            text(cbor, "HashKeyRange");
            head(cbor, CBOR_MAP, 2);
            text(cbor, "StartingHashKey");
            text(cbor, shards.startingHashKey(i));
            text(cbor, "EndingHashKey");
            text(cbor, shards.endingHashKey(i));
            text(cbor, "SequenceNumberRange");
            head(cbor, CBOR_MAP, 1);
            text(cbor, "StartingSequenceNumber");
            text(cbor, SEQUENCE);
            entryJson[i] = ("{\"SequenceNumber\":\"" + SEQUENCE + "\",\"ShardId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            head(entry, CBOR_MAP, 2);
            text(entry, "SequenceNumber");
            text(entry, SEQUENCE);
            text(entry, "ShardId");
            text(entry, id);
            entryCbor[i] = entry.toByteArray();
        }
        listShardsJson = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        listShardsCbor = cbor.toByteArray();
        describeJson = ("{\"StreamDescriptionSummary\":{\"StreamName\":\"" + stream + "\",\"StreamARN\":\"" + arn
                + "\",\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"},\"RetentionPeriodHours\":24,"
                + "\"StreamCreationTimestamp\":" + CREATED_EPOCH_SECONDS + ",\"EnhancedMonitoring\":[{\"ShardLevelMetrics\":[]}],"
                + "\"EncryptionType\":\"NONE\",\"OpenShardCount\":" + shards.size() + ",\"ConsumerCount\":0,"
                + "\"RecordDistributionStrategy\":\"" + DISTRIBUTION + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        describeCbor = describeCbor(stream, arn, shards.size());
        callerIdentityXml = ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><Arn>arn:aws:iam::" + ACCOUNT + ":user/bench</Arn><UserId>AIDABENCHMARK</UserId>"
                + "<Account>" + ACCOUNT + "</Account></GetCallerIdentityResult>"
                + "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>"
                + "</GetCallerIdentityResponse>").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] describeCbor(String stream, String arn, int shards) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head(out, CBOR_MAP, 1);
        text(out, "StreamDescriptionSummary");
        head(out, CBOR_MAP, 11);
        text(out, "StreamName");
        text(out, stream);
        text(out, "StreamARN");
        text(out, arn);
        text(out, "StreamStatus");
        text(out, "ACTIVE");
        text(out, "StreamModeDetails");
        head(out, CBOR_MAP, 1);
        text(out, "StreamMode");
        text(out, "PROVISIONED");
        text(out, "RetentionPeriodHours");
        head(out, CBOR_UINT, 24);
        text(out, "StreamCreationTimestamp");
        head(out, CBOR_TAG, 1);
        head(out, CBOR_UINT, CREATED_EPOCH_SECONDS * 1000);
        text(out, "EnhancedMonitoring");
        head(out, CBOR_ARRAY, 1);
        head(out, CBOR_MAP, 1);
        text(out, "ShardLevelMetrics");
        head(out, CBOR_ARRAY, 0);
        text(out, "EncryptionType");
        text(out, "NONE");
        text(out, "OpenShardCount");
        head(out, CBOR_UINT, shards);
        text(out, "ConsumerCount");
        head(out, CBOR_UINT, 0);
        text(out, "RecordDistributionStrategy");
        text(out, DISTRIBUTION);
        return out.toByteArray();
    }

    /**
     * {@return the ListShards answer: every shard, no NextToken}
     *
     * @param cbor CBOR, else JSON
     */
    byte[] listShards(boolean cbor) {
        return cbor ? listShardsCbor : listShardsJson;
    }

    /**
     * {@return the DescribeStreamSummary answer: ACTIVE, provisioned}
     *
     * @param cbor CBOR, else JSON
     */
    byte[] describeStreamSummary(boolean cbor) {
        return cbor ? describeCbor : describeJson;
    }

    /** {@return the STS GetCallerIdentity answer (XML)} */
    byte[] callerIdentity() {
        return callerIdentityXml;
    }

    /**
     * Writes the PutRecords answer: every record succeeded, on the shard given for it.
     *
     * @param shards each record's shard, in request order
     * @param count how many of {@code shards} are set
     * @param cbor CBOR, else JSON
     * @param out where to write (reset by the caller)
     */
    void putRecords(int[] shards, int count, boolean cbor, ByteArrayOutputStream out) {
        if (cbor) {
            head(out, CBOR_MAP, 2);
            text(out, "FailedRecordCount");
            head(out, CBOR_UINT, 0);
            text(out, "Records");
            head(out, CBOR_ARRAY, count);
            for (int i = 0; i < count; i++) {
                out.writeBytes(entryCbor[shards[i]]);
            }
        } else {
            out.writeBytes("{\"FailedRecordCount\":0,\"Records\":[".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.writeBytes(entryJson[shards[i]]);
            }
            out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * {@return the PutRecord answer (a record's sequence number and shard)}
     *
     * @param shard the record's shard
     * @param cbor CBOR, else JSON
     */
    byte[] putRecord(int shard, boolean cbor) {
        return cbor ? entryCbor[shard] : entryJson[shard];
    }

    /**
     * {@return the Firehose PutRecordBatch answer for {@code records} records, none failed}
     *
     * @param records the request's record count
     */
    byte[] putRecordBatch(int records) {
        return firehoseByCount.computeIfAbsent(records, WireResponses::putRecordBatchJson);
    }

    private static byte[] putRecordBatchJson(int records) {
        StringBuilder sb = new StringBuilder("{\"FailedPutCount\":0,\"Encrypted\":false,\"RequestResponses\":[");
        for (int i = 0; i < records; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"RecordId\":\"").append(SEQUENCE).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@return an AWS JSON error body}
     *
     * @param type the error code ({@code __type})
     * @param message its message
     */
    static byte[] errorJson(String type, String message) {
        return ("{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a CBOR text string. */
    private static void text(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        head(out, CBOR_TEXT, b.length);
        out.writeBytes(b);
    }

    /** Writes a CBOR item header: major type and length or value. */
    private static void head(ByteArrayOutputStream out, int major, long value) {
        int m = major << 5;
        if (value < 24) {
            out.write(m | (int) value);
        } else if (value < 0x100) {
            out.write(m | 24);
            out.write((int) value);
        } else if (value < 0x10000) {
            out.write(m | 25);
            out.write((int) (value >> 8));
            out.write((int) value);
        } else if (value < 0x1_0000_0000L) {
            out.write(m | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (value >> shift));
            }
        } else {
            out.write(m | 27);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (value >> shift));
            }
        }
    }
}
