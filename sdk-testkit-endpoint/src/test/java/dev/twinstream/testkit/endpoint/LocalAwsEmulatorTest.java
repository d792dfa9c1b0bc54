package dev.twinstream.testkit.endpoint;

import static dev.twinstream.testkit.endpoint.EmulatorTestSupport.BOUND;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The emulator's command line and its run in-process: options, defaults, errors, help, stopping. */
class LocalAwsEmulatorTest {
    private static final String NL = System.lineSeparator();

    @Test
    void withNoOptionsItListensOnPort4567WithNoStreamsAndChecksSignatures() throws Exception {
        EmulatorOptions o = EmulatorOptions.parse();
        assertThat(o.port()).isEqualTo(4567);
        assertThat(o.kinesisStreams()).isEmpty();
        assertThat(o.firehoseStreams()).isEmpty();
        assertThat(o.s3Directory()).isNull();
        assertThat(o.requireSignature()).isTrue();
        assertThat(o.stopOnEof()).isFalse();
        assertThat(o.help()).isFalse();
        assertThat(o.endpointSettings().s3Directory()).isNull();
    }

    @Test
    void everyOptionIsReadStreamsRepeatInOrderAndShardsDefaultToOne(@TempDir Path tmp) throws Exception {
        Path s3 = tmp.resolve("s3").resolve("bucket");
        EmulatorOptions o = EmulatorOptions.parse("--port", "0", "--kinesis-stream", "events:4",
                "--kinesis-stream", "clicks", "--kinesis-stream=audit.log_1:2", "--firehose-stream", "backup",
                "--firehose-stream=archive", "--s3-dir", s3.toString(), "--no-signature-check", "--stop-on-eof");
        assertThat(o.port()).isZero();
        assertThat(o.kinesisStreams()).containsExactly(entry("events", 4), entry("clicks", 1), entry("audit.log_1", 2));
        assertThat(o.firehoseStreams()).containsExactly("backup", "archive");
        assertThat(o.s3Directory()).isEqualTo(s3.toAbsolutePath());
        assertThat(s3).as("created because it was missing").isDirectory();
        assertThat(o.requireSignature()).isFalse();
        assertThat(o.stopOnEof()).isTrue();
        assertThat(o.endpointSettings().s3Directory()).as("handed to the endpoint").isEqualTo(s3.toAbsolutePath());
        assertThat(EmulatorOptions.parse("--port=8080").port()).isEqualTo(8080);
    }

