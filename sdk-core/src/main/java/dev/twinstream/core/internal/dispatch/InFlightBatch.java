package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.SinkBatch;
import java.util.AbstractList;
import java.util.List;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One {@code send} call: the records, their attempt numbers, and — once the sink answers — its
 * result. Doubles as the completion callback, so a call allocates one object besides its arrays.
 */
final class InFlightBatch implements SinkBatch, BiConsumer<@Nullable BatchResult, @Nullable Throwable> {
    final SinkChannel channel;
    final LogRecord[] records;
    final int[] attempts;
    private final int slot;
    /** When the batch was made, on the tracker's clock: the reference of {@link #waitedNanos}. */
    private final long madeAtNanos;
    int size;
    long bytes;
    /** Set by the completing thread, read by the dispatcher after the completion queue hand-off. */
    @Nullable BatchResult result;
    @Nullable Throwable error;

    InFlightBatch(SinkChannel channel, int capacity, int slot, long nowNanos) {
        this.channel = channel;
        this.madeAtNanos = nowNanos;
        this.records = new LogRecord[capacity];
        this.attempts = new int[capacity];
        this.slot = slot;
    }

    void add(LogRecord record, int attempt) {
        records[size] = record;
        attempts[size] = attempt;
        bytes += record.payloads[slot].length;
        size++;
    }

    /**
     * A list whose {@code add} appends a record to this batch as a first attempt, without counting
     * its bytes: what {@link EventLog#read} fills, so records read from the log land in the batch
     * directly. The caller adds the bytes the read reports.
     */
    List<LogRecord> freshRecords() {
        return new AbstractList<LogRecord>() {
            @Override
            public boolean add(LogRecord record) {
                records[size] = record;
                attempts[size] = 1;
                size++;
                return true;
            }

            @Override
            public LogRecord get(int index) {
                return records[check(index)];
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    boolean isFull(int maxRecords) {
        return size >= maxRecords;
    }

    @Override
    public void accept(@Nullable BatchResult result, @Nullable Throwable error) {
        this.result = result;
        this.error = error;
        channel.completed(this);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long totalBytes() {
        return bytes;
    }

    @Override
    public byte[] payload(int index) {
        return records[check(index)].payloads[slot];
    }

    @Override
    public String eventId(int index) {
        return records[check(index)].eventId;
    }

    @Override
    public String eventType(int index) {
        return records[check(index)].eventType;
    }

    @Override
    public String partitionKey(int index) {
        return records[check(index)].partitionKey;
    }

    @Override
    public @Nullable String routingKey(int index) {
        return records[check(index)].routingKey;
    }

    @Override
    public long waitedNanos(int index) {
        return Math.max(0, madeAtNanos - records[check(index)].acceptedNanos);
    }

    @Override
    public int attempt(int index) {
        return attempts[check(index)];
    }

    private int check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside batch of " + size);
        }
        return index;
    }
}
