package dev.twinstream.benchmarks.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link NullEndpoint} in its own JVM, so that no contender's CPU or heap includes it: started
 * with the benchmark's class path, stopped by closing its stdin (or destroyed if it does not exit).
 */
public final class EndpointProcess implements AutoCloseable {
    private static final String ENDPOINT_HEAP = "-Xmx512m";
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final Process process;
    private final int httpPort;
    private final int httpsPort;

    private EndpointProcess(Process process, int httpPort, int httpsPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
    }

    /**
     * Starts the endpoint and waits until it listens. Its stderr (unanswered requests) is the caller's.
     *
     * @param shards the stream's shards
     * @param threads the endpoint's handler threads
     * @return the running endpoint
     * @throws IOException if it cannot start or does not report its ports
     */
    public static EndpointProcess start(int shards, int threads) throws IOException {
        List<String> command = new ArrayList<>(List.of(Jvm.java(), ENDPOINT_HEAP, "-cp", Jvm.classPath(),
                NullEndpoint.class.getName(), "--shards", String.valueOf(shards), "--threads", String.valueOf(threads)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the null endpoint did not start: " + ready);
        }
        int http = 0;
        int https = 0;
        for (String part : ready.substring("READY ".length()).trim().split(" ")) {
            if (part.startsWith("http=")) {
                http = Integer.parseInt(part.substring("http=".length()));
            } else if (part.startsWith("https=")) {
                https = Integer.parseInt(part.substring("https=".length()));
            }
        }
        return new EndpointProcess(p, http, https);
    }

    /** {@return the plain HTTP port on 127.0.0.1} */
    public int httpPort() {
        return httpPort;
    }

    /** {@return the HTTPS port on 127.0.0.1} */
    public int httpsPort() {
        return httpsPort;
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
