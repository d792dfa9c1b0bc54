package dev.twinstream.samples.clickstream;

import dev.twinstream.core.Envelope;
import dev.twinstream.core.RecordFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON lines, measured: while encoding each event (once, at {@code track()}) it adds up what the
 * event would cost sent on its own, as one Kinesis record of data plus partition key. That is the
 * honest "unaggregated" figure to compare the aggregated bill with, event by event, whatever the
 * sizes.
 */
final class RecordSizes implements RecordFormat {
    private final RecordFormat format = RecordFormat.jsonLines();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong units = new AtomicLong();

    @Override
    public byte[] encode(Envelope envelope) throws IOException {
        byte[] payload = format.encode(envelope);
        long size = payload.length + envelope.partitionKey().getBytes(StandardCharsets.UTF_8).length;
        events.incrementAndGet();
        bytes.addAndGet(size);
        units.addAndGet(CountingKinesisClient.unitsOf(size));
        return payload;
    }

    /** {@return the events encoded} */
    long events() {
        return events.get();
    }

    /** {@return the mean size of one event as its own Kinesis record (data plus key), in bytes} */
    double meanRecordBytes() {
        long n = events.get();
        return n == 0 ? 0 : (double) bytes.get() / n;
    }

    /** {@return the PUT payload units if every event were its own record: the sum of ceil(size / 25 KiB)} */
    long unaggregatedUnits() {
        return units.get();
    }
}
