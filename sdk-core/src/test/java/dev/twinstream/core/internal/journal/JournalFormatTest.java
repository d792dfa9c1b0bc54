package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Frames decoded whole, or skipped for a reader whose sink they are not for. */
class JournalFormatTest {
    private static final int SINK_0 = 0b01;
    private static final int SINK_1 = 0b10;

    private static byte[] frameOf(LogRecord r) {
        JournalFormat.Bytes out = new JournalFormat.Bytes(64);
        JournalFormat.writeFrame(out, r, new CRC32());
        return java.util.Arrays.copyOf(out.buf, out.len);
    }

    @Test
    void aFrameForTheReadersSinkIsDecodedWholeAndOneForOthersOnlyToItsSeqMaskAndLength() {
        LogRecord r = DiskLogs.record("e-1", SINK_1, 40);
        r.seq = 7;
        r.ledgerTerm = 123_456_789L;
        byte[] b = frameOf(r);
        assertThat(b).hasSize(JournalFormat.frameLength(r));

        JournalFormat.Frame whole = JournalFormat.readFrame(b, 0, b.length, new CRC32(), JournalFormat.VERSION, SINK_1);
        assertThat(whole.eventId).isEqualTo("e-1");
        assertThat(whole.partitionKey).isEqualTo(r.partitionKey);
        assertThat(whole.payloads[0]).isEqualTo(r.payloads[0]);
        assertThat(whole.ledgerTerm).isEqualTo(123_456_789L);

        JournalFormat.Frame skipped = JournalFormat.readFrame(b, 0, b.length, new CRC32(), JournalFormat.VERSION, SINK_0);
        assertThat(skipped.seq).isEqualTo(7);
        assertThat(skipped.sinkMask).isEqualTo(SINK_1);
        assertThat(skipped.length).isEqualTo(whole.length).isEqualTo(b.length);
        assertThat(skipped.eventId).as("not decoded").isNull();
        assertThat(skipped.payloads).isNull();
    }

    @Test
    void aSkippedFrameIsStillCheckedAgainstItsCrc() {
        LogRecord r = DiskLogs.record("e-2", SINK_1, 40);
        r.seq = 8;
        byte[] b = frameOf(r);
        b[b.length - 1] ^= 1; // a payload byte: outside what a skip decodes
        assertThat(JournalFormat.readFrame(b, 0, b.length, new CRC32(), JournalFormat.VERSION, SINK_0)).isNull();
        assertThat(JournalFormat.readFrame(b, 0, b.length, new CRC32(), JournalFormat.VERSION, JournalFormat.ALL_SINKS)).isNull();
    }
}
