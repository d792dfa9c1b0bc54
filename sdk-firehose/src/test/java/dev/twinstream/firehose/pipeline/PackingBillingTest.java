package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_BOOKS;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_DYNAMIC;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.firehose.StreamStats;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 100,000 events of about 250 bytes through the backup sink: with packing, billed bytes stay within
 * 5 % of the payload; without it every record is billed as 5 KB. Both ratios are logged (and
 * recorded in docs/BENCHMARKS.md, "Firehose packing"). The fake rejects any request over 500
 * records or 4 MiB and any record over 1,000 KiB.
 */
class PackingBillingTest {
    private static final Logger LOG = LoggerFactory.getLogger(PackingBillingTest.class);
    private static final int EVENTS = 100_000;

    record Billing(long payloadBytes, long billedBytes, long records, long calls) {
        double ratio() {
            return (double) billedBytes / payloadBytes;
        }
    }

    private static Billing run(boolean packing) {
        WriteTwiceFixture f = new WriteTwiceFixture(17);
        FirehoseSink sink = f.backup().packing(packing).build();
        long tracked = 0;
        try (EventTracker tracker = f.tracker(17).sink("backup", sink).build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(LedgerEvent.number(i));
                tracked++;
                if (i % 1_000 == 999) {
                    f.time.advance(Duration.ofMillis(100)); // 10,000 events per virtual second
                }
            }
            f.drain(tracker, Duration.ofMinutes(10));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("backup", EVENTS, 0, 0);
        }
        assertThat(tracked).isEqualTo(EVENTS);
        FakeFirehose firehose = f.firehose;
        assertThat(firehose).neverExceededItsLimits().hasNoDuplicateLines(BACKUP_BOOKS).hasNoDuplicateLines(BACKUP_DYNAMIC);
        assertThat(firehose.maxRecordBytes()).isLessThanOrEqualTo(FakeFirehose.MAX_BYTES_PER_RECORD);
        assertThat(firehose.maxRecordsInOneCall()).isLessThanOrEqualTo(FakeFirehose.MAX_RECORDS_PER_REQUEST);
        assertThat(firehose.maxBytesInOneCall()).isLessThanOrEqualTo(FakeFirehose.MAX_BYTES_PER_REQUEST);
        long payload = 0;
        long billed = 0;
        long records = 0;
        long calls = 0;
        long lines = 0;
        for (String stream : List.of(BACKUP_BOOKS, BACKUP_DYNAMIC)) {
            StreamStats stats = firehose.stats(stream);
            payload += stats.bytes();
            billed += stats.billedBytes();
            records += stats.records();
            calls += stats.putCalls();
            lines += firehose.lines(stream).size();
        }
        assertThat(lines).isEqualTo(EVENTS);
        assertThat((double) payload / EVENTS).as("mean event size").isBetween(200.0, 300.0);
        Billing billing = new Billing(payload, billed, records, calls);
        LOG.info(String.format(Locale.ROOT,
                "Firehose packing %s: %,d events, %,d payload bytes, %,d records in %,d calls, %,d billed bytes, ratio %.3f",
                packing ? "on" : "off", EVENTS, payload, records, calls, billed, billing.ratio()));
        return billing;
    }

    @Test
    void packingKeepsBilledBytesWithinFivePercentOfThePayload() {
        Billing packed = run(true);
        Billing unpacked = run(false);

        assertThat(packed.ratio()).as("billed / payload bytes with packing").isLessThanOrEqualTo(1.05);
        assertThat(packed.payloadBytes()).isEqualTo(unpacked.payloadBytes());
        assertThat(unpacked.records()).isEqualTo(EVENTS);
        assertThat(unpacked.billedBytes()).isEqualTo((long) EVENTS * FakeFirehose.BILLING_INCREMENT_BYTES);
        assertThat(unpacked.ratio()).as("billed / payload bytes without packing").isGreaterThan(15.0);
        assertThat(packed.records()).isLessThan(EVENTS / 50);
    }
}
