package dev.twinstream.aws.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What is written to {@link System#err} while an action runs: slf4j-simple, the tests' SLF4J
 * binding, writes there and looks {@code System.err} up on every call, so a sink's log lines can be
 * asserted without a logging backend of the test's own. Shipped in the test-jar with the shared cases.
 */
public final class StandardErrorCapture {
    private StandardErrorCapture() {}

    /**
     * Runs {@code action} with {@link System#err} redirected, then restores it.
     *
     * @param action what to run; it must finish its logging before it returns
     * @return everything written to {@code System.err} meanwhile
     */
    public static String during(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            action.run();
        } finally {
            System.setErr(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
