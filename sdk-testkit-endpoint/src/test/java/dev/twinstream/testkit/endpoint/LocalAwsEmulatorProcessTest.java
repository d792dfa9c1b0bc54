package dev.twinstream.testkit.endpoint;

import static dev.twinstream.testkit.endpoint.EmulatorTestSupport.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The emulator as a program of its own, in a child JVM on this test's class path, stopped the two
 * ways a parent stops it: by closing its stdin ({@code --stop-on-eof}) and by SIGTERM
 * ({@code Process.destroy()}).
 */
class LocalAwsEmulatorProcessTest {
    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        // Only after a failed assertion is one still running; it must not hold a port or a core.
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void servesRealClientsThenExits0WhenItsStdinIsClosed() throws Exception {
        Process emulator = launch("--port", "0", "--kinesis-stream", "events:2", "--firehose-stream", "backup",
                "--stop-on-eof");
        Lines out = Lines.of(emulator.getInputStream());
        String banner = awaitBanner(out, emulator);
        assertThat(banner).endsWith(" (Kinesis: events[2]; Firehose: backup)");
        URI uri = EmulatorTestSupport.uriOf(banner);
        // Default client settings: the Kinesis client speaks CBOR, the Firehose client JSON 1.1.
        try (KinesisAsyncClient kinesis = EmulatorTestSupport.kinesis(uri);
                FirehoseAsyncClient firehose = EmulatorTestSupport.firehose(uri)) {
            assertThat(kinesis.listStreams().get(30, TimeUnit.SECONDS).streamNames()).contains("events");
            assertThat(firehose.listDeliveryStreams(r -> { }).get(30, TimeUnit.SECONDS).deliveryStreamNames())
                    .contains("backup");
        }

        emulator.getOutputStream().close();

        assertThat(emulator.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("exited; stderr: %s", stderr()).isTrue();
        assertThat(emulator.exitValue()).as("stderr: %s", stderr()).isZero();
        awaitStopped(out);
        EmulatorTestSupport.assertPortFree(uri.getPort());
    }

    @Test
    void sigtermStopsItThroughItsShutdownHookAndFreesThePort() throws Exception {
        // No --stop-on-eof: the open stdin pipe is not what keeps it running, and not what stops it.
        Process emulator = launch("--port", "0", "--kinesis-stream", "events");
        Lines out = Lines.of(emulator.getInputStream());
        URI uri = EmulatorTestSupport.uriOf(awaitBanner(out, emulator));
        try (KinesisAsyncClient kinesis = EmulatorTestSupport.kinesis(uri)) {
            assertThat(kinesis.listStreams().get(30, TimeUnit.SECONDS).streamNames()).containsExactly("events");
        }

        // SIGTERM, as Process.destroy() sends it; through the handle because Process.destroy() also
        // closes this end of the child's stdout, and the line the shutdown hook prints would be lost.
        assertThat(emulator.supportsNormalTermination()).isTrue();
        assertThat(emulator.toHandle().destroy()).isTrue();

        assertThat(emulator.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("exited; stderr: %s", stderr()).isTrue();
        // 128 + 15: the JVM's status after SIGTERM once its shutdown hooks have run.
        assertThat(emulator.exitValue()).as("stderr: %s", stderr()).isEqualTo(143);
        awaitStopped(out);
        EmulatorTestSupport.assertPortFree(uri.getPort());
    }

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Starts in about half the time on two busy cores; the emulator does little work.
                "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                LocalAwsEmulator.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(tmp.resolve("stderr.txt").toFile()).start();
        started.add(p);
        return p;
    }

    private String awaitBanner(Lines out, Process emulator) {
        try {
            return out.await(EmulatorTestSupport::isBanner, BOUND);
        } catch (AssertionError e) {
            throw new AssertionError("no start-up line (alive: " + emulator.isAlive() + "); stderr: " + stderr(), e);
        }
    }

    /** Waits for the line that says the endpoint was closed (by the stdin reader or the shutdown hook). */
    private void awaitStopped(Lines out) {
        try {
            out.await(EmulatorTestSupport.STOPPED::equals, BOUND);
        } catch (AssertionError e) {
            throw new AssertionError("the endpoint was not closed; stderr: " + stderr(), e);
        }
    }

    private String stderr() {
        try {
            return Files.readString(tmp.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
