package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestBatchesTest {

    @Test
    void ofNumbersRecordsFromZero() {
        SinkBatch batch = TestBatches.ofUtf8("a", "bc");

        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.totalBytes()).isEqualTo(3);
        assertThat(batch.eventId(1)).isEqualTo("evt-1");
        assertThat(batch.partitionKey(1)).isEqualTo("pk-1");
        assertThat(batch.eventType(0)).isEqualTo(TestBatches.EVENT_TYPE);
        assertThat(batch.attempt(0)).isEqualTo(1);
        assertThat(new String(batch.payload(1), StandardCharsets.UTF_8)).isEqualTo("bc");
    }

    @Test
    void subsetKeepsIdsAndIncrementsTheAttempt() {
        SinkBatch batch = TestBatches.ofUtf8("a", "b", "c");
        BatchResult result = BatchResult.of(List.of(RecordResult.ok(), RecordResult.retryable("X", null),
                RecordResult.permanent("Y", null)));

        List<Integer> retry = TestBatches.retryableIndexes(result);
        SinkBatch resend = TestBatches.subset(batch, retry);
        SinkBatch again = TestBatches.subset(resend, List.of(0));

        assertThat(retry).containsExactly(1);
        assertThat(resend.size()).isEqualTo(1);
        assertThat(resend.eventId(0)).isEqualTo("evt-1");
        assertThat(resend.attempt(0)).isEqualTo(2);
        assertThat(again.attempt(0)).isEqualTo(3);
        assertThatThrownBy(() -> TestBatches.subset(batch, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestBatches.subset(batch, List.of(3))).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void payloadsHaveTheExactSizeAndAreDistinct() {
        List<byte[]> payloads = TestBatches.payloads(500, 16);

        assertThat(payloads).allSatisfy(p -> assertThat(p).hasSize(16));
        assertThat(new HashSet<>(payloads.stream().map(p -> new String(p, StandardCharsets.US_ASCII)).toList()))
                .hasSize(500);
        assertThat(TestBatches.payload(7, 2)).containsExactly('p', '7');
    }
}
