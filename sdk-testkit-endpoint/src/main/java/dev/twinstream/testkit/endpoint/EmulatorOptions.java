package dev.twinstream.testkit.endpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The command line of {@link LocalAwsEmulator}, parsed by hand: seven options do not justify a parsing
 * library on the class path of every test that uses the endpoint.
 *
 * <p>Options take their value as the next argument or after {@code =} ({@code --port 80},
 * {@code --port=80}). {@code --help} anywhere wins over everything else, so adding it to a broken
 * command line shows the help rather than the first error. A single-valued option given twice is an
 * error, not "the last one wins": a script that sets the port twice has a bug worth naming.
 */
final class EmulatorOptions {
    /** Next to LocalStack's 4566, so both can run at once; a fixed default suits scripts and docs. */
    static final int DEFAULT_PORT = 4567;
    /** The most shards {@code FakeKinesis} creates a stream with. */
    static final int MAX_SHARDS = 10_000;
    /** AWS's rule for Kinesis stream names. */
    private static final Pattern KINESIS_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
    /** AWS's rule for Firehose delivery stream names. */
    private static final Pattern FIREHOSE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    private int port = DEFAULT_PORT;
    private final Map<String, Integer> kinesisStreams = new LinkedHashMap<>();
    private final List<String> firehoseStreams = new ArrayList<>();
    private @Nullable Path s3Directory;
    private boolean requireSignature = true;
    private boolean stopOnEof;
    private boolean help;

    private EmulatorOptions() {
    }

