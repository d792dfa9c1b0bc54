package dev.twinstream.benchmarks.compare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Reads the null endpoint's counters ({@code GET /__stats} over plain HTTP). A contender calls it
 * just outside its measured interval, so the call's own CPU and allocation are not counted.
 */
final class EndpointClient {
    private static final int TIMEOUT_MILLIS = 10_000;
    private final URI stats;

    /**
     * @param httpPort the endpoint's plain HTTP port on 127.0.0.1
     */
    EndpointClient(int httpPort) {
        this.stats = URI.create("http://127.0.0.1:" + httpPort + NullEndpoint.STATS_PATH);
    }

    /**
     * {@return the endpoint's counters now}
     *
     * @throws UncheckedIOException if the endpoint does not answer
     */
    EndpointStats stats() {
        try {
            HttpURLConnection c = (HttpURLConnection) stats.toURL().openConnection();
            c.setConnectTimeout(TIMEOUT_MILLIS);
            c.setReadTimeout(TIMEOUT_MILLIS);
            try (InputStream in = c.getInputStream()) {
                return EndpointStats.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the null endpoint did not answer " + stats, e);
        }
    }
}
