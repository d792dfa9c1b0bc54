package dev.twinstream.testkit.firehose;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.Record;

class FakeFirehoseAssertTest {
    private final FakeFirehose firehose = FakeFirehose.builder().build();

    @BeforeEach
    void put() {
        firehose.createStream("s");
        firehose.putRecordBatch(r -> r.deliveryStreamName("s").records(
                Record.builder().data(SdkBytes.fromUtf8String(
                        "{\"eventType\":\"a\",\"n\":1}\n{\"eventType\":\"b\",\"n\":2}\n")).build(),
                Record.builder().data(SdkBytes.fromUtf8String("{\"eventType\":\"a\",\"n\":1}\n")).build())).join();
    }

    @Test
    void passesOnWhatWasReceived() {
        assertThat(firehose).hasStream("s").hasReceivedLines("s", 3).hasReceivedEventsOfType("s", "a", 2)
                .hasReceivedEventsOfType("s", "b", 1).hasReceivedLinesWithField("s", "eventType", "c", 0)
                .neverExceededItsLimits();
        firehose.flushBuffers();
        assertThat(firehose).hasObjectsContainingLines("s", "{\"eventType\":\"b\",\"n\":2}").hasDeliveredEverythingToObjects("s");
    }

    @Test
    void failsWithMessagesThatSayWhatWasFound() {
        assertThatThrownBy(() -> assertThat(firehose).hasStream("t"))
                .hasMessageContaining("Expected a delivery stream \"t\" but the streams are [s]");
        assertThatThrownBy(() -> assertThat(firehose).hasReceivedEventsOfType("s", "a", 3))
                .hasMessageContaining("received 2").hasMessageContaining("{a=2, b=1}");
        assertThatThrownBy(() -> assertThat(firehose).hasReceivedLines("s", 4)).hasMessageContaining("received 3");
        assertThatThrownBy(() -> assertThat(firehose).hasNoDuplicateLines("s"))
                .hasMessageContaining("2x {\"eventType\":\"a\",\"n\":1}");
        assertThatThrownBy(() -> assertThat(firehose).hasObjectsContainingLines("s", "{\"eventType\":\"b\",\"n\":2}"))
                .hasMessageContaining("0 objects").hasMessageContaining("1 are missing");
        assertThatThrownBy(() -> assertThat(firehose).hasDeliveredEverythingToObjects("s"))
                .hasMessageContaining("3 accepted lines").hasMessageContaining("hold 0 lines");
    }
}
