package dev.twinstream.testkit.endpoint;

/**
 * A failure of the HTTP exchange itself, which an in-process fake cannot produce: what a load
 * balancer, a proxy or a flaky network does to a request. The {@link LocalAwsEndpoint} injects them
 * with WireMock's fault and delay features, on the calls that write records ({@code PutRecord},
 * {@code PutRecords}, {@code PutRecordBatch}); a test that needs another shape adds its own WireMock
 * stub ({@link LocalAwsEndpoint#wireMock()}).
 *
 * <p>Whether the fake saw the request matters for duplicates, so each constant says it: a request
 * lost on the way never reaches the fake (nothing is stored); a response lost on the way back
 * comes after the fake stored the records, so a client that resends them stores them twice, as
 * with the real service.
 *
 * <p>The faults that break the connection (all but {@link #SLOW_RESPONSE} and {@link #HTML_500})
 * break it for every call on it. Over HTTP/1.1 that is the faulted call alone; over HTTP/2 (the Java
 * SDK v2 Kinesis client's default, which Jetty serves as h2c) every call multiplexed on that
 * connection fails too, including calls the fake has already stored, which a client then resends:
 * duplicates, as against AWS. A test that counts duplicates per fault uses an HTTP/1.1 client
 * ({@code NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)}).
 */
public enum WireFault {
    /** The connection is reset (TCP RST) before the request is answered; the fake never sees it. */
    CONNECTION_RESET(false),
    /** The connection closes without any response; the fake never sees the request. */
    EMPTY_RESPONSE(false),
    /**
     * A {@code 200 OK} whose chunked body breaks off with garbage: the fake stored the records, the
     * client cannot read that it did.
     */
    MALFORMED_RESPONSE_CHUNK(true),
    /** Random bytes instead of HTTP, then the connection closes; the fake never sees the request. */
    RANDOM_DATA_THEN_CLOSE(false),
    /**
     * The response comes after {@link LocalAwsEndpoint.Builder#slowResponseDelay} (30 s by default),
     * longer than a sensible attempt timeout: the fake stored the records, the client gave up.
     */
    SLOW_RESPONSE(true),
    /**
     * {@code 500 Internal Server Error} with an HTML page instead of an AWS error body, as a proxy
     * or load balancer in front of the service answers; the fake never sees the request.
     */
    HTML_500(false);

    private final boolean reachesFake;

    WireFault(boolean reachesFake) {
        this.reachesFake = reachesFake;
    }

    /** {@return whether the fake receives (and stores) the request before the fault hits the response} */
    public boolean reachesFake() {
        return reachesFake;
    }
}