    /**
     * Parses a command line. {@code --s3-dir} is created here if missing, so that a directory that
     * cannot be created is reported like any other bad value.
     *
     * @throws UsageException naming the option and the value that is wrong
     */
    static EmulatorOptions parse(String... args) throws UsageException {
        EmulatorOptions o = new EmulatorOptions();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                o.help = true;
                return o;
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String value = null;
            int eq = option.indexOf('=');
            if (option.startsWith("--") && eq > 0) {
                value = option.substring(eq + 1);
                option = option.substring(0, eq);
            }
            switch (option) {
                case "--no-signature-check":
                case "--stop-on-eof":
                    if (value != null) {
                        throw new UsageException(option + " '" + value + "': this option takes no value");
                    }
                    if (option.equals("--no-signature-check")) {
                        o.requireSignature = false;
                    } else {
                        o.stopOnEof = true;
                    }
                    continue;
                case "--port":
                case "--kinesis-stream":
                case "--firehose-stream":
                case "--s3-dir":
                    break;
                default:
                    throw new UsageException(option.startsWith("-") ? "unknown option '" + option + "'"
                            : "unexpected argument '" + option + "' (every option starts with --)");
            }
            if (value == null) {
                if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(option + " needs a value");
                }
                value = args[++i];
            }
            if ((option.equals("--port") || option.equals("--s3-dir")) && !seen.add(option)) {
                throw new UsageException(option + " '" + value + "': given more than once");
            }
            o.set(option, value);
        }
        return o;
    }

    private void set(String option, String value) throws UsageException {
        String bad = option + " '" + value + "': ";
        switch (option) {
            case "--port":
                port = number(value, 0, 65_535, bad + "expected a port number in 0..65535");
                break;
            case "--kinesis-stream":
                int colon = value.indexOf(':');
                String name = colon < 0 ? value : value.substring(0, colon);
                int shards = colon < 0 ? 1 : number(value.substring(colon + 1), 1, MAX_SHARDS,
                        bad + "shards must be a number in 1.." + MAX_SHARDS);
                if (!KINESIS_NAME.matcher(name).matches()) {
                    throw new UsageException(bad + "a stream name is 1 to 128 of a-z A-Z 0-9 _ . -");
                }
                if (kinesisStreams.putIfAbsent(name, shards) != null) {
                    throw new UsageException(bad + "stream '" + name + "' is declared twice");
                }
                break;
            case "--firehose-stream":
                if (!FIREHOSE_NAME.matcher(value).matches()) {
                    throw new UsageException(bad + "a delivery stream name is 1 to 64 of a-z A-Z 0-9 _ . -");
                }
                if (firehoseStreams.contains(value)) {
                    throw new UsageException(bad + "delivery stream '" + value + "' is declared twice");
                }
                firehoseStreams.add(value);
                break;
            default: // --s3-dir, the only other option with a value
                s3Directory = directory(value, bad);
                break;
        }
    }

    private static int number(String text, int min, int max, String message) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the option's own message
        }
        throw new UsageException(message);
    }

    private static Path directory(String text, String bad) throws UsageException {
        try {
            Path dir = Path.of(text).toAbsolutePath().normalize();
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException(bad + "exists and is not a directory");
            }
            return Files.createDirectories(dir);
        } catch (InvalidPathException | IOException e) {
            throw new UsageException(bad + "cannot create the directory (" + e + ")");
        }
    }

    /** {@return the endpoint these options describe, not started} */
    LocalAwsEndpoint.Builder endpointSettings() {
        LocalAwsEndpoint.Builder b = LocalAwsEndpoint.builder().port(port).requireSignature(requireSignature);
        kinesisStreams.forEach(b::kinesisStream);
        firehoseStreams.forEach(b::firehoseStream);
        if (s3Directory != null) {
            b.s3Directory(s3Directory);
        }
        return b;
    }

    int port() {
        return port;
    }

    /** {@return stream name to shard count, in command-line order} */
    Map<String, Integer> kinesisStreams() {
        return Collections.unmodifiableMap(kinesisStreams);
    }

    List<String> firehoseStreams() {
        return Collections.unmodifiableList(firehoseStreams);
    }

    @Nullable Path s3Directory() {
        return s3Directory;
    }

    boolean requireSignature() {
        return requireSignature;
    }

    boolean stopOnEof() {
        return stopOnEof;
    }

    boolean help() {
        return help;
    }

    /** {@return the text of {@code --help}} */
    static String usage() {
        String url = "http://127.0.0.1:" + DEFAULT_PORT;
        return String.join(System.lineSeparator(),
                "Usage: java -jar twinstream-testkit-endpoint-<version>-emulator.jar [options]",
                "",
                "Serves a fake Kinesis Data Streams and a fake Data Firehose on 127.0.0.1 over the real AWS",
                "wire protocols (JSON 1.1 and CBOR), for the AWS CLI, any AWS SDK and the Twinstream sinks.",
                "Streams and records are kept in memory and are gone when the emulator stops.",
                "",
                "Options:",
                "  --port N                   listen on 127.0.0.1:N (default " + DEFAULT_PORT
                        + "; 0: a free port, printed at start)",
                "  --kinesis-stream NAME[:SHARDS]",
                "                             create a Kinesis data stream with SHARDS shards (1.." + MAX_SHARDS
                        + ", default 1);",
                "                             repeatable",
                "  --firehose-stream NAME     create a Firehose delivery stream (S3 destination); repeatable",
                "  --s3-dir DIR               also write the Firehose objects under DIR (created if missing)",
                "  --no-signature-check       accept unsigned requests (aws --no-sign-request); by default a",
                "                             request needs a Signature Version 4 header, with any credentials",
                "  --stop-on-eof              also stop when standard input reaches its end, so a parent process",
                "                             stops the emulator by closing the pipe, or by dying; without it",
                "                             stdin is never read, and a run with stdin at /dev/null keeps going",
                "  -h, --help                 print this help and exit",
                "",
                "It stops on Ctrl-C (SIGINT) and SIGTERM. Exit status: 0 after --help or a stop at the end of",
                "stdin; 2 for a bad option; 1 if the endpoint cannot start (the port is taken, for example).",
                "",
                "Example:",
                "  java -jar twinstream-testkit-endpoint-<version>-emulator.jar --kinesis-stream events:4 \\",
                "      --firehose-stream backup",
                "  export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_DEFAULT_REGION=us-east-1",
                "  aws --endpoint-url " + url + " kinesis list-streams",
                "  aws --endpoint-url " + url + " kinesis put-record --stream-name events --partition-key k \\",
                "      --data aGVsbG8=   # AWS CLI v2 decodes it (hello); v1 sends the text as it is",
                "  aws --endpoint-url " + url + " firehose list-delivery-streams",
                "");
    }

    /** A bad command line; the message names the option and the value. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
