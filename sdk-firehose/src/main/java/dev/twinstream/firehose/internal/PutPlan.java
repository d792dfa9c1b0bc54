package dev.twinstream.firehose.internal;

import dev.twinstream.core.spi.SinkBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * One planned {@code PutRecordBatch} request: its delivery stream, its records, and for each record
 * the positions (in the {@link SinkBatch}) of the events packed into it, in order.
 */
public final class PutPlan {
    private final String stream;
    /** Batch positions of the events, record after record. */
    private int[] events;
    private int eventCount;
    /** recordEnds[r] = exclusive end of record r in {@link #events}. */
    private int[] recordEnds = new int[8];
    int recordCount;
    long bytes;

    PutPlan(String stream, int expectedEvents) {
        this.stream = stream;
        this.events = new int[Math.max(1, expectedEvents)];
    }

    void startRecord(int event, int length) {
        if (recordCount == recordEnds.length) {
            recordEnds = Arrays.copyOf(recordEnds, recordCount * 2);
        }
        recordCount++;
        addToLastRecord(event, length);
    }

    void addToLastRecord(int event, int length) {
        if (eventCount == events.length) {
            events = Arrays.copyOf(events, eventCount * 2);
        }
        events[eventCount++] = event;
        recordEnds[recordCount - 1] = eventCount;
        bytes += length;
    }

    /** {@return the delivery stream} */
    public String stream() {
        return stream;
    }

    /** {@return the number of records} */
    public int recordCount() {
        return recordCount;
    }

    /** {@return the sum of the record sizes} */
    public long bytes() {
        return bytes;
    }

    /** {@return the number of events} */
    public int eventCount() {
        return eventCount;
    }

    /**
     * {@return the first position in {@link #event(int)} of record {@code record}}
     *
     * @param record the record's index
     */
    public int recordStart(int record) {
        return record == 0 ? 0 : recordEnds[record - 1];
    }

    /**
     * {@return the exclusive end position in {@link #event(int)} of record {@code record}}
     *
     * @param record the record's index
     */
    public int recordEnd(int record) {
        return recordEnds[record];
    }

    /**
     * {@return the batch position of the {@code k}-th event of this request}
     *
     * @param k the event's index in this request
     */
    public int event(int k) {
        return events[k];
    }

    /**
     * The SDK records: a single event's payload is wrapped without copying (the batch stays valid
     * and unmodified until the call completes); a packed record is the concatenation of its events.
     *
     * @param batch the batch the plan was made for
     * @return one SDK record per planned record, in order
     */
    public List<Record> toRecords(SinkBatch batch) {
        List<Record> records = new ArrayList<>(recordCount);
        for (int r = 0; r < recordCount; r++) {
            int start = recordStart(r);
            int end = recordEnds[r];
            byte[] data;
            if (end - start == 1) {
                data = batch.payload(events[start]);
            } else {
                int size = 0;
                for (int k = start; k < end; k++) {
                    size += batch.payload(events[k]).length;
                }
                data = new byte[size];
                int at = 0;
                for (int k = start; k < end; k++) {
                    byte[] p = batch.payload(events[k]);
                    System.arraycopy(p, 0, data, at, p.length);
                    at += p.length;
                }
            }
            records.add(Record.builder().data(SdkBytes.fromByteArrayUnsafe(data)).build());
        }
        return records;
    }
}
