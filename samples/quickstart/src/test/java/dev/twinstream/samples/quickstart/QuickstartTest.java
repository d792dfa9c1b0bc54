package dev.twinstream.samples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keeps the README's first command honest: the sample runs and prints a correct summary. */
class QuickstartTest {

    @Test
    void theSampleDeliversEveryEventToBothSinksAndSaysSo() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Quickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output)
                .contains("All events reached a final outcome.")
                .contains("Conservation (accepted = delivered + dead-lettered + dropped + pending) holds: true")
                .contains("Unique events stored: realtime=10000, backup=10000")
                .containsPattern("realtime +10000 +10000 +\\d+ +0 +0 +0")
                .contains("{\"eventId\":\"");
    }
}
