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

    /**
     * A stream name, or an ARN when it starts with {@code arn:}.
     *
     * @param nameOrArn the stream's name or ARN
     * @return the stream id
     */
    public static StreamId of(String nameOrArn) {
        return new StreamId(nameOrArn);
    }

    /**
     * Sets the stream on a {@code ListShards} request.
     *
     * @param b the request builder
     * @return {@code b}
     */
    public ListShardsRequest.Builder apply(ListShardsRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    /**
     * Sets the stream on a {@code PutRecords} request.
     *
     * @param b the request builder
     * @return {@code b}
     */
    public PutRecordsRequest.Builder apply(PutRecordsRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    /**
     * Sets the stream on a {@code DescribeStreamSummary} request.
     *
     * @param b the request builder
     * @return {@code b}
     */
    public DescribeStreamSummaryRequest.Builder apply(DescribeStreamSummaryRequest.Builder b) {
        return arn ? b.streamARN(value) : b.streamName(value);
    }

    /**
     * {@return the stream's name: as given, or the part of an ARN after {@code stream/}} The
     * delivery ledger's destination, the same whichever way the stream was given.
     */
    public String name() {
        int at = value.lastIndexOf(":stream/");
        return arn && at >= 0 ? value.substring(at + ":stream/".length()) : value;
    }

    @Override
    public String toString() {
        return value;
    }
}