    @Test
    void anExistingS3DirectoryIsKept(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("object"), "kept");
        assertThat(EmulatorOptions.parse("--s3-dir", tmp.toString()).s3Directory()).isEqualTo(tmp.toAbsolutePath());
        assertThat(tmp.resolve("object")).hasContent("kept");
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                arguments(List.of("--prot", "80"), "unknown option '--prot'"),
                arguments(List.of("-p", "80"), "unknown option '-p'"),
                arguments(List.of("events"), "unexpected argument 'events' (every option starts with --)"),
                arguments(List.of("--port"), "--port needs a value"),
                arguments(List.of("--port", "--stop-on-eof"), "--port needs a value"),
                arguments(List.of("--port", "http"), "--port 'http': expected a port number in 0..65535"),
                arguments(List.of("--port", "65536"), "--port '65536': expected a port number in 0..65535"),
                arguments(List.of("--port=-1"), "--port '-1': expected a port number in 0..65535"),
                arguments(List.of("--port", "1", "--port", "2"), "--port '2': given more than once"),
                arguments(List.of("--kinesis-stream"), "--kinesis-stream needs a value"),
                arguments(List.of("--kinesis-stream", "events:0"),
                        "--kinesis-stream 'events:0': shards must be a number in 1..10000"),
                arguments(List.of("--kinesis-stream", "events:10001"),
                        "--kinesis-stream 'events:10001': shards must be a number in 1..10000"),
                arguments(List.of("--kinesis-stream", "events:"),
                        "--kinesis-stream 'events:': shards must be a number in 1..10000"),
                arguments(List.of("--kinesis-stream", "events:four"),
                        "--kinesis-stream 'events:four': shards must be a number in 1..10000"),
                arguments(List.of("--kinesis-stream", ":4"),
                        "--kinesis-stream ':4': a stream name is 1 to 128 of a-z A-Z 0-9 _ . -"),
                arguments(List.of("--kinesis-stream", "my events"),
                        "--kinesis-stream 'my events': a stream name is 1 to 128 of a-z A-Z 0-9 _ . -"),
                arguments(List.of("--kinesis-stream", "events", "--kinesis-stream", "events:2"),
                        "--kinesis-stream 'events:2': stream 'events' is declared twice"),
                arguments(List.of("--firehose-stream", "x".repeat(65)), "--firehose-stream '" + "x".repeat(65)
                        + "': a delivery stream name is 1 to 64 of a-z A-Z 0-9 _ . -"),
                arguments(List.of("--firehose-stream", "backup", "--firehose-stream", "backup"),
                        "--firehose-stream 'backup': delivery stream 'backup' is declared twice"),
                arguments(List.of("--firehose-stream"), "--firehose-stream needs a value"),
                arguments(List.of("--s3-dir"), "--s3-dir needs a value"),
                arguments(List.of("--stop-on-eof=yes"), "--stop-on-eof 'yes': this option takes no value"),
                arguments(List.of("--no-signature-check=true"),
                        "--no-signature-check 'true': this option takes no value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void aBadCommandLineGetsOneErrorNamingOptionAndValueThenTheUsageAndExitStatus2(List<String> args,
            String message) {
        Result r = run(args.toArray(String[]::new));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: " + message + NL + NL + "Usage: ");
        assertThat(r.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anS3DirectoryThatCannotBeOneIsABadCommandLine(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "");
        Result notADirectory = run("--s3-dir", file.toString());
        assertThat(notADirectory.status()).isEqualTo(2);
        assertThat(notADirectory.err()).startsWith("error: --s3-dir '" + file + "': exists and is not a directory" + NL);

        Result underAFile = run("--s3-dir", file.resolve("s3").toString());
        assertThat(underAFile.status()).isEqualTo(2);
        assertThat(underAFile.err()).startsWith("error: --s3-dir '" + file.resolve("s3") + "': cannot create the directory (");

        Result twice = run("--s3-dir", tmp.resolve("a").toString(), "--s3-dir", tmp.resolve("b").toString());
        assertThat(twice.status()).isEqualTo(2);
        assertThat(twice.err()).startsWith("error: --s3-dir '" + tmp.resolve("b") + "': given more than once" + NL);
    }

    @Test
    void helpExplainsEveryOptionAndShowsTheAwsCli() {
        Result r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: java -jar twinstream-testkit-endpoint-<version>-emulator.jar [options]")
                .contains("  --port N ", "default 4567", "0: a free port")
                .contains("  --kinesis-stream NAME[:SHARDS]", "default 1", "repeatable")
                .contains("  --firehose-stream NAME ")
                .contains("  --s3-dir DIR ", "created if missing")
                .contains("  --no-signature-check ")
                .contains("  --stop-on-eof ", "closing the pipe", "/dev/null")
                .contains("  -h, --help ")
                .contains("SIGTERM", "Exit status", "2 for a bad option")
                .contains("aws --endpoint-url http://127.0.0.1:4567 kinesis list-streams")
                .contains("aws --endpoint-url http://127.0.0.1:4567 firehose list-delivery-streams");
    }

    @Test
    void helpAnywhereWinsOverBadOptions() {
        Result r = run("--port", "http", "--bogus", "-h");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("Usage: ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aTakenPortExits1NamingThePortAndTheCause() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Result r = run("--port", String.valueOf(taken.getLocalPort()), "--kinesis-stream", "events");
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).startsWith("error: cannot start the endpoint on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("BindException");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void runServesTheDeclaredStreamsUntilStdinEndsThenReturns0AndFreesThePort() throws Exception {
        PipedOutputStream stdin = new PipedOutputStream();
        InputStream in = new PipedInputStream(stdin);
        Lines out = new Lines();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        FutureTask<Integer> run = new FutureTask<>(() -> LocalAwsEmulator.run(new String[] {"--port", "0",
                "--kinesis-stream", "events:3", "--kinesis-stream", "clicks", "--firehose-stream", "backup",
                "--stop-on-eof"}, in, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8)));
        new Thread(run, "emulator-run").start();

        String banner = out.await(EmulatorTestSupport::isBanner, BOUND);
        URI uri = EmulatorTestSupport.uriOf(banner);
        assertThat(banner).endsWith(" (Kinesis: events[3], clicks[1]; Firehose: backup)");
        assertThat(out.await(line -> true, BOUND)).isEqualTo("aws --endpoint-url " + uri + " kinesis list-streams");
        try (KinesisAsyncClient kinesis = EmulatorTestSupport.kinesis(uri);
                FirehoseAsyncClient firehose = EmulatorTestSupport.firehose(uri)) {
            assertThat(kinesis.describeStreamSummary(r -> r.streamName("events")).get(30, TimeUnit.SECONDS)
                    .streamDescriptionSummary().openShardCount()).isEqualTo(3);
            assertThat(firehose.listDeliveryStreams(r -> { }).get(30, TimeUnit.SECONDS).deliveryStreamNames())
                    .containsExactly("backup");
        }
        stdin.write("ignored\n".getBytes(UTF_8));
        stdin.close();

        assertThat(run.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.await(line -> true, BOUND)).isEqualTo(EmulatorTestSupport.STOPPED);
        assertThat(err.toString(UTF_8)).isEmpty();
        EmulatorTestSupport.assertPortFree(uri.getPort());
    }

    @Test
    void unsignedRequestsAreServedWithNoSignatureCheck() throws Exception {
        Lines out = new Lines();
        LocalAwsEmulator emulator = LocalAwsEmulator.start(
                EmulatorOptions.parse("--port", "0", "--kinesis-stream", "events", "--no-signature-check"),
                new PrintStream(out, true, UTF_8));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(emulator.uri())
                            .header("Content-Type", "application/x-amz-json-1.1")
                            .header("X-Amz-Target", "Kinesis_20131202.ListStreams")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"StreamNames\":[\"events\"]");
        } finally {
            emulator.stop();
        }
        assertThat(emulator.awaitStop(BOUND)).isTrue();
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LocalAwsEmulator.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8));
        return new Result(status, out.toString(UTF_8), err.toString(UTF_8));
    }

    private record Result(int status, String out, String err) {
    }
}
