package dev.twinstream.testkit.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The {@link LocalAwsEndpoint} as a standalone program, for the AWS CLI, SDKs in other languages and
 * applications outside a JUnit test:
 *
 * <pre>{@code
 * java -jar twinstream-testkit-endpoint-<version>-emulator.jar --kinesis-stream events:4 --firehose-stream backup
 * }</pre>
 *
 * <p>It runs in the foreground on 127.0.0.1 (port 4567 unless
 * {@code --port} says otherwise), prints one line with its URL and streams and one with an AWS CLI
 * command to try, and stops on SIGINT or SIGTERM. With {@code --stop-on-eof} it also stops, with
 * exit status 0, when its standard input reaches its end: a parent process (a test, a build script)
 * that holds the pipe stops it by closing the pipe, and stops it too by dying, so no emulator
 * outlives the run that started it. Without that option standard input is never read, so a run in
 * the background with stdin at {@code /dev/null} (immediately at its end) keeps serving. {@code --help}
 * explains every option.
 *
 * <p>The {@code emulator} jar of this artifact bundles every dependency and an SLF4J binding
 * (slf4j-simple; the program sets it to warnings only unless {@code -Dorg.slf4j.simpleLogger.defaultLogLevel}
 * is given), so {@code java -jar} needs nothing else.
 */
public final class LocalAwsEmulator {
    /** The exit status of a bad command line, as most Unix tools use it. */
    static final int EXIT_USAGE = 2;
    /** The exit status when the endpoint cannot start. */
    static final int EXIT_FAILURE = 1;

    private final LocalAwsEndpoint endpoint;
    private final PrintStream out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean stopping;

    private LocalAwsEmulator(LocalAwsEndpoint endpoint, PrintStream out) {
        this.endpoint = endpoint;
        this.out = out;
    }

    /**
     * Runs the emulator until it is stopped; see the class comment and {@code --help}.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Jetty and WireMock log their start-up at INFO; a CLI's output should be its own two lines.
        // A -D on the command line still wins.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // Exits explicitly: the status is the program's answer, and no library thread left behind by
        // a stop may keep the JVM running.
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * What {@link #main} does, on streams of the caller's: parses {@code args}, starts the endpoint,
     * and blocks until it is stopped (by a signal, or by the end of {@code in} with
     * {@code --stop-on-eof}). While it runs, a shutdown hook stops it; the hook is removed on return.
     *
     * @return the exit status: 0, {@link #EXIT_USAGE} or {@link #EXIT_FAILURE}
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        EmulatorOptions options;
        try {
            options = EmulatorOptions.parse(args);
        } catch (EmulatorOptions.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(EmulatorOptions.usage());
            err.flush();
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(EmulatorOptions.usage());
            out.flush();
            return 0;
        }
        LocalAwsEmulator emulator;
        try {
            emulator = start(options, out);
        } catch (RuntimeException e) {
            err.println("error: cannot start the endpoint on 127.0.0.1:" + options.port() + ": " + rootCause(e));
            err.flush();
            return EXIT_FAILURE;
        }
        Thread hook = new Thread(emulator::stop, "twinstream-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (options.stopOnEof()) {
                emulator.stopAtEndOf(in);
            }
            emulator.stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            emulator.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down (a signal): the hook has stopped the emulator or is doing so.
            }
        }
        return 0;
    }

    /**
     * Starts the endpoint these options describe and prints its two start-up lines to {@code out}.
     * No shutdown hook and no reading of stdin: the caller stops it.
     *
     * @throws RuntimeException if the endpoint cannot start (WireMock's exception, the port taken...)
     */
    static LocalAwsEmulator start(EmulatorOptions options, PrintStream out) {
        LocalAwsEmulator emulator = new LocalAwsEmulator(options.endpointSettings().start(), out);
        out.println("Twinstream local AWS endpoint listening on " + emulator.uri() + " (Kinesis: "
                + kinesisSummary(options.kinesisStreams()) + "; Firehose: "
                + listOrNone(options.firehoseStreams()) + ")");
        out.println("aws --endpoint-url " + emulator.uri() + " kinesis list-streams");
        out.flush();
        return emulator;
    }

    URI uri() {
        return endpoint.uri();
    }

    LocalAwsEndpoint endpoint() {
        return endpoint;
    }

    /** Stops the emulator once {@code in} reaches its end (or fails), from a daemon thread. */
    private void stopAtEndOf(InputStream in) {
        Thread reader = new Thread(() -> {
            byte[] ignored = new byte[512];
            try {
                while (in.read(ignored) >= 0) {
                    // Only the end of the input matters; what a parent writes is dropped.
                }
            } catch (IOException e) {
                // Looked up here, not in a static field: main sets the log level before SLF4J starts.
                LoggerFactory.getLogger(LocalAwsEmulator.class).warn("Reading standard input failed; stopping as at its end", e);
            }
            stop();
        }, "twinstream-emulator-stdin");
        // A daemon: on a stop by signal it is still blocked in read and must not keep the JVM alive.
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Stops the endpoint and prints that it stopped; idempotent. Synchronized so that a signal
     * arriving while stdin's end stops the emulator waits for that stop to finish.
     */
    synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            endpoint.close();
            out.println("Twinstream local AWS endpoint stopped");
            out.flush();
        } finally {
            stopped.countDown();
        }
    }

    /** {@return true if it stopped within {@code timeout}} */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static String kinesisSummary(Map<String, Integer> streams) {
        return streams.isEmpty() ? "none" : streams.entrySet().stream()
                .map(e -> e.getKey() + "[" + e.getValue() + "]")
                .collect(Collectors.joining(", "));
    }

    private static String listOrNone(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** The innermost cause, which says what went wrong ("Address already in use"), with its type. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() + " (" + root.getClass().getSimpleName() + ")";
    }
}
