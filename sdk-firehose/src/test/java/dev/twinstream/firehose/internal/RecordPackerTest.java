package dev.twinstream.firehose.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.testkit.TestBatches;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.firehose.model.Record;

class RecordPackerTest {

    private static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    private static List<String> records(PutPlan plan, SinkBatch batch) {
        List<String> out = new ArrayList<>();
        for (Record r : plan.toRecords(batch)) {
            out.add(r.data().asUtf8String());
        }
        return out;
    }

    @Test
    void packsNewlineTerminatedEventsUpToTheTargetWithoutSplittingOne() {
        SinkBatch batch = TestBatches.ofUtf8("aaaa\n", "bbbb\n", "cccc\n", "dddddddddddd\n", "e\n");
        List<PutPlan> plans = new RecordPacker(true, 12, 500, 1 << 20).plan(batch, "s", all(5), 5);
        assertThat(plans).hasSize(1);
        PutPlan plan = plans.get(0);
        // 5+5 fit in 12; the 13-byte event is alone (larger than the target, never split).
        assertThat(records(plan, batch)).containsExactly("aaaa\nbbbb\n", "cccc\n", "dddddddddddd\n", "e\n");
        assertThat(plan.recordCount()).isEqualTo(4);
        assertThat(plan.bytes()).isEqualTo(batch.totalBytes());
        assertThat(plan.recordStart(0)).isEqualTo(0);
        assertThat(plan.recordEnd(0)).isEqualTo(2);
        assertThat(plan.event(2)).isEqualTo(2);
    }

    @Test
    void aPayloadWithoutNewlineGetsItsOwnRecord() {
        SinkBatch batch = TestBatches.ofUtf8("a\n", "no-newline", "b\n", "c\n");
        PutPlan plan = new RecordPacker(true, 1000, 500, 1 << 20).plan(batch, "s", all(4), 4).get(0);
        assertThat(records(plan, batch)).containsExactly("a\n", "no-newline", "b\nc\n");
    }

    @Test
    void packingOffSendsOneEventPerRecord() {
        SinkBatch batch = TestBatches.ofUtf8("a\n", "b\n", "c\n");
        PutPlan plan = new RecordPacker(false, 1000, 500, 1 << 20).plan(batch, "s", all(3), 3).get(0);
        assertThat(records(plan, batch)).containsExactly("a\n", "b\n", "c\n");
    }

    @Test
    void splitsIntoRequestsByRecordCountAndBytes() {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 1203; i++) {
            payloads.add(("e" + i).getBytes(StandardCharsets.UTF_8));
        }
        SinkBatch batch = TestBatches.of(payloads);
        List<PutPlan> plans = new RecordPacker(true, 1000, 500, 1 << 20).plan(batch, "s", all(1203), 1203);
        assertThat(plans).extracting(PutPlan::recordCount).containsExactly(500, 500, 203);

        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] b = new byte[400];
            b[399] = '\n';
            big.add(b);
        }
        SinkBatch bigBatch = TestBatches.of(big);
        // 1000-byte requests: two 400-byte events fit a request (packed into one 800-byte record), not three.
        List<PutPlan> byBytes = new RecordPacker(true, 1000, 500, 1000).plan(bigBatch, "s", all(5), 5);
        assertThat(byBytes).extracting(PutPlan::bytes).containsExactly(800L, 800L, 400L);
        assertThat(byBytes).extracting(PutPlan::eventCount).containsExactly(2, 2, 1);
    }

    @Test
    void followsTheGivenEventOrderOfOneStream() {
        SinkBatch batch = TestBatches.ofUtf8("0\n", "1\n", "2\n", "3\n");
        PutPlan plan = new RecordPacker(true, 1000, 500, 1 << 20).plan(batch, "s", new int[] {1, 3, 9}, 2).get(0);
        assertThat(records(plan, batch)).containsExactly("1\n3\n");
        assertThat(plan.eventCount()).isEqualTo(2);
    }
}
