package dev.twinstream.testkit.endpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The lines written to an output stream (an in-process emulator's {@code out}) or read from a child
 * process's stdout, waited for with a bound instead of polled with sleeps.
 */
final class Lines extends OutputStream {
    private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    /** {@return the lines of {@code in}, copied by a daemon thread until its end} */
    static Lines of(InputStream in) {
        Lines lines = new Lines();
        Thread copier = new Thread(() -> {
            try (in) {
                in.transferTo(lines);
            } catch (IOException e) {
                // The process died or the stream was closed: the lines so far are all there is.
            }
        }, "lines-copier");
        copier.setDaemon(true);
        copier.start();
        return lines;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            pending.add(current.toString(StandardCharsets.UTF_8).replace("\r", ""));
            current.reset();
        } else {
            current.write(b);
        }
    }

    /**
     * The next line that matches, skipping the others.
     *
     * @throws AssertionError if none arrives within {@code timeout}, naming the lines that did
     */
    String await(Predicate<String> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = pending.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no matching line within " + timeout + "; lines so far: " + seen());
                }
                synchronized (seen) {
                    seen.add(line);
                }
                if (matching.test(line)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a line", e);
        }
    }

    /** {@return the lines {@link #await} has taken so far} */
    List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }
}
