package dev.twinstream.samples.readingapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The reading app, run briefly against the embedded endpoint through the same entry point as the CLI. */
class ReadingAppTest {

    @Test
    void everyPhasePassesItsChecks(@TempDir Path work) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandLine command = ReadingApp.command(out, out);
        int status = command.execute("--events", "3000", "--outage", "PT2S", "--crash-after", "500",
                "--work-dir", work.toString());
        String printed = bytes.toString(StandardCharsets.UTF_8);
        ReadingApp.Report report = ((ReadingApp) command.getCommand()).report();

        assertThat(report.failedChecks()).as(printed).isEmpty();
        assertThat(status).as(printed).isZero();
        // Every phase ran and was checked: none was skipped against the embedded endpoint.
        assertThat(report.checkCount()).isEqualTo(14);
        assertThat(printed).contains("== 1. Normal traffic", "== 2. The real-time path fails", "== 3. kill -9",
                "== 4. Permanent errors", "== 5. Reconciliation", "acknowledged events lost: real-time 0, backup 0",
                "missing in real-time: 0; missing in backup: 0", "All 14 checks passed.")
                .doesNotContain("SKIP");
        // The S3-like objects are on disk where the run said.
        assertThat(work.resolve("s3")).isDirectoryRecursivelyContaining("glob:**/reading-backup-book-activity-1-*");
    }

    @Test
    void helpExplainsEveryOptionAndABadOptionExitsWithUsage() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(ReadingApp.run(new String[] {"--help"}, out, out)).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--endpoint", "--aws", "--realtime-stream",
                "--backup-books-stream", "--backup-other-stream", "--events", "--outage", "--crash-after", "--work-dir",
                "--seed", "--help");

        bytes.reset();
        assertThat(ReadingApp.run(new String[] {"--events", "many"}, out, out)).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--events").contains("many");
    }
}
