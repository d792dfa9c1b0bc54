package dev.twinstream.kinesis.internal;

import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

/** A stream given by name or by ARN; sets the right field on each request. */
public final class StreamId {
    private final String value;
    private final boolean arn;

    private StreamId(String value) {
        this.value = value;
        this.arn = value.startsWith("arn:");
    }

    /** A stream name, or an ARN when it starts with {@code arn:}. */
    public static StreamId of(String nameOrArn) {
        return new StreamId(nameOrArn);
    }

    /** Sets the stream on a {@code ListShards} request. */
    public ListShardsRequest.Builder apply(ListShardsRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    /** Sets the stream on a {@code PutRecords} request. */
    public PutRecordsRequest.Builder apply(PutRecordsRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    /** Sets the stream on a {@code DescribeStreamSummary} request. */
    public DescribeStreamSummaryRequest.Builder apply(DescribeStreamSummaryRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
