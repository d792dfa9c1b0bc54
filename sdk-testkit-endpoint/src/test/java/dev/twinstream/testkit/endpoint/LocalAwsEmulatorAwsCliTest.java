package dev.twinstream.testkit.endpoint;

import static dev.twinstream.testkit.endpoint.EmulatorTestSupport.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI against the emulator, whichever major version {@code aws} on the PATH is (v1 from pip,
 * v2 from Debian's {@code awscli}; {@code .ci/run} installs one where there is none). Unlike the
 * Java SDK's Kinesis client, the CLI speaks AWS JSON 1.1, never CBOR. Skipped only when no
 * {@code aws} runs.
 */
class LocalAwsEmulatorAwsCliTest {
    private static final Pattern CLI_VERSION = Pattern.compile("aws-cli/(\\d+)\\.");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static int cliMajorVersion;
    private static LocalAwsEmulator emulator;

    @BeforeAll
    static void startTheEmulatorIfThereIsACli() throws Exception {
        OptionalInt major = cliMajorVersion();
        assumeTrue(major.isPresent(), "no working `aws` executable on the PATH");
        cliMajorVersion = major.getAsInt();
        emulator = LocalAwsEmulator.start(
                EmulatorOptions.parse("--port", "0", "--kinesis-stream", "events:2", "--firehose-stream", "backup"),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void stopTheEmulator() {
        if (emulator != null) {
            emulator.stop();
        }
    }

    @Test
    void listsTheKinesisStreams() throws Exception {
        JsonNode streams = json(aws("kinesis", "list-streams"));
        assertThat(streams.path("StreamNames")).extracting(JsonNode::asText).contains("events");
    }

    @Test
    void listsTheFirehoseDeliveryStreams() throws Exception {
        JsonNode streams = json(aws("firehose", "list-delivery-streams"));
        assertThat(streams.path("DeliveryStreamNames")).extracting(JsonNode::asText).contains("backup");
    }

    @Test
    void putsAKinesisRecordWhoseBytesArriveUnchanged() throws Exception {
        List<String> args = new ArrayList<>(List.of("kinesis", "put-record", "--stream-name", "events",
                "--partition-key", "k", "--data", "hello-from-the-cli"));
        if (cliMajorVersion >= 2) {
            // v2 reads blob arguments as base64 by default; v1 always sends the text itself.
            args.addAll(List.of("--cli-binary-format", "raw-in-base64-out"));
        }
        JsonNode put = json(aws(args.toArray(String[]::new)));
        assertThat(put.path("ShardId").asText()).matches("shardId-\\d{12}");
        assertThat(put.path("SequenceNumber").asText()).isNotBlank();
        assertThat(emulator.endpoint().kinesis().events("events"))
                .extracting(e -> e.partitionKey(), e -> e.dataAsUtf8(), e -> e.shardId())
                .contains(tuple("k", "hello-from-the-cli", put.path("ShardId").asText()));
    }

    @Test
    void reportsAMissingStreamWithTheServicesErrorCode() throws Exception {
        CliResult r = aws("kinesis", "describe-stream-summary", "--stream-name", "missing");
        assertThat(r.status()).as("v1 exits 255, v2 254 on a service error").isIn(254, 255);
        assertThat(r.stderr()).contains("ResourceNotFoundException", "DescribeStreamSummary");
    }

    private static JsonNode json(CliResult r) throws IOException {
        assertThat(r.status()).as("aws exit status; stderr: %s", r.stderr()).isZero();
        return JSON.readTree(r.stdout());
    }

    private static CliResult aws(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", emulator.uri().toString(),
                "--output", "json"));
        if (cliMajorVersion >= 2) {
            command.add("--no-cli-pager"); // v1 has no pager, and no such option
        }
        command.addAll(List.of(args));
        return execute(command);
    }

    /** {@return the major version of the {@code aws} on the PATH, or empty if none runs} */
    private static OptionalInt cliMajorVersion() throws Exception {
        CliResult r;
        try {
            r = execute(List.of("aws", "--version"));
        } catch (IOException e) {
            return OptionalInt.empty(); // not on the PATH
        }
        // v1 printed its version to stderr before 1.17, to stdout since; v2 to stdout.
        Matcher m = CLI_VERSION.matcher(r.stdout() + r.stderr());
        // A pyenv shim whose Python version lacks the CLI is on the PATH but exits 127.
        return r.status() == 0 && m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    private static CliResult execute(List<String> command) throws Exception {
        Path out = Files.createTempFile(tmp, "aws", ".out");
        Path err = Files.createTempFile(tmp, "aws", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        // Nothing from the user's own AWS setup: profiles, SSO, a default output format or endpoint.
        env.keySet().removeIf(name -> name.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", "x");
        env.put("AWS_SECRET_ACCESS_KEY", "y");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_PAGER", "");
        env.put("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + BOUND + "; stderr: " + Files.readString(err));
        }
        return new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record CliResult(int status, String stdout, String stderr) {
    }
}
