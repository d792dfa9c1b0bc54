package dev.twinstream.firehose.internal;

import dev.twinstream.core.spi.SinkBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the events of one batch bound for one delivery stream into Firehose records and
 * {@code PutRecordBatch} requests.
 *
 * <p>Packing: consecutive payloads that end with {@code '\n'} are concatenated into one record
 * while the record stays within the packing target; an event is never split, so every line a
 * consumer of newline-delimited data reads is exactly one event. A payload that does not end with
 * {@code '\n'} (a user-defined format) always gets a record of its own: gluing it to its neighbour
 * would merge two events into one line. With packing off every event is its own record.
 *
 * <p>Requests: records are cut into requests of at most {@code maxRecordsPerRequest} records and
 * {@code maxBytesPerRequest} bytes, in event order. Immutable, so thread-safe: one instance per
 * sink plans every send on the sink's sender thread (or concurrently on an injected scheduler that
 * runs tasks concurrently); each call builds its own plans, independent of the packer and of each
 * other.
 */
public final class RecordPacker {
    private final boolean packing;
    private final int targetBytes;
    private final int maxRecordsPerRequest;
    private final long maxBytesPerRequest;

    /**
     * Creates a packer.
     *
     * @param packing whether to pack newline-terminated payloads
     * @param targetBytes the most bytes of a packed record
     * @param maxRecordsPerRequest the most records per request
     * @param maxBytesPerRequest the most record bytes per request
     */
    public RecordPacker(boolean packing, int targetBytes, int maxRecordsPerRequest, long maxBytesPerRequest) {
        this.packing = packing;
        this.targetBytes = targetBytes;
        this.maxRecordsPerRequest = maxRecordsPerRequest;
        this.maxBytesPerRequest = maxBytesPerRequest;
    }

    /**
     * Plans the requests for the events {@code events[0..count)} of {@code batch}, all bound for
     * {@code stream}, in that order.
     *
     * @param batch the batch
     * @param stream the delivery stream
     * @param events positions in {@code batch}
     * @param count how many of {@code events} to plan
     * @return at least one request
     */
    public List<PutPlan> plan(SinkBatch batch, String stream, int[] events, int count) {
        List<PutPlan> plans = new ArrayList<>(1);
        PutPlan current = new PutPlan(stream, count);
        long recordBytes = 0;
        boolean recordOpen = false;
        boolean recordPackable = false;
        for (int k = 0; k < count; k++) {
            int event = events[k];
            byte[] payload = batch.payload(event);
            int length = payload.length;
            boolean packable = packing && length > 0 && payload[length - 1] == '\n';
            boolean joins = recordOpen && packable && recordPackable && recordBytes + length <= targetBytes
                    && current.bytes + length <= maxBytesPerRequest;
            if (joins) {
                current.addToLastRecord(event, length);
                recordBytes += length;
                continue;
            }
            if (current.recordCount == maxRecordsPerRequest || current.bytes + length > maxBytesPerRequest) {
                if (current.recordCount > 0) {
                    plans.add(current);
                    current = new PutPlan(stream, count - k);
                }
            }
            current.startRecord(event, length);
            recordBytes = length;
            recordOpen = true;
            recordPackable = packable;
        }
        plans.add(current);
        return plans;
    }
}
